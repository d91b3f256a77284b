"""The calls of the PixVerse account APIs, v1 and v2 (docs/contributing/contract.md)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

from .answers import Route
from .config import ClientSettings
from .errors import AuthenticationError, NotFoundError, PixverseError
from .records import account_record, account_record_v2, capacity_record, features_record
from .shared_list import SharedList
from .transport import Transport

ACCOUNT_PATH = "/v1/pixverse/account"
"""v1: accounts keyed by Discord channel id."""
ACCOUNTS_V2_PATH = "/v2/pixverse/accounts"
"""v2: accounts keyed by PixVerse login email."""
FEATURES_PATH = "/v2/pixverse/features/"
"""v2, read only: one account's PixVerse plan and credits (`?email=`; the trailing slash as the
page writes it)."""
SCHEDULER_PATH = "/v2/pixverse/scheduler/available"
"""v2, read only: the pool's capacity now."""

# What each call documents (docs/contributing/contract.md); `answers.meaning` holds every answer to it.
UPSERT = Route("POST", frozenset({204, 200, 201}))
"""v1 POST: 204 No Content (200/201 with a JSON body accepted too)."""
UPSERT_V2 = Route("POST", frozenset({201}), json_object=True, logs_in=True)
"""v2 POST: 201 with the stored account; it logs in to PixVerse."""
READ = Route("GET", frozenset({200}), json_object=True, not_found=True)
"""GET of the list or one account, either version: 200 with a JSON object, or the service's 404."""
LOOK_UP = Route("GET", frozenset({200}), json_object=True)
"""A read-only v2 call (features, scheduler): 200 with a JSON object; no 404 of its own."""
DELETE = Route("DELETE", frozenset({204, 200}), not_found=True)
"""DELETE of one account, either version: 204 (200 accepted), or the service's 404."""


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
        self._list_failed = False  # a list call failed once: known_account(_v2) asks with a GET

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
            self._transport.request(UPSERT, _item_path(ACCOUNT_PATH, channel), account)

    def list_accounts(self) -> dict[str, dict[str, Any]]:
        """Every configured account keyed by channel (records.account_record); NotFoundError when
        none is configured."""
        return {
            channel: account_record(record, channel, ACCOUNT_PATH)
            for channel, record in self._read(ACCOUNT_PATH).items()
        }

    def listed_account(self, channel: str) -> dict[str, Any] | None:
        """The account on `channel` as the shared list call reports it (records.account_record);
        None when it is not there (also when the list answers the service's 404: no account at all)."""
        record = self._listed.get(channel).get(channel)
        return None if record is None else account_record(record, channel, ACCOUNT_PATH)

    def known_account(self, channel: str) -> dict[str, Any] | None:
        """The account on `channel` (records.account_record), None when there is none, in one request
        at most: from the shared list call's answer where it holds, else (this client wrote the channel
        since the list was sent, or the list call failed: then for the rest of the client's life) from
        a GET of the channel. A refused API token is raised, not asked again."""
        record = self._known(self._listed, _item_path(ACCOUNT_PATH, channel), channel)
        return None if record is None else account_record(record, channel, ACCOUNT_PATH)

    def _known(self, listed: SharedList, path: str, key: str) -> Any:
        """The record of `key` as sent, from `listed` where it holds, else from a GET of `path` (see
        known_account); None when there is none."""
        listing = None
        if not self._list_failed:
            try:
                listing = listed.get_if_current(key)
            except AuthenticationError:
                raise
            except PixverseError:
                self._list_failed = True
        if listing is not None:
            return listing.get(key)
        try:
            return self._read(path)
        except NotFoundError:
            return None

    def delete_account(self, channel: str) -> None:
        """Remove the account on `channel`; NotFoundError when there is none."""
        with self._writing(self._listed, channel):
            self._transport.request(DELETE, _item_path(ACCOUNT_PATH, channel))

    # v2 -------------------------------------------------------------------------------------------

    def upsert_account_v2(self, account: dict[str, Any]) -> dict[str, Any]:
        """POST the record to its email (the service logs in to PixVerse with it) and return the
        stored account the service answers with (201; records.account_record_v2, `after_write`: an
        unreadable session is reported in `unreadable`, never raised). LoginRefusedError when PixVerse
        refuses the login."""
        email = str(account["email"])
        path = _item_path(ACCOUNTS_V2_PATH, email)
        with self._writing(self._listed_v2, email):
            stored = self._transport.request(UPSERT_V2, path, account, login=email)
        return account_record_v2(stored, email, path, after_write=True)

    def list_accounts_v2(self) -> dict[str, dict[str, Any]]:
        """Every configured account keyed by email (records.account_record_v2); NotFoundError when
        none is configured."""
        return {
            email: account_record_v2(record, email, ACCOUNTS_V2_PATH)
            for email, record in self._read(ACCOUNTS_V2_PATH).items()
        }

    def listed_account_v2(self, email: str) -> dict[str, Any] | None:
        """The account of `email` as the shared list call reports it (records.account_record_v2);
        None when it is not there (also when the list answers the service's 404: no account at all)."""
        record = self._listed_v2.get(email).get(email)
        return None if record is None else account_record_v2(record, email, ACCOUNTS_V2_PATH)

    def known_account_v2(self, email: str) -> dict[str, Any] | None:
        """The account of `email` (records.account_record_v2), None when there is none, in one request
        at most, as `known_account` does for v1."""
        record = self._known(self._listed_v2, _item_path(ACCOUNTS_V2_PATH, email), email)
        return None if record is None else account_record_v2(record, email, ACCOUNTS_V2_PATH)

    def delete_account_v2(self, email: str) -> None:
        """Remove the account of `email`; NotFoundError when there is none."""
        with self._writing(self._listed_v2, email):
            self._transport.request(DELETE, _item_path(ACCOUNTS_V2_PATH, email))

    # read only (v2) -------------------------------------------------------------------------------

    def features(self, email: str) -> dict[str, Any]:
        """The PixVerse plan and credits of the v2 account `email` (records.features_record)."""
        path = f"{FEATURES_PATH}?{urlencode({'email': email})}"
        return features_record(self._transport.request(LOOK_UP, path), email, FEATURES_PATH)

    def capacity(self) -> dict[str, Any]:
        """The scheduler's view of the v2 pool now (records.capacity_record)."""
        return capacity_record(self._transport.request(LOOK_UP, SCHEDULER_PATH), SCHEDULER_PATH)

    # the shared list ------------------------------------------------------------------------------

    def _listing(self, path: str) -> dict[str, Any]:
        """The list call's answer as sent (records are read per key); {} when the service answers
        its own 404 (no account configured)."""
        try:
            return self._read(path)
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

    def _read(self, path: str) -> dict[str, Any]:
        """GET `path`: the JSON object of the answer."""
        return self._transport.request(READ, path)


def _item_path(collection: str, key: str) -> str:
    """The path of one account: its key (channel or email) URL-encoded as one segment."""
    return f"{collection}/{quote(key, safe='')}"
