"""Fault rules of the emulator: the next matching API requests are delayed, dropped or answered with
an error status, as a real service behind a CDN sometimes does. Set through /_emulator/faults."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .backend import ServiceError

_FAULT_KEYS = frozenset(
    {"status", "count", "retry_after", "delay", "drop", "rate", "seed", "route", "merge", "truncate"}
)


@dataclass
class Fault:
    """A fault rule: applies to the next `count` matching API requests.

    Order of effects: sleep `delay` seconds, then `drop` the connection unanswered, else
    answer `status` without touching state, else handle the request normally; then its JSON answer
    gets the keys of `merge` (a 201 whose `jwt` is "x"), and `truncate` cuts that answer's body in
    half, its Content-Length and JSON content type kept (an answer cut short on the way).
    """

    count: int
    status: int | None = None
    retry_after: int | str | None = None
    delay: float = 0.0
    drop: bool = False
    rate: float | None = None
    route: str | None = None
    rng: random.Random = field(default_factory=random.Random)
    merge: dict[str, object] | None = None
    truncate: bool = False

    def hits(self, route: str) -> bool:
        """Whether this rule applies to a request on `route`; consumes one count if so."""
        if self.count < 1 or self.route not in (None, route):
            return False
        if self.rate is not None and self.rng.random() >= self.rate:
            return False
        self.count -= 1
        return True


def _is_int(value: object) -> bool:
    return type(value) is int


def _is_number(value: object) -> bool:
    return type(value) in (int, float)


def parse_fault(spec: object) -> Fault:
    """Build a Fault from the admin JSON body; ServiceError(400) when it is malformed.

    Keys: status (400-599), retry_after (int >= 0 or str, sent as Retry-After with status),
    delay (seconds >= 0), drop (bool), count (int >= 1, default 1), rate (0..1, chance that
    each matching request is hit), seed (int, default 0, seeds the rate draws), route (route
    template), merge (a JSON object), truncate (bool). At least one of status, delay, drop, merge
    or truncate is required.
    """

    def invalid(reason: str) -> ServiceError:
        return ServiceError(400, f"Invalid fault: {reason}")

    if not isinstance(spec, dict):
        raise invalid("body must be a JSON object")
    unknown = sorted(set(spec) - _FAULT_KEYS)
    if unknown:
        raise invalid(f"unknown keys {unknown}")
    count = spec.get("count", 1)
    status = spec.get("status")
    retry_after = spec.get("retry_after")
    delay = spec.get("delay", 0.0)
    drop = spec.get("drop", False)
    rate = spec.get("rate")
    seed = spec.get("seed", 0)
    route = spec.get("route")
    merge = spec.get("merge")
    truncate = spec.get("truncate", False)
    if not _is_int(count) or count < 1:
        raise invalid("count must be an integer >= 1")
    if status is not None and not (_is_int(status) and 400 <= status <= 599):
        raise invalid("status must be an integer from 400 to 599")
    if retry_after is not None and not (
        (_is_int(retry_after) and retry_after >= 0) or isinstance(retry_after, str)
    ):
        raise invalid("retry_after must be an integer >= 0 or a string")
    if not _is_number(delay) or delay < 0:
        raise invalid("delay must be a number >= 0")
    if not isinstance(drop, bool):
        raise invalid("drop must be a boolean")
    if rate is not None and not (_is_number(rate) and 0 <= rate <= 1):
        raise invalid("rate must be a number from 0 to 1")
    if not _is_int(seed):
        raise invalid("seed must be an integer")
    if route is not None and not isinstance(route, str):
        raise invalid("route must be a string")
    if merge is not None and not isinstance(merge, dict):
        raise invalid("merge must be a JSON object")
    if not isinstance(truncate, bool):
        raise invalid("truncate must be a boolean")
    if status is None and not delay and not drop and merge is None and not truncate:
        raise invalid("one of status, delay, drop, merge or truncate is required")
    return Fault(
        count, status, retry_after, float(delay), drop, rate, route, random.Random(seed), merge, truncate
    )
