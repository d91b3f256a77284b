"""Account records as the service returns them, read in the declared types.

A read stores what these return, so a type the service chose (`"5"` for maxJobs, a channel as a
number) never turns into a diff, let alone a replace: ids become strings, `maxJobs` an integer (a
whole-number string or float converted). A record that cannot be understood (a field missing, or of a
type that cannot be converted) raises UnreadableRecordError naming the field: the read fails and the
state keeps what it had.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import UnreadableRecordError

_WHOLE_NUMBER = re.compile(r"\s*[0-9]+\s*")


class _Reader:
    """Reads the fields of one record; each problem raises UnreadableRecordError."""

    def __init__(self, record: Any, key: str, path: str, within: str = "") -> None:
        self.key, self.path, self.within = key, path, within
        if not isinstance(record, dict):
            raise UnreadableRecordError("GET", path, key, within or "account", f"a {type(record).__name__}")
        self.record = record

    def text(self, field: str) -> str:
        value = self._present(field)
        if isinstance(value, str) and value.strip():
            return value
        raise self._broken(field, value)

    def identifier(self, field: str) -> str:
        """A Discord id: a string, or a JSON integer as its digits."""
        value = self._present(field)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return str(value)
        return self.text(field)

    def whole_number(self, field: str, required: bool = True) -> int | None:
        value = self.record.get(field)
        if value is None and not required:
            return None
        value = self._present(field)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value):
            return int(value)
        raise self._broken(field, value)

    def optional_text(self, field: str) -> str | None:
        return None if self.record.get(field) is None else self.text(field)

    def _present(self, field: str) -> Any:
        value = self.record.get(field)
        if value is None:
            raise UnreadableRecordError("GET", self.path, self.key, self._name(field), "no value")
        return value

    def _broken(self, field: str, value: Any) -> UnreadableRecordError:
        kind = "an empty string" if value == "" else f"a {type(value).__name__} it cannot be read as"
        return UnreadableRecordError("GET", self.path, self.key, self._name(field), kind)

    def _name(self, field: str) -> str:
        return f"{self.within}.{field}" if self.within else field


def account_record(record: Any, channel: str, path: str) -> dict[str, Any]:
    """A v1 record `{"discord", "server", "channel", "maxJobs"}` in the declared types."""
    read = _Reader(record, f"the account on channel {channel}", path)
    return {
        "discord": read.text("discord"),
        "server": read.identifier("server"),
        "channel": read.identifier("channel"),
        "maxJobs": read.whole_number("maxJobs"),
    }


def account_record_v2(record: Any, email: str, path: str, *, after_write: bool = False) -> dict[str, Any]:
    """A v2 record `{"email", "password": <masked>, "maxJobs", "jwt": {"AccountId", "Username", ...}}`
    with `email`, `maxJobs`, `jwt.AccountId` and `jwt.Username` in the declared types (`jwt` {} when
    the service sent none); the other fields as sent (masked, never stored).

    `after_write`: the answer of a write that succeeded, whose session (`jwt`, information only) must
    not fail it: an unreadable one reads as `jwt` {} with `unreadable` saying what was wrong."""
    read = _Reader(record, f"the v2 account {email}", path)
    account = {**record, "email": read.text("email"), "maxJobs": read.whole_number("maxJobs")}
    session = record.get("jwt")
    if session is None:
        return {**account, "jwt": {}}
    try:
        read_session = _Reader(session, f"the v2 account {email}", path, within="jwt")
        facts = {
            "AccountId": read_session.whole_number("AccountId", required=False),
            "Username": read_session.optional_text("Username"),
        }
    except UnreadableRecordError as error:
        if not after_write:
            raise
        return {**account, "jwt": {}, "unreadable": f"{error.reason} in `{error.field}`"}
    return {**account, "jwt": {**session, **facts}}


FEATURE_NUMBERS = ("gen_simultaneously", "credit_daily", "credit_monthly", "credit_package")
"""The whole numbers of a features answer: the plan's concurrent generations, then the credits."""


def features_record(record: Any, email: str, path: str) -> dict[str, Any]:
    """A features answer of the v2 account `email`: `gen_simultaneously` (required) and the credits
    as integers (None when not sent), `expired_date` as sent (a string, or None); nothing else."""
    read = _Reader(record, f"the plan of the v2 account {email}", path)
    numbers = {
        name: read.whole_number(name, required=name == "gen_simultaneously") for name in FEATURE_NUMBERS
    }
    return {**numbers, "expired_date": read.optional_text("expired_date")}


def capacity_record(record: Any, path: str) -> dict[str, Any]:
    """A scheduler answer: `available` [{email, maxJobs, executing, available}] (integers) and
    `executing` [{id, type, started, elapsed}] (texts; `elapsed` a number); reply URLs and refs are
    dropped (a caller's callback may carry its own secrets)."""
    read = _Reader(record, "the scheduler's capacity", path)
    accounts, jobs = read.record.get("available") or [], read.record.get("executing") or []
    if not isinstance(accounts, list) or not isinstance(jobs, list):
        raise UnreadableRecordError("GET", path, read.key, "available/executing", "not a list")
    return {
        "available": [_capacity_account(item, path, index) for index, item in enumerate(accounts)],
        "executing": [_executing_job(item, path, index) for index, item in enumerate(jobs)],
    }


def _capacity_account(item: Any, path: str, index: int) -> dict[str, Any]:
    read = _Reader(item, "the scheduler's capacity", path, within=f"available[{index}]")
    return {
        "email": read.text("email"),
        **{name: read.whole_number(name) for name in ("maxJobs", "executing", "available")},
    }


def _executing_job(item: Any, path: str, index: int) -> dict[str, Any]:
    read = _Reader(item, "the scheduler's capacity", path, within=f"executing[{index}]")
    elapsed = read.record.get("elapsed")
    return {
        "id": read.identifier("id"),
        "type": read.optional_text("type"),
        "started": read.optional_text("started"),
        "elapsed": elapsed if isinstance(elapsed, (int, float)) and not isinstance(elapsed, bool) else None,
    }
