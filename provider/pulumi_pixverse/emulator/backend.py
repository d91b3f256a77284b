"""State and validation rules of the emulated PixVerse account APIs, v1 and v2 (no HTTP here).

The wording of every error message follows docs/contributing/contract.md (the vendor's pages). Every choice
the contract leaves open lives in the INTERPRETATIONS section below and nowhere else.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
import time
import zlib
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypedDict, TypeVar, cast

from . import plans

# --------------------------------------------------------------------------------------------
# INTERPRETATIONS: choices the public documentation leaves open, kept in one place.
# --------------------------------------------------------------------------------------------

# The service's current maximum of concurrent jobs per account; maxJobs must be 1..this.
MAX_CONCURRENT_JOBS = 10  # v1
MAX_CONCURRENT_JOBS_V2 = 8  # v2

# "Valid Discord channel id": a snowflake written as 17 to 20 ASCII decimal digits. Checked
# with fullmatch; str.isdigit() is not used because it accepts non-ASCII digits.
DISCORD_ID_RE = re.compile(r"[0-9]{17,20}", re.ASCII)

# discord, server and channel count as "missing or empty" when absent, not a string, or "".
# Whitespace is not stripped. The server field is only checked to be non-empty.
#
# maxJobs counts as "missing or empty" unless it is a JSON integer of at least 1: absent, null,
# 0, negative numbers, booleans, floats (2.5 and also 5.0) and strings ("5") all get that message.
# The same holds for v2.
#
# "Channel <channel> configuration has same discord value" names the OTHER channel that already
# holds the token. Re-posting a token to the channel that holds it is an ordinary upsert.

MSG_DISCORD_MISSING = "Required param discord is missing or empty"
MSG_SERVER_MISSING = "Required param server is missing or empty"
MSG_CHANNEL_MISSING = "Required param channel is missing or empty"
MSG_MAX_JOBS_MISSING = "Required param maxJobs is missing or empty"

# Optional v1 fields the service keeps beside the four, by name: each one's rule, which returns the
# value to store or raises ServiceError(400) with the service's message; a field not given (or null)
# is not stored. None today: a new one is an entry here (tests add one to see a new field flow
# through the provider).
OPTIONAL_V1: dict[str, Callable[[object], object]] = {}

# v2 (the contract's interpretation list): email and password count as "missing or empty" when
# absent, not a string, or "" (whitespace not stripped). The email's form is not checked: the
# contract lists no such message, and a wrong address fails at the PixVerse login (401) instead.
# The rules are checked in the order the contract lists them: email, password, maxJobs, then the
# email against the path. `token` is optional; it is kept only when a non-empty string, any other
# value counts as not given. The service logs in to PixVerse on every POST (with or without a
# token), after the 400 checks; a refused login answers 401 MSG_LOGIN_REFUSED and stores nothing.
# Bodies are JSON only: the service's multipart form data for the v2 POST is not emulated (the
# client never sends it); a body that is not a JSON object fails the first rule.
MSG_EMAIL_MISSING = "Required param email is missing or empty"
MSG_PASSWORD_MISSING = "Required param password is missing or empty"
MSG_LOGIN_REFUSED = "PixVerse login failed for {email}: wrong email or password"

# The stored v2 account as POST and GET show it: the password and jwt.token read back as MASKED.
# jwt.AccountId is a stable number derived from the email (CRC-32), jwt.Username the email's local
# part, jwt.ExpireTime an epoch in seconds the account's session length ahead (plans.Plan), rendered
# anew and strictly later on every answer of that account (so nobody can diff on it); ExpireTimeUTC
# is the same instant as JavaScript's Date.toISOString() writes it.
MASKED = "********"

# GET of one account, or of the list when none is configured: 404 with this plain-text body.
# DELETE of an account that is not configured: 404 with the same message in a JSON error body
# (the contract's general error shape; only the GET routes' 404s are documented as plain text).
MSG_NOT_CONFIGURED = "Configuration not found. To create configuration use pixverse/account/channel."
MSG_NOT_CONFIGURED_V2 = "Configuration not found. To create configuration use POST /accounts/email."

# Any other path or method. The token is checked first, so an unknown route without it is a 401.
MSG_NOT_FOUND = "Not found"

# The state file holds {"v1": {channel: account}, "v2": {email: account}} (v2 with the real
# password). A file whose keys are not all "v1" or "v2" is the older v1-only {channel: account}.
# Refused logins (an admin control, like faults) are not saved: a restart accepts every login.

# --------------------------------------------------------------------------------------------


class Account(TypedDict):
    """One stored v1 account: the four fields the service returns (and those of OPTIONAL_V1 given)."""

    discord: str
    server: str
    channel: str
    maxJobs: int


class _AccountV2Fields(TypedDict):
    email: str
    password: str
    maxJobs: int


class AccountV2(_AccountV2Fields, total=False):
    """One stored v2 account, as it was sent: the real password, and the token when given."""

    token: str


class SessionV2(TypedDict):
    """The `jwt` of a v2 account as the service shows it."""

    AccountId: int
    Username: str
    ExpireTime: int
    ExpireTimeUTC: str
    token: str


class ShownAccountV2(TypedDict):
    """A v2 account as POST (201) and GET show it."""

    email: str
    password: str
    maxJobs: int
    jwt: SessionV2


class ServiceError(Exception):
    """An error answer of the service: HTTP `status` and its `message`, sent as plain text when
    `plain`, else as the JSON error body."""

    def __init__(self, status: int, message: str, plain: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.plain = plain

    def body(self) -> dict[str, Any] | str:
        """The body the service sends: the message itself when plain, else `{"error", "code"}`."""
        return self.message if self.plain else {"error": self.message, "code": self.status}


def _bad_request(message: str) -> ServiceError:
    return ServiceError(400, message)


def _non_empty_str(value: object) -> bool:
    return isinstance(value, str) and value != ""


def _max_jobs(value: object, highest: int) -> int:
    """maxJobs as a JSON integer from 1 to `highest`; ServiceError(400) otherwise."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise _bad_request(MSG_MAX_JOBS_MISSING)
    if value > highest:
        raise _bad_request(f"Required param maxJobs {value} can't be more that {highest}")
    return value


