"""Account records as the service returns them, read in the declared types.

A read stores what these return, so a type the service chose (`"5"` for maxJobs, a channel as a
number) never turns into a diff, let alone a replace: ids become strings, `maxJobs` an integer (a
whole-number string or float converted). A record that cannot be understood (a field missing, or of a
type that cannot be converted) raises UnreadableRecordError naming the field: the read fails and the
state keeps what it had.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from ..core.fields import ACCOUNT, ACCOUNT_V2, Field
from .errors import UnreadableRecordError
from .times import elapsed_seconds, instant, iso

T = TypeVar("T")

_WHOLE_NUMBER = re.compile(r"\s*[0-9]+\s*")


class _Reader:
    """Reads the fields of one record; each problem raises UnreadableRecordError."""

    def __init__(self, record: Any, key: str, path: str, within: str = "") -> None:
        self.key, self.path, self.within = key, path, within
        if not isinstance(record, dict):
            raise UnreadableRecordError("GET", path, key, within or "account", f"a {type(record).__name__}")
        self.record = record
        self.problems: list[str] = []

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

    def whole_number(self, field: str) -> int:
        value = self._present(field)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value):
            return int(value)
        raise self._broken(field, value)

    def instant(self, field: str) -> str | None:
        """An ISO 8601 instant as `times.iso` writes it; None for the service's unset date."""
        value = self._present(field)
        try:
            return iso(instant(value))
        except ValueError as problem:
            raise UnreadableRecordError("GET", self.path, self.key, self._name(field), str(problem)) from None

    def seconds(self, field: str) -> int:
        """A duration (`03:57`, or a number of seconds) in seconds."""
        value = self._present(field)
        try:
            return elapsed_seconds(value)
        except ValueError as problem:
            raise UnreadableRecordError("GET", self.path, self.key, self._name(field), str(problem)) from None

    def optional(self, read: Callable[[str], T], field: str) -> T | None:
        """`read(field)`, or None when the field is absent, empty or cannot be read (then `problems`
        says why): for information the service may leave out, which must never fail a read."""
        if self.record.get(field) in (None, ""):
            return None
        try:
            return read(field)
        except UnreadableRecordError as error:
            self.problems.append(f"{error.reason} in `{error.field}`")
            return None

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
    """A v1 record, every field of `fields.ACCOUNT` the service returns (`{"discord", "server",
    "channel", "maxJobs"}`), in the declared types (`_declared`)."""
    return _declared(_Reader(record, f"the account on channel {channel}", path), ACCOUNT.returned)


def account_record_v2(record: Any, email: str, path: str, *, after_write: bool = False) -> dict[str, Any]:
    """A v2 record `{"email", "password": <masked>, "maxJobs", "jwt": {"AccountId", "Username", ...}}`
    with the fields of `fields.ACCOUNT_V2` the service returns (`email`, `maxJobs`) and the outputs it
    reports in its session (`jwt.AccountId`, `jwt.Username`, each None when absent) in the declared
    types (`jwt` {} when the service sent none); the other fields as sent (masked, never stored).

    `after_write`: the answer of a write that succeeded, whose session (`jwt`, information only) must
    not fail it: an unreadable one reads as `jwt` {} with `unreadable` saying what was wrong."""
    read = _Reader(record, f"the v2 account {email}", path)
    account = {**record, **_declared(read, ACCOUNT_V2.returned)}
    session = record.get("jwt")
    if session is None:
        return {**account, "jwt": {}}
    try:
        read_session = _Reader(session, f"the v2 account {email}", path, within="jwt")
        facts = {f.reported_as: _value(read_session, f, f.reported_as) for f in ACCOUNT_V2.outputs}
    except UnreadableRecordError as error:
        if not after_write:
            raise
        return {**account, "jwt": {}, "unreadable": f"{error.reason} in `{error.field}`"}
    return {**account, "jwt": {**session, **facts}}


def _declared(read: _Reader, fields: tuple[Field, ...]) -> dict[str, Any]:
    """Each of `fields` under its name, in its declared type (`_value`); an optional one the record
    leaves out, or null, is left out."""
    values = {field.name: _value(read, field, field.name) for field in fields}
    return {name: value for name, value in values.items() if value is not None}


