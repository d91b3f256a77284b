"""A small client for the emulator's admin surface (/_emulator/), shared by unit and e2e tests. It names
each admin route as the emulator's ADMIN_ROUTES does ("POST /_emulator/reset"), and calls every one of
them (tests/unit/test_emulator_routes.py holds the two together)."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import requests
from pulumi_pixverse.emulator.server import logged_body


class EmulatorAdmin:
    """Talks to the emulator's /_emulator/ routes: what the API received, its state, faults."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token
        self._session = requests.Session()
        self._session.trust_env = False  # a test's proxy or netrc variables are for the provider

    def _call(self, route: str, body: Any = None) -> Any:
        """Call an admin route, "METHOD /_emulator/NAME" as the emulator's ADMIN_ROUTES names it."""
        method, _, path = route.partition(" ")
        response = self._session.request(
            method,
            f"{self.url}{path}",
            json=body,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=10,
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def as_logged(self, body: dict[str, Any]) -> Any:
        """`body` as the request log shows it when the API accepted it: credentials as fingerprints."""
        return logged_body(body, self.token)

    def reset(self) -> None:
        self._call("POST /_emulator/reset")

    def requests(self) -> list[dict[str, Any]]:
        """Every API request received since the last reset, oldest first."""
        return list(self._call("GET /_emulator/requests")["requests"])

    def wait_for_requests(self, number: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """The request log once it holds `number` requests (a delayed one is logged when it ends)."""
        deadline = time.monotonic() + timeout
        while len(log := self.requests()) < number and time.monotonic() < deadline:
            time.sleep(0.05)
        return log

    def counts(self) -> dict[str, int]:
        """Requests received per route template, e.g. {"POST /v1/pixverse/account/{channel}": 2}."""
        return dict(self._call("GET /_emulator/requests")["counts"])

    def connections(self) -> int:
        """TCP connections that carried API requests since the last reset (keep-alive reuse shows as
        fewer connections than requests)."""
        return int(self._call("GET /_emulator/connections")["connections"])

    def accounts(self) -> dict[str, dict[str, Any]]:
        """The v1 accounts keyed by channel."""
        return dict(self._call("GET /_emulator/accounts"))

    def accounts_v2(self) -> dict[str, dict[str, Any]]:
        """The v2 accounts keyed by email, as they were sent: real password, token when given."""
        return dict(self._call("GET /_emulator/accounts-v2"))

    def plant(self, account: dict[str, Any]) -> None:
        """Configure a v1 account as another owner would (a dashboard, another team's stack), without
        an entry in the request log."""
        self._call("POST /_emulator/accounts", account)

    def plant_v2(self, account: dict[str, Any]) -> None:
        """Configure a v2 account as another owner would, without an entry in the request log."""
        self._call("POST /_emulator/accounts-v2", account)

    def refuse_login(self, email: str) -> None:
        """Make PixVerse refuse the login of `email`: a v2 POST for it answers 401 until reset."""
        self._call("POST /_emulator/refuse-login", {"email": email})

    def accept_login(self, email: str) -> None:
        """Undo refuse_login: PixVerse accepts the login of `email` again."""
        self._call("DELETE /_emulator/refuse-login", {"email": email})

    def plan(self, email: str, **fields: Any) -> None:
        """Set the PixVerse side of the v2 account `email` (plan_name, gen_simultaneously,
        credit_daily, credit_monthly, credit_package, expired_date, renews, session_seconds,
        executing: emulator/plans.py's Plan) until reset."""
        self._call("POST /_emulator/plan", {"email": email, **fields})

    def fault(self, **rule: Any) -> None:
        """Inject a fault for the next API requests (see the emulator's /_emulator/faults)."""
        self._call("POST /_emulator/faults", rule)

    def clear_faults(self) -> None:
        """Remove the fault rules not yet used up (reset does too)."""
        self._call("DELETE /_emulator/faults")

    def latency(self, **spec: Any) -> dict[str, Any]:
        """With keys (seconds, jitter, seed, routes), make every API request wait that long, until the
        next reset; returns the latency now in force."""
        if spec:
            self._call("POST /_emulator/latency", spec)
        return dict(self._call("GET /_emulator/latency"))

    def in_flight(self, restart_peak: bool = False) -> dict[str, int]:
        """{"in_flight": API requests being handled now, "peak": the most at once since the last reset};
        `restart_peak` starts the peak again from now."""
        return dict(self._call("DELETE /_emulator/in-flight" if restart_peak else "GET /_emulator/in-flight"))

    def seed(self, account: dict[str, Any]) -> None:
        """Configure an account through the public API, as someone outside Pulumi would."""
        self._api("POST", f"v1/pixverse/account/{account['channel']}", 204, account)

    def remove(self, channel: str) -> None:
        """Delete an account through the public API, behind the provider's back."""
        self._api("DELETE", f"v1/pixverse/account/{channel}", 204)

    def seed_v2(self, account: dict[str, Any]) -> dict[str, Any]:
        """Configure a v2 account through the public API; returns the account as the service shows it."""
        shown: dict[str, Any] = self._api(
            "POST", f"v2/pixverse/accounts/{quote(account['email'], safe='')}", 201, account
        ).json()
        return shown

    def remove_v2(self, email: str) -> None:
        """Delete a v2 account through the public API, behind the provider's back."""
        self._api("DELETE", f"v2/pixverse/accounts/{quote(email, safe='')}", 204)

    def _api(self, method: str, path: str, status: int, body: Any = None) -> requests.Response:
        response = requests.request(
            method,
            f"{self.url}/{path}",
            json=body,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=10,
        )
        assert response.status_code == status, response.text
        return response


def assert_error(response: requests.Response, status: int, message: str) -> None:
    """The service's JSON error answer: `{"error": message, "code": status}` with that status."""
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"error": message, "code": status}


def assert_plain_404(response: requests.Response, message: str) -> None:
    """The documented 404 of the GET routes: the message as plain text, not a JSON error body."""
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "text/plain;charset=UTF-8"
    assert response.text == message
