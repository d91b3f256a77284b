"""Shared fixtures: a real emulator on loopback, emptied for each unit test."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from emulator_admin import EmulatorAdmin
from pulumi_pixverse.emulator import EmulatorServer, start_in_thread


@pytest.fixture(scope="session")
def api_token() -> str:
    """A fresh API token per run, so a leak check cannot pass by accident."""
    return f"useapi-test-{secrets.token_hex(12)}"


@pytest.fixture(scope="session")
def emulator_server(api_token: str) -> Iterator[EmulatorServer]:
    server = start_in_thread(token=api_token)
    yield server
    server.stop()


@pytest.fixture
def emulator(emulator_server: EmulatorServer, api_token: str) -> EmulatorAdmin:
    """The session's emulator, emptied (accounts, request log, faults) for this test."""
    admin = EmulatorAdmin(emulator_server.url, api_token)
    admin.reset()
    return admin
