"""A distant service: how long the emulator waits before it answers each API request.

Every API request waits `seconds` (the route's own value when `routes` names it, e.g. a v2 POST
slower, as PixVerse's login is), give or take `jitter`: each wait is drawn uniformly from
[value - jitter, value + jitter] (never below 0) by a random generator seeded with `seed`, so a run
with the same seed draws the same sequence of waits. The wait happens before the request is handled,
without holding any lock of the emulator: requests wait side by side, as on a real network.
"""

from __future__ import annotations

import math
import random
import threading
from dataclasses import dataclass, field
from typing import Any

from .backend import ServiceError

_KEYS = frozenset({"seconds", "jitter", "seed", "routes"})


@dataclass
class Latency:
    """The wait before each API request is answered (see the module); no wait by default."""

    seconds: float = 0.0
    jitter: float = 0.0
    seed: int = 0
    routes: dict[str, float] = field(default_factory=dict)
    _rng: random.Random = field(init=False, repr=False, compare=False)
    _lock: threading.Lock = field(init=False, repr=False, compare=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def draw(self, route: str) -> float:
        """Seconds to wait before answering a request on `route` (a route template)."""
        value = self.routes.get(route, self.seconds)
        if not self.jitter:
            return value
        with self._lock:
            offset = self._rng.uniform(-self.jitter, self.jitter)
        return max(0.0, value + offset)

    def spec(self) -> dict[str, Any]:
        """The JSON form the admin surface shows and takes."""
        routes = dict(self.routes)
        return {"seconds": self.seconds, "jitter": self.jitter, "seed": self.seed, "routes": routes}


def _seconds(value: object) -> bool:
    """A finite number of seconds >= 0 (not a bool)."""
    return type(value) in (int, float) and math.isfinite(value) and value >= 0  # type: ignore[arg-type,operator]


def parse_latency(spec: object) -> Latency:
    """A Latency from its JSON spec: {"seconds": s, "jitter": j, "seed": n, "routes": {route: s}}, each
    key optional (seconds and jitter numbers >= 0, default 0; seed an integer, default 0; routes maps
    route templates such as "POST /v2/pixverse/accounts/{email}" to seconds). ServiceError(400) when
    it is malformed."""

    def invalid(reason: str) -> ServiceError:
        return ServiceError(400, f"Invalid latency: {reason}")

    if not isinstance(spec, dict):
        raise invalid("body must be a JSON object")
    unknown = sorted(set(spec) - _KEYS)
    if unknown:
        raise invalid(f"unknown keys {unknown}")
    seconds, jitter = spec.get("seconds", 0), spec.get("jitter", 0)
    seed, routes = spec.get("seed", 0), spec.get("routes", {})
    if not _seconds(seconds):
        raise invalid("seconds must be a number >= 0")
    if not _seconds(jitter):
        raise invalid("jitter must be a number >= 0")
    if type(seed) is not int:
        raise invalid("seed must be an integer")
    if not isinstance(routes, dict) or not all(
        isinstance(route, str) and " /" in route and _seconds(value) for route, value in routes.items()
    ):
        raise invalid('routes must map route templates ("GET /v1/pixverse/account") to numbers >= 0')
    return Latency(float(seconds), float(jitter), seed, {route: float(s) for route, s in routes.items()})


def parse_route_latency(text: str) -> tuple[str, float]:
    """`ROUTE=SECONDS` from the command line, e.g. `POST /v2/pixverse/accounts/{email}=2`; ValueError
    naming the expected form when it is not one."""
    route, sep, seconds = text.rpartition("=")
    try:
        value = float(seconds)
    except ValueError:
        value = -1.0
    if not sep or " /" not in route or not _seconds(value):
        example = "'POST /v2/pixverse/accounts/{email}=2'"
        raise ValueError(f"expected ROUTE=SECONDS, e.g. {example}; got {text!r}")
    return route.strip(), value
