"""Unit-test fixtures: no settings from the environment, and providers configured as the provider
process configures them, against the session's emulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from emulator_admin import EmulatorAdmin
from misbehaving import MisbehavingServer, Received, Reply
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi_pixverse.dynamic.provider import PixverseAccountProvider, PixverseAccountV2Provider

ENVIRONMENT_SETTINGS = (
    "USEAPI_TOKEN",
    "USEAPI_API_URL",
    "USEAPI_MAX_RETRIES",
    "USEAPI_READ_TIMEOUT",
    "USEAPI_REQUEST_TIMEOUT",
)


@pytest.fixture(autouse=True)
def no_environment_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENVIRONMENT_SETTINGS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def configure(emulator: EmulatorAdmin) -> Callable[..., Any]:
    """`configure(provider, config=None)` configures `provider` from stack config `config` (default:
    the emulator's token and URL, 2 retries) and returns it."""

    def configure(provider: Any, config: dict[str, str] | None = None) -> Any:
        if config is None:
            config = {
                "pixverse:apiToken": emulator.token,
                "pixverse:apiUrl": emulator.url,
                "pixverse:maxRetries": "2",
            }
        provider.configure(ConfigureRequest(Config(raw_config=config, project_name="pixverse")))
        return provider

    return configure


@pytest.fixture
def provider(configure: Callable[..., Any]) -> PixverseAccountProvider:
    return configure(PixverseAccountProvider())  # type: ignore[no-any-return]


@pytest.fixture
def provider_v2(configure: Callable[..., Any]) -> PixverseAccountV2Provider:
    return configure(PixverseAccountV2Provider())  # type: ignore[no-any-return]


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[Received], Reply]], MisbehavingServer]]:
    """`serve(answer)` starts a MisbehavingServer; all are stopped after the test."""
    servers: list[MisbehavingServer] = []

    def start(answer: Callable[[Received], Reply]) -> MisbehavingServer:
        servers.append(MisbehavingServer(answer))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def against(configure: Callable[..., Any], api_token: str) -> Callable[..., Any]:
    """`against(provider, server, **config)`: the provider configured for `server` (2 retries)."""

    def configured(provider: Any, server: MisbehavingServer, **config: str) -> Any:
        settings = {"apiToken": api_token, "apiUrl": server.url, "maxRetries": "2", **config}
        return configure(provider, {f"pixverse:{key}": value for key, value in settings.items()})

    return configured
