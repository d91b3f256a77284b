"""End-to-end fixtures: the real Pulumi CLI, a fresh stack of the program, and the emulator's log."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from emulator_admin import EmulatorAdmin
from harness import StackUnderTest, open_stack
from pulumi import automation as auto


@pytest.fixture(scope="session")
def pulumi_cli() -> str:
    """The real CLI; a missing one fails the suite (tools/test installs it), never skips it."""
    cli = shutil.which("pulumi")
    if cli is None:
        pytest.fail("the pulumi CLI is not on PATH: run the tests with tools/test, which installs it")
    if shutil.which("pulumi-resource-pulumi-python") is None:
        pytest.fail("pulumi-resource-pulumi-python (the dynamic provider plugin) is not on PATH")
    return cli


@pytest.fixture(scope="module")
def service(emulator_server: Any, api_token: str) -> EmulatorAdmin:
    """The emulator, emptied once per module: e2e steps build on what earlier steps left."""
    admin = EmulatorAdmin(emulator_server.url, api_token)
    admin.reset()
    return admin


def new_stack(
    name: str, service: EmulatorAdmin, api_token: str | None, tmp_path_factory: pytest.TempPathFactory
) -> StackUnderTest:
    """A fresh stack in a temporary project folder with its own file:// backend, aimed at the
    emulator; with no `api_token`, neither stack config nor the environment provides one."""
    root = tmp_path_factory.mktemp(name)
    work_dir, backend_dir = root / "project", root / "backend"
    work_dir.mkdir()
    stack = open_stack(name, work_dir, backend_dir, passphrase=secrets.token_hex(8), env={"USEAPI_TOKEN": ""})
    if api_token is not None:
        stack.set_config("pixverse:apiToken", auto.ConfigValue(api_token, secret=True))
    stack.set_config("pixverse:apiUrl", auto.ConfigValue(service.url))
    stack.set_config("pixverse:maxRetries", auto.ConfigValue("2"))
    return StackUnderTest(stack, work_dir, backend_dir, [api_token] if api_token else [])


@pytest.fixture(scope="module")
def e2e_stack(
    pulumi_cli: str, service: EmulatorAdmin, api_token: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StackUnderTest]:
    """A fresh stack with the API token in its config (as a secret)."""
    under_test = new_stack("e2e", service, api_token, tmp_path_factory)
    yield under_test
    under_test.stack.destroy(color="never")


@pytest.fixture(scope="module")
def tokenless_stack(
    pulumi_cli: str, service: EmulatorAdmin, tmp_path_factory: pytest.TempPathFactory
) -> StackUnderTest:
    """A fresh stack with no API token anywhere."""
    return new_stack("tokenless", service, None, tmp_path_factory)
