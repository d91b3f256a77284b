"""The calls of the PixVerse account APIs, v1 and v2 (see shared/API-CONTRACT.md)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from .config import ClientSettings
from .errors import AuthenticationError, NotFoundError, PixverseError, UnexpectedResponseError
from .shared_list import SharedList
from .transport import Transport

ACCOUNT_PATH = "/v1/pixverse/account"
"""v1: accounts keyed by Discord channel id."""
ACCOUNTS_V2_PATH = "/v2/pixverse/accounts"
"""v2: accounts keyed by PixVerse login email."""


class PixverseClient:
    """A client for one API token, over one transport for both API versions. Account records are the
    wire shapes: v1 `{"discord", "server", "channel", "maxJobs"}`; v2 requests
    `{"email", "password", "maxJobs", "token"?}`, v2 answers `{"email", "password": <masked>,
    "maxJobs", "jwt"}`.

    `transport`: one to share (e.g. `shared_transport(settings)`), which `close()` leaves open;
    without it the client makes its own and `close()` closes it. Safe for concurrent calls.

    `listed_account` and `listed_account_v2` read one account out of the list call's answer, which
    the client keeps and shares (one list call for any number of reads, concurrent ones included);
    a write through this client (upsert or delete) makes it stale for the account it wrote only.
    `known_account` answers from it too, and sends a GET only where it cannot answer.
    """

    def __init__(self, settings: ClientSettings, transport: Transport | None = None) -> None:
        self._owns_transport = transport is None
        self._transport = transport if transport is not None else Transport(settings)
        self._listed = SharedList(lambda: self._listing(ACCOUNT_PATH))
        self._listed_v2 = SharedList(lambda: self._listing(ACCOUNTS_V2_PATH))
        self._list_failed = False  # the v1 list call failed once: known_account asks with a GET

    def __repr__(self) -> str:
        return f"PixverseClient({self._transport!r})"

    def close(self) -> None:
        """Close the transport if this client made it; a shared one stays open."""
        if self._owns_transport:
            self._transport.close()

    def __enter__(self) -> PixverseClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # v1 -------------------------------------------------------------------------------------------

    def upsert_account(self, account: dict[str, Any]) -> None:
        """POST the record to its channel: creates the account or replaces its settings."""
        channel = str(account["channel"])
        with self._writing(self._listed, channel):
            self._transport.request("POST", _item_path(ACCOUNT_PATH, channel), account)

    def get_account(self, channel: str) -> dict[str, Any]:
        """The account configured on `channel`; NotFoundError when there is none."""
        return self._json_object("GET", _item_path(ACCOUNT_PATH, channel))

    def list_accounts(self) -> dict[str, dict[str, Any]]:
        """Every configured account keyed by channel; NotFoundError when none is configured."""
        return self._json_object("GET", ACCOUNT_PATH)

    def listed_account(self, channel: str) -> dict[str, Any] | None:
        """The account on `channel` as the shared list call reports it; None when it is not there
        (also when the list answers 404: no account at all)."""
        return _entry(self._listed.get(channel), channel, ACCOUNT_PATH)

    def known_account(self, channel: str) -> dict[str, Any] | None:
        """The account on `channel`, None when there is none, in one request at most: from the shared
        list call's answer where it holds, else (this client wrote the channel since the list was
        sent, or the list call failed: then for the rest of the client's life) from a GET of the
        channel. A refused API token is raised, not asked again."""
        listing = None
        if not self._list_failed:
            try:
                listing = self._listed.get_if_current(channel)
            except AuthenticationError:
                raise
            except PixverseError:
                self._list_failed = True
        if listing is not None:
            return _entry(listing, channel, ACCOUNT_PATH)
        try:
            return self.get_account(channel)
        except NotFoundError:
            return None

    def delete_account(self, channel: str) -> None:
        """Remove the account on `channel`; NotFoundError when there is none."""
        with self._writing(self._listed, channel):
            self._transport.request("DELETE", _item_path(ACCOUNT_PATH, channel))

    # v2 -------------------------------------------------------------------------------------------

    def upsert_account_v2(self, account: dict[str, Any]) -> dict[str, Any]:
        """POST the record to its email (the service logs in to PixVerse with it) and return the
        stored account the service answers with (201). LoginRefusedError when PixVerse refuses the
        login."""
        email = str(account["email"])
        with self._writing(self._listed_v2, email):
            return self._json_object("POST", _item_path(ACCOUNTS_V2_PATH, email), account, login=email)

    def get_account_v2(self, email: str) -> dict[str, Any]:
        """The account configured for `email`; NotFoundError when there is none."""
        return self._json_object("GET", _item_path(ACCOUNTS_V2_PATH, email))

    def list_accounts_v2(self) -> dict[str, dict[str, Any]]:
        """Every configured account keyed by email; NotFoundError when none is configured."""
        return self._json_object("GET", ACCOUNTS_V2_PATH)

    def listed_account_v2(self, email: str) -> dict[str, Any] | None:
        """The account of `email` as the shared list call reports it; None when it is not there
        (also when the list answers 404: no account at all)."""
        return _entry(self._listed_v2.get(email), email, ACCOUNTS_V2_PATH)

    def delete_account_v2(self, email: str) -> None:
        """Remove the account of `email`; NotFoundError when there is none."""
        with self._writing(self._listed_v2, email):
            self._transport.request("DELETE", _item_path(ACCOUNTS_V2_PATH, email))

    # the shared list ------------------------------------------------------------------------------

    def _listing(self, path: str) -> dict[str, Any]:
        """The list call's answer; {} when the service answers 404 (no account configured)."""
        try:
            return self._json_object("GET", path)
        except NotFoundError:
            return {}

    @contextlib.contextmanager
    def _writing(self, listed: SharedList, key: str) -> Iterator[None]:
        """Around a write of account `key`: once it is done (or failed, which may still have changed
        the service), the list kept for reads is stale for that account."""
        try:
            yield
        finally:
            listed.invalidate(key)

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


def _entry(listing: dict[str, Any], key: str, path: str) -> dict[str, Any] | None:
    """The account under `key` in a list call's answer, None when absent; UnexpectedResponseError
    when the entry is not a JSON object."""
    entry = listing.get(key)
    if entry is not None and not isinstance(entry, dict):
        raise UnexpectedResponseError("GET", path, f"expected a JSON object for {key!r} in the list")
    return entry


def _item_path(collection: str, key: str) -> str:
    """The path of one account: its key (channel or email) URL-encoded as one segment."""
    return f"{collection}/{quote(key, safe='')}"
