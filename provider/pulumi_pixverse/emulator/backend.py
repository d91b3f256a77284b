"""State and validation rules of the emulated PixVerse v1 account API (no HTTP here).

The wording of every error message follows shared/API-CONTRACT.md. Every choice the
contract leaves open lives in the INTERPRETATIONS section below and nowhere else.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from pathlib import Path
from typing import Any, TypedDict

# --------------------------------------------------------------------------------------------
# INTERPRETATIONS: choices the public documentation leaves open, kept in one place.
# --------------------------------------------------------------------------------------------

# The service's current maximum of concurrent jobs per account; maxJobs must be 1..this.
MAX_CONCURRENT_JOBS = 10

# "Valid Discord channel id": a snowflake written as 17 to 20 ASCII decimal digits. Checked
# with fullmatch; str.isdigit() is not used because it accepts non-ASCII digits.
DISCORD_ID_RE = re.compile(r"[0-9]{17,20}", re.ASCII)

# discord, server and channel count as "missing or empty" when absent, not a string, or "".
# Whitespace is not stripped. The server field is only checked to be non-empty.
#
# maxJobs counts as "missing or empty" unless it is a JSON integer of at least 1: absent, null,
# 0, negative numbers, booleans, floats (2.5 and also 5.0) and strings ("5") all get that message.
#
# "Channel <channel> configuration has same discord value" names the OTHER channel that already
# holds the token. Re-posting a token to the channel that holds it is an ordinary upsert.

MSG_DISCORD_MISSING = "Required param discord is missing or empty"
MSG_SERVER_MISSING = "Required param server is missing or empty"
MSG_CHANNEL_MISSING = "Required param channel is missing or empty"
MSG_MAX_JOBS_MISSING = "Required param maxJobs is missing or empty"

# GET or DELETE of a channel that is not configured.
MSG_NOT_CONFIGURED = "Configuration not found"

# GET of the list when no account is configured at all (the contract's "plain message").
MSG_NO_ACCOUNTS = "No PixVerse accounts configured"

# Any other path or method. The token is checked first, so an unknown route without it is a 401.
MSG_NOT_FOUND = "Not found"

# --------------------------------------------------------------------------------------------


class Account(TypedDict):
    """One stored account: exactly the four fields the service returns."""

    discord: str
    server: str
    channel: str
    maxJobs: int


class ServiceError(Exception):
    """An error answer of the service: HTTP `status` and its `message`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def body(self) -> dict[str, Any]:
        """The JSON error body the service sends."""
        return {"error": self.message, "code": self.status}


def _bad_request(message: str) -> ServiceError:
    return ServiceError(400, message)


def _non_empty_str(value: object) -> bool:
    return isinstance(value, str) and value != ""


def validate(path_channel: str, body: object) -> Account:
    """Check a POST body against the service's rules, in the service's order.

    Raises ServiceError(400) with the first failing rule's message; the cross-account
    "same discord value" rule needs the store and is checked in AccountStore.upsert.
    """
    if not isinstance(body, dict) or not _non_empty_str(body.get("discord")):
        raise _bad_request(MSG_DISCORD_MISSING)
    if not _non_empty_str(body.get("server")):
        raise _bad_request(MSG_SERVER_MISSING)
    channel = body.get("channel")
    if not isinstance(channel, str) or channel == "":
        raise _bad_request(MSG_CHANNEL_MISSING)
    if DISCORD_ID_RE.fullmatch(channel) is None:
        raise _bad_request(f"Required param channel ({channel}) is not valid Discord channel id")
    if channel != path_channel:
        raise _bad_request(
            f"Required param channel ({channel}) not matching to /pixverse/account/{path_channel}"
        )
    max_jobs = body.get("maxJobs")
    if type(max_jobs) is not int or max_jobs < 1:
        raise _bad_request(MSG_MAX_JOBS_MISSING)
    if max_jobs > MAX_CONCURRENT_JOBS:
        raise _bad_request(f"Required param maxJobs {max_jobs} can't be more that {MAX_CONCURRENT_JOBS}")
    return Account(discord=body["discord"], server=body["server"], channel=channel, maxJobs=max_jobs)


class AccountStore:
    """Thread-safe accounts keyed by channel id, optionally persisted to a JSON file.

    With `state_file`, an existing file is loaded at construction and every mutation
    rewrites it atomically (temp file in the same directory, fsync, os.replace).
    """

    def __init__(self, state_file: Path | None = None) -> None:
        self._lock = threading.Lock()
        self._state_file = state_file
        self._accounts: dict[str, Account] = {}
        if state_file is not None and state_file.exists():
            loaded = json.loads(state_file.read_text(encoding="utf-8"))
            if not isinstance(loaded, dict):
                raise ValueError(f"state file {state_file} does not hold a JSON object")
            try:
                self._accounts = {channel: validate(channel, record) for channel, record in loaded.items()}
            except ServiceError as error:
                raise ValueError(f"state file {state_file} holds an invalid account: {error}") from None

    def upsert(self, path_channel: str, body: object) -> Account:
        """Create or replace the account of `path_channel`; returns the stored record.

        Raises ServiceError(400) when the body breaks a rule or its discord token is
        already configured on another channel.
        """
        account = validate(path_channel, body)
        with self._lock:
            for other, existing in self._accounts.items():
                if other != account["channel"] and existing["discord"] == account["discord"]:
                    raise _bad_request(f"Channel {other} configuration has same discord value")
            self._accounts[account["channel"]] = account
            self._persist()
            return Account(**account)

    def get(self, channel: str) -> Account:
        """The account of `channel`; ServiceError(404) when it is not configured."""
        with self._lock:
            if channel not in self._accounts:
                raise ServiceError(404, MSG_NOT_CONFIGURED)
            return Account(**self._accounts[channel])

    def delete(self, channel: str) -> None:
        """Remove the account of `channel`; ServiceError(404) when it is not configured."""
        with self._lock:
            if channel not in self._accounts:
                raise ServiceError(404, MSG_NOT_CONFIGURED)
            del self._accounts[channel]
            self._persist()

    def reset(self) -> None:
        """Remove every account."""
        with self._lock:
            self._accounts.clear()
            self._persist()

    def snapshot(self) -> dict[str, Account]:
        """A copy of all accounts keyed by channel (possibly empty)."""
        with self._lock:
            return {channel: Account(**record) for channel, record in self._accounts.items()}

    def list(self) -> dict[str, Account]:
        """All accounts keyed by channel; ServiceError(404) when none is configured."""
        accounts = self.snapshot()
        if not accounts:
            raise ServiceError(404, MSG_NO_ACCOUNTS)
        return accounts

    def _persist(self) -> None:
        """Write the accounts to the state file atomically; caller holds the lock."""
        if self._state_file is None:
            return
        directory = self._state_file.parent
        fd, tmp_name = tempfile.mkstemp(prefix=f".{self._state_file.name}.", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(self._accounts, handle, indent=2, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_name, self._state_file)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
