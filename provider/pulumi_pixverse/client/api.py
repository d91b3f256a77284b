"""The calls of the PixVerse account APIs, v1 and v2 (see shared/API-CONTRACT.md)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from .errors import UnexpectedResponseError
from .transport import ClientSettings, Transport

ACCOUNT_PATH = "/v1/pixverse/account"
"""v1: accounts keyed by Discord channel id."""
ACCOUNTS_V2_PATH = "/v2/pixverse/accounts"
"""v2: accounts keyed by PixVerse login email."""


class PixverseClient:
    """A client for one API token, over one transport for both API versions. Account records are the
    wire shapes: v1 `{"discord", "server", "channel", "maxJobs"}`; v2 requests
    `{"email", "password", "maxJobs", "token"?}`, v2 answers `{"email", "password": <masked>,
    "maxJobs", "jwt"}`."""

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

    # v1 -------------------------------------------------------------------------------------------

    def upsert_account(self, account: dict[str, Any]) -> None:
        """POST the record to its channel: creates the account or replaces its settings."""
        self._transport.request("POST", _item_path(ACCOUNT_PATH, str(account["channel"])), account)

    def get_account(self, channel: str) -> dict[str, Any]:
        """The account configured on `channel`; NotFoundError when there is none."""
        return self._json_object("GET", _item_path(ACCOUNT_PATH, channel))

    def list_accounts(self) -> dict[str, dict[str, Any]]:
        """Every configured account keyed by channel; NotFoundError when none is configured."""
        return self._json_object("GET", ACCOUNT_PATH)

    def delete_account(self, channel: str) -> None:
        """Remove the account on `channel`; NotFoundError when there is none."""
        self._transport.request("DELETE", _item_path(ACCOUNT_PATH, channel))

    # v2 -------------------------------------------------------------------------------------------

    def upsert_account_v2(self, account: dict[str, Any]) -> dict[str, Any]:
        """POST the record to its email (the service logs in to PixVerse with it) and return the
        stored account the service answers with (201). LoginRefusedError when PixVerse refuses the
        login."""
        email = str(account["email"])
        return self._json_object("POST", _item_path(ACCOUNTS_V2_PATH, email), account, login=email)

    def get_account_v2(self, email: str) -> dict[str, Any]:
        """The account configured for `email`; NotFoundError when there is none."""
        return self._json_object("GET", _item_path(ACCOUNTS_V2_PATH, email))

    def list_accounts_v2(self) -> dict[str, dict[str, Any]]:
        """Every configured account keyed by email; NotFoundError when none is configured."""
        return self._json_object("GET", ACCOUNTS_V2_PATH)

    def delete_account_v2(self, email: str) -> None:
        """Remove the account of `email`; NotFoundError when there is none."""
        self._transport.request("DELETE", _item_path(ACCOUNTS_V2_PATH, email))

    def _json_object(
        self, method: str, path: str, body: dict[str, Any] | None = None, login: str | None = None
    ) -> dict[str, Any]:
        """Send the call; its answer must be a JSON object, else UnexpectedResponseError."""
        response = self._transport.request(method, path, body, login=login)
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            raise UnexpectedResponseError(method, path, "expected a JSON object in the answer")
        return payload


def _item_path(collection: str, key: str) -> str:
    """The path of one account: its key (channel or email) URL-encoded as one segment."""
    return f"{collection}/{quote(key, safe='')}"
