"""The four calls of the PixVerse v1 account API (see shared/API-CONTRACT.md)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests

from .errors import UnexpectedResponseError
from .transport import ClientSettings, Transport

ACCOUNT_PATH = "/v1/pixverse/account"


class PixverseClient:
    """A client for one API token. Account records are the wire shape:
    `{"discord", "server", "channel", "maxJobs"}`."""

    def __init__(self, settings: ClientSettings) -> None:
        self._transport = Transport(settings)

    def __repr__(self) -> str:
        return f"PixverseClient({self._transport!r})"

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> PixverseClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def upsert_account(self, account: dict[str, Any]) -> None:
        """POST the record to its channel: creates the account or replaces its settings."""
        self._transport.request("POST", _account_path(str(account["channel"])), account)

    def get_account(self, channel: str) -> dict[str, Any]:
        """The account configured on `channel`; NotFoundError when there is none."""
        path = _account_path(channel)
        return _json_object(self._transport.request("GET", path), "GET", path)

    def list_accounts(self) -> dict[str, dict[str, Any]]:
        """Every configured account keyed by channel; NotFoundError when none is configured."""
        return _json_object(self._transport.request("GET", ACCOUNT_PATH), "GET", ACCOUNT_PATH)

    def delete_account(self, channel: str) -> None:
        """Remove the account on `channel`; NotFoundError when there is none."""
        self._transport.request("DELETE", _account_path(channel))


def _account_path(channel: str) -> str:
    return f"{ACCOUNT_PATH}/{quote(channel, safe='')}"


def _json_object(response: requests.Response, method: str, path: str) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        raise UnexpectedResponseError(method, path, "expected a JSON object in the answer")
    return payload
