"""A small client for the emulator's admin surface (/_emulator/), shared by unit and e2e tests."""

from __future__ import annotations

import time
from typing import Any

import requests


class EmulatorAdmin:
    """Talks to the emulator's /_emulator/ routes: what the API received, its state, faults."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token

    def _call(self, method: str, route: str, body: Any = None) -> Any:
        response = requests.request(method, f"{self.url}/_emulator/{route}", json=body, timeout=10)
        response.raise_for_status()
        return response.json() if response.content else None

    def reset(self) -> None:
        self._call("POST", "reset")

    def requests(self) -> list[dict[str, Any]]:
        """Every API request received since the last reset, oldest first."""
        return list(self._call("GET", "requests")["requests"])

    def wait_for_requests(self, number: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """The request log once it holds `number` requests (a delayed one is logged when it ends)."""
        deadline = time.monotonic() + timeout
        while len(log := self.requests()) < number and time.monotonic() < deadline:
            time.sleep(0.05)
        return log

    def counts(self) -> dict[str, int]:
        """Requests received per route template, e.g. {"POST /v1/pixverse/account/{channel}": 2}."""
        return dict(self._call("GET", "requests")["counts"])

    def accounts(self) -> dict[str, dict[str, Any]]:
        return dict(self._call("GET", "accounts"))

    def fault(self, **rule: Any) -> None:
        """Inject a fault for the next API requests (see the emulator's /_emulator/faults)."""
        self._call("POST", "faults", rule)

    def seed(self, account: dict[str, Any]) -> None:
        """Configure an account through the public API, as someone outside Pulumi would."""
        response = requests.post(
            f"{self.url}/v1/pixverse/account/{account['channel']}",
            json=account,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=10,
        )
        assert response.status_code == 204, response.text

    def remove(self, channel: str) -> None:
        """Delete an account through the public API, behind the provider's back."""
        response = requests.delete(
            f"{self.url}/v1/pixverse/account/{channel}",
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=10,
        )
        assert response.status_code == 204, response.text
