"""Instants and durations as the service writes them (docs/contributing/contract.md), read the same on every
Python the package supports: no `datetime.fromisoformat` (before 3.11 it refuses a trailing `Z`), one parser.

- An instant is ISO 8601 text: `2026-07-23T00:48:50Z`, `2024-09-25T01:55:16.128Z`, an offset such as
  `+02:00`, or no zone (read as UTC). `0001-01-01T00:00:00Z` is how the service writes a date it has
  not set: no instant (None).
- `jwt.ExpireTime` is a bare number whose unit the pages do not state (interpretation): a value above
  EPOCH_MILLISECONDS_ABOVE is milliseconds, else seconds. `jwt.ExpireTimeUTC` (an instant) is read
  first; the number only when it is missing.
- `elapsed` is text: minutes and seconds (`03:57`), or hours, minutes and seconds (`1:02:03`).

Each reader raises ValueError, in words a message can carry, for a value it cannot read.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

EPOCH_MILLISECONDS_ABOVE = 100_000_000_000
"""A timestamp above this is in milliseconds: as seconds it would be after the year 5000."""

_INSTANT = re.compile(
    r"\s*(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(?:([Zz])|([+-])(\d{2}):?(\d{2}))?\s*"
)
_ELAPSED = re.compile(r"\s*(?:(\d+):)?(\d{1,2}):(\d{2})\s*")


def instant(text: Any) -> datetime | None:
    """The instant `text` writes, in UTC; None for the service's unset date (year 1)."""
    match = _INSTANT.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"{_shown(text)}, not an ISO 8601 instant")
    year, month, day, hour, minute, second, fraction, _z, sign, off_h, off_m = match.groups()
    if int(year) == 1:
        return None
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")), tzinfo=timezone.utc,
        )  # fmt: skip
    except ValueError:
        raise ValueError(f"{_shown(text)}, not a date that exists") from None
    try:
        return moment - (1 if sign == "+" else -1) * timedelta(hours=int(off_h or 0), minutes=int(off_m or 0))
    except OverflowError:
        raise ValueError(f"{_shown(text)}, not a date that exists") from None


def epoch_instant(number: Any) -> datetime:
    """The instant of a Unix timestamp in seconds, or in milliseconds above EPOCH_MILLISECONDS_ABOVE."""
    if isinstance(number, bool) or not isinstance(number, (int, float)) or number < 0:
        raise ValueError(f"{_shown(number)}, not a timestamp")
    seconds = number / 1000 if number > EPOCH_MILLISECONDS_ABOVE else number
    try:
        return datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=seconds)
    except OverflowError:
        raise ValueError(f"{_shown(number)}, not a timestamp") from None


def iso(moment: datetime | None) -> str | None:
    """`moment` as the provider writes instants: ISO 8601 in UTC (`2026-07-23T00:48:50Z`), with
    milliseconds when it has a fraction of a second (`2024-09-25T01:55:16.128Z`)."""
    if moment is None:
        return None
    moment = moment.astimezone(timezone.utc)
    fraction = f".{moment.microsecond // 1000:03d}" if moment.microsecond else ""
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


def session_end(session: dict[str, Any]) -> datetime | None:
    """When a v2 account's PixVerse session (`jwt`) ends: `ExpireTimeUTC`, else (missing or unreadable)
    `ExpireTime`; None when it holds neither."""
    text, number = session.get("ExpireTimeUTC"), session.get("ExpireTime")
    if text not in (None, ""):
        try:
            return instant(text)
        except ValueError:
            if number is None:
                raise
    return None if number is None else epoch_instant(number)


def elapsed_seconds(value: Any) -> int:
    """The seconds an `elapsed` value writes (`03:57` is 237); a number is taken as seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return int(value)
    match = _ELAPSED.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{_shown(value)}, not minutes:seconds")
    hours, minutes, seconds = match.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)


def _shown(value: Any) -> str:
    """A value as a message names it: its type only (the service's text is not repeated)."""
    if value == "":
        return "an empty string"
    name = type(value).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"