def _value(read: _Reader, field: Field, name: str) -> Any:
    """The record's `name` read as `field` declares it: an integer as a whole number, an identifier as
    its digits, any other string as sent (not empty); None for an optional field absent or null."""
    if not field.required and read.record.get(name) is None:
        return None
    if field.type == "integer":
        return read.whole_number(name)
    return read.identifier(name) if field.identifier else read.text(name)


FEATURE_NUMBERS = ("gen_simultaneously", "credit_daily", "credit_monthly", "credit_package", "payment")
"""The whole numbers of a features answer read: the plan's concurrent generations, the credits left
(balances, not the plan's `..._gift` allowances) and `payment` (1: the plan is paid for
automatically). docs/contributing/contract.md says what each means."""
FEATURE_TEXTS = ("plan_name", "next_plan_name")
FEATURE_INSTANTS = ("expired_date", "billing_renewal_date")


def features_record(record: Any, email: str, path: str) -> dict[str, Any]:
    """A features answer of the v2 account `email`, every field the page documents optional: the
    FEATURE_NUMBERS as integers, the FEATURE_TEXTS as text ("" as None), the FEATURE_INSTANTS as
    `times.iso` text (None when unset), each None when absent or unreadable (`unreadable` lists why);
    nothing else. A record that is not an object raises UnreadableRecordError."""
    read = _Reader(record, f"the plan of the v2 account {email}", path)
    return {
        **{name: read.optional(read.whole_number, name) for name in FEATURE_NUMBERS},
        **{name: read.optional(read.text, name) for name in FEATURE_TEXTS},
        **{name: read.optional(read.instant, name) for name in FEATURE_INSTANTS},
        "unreadable": read.problems,
    }


def capacity_record(record: Any, path: str) -> dict[str, Any]:
    """A scheduler answer, of either documented revision: `available` [{email, maxJobs, executing,
    available}] (integers) and `executing` [{id, type, started, elapsed, elapsedSeconds}]: `id` from
    `id` (or the earlier revision's `video_id`, whose jobs were all videos: `type` "video"), `started`
    as `times.iso` text, `elapsed` as the service writes it (`03:57`) and `elapsedSeconds` its
    seconds. A value absent or unreadable is None (`unreadable` lists why); reply URLs and refs are
    dropped (a caller's callback may carry its own secrets). UnreadableRecordError when the answer
    or its lists are not what the page shows."""
    read = _Reader(record, "the scheduler's capacity", path)
    accounts, jobs = read.record.get("available") or [], read.record.get("executing") or []
    if not isinstance(accounts, list) or not isinstance(jobs, list):
        raise UnreadableRecordError("GET", path, read.key, "available/executing", "not a list")
    readers = [_Reader(item, read.key, path, f"available[{n}]") for n, item in enumerate(accounts)]
    numbers = ("maxJobs", "executing", "available")
    capacity = [
        {"email": each.text("email"), **{name: each.optional(each.whole_number, name) for name in numbers}}
        for each in readers
    ]
    job_readers = [_Reader(item, read.key, path, f"executing[{n}]") for n, item in enumerate(jobs)]
    return {
        "available": capacity,
        "executing": [_executing_job(each) for each in job_readers],
        "unreadable": [problem for each in [*readers, *job_readers] for problem in each.problems],
    }


def _executing_job(read: _Reader) -> dict[str, Any]:
    earlier = "id" not in read.record and "video_id" in read.record  # the December 2024 revision
    seconds, elapsed = read.optional(read.seconds, "elapsed"), read.record.get("elapsed")
    return {
        "id": read.optional(read.identifier, "video_id" if earlier else "id"),
        "type": "video" if earlier and read.record.get("type") is None else read.optional(read.text, "type"),
        "started": read.optional(read.instant, "started"),
        "elapsed": elapsed if isinstance(elapsed, str) and seconds is not None else _clock(seconds),
        "elapsedSeconds": seconds,
    }


def _clock(seconds: int | None) -> str | None:
    """Seconds as the service writes `elapsed`: `MM:SS`, or `H:MM:SS` from an hour on."""
    if seconds is None:
        return None
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60:02d}:{rest % 60:02d}"