def validate(path_channel: str, body: object) -> Account:
    """Check a v1 POST body against the service's rules, in the service's order.

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
    max_jobs = _max_jobs(body.get("maxJobs"), MAX_CONCURRENT_JOBS)
    given = {name: rule(body[name]) for name, rule in OPTIONAL_V1.items() if body.get(name) is not None}
    account = {"discord": body["discord"], "server": body["server"], "channel": channel, "maxJobs": max_jobs}
    return cast(Account, {**account, **given})


def validate_v2(path_email: str, body: object) -> AccountV2:
    """Check a v2 POST body against the service's rules, in the contract's order; ServiceError(400)
    with the first failing rule's message. The login itself is AccountStore.upsert_v2's."""
    if not isinstance(body, dict) or not _non_empty_str(body.get("email")):
        raise _bad_request(MSG_EMAIL_MISSING)
    if not _non_empty_str(body.get("password")):
        raise _bad_request(MSG_PASSWORD_MISSING)
    max_jobs = _max_jobs(body.get("maxJobs"), MAX_CONCURRENT_JOBS_V2)
    email = body["email"]
    if email != path_email:
        raise _bad_request(f"Required param email ({email}) not matching to /pixverse/accounts/{path_email}")
    account = AccountV2(email=email, password=body["password"], maxJobs=max_jobs)
    if _non_empty_str(body.get("token")):
        account["token"] = body["token"]
    return account


_Record = TypeVar("_Record")


def _configured(accounts: dict[str, _Record], key: str, message: str, plain: bool) -> _Record:
    """The account of `key`; ServiceError(404, message) when it is not configured."""
    if key not in accounts:
        raise ServiceError(404, message, plain)
    return accounts[key]


def _email_id(email: str) -> int:
    return zlib.crc32(email.encode("utf-8", "surrogatepass"))


class AccountStore:
    """Thread-safe v1 accounts keyed by channel id and v2 accounts keyed by email, optionally
    persisted to one JSON file, and the PixVerse logins the emulated PixVerse refuses.

    With `state_file`, an existing file is loaded at construction (the v1-only format too) and
    every mutation rewrites it atomically (temp file in the same directory, fsync, os.replace).
    """

    def __init__(self, state_file: Path | None = None) -> None:
        self._lock = threading.Lock()
        self._state_file = state_file
        self._accounts: dict[str, Account] = {}
        self._accounts_v2: dict[str, AccountV2] = {}
        self._refused_logins: set[str] = set()
        self._plans: dict[str, plans.Plan] = {}
        self._last_expire_time: dict[str, int] = {}
        if state_file is not None and state_file.exists():
            self._load(state_file)

    def _load(self, state_file: Path) -> None:
        loaded = json.loads(state_file.read_text(encoding="utf-8"))
        if not isinstance(loaded, dict):
            raise ValueError(f"state file {state_file} does not hold a JSON object")
        if not set(loaded) <= {"v1", "v2"}:
            loaded = {"v1": loaded}
        v1, v2 = loaded.get("v1", {}), loaded.get("v2", {})
        if not isinstance(v1, dict) or not isinstance(v2, dict):
            raise ValueError(f"state file {state_file}: v1 and v2 must be JSON objects")
        try:
            self._accounts = {channel: validate(channel, record) for channel, record in v1.items()}
            self._accounts_v2 = {email: validate_v2(email, record) for email, record in v2.items()}
        except ServiceError as error:
            raise ValueError(f"state file {state_file} holds an invalid account: {error}") from None

    # v1 -----------------------------------------------------------------------------------------

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
            return account.copy()

    def get(self, channel: str) -> Account:
        """The account of `channel`; ServiceError(404, plain text) when it is not configured."""
        with self._lock:
            return _configured(self._accounts, channel, MSG_NOT_CONFIGURED, plain=True).copy()

    def delete(self, channel: str) -> None:
        """Remove the account of `channel`; ServiceError(404, JSON) when it is not configured."""
        with self._lock:
            _configured(self._accounts, channel, MSG_NOT_CONFIGURED, plain=False)
            del self._accounts[channel]
            self._persist()

    def snapshot(self) -> dict[str, Account]:
        """A copy of all v1 accounts keyed by channel (possibly empty)."""
        with self._lock:
            return {channel: record.copy() for channel, record in self._accounts.items()}

    def list(self) -> dict[str, Account]:
        """All v1 accounts keyed by channel; ServiceError(404, plain text) when none is configured."""
        accounts = self.snapshot()
        if not accounts:
            raise ServiceError(404, MSG_NOT_CONFIGURED, plain=True)
        return accounts

    # v2 -----------------------------------------------------------------------------------------

    def upsert_v2(self, path_email: str, body: object) -> ShownAccountV2:
        """Log in to PixVerse with the body and create or replace the account of `path_email`;
        returns the stored account as the service shows it.

        Raises ServiceError(400) when the body breaks a rule, ServiceError(401) when PixVerse
        refuses the login (see refuse_login); the store is then unchanged.
        """
        account = validate_v2(path_email, body)
        with self._lock:
            if account["email"] in self._refused_logins:
                raise ServiceError(401, MSG_LOGIN_REFUSED.format(email=account["email"]))
            self._accounts_v2[account["email"]] = account
            self._persist()
            return self._shown(account)

    def get_v2(self, email: str) -> ShownAccountV2:
        """The account of `email` as shown; ServiceError(404, plain text) when it is not configured."""
        with self._lock:
            return self._shown(_configured(self._accounts_v2, email, MSG_NOT_CONFIGURED_V2, plain=True))

    def delete_v2(self, email: str) -> None:
        """Remove the account of `email`; ServiceError(404, JSON) when it is not configured."""
        with self._lock:
            _configured(self._accounts_v2, email, MSG_NOT_CONFIGURED_V2, plain=False)
            del self._accounts_v2[email]
            self._persist()

    def list_v2(self) -> dict[str, ShownAccountV2]:
        """All v2 accounts as shown, keyed by email; ServiceError(404, plain text) when none is
        configured."""
        with self._lock:
            if not self._accounts_v2:
                raise ServiceError(404, MSG_NOT_CONFIGURED_V2, plain=True)
            return {email: self._shown(record) for email, record in self._accounts_v2.items()}

    def snapshot_v2(self) -> dict[str, AccountV2]:
        """A copy of all v2 accounts keyed by email, as they were sent (real password, token when
        given; possibly empty)."""
        with self._lock:
            return {email: record.copy() for email, record in self._accounts_v2.items()}

    def refuse_login(self, email: object) -> None:
        """From now on PixVerse refuses the login of `email` (a v2 POST for it answers 401);
        ServiceError(400) unless `email` is a non-empty string."""
        with self._lock:
            self._refused_logins.add(self._login(email))

    def accept_login(self, email: object) -> None:
        """Undo refuse_login for `email`; ServiceError(400) unless it is a non-empty string."""
        with self._lock:
            self._refused_logins.discard(self._login(email))

    # v2, read only (plans.py) --------------------------------------------------------------------

    def features(self, email: str) -> dict[str, Any]:
        """The features answer of `email` ("" when the request named none: the only account's);
        ServiceError(400) when it names no configured account."""
        with self._lock:
            if not email and len(self._accounts_v2) == 1:
                email = next(iter(self._accounts_v2))
            if not email:
                raise _bad_request(MSG_EMAIL_MISSING)
            if email not in self._accounts_v2:
                raise _bad_request(plans.MSG_FEATURES_UNKNOWN.format(email=email))
            return plans.features(self._plan(email))

    def scheduler(self) -> dict[str, Any]:
        """The scheduler's answer: every v2 account's capacity and the jobs running."""
        with self._lock:
            return plans.scheduler(
                [(e, a["maxJobs"], _email_id(e), self._plan(e)) for e, a in self._accounts_v2.items()]
            )

    def set_plan(self, body: object) -> None:
        """Set fields of the plan of `body["email"]` (see plans.Plan); ServiceError(400) when the
        body is not `{"email": <non-empty string>, <field>: <value>, ...}`."""
        if not isinstance(body, dict):
            raise _bad_request("Invalid plan: the body must be a JSON object")
        email = self._login(body.get("email"))
        with self._lock:
            try:
                self._plans[email] = plans.changed_plan(self._plan(email), body)
            except ValueError as error:
                raise _bad_request(f"Invalid plan: {error}") from None

    def _plan(self, email: str) -> plans.Plan:
        return self._plans.get(email, plans.DEFAULT_PLAN)

    @staticmethod
    def _login(email: object) -> str:
        if not isinstance(email, str) or email == "":
            raise _bad_request('Invalid login: the body must be {"email": "<a non-empty string>"}')
        return email

    def _shown(self, account: AccountV2) -> ShownAccountV2:
        """The account as the service shows it, with a fresh session expiry; caller holds the lock."""
        email = account["email"]
        latest = int(time.time()) + self._plan(email).session_seconds
        expire_time = self._last_expire_time[email] = max(self._last_expire_time.get(email, 0) + 1, latest)
        expires = datetime.fromtimestamp(expire_time, timezone.utc)
        session = SessionV2(
            AccountId=_email_id(account["email"]),
            Username=account["email"].partition("@")[0],
            ExpireTime=expire_time,
            ExpireTimeUTC=expires.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            token=MASKED,
        )
        return ShownAccountV2(
            email=account["email"], password=MASKED, maxJobs=account["maxJobs"], jwt=session
        )

    # both ---------------------------------------------------------------------------------------

    def reset(self) -> None:
        """Remove every account of both versions, every login refusal and every plan."""
        with self._lock:
            self._accounts.clear()
            self._accounts_v2.clear()
            self._refused_logins.clear()
            self._plans.clear()
            self._last_expire_time.clear()
            self._persist()

    def _persist(self) -> None:
        """Write the accounts to the state file atomically; caller holds the lock."""
        if self._state_file is None:
            return
        directory = self._state_file.parent
        fd, tmp_name = tempfile.mkstemp(prefix=f".{self._state_file.name}.", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"v1": self._accounts, "v2": self._accounts_v2}, handle, indent=2, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_name, self._state_file)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
