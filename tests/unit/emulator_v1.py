"""Calls of the emulator's v1 account API and admin surface over HTTP, shared by its contract tests."""

from __future__ import annotations

from typing import Any

import requests

TOKEN = "contract-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TIMEOUT = 5
CH1 = "1234567890123456789"
CH2 = "1234567890123456790"
SERVER_ID = "987654321098765432"


def account(channel: str = CH1, discord: str = "discord-token-a", max_jobs: object = 3) -> dict[str, Any]:
    """A v1 account body as the API takes it."""
    return {"discord": discord, "server": SERVER_ID, "channel": channel, "maxJobs": max_jobs}


def api(
    url: str, method: str, path: str, headers: dict[str, str] | None = AUTH, **kwargs: Any
) -> requests.Response:
    """One call of the v1 API at `url`; `path` follows /v1/pixverse/account."""
    return requests.request(
        method, f"{url}/v1/pixverse/account{path}", headers=headers, timeout=TIMEOUT, **kwargs
    )


def admin(url: str, method: str, name: str, **kwargs: Any) -> requests.Response:
    """One call of the admin surface, /_emulator/NAME."""
    return requests.request(method, f"{url}/_emulator/{name}", headers=AUTH, timeout=TIMEOUT, **kwargs)


def accounts(url: str) -> dict[str, Any]:
    """The v1 accounts the emulator holds, keyed by channel."""
    response = admin(url, "GET", "accounts")
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result
