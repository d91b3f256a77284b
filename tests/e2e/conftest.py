"""End-to-end fixtures: stacks of this project driven by plain `pulumi` commands against the emulator."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from emulator_admin import EmulatorAdmin
from harness import StackUnderTest, new_stack
from postgres import Cluster, throwaway_cluster
from s3 import Server, throwaway_server
from shared_backend import Gate


@pytest.fixture(scope="session")
def pulumi_cli() -> str:
    """The real CLI, its Python, YAML, Node.js and Go language hosts, Node.js and Go; a missing one fails
    the suite (tools/test installs them), never skips it."""
    tools = ("pulumi", "pulumi-language-python", "pulumi-resource-pulumi-python", "pulumi-language-yaml")
    for tool in (*tools, "pulumi-language-nodejs", "node", "pulumi-language-go", "go"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not on PATH: run the tests with tools/test, which installs it")
    return str(shutil.which("pulumi"))


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """A throwaway PostgreSQL cluster for stacks on the PostgreSQL backend (`pg_cluster.url`); a missing
    PostgreSQL fails the tests that use it (tools/test installs it), never skips them."""
    with throwaway_cluster() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def s3_server() -> Iterator[Server]:
    """A throwaway S3-compatible object store for stacks on the S3 backend (`s3_server.url`, its
    credentials in `s3_server.client_env()`); a missing server fails the tests that use it (tools/test
    builds it), never skips them."""
    with throwaway_server() as server:
        yield server


@pytest.fixture
def gate(emulator_server: Any, monkeypatch: pytest.MonkeyPatch) -> Gate:
    """The session's emulator, holding requests until the test lets them go (`Gate`)."""
    return Gate(emulator_server, monkeypatch)


@pytest.fixture(scope="module")
def service(emulator_server: Any, api_token: str) -> EmulatorAdmin:
    """The emulator, emptied once per module: e2e steps build on what earlier steps left."""
    admin = EmulatorAdmin(emulator_server.url, api_token)
    admin.reset()
    return admin


@pytest.fixture(scope="module")
def e2e_stack(
    pulumi_cli: str, service: EmulatorAdmin, api_token: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StackUnderTest]:
    """A fresh stack with the API token in its config (as a secret); destroyed at the end."""
    under_test = new_stack("e2e", service, tmp_path_factory)
    under_test.set_api_token(api_token)
    yield under_test
    under_test.destroy()


@pytest.fixture(scope="module")
def tokenless_stack(
    pulumi_cli: str, service: EmulatorAdmin, tmp_path_factory: pytest.TempPathFactory
) -> StackUnderTest:
    """A fresh stack with no API token anywhere."""
    return new_stack("tokenless", service, tmp_path_factory)
