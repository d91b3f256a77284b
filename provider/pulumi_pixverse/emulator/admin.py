"""The emulator's test-only admin surface as one table, ADMIN_ROUTES: each route and its call of the
server (server.EmulatorServer: request log, faults, latency) or its store (backend.AccountStore).

Behind the same token as the API, never logged and never faulted (the server listens on 127.0.0.1
only); a body that is not JSON is a 400, any other route a 404 `Not found`:
    POST   /_emulator/reset          clear accounts (both versions), refused logins, request log,
                                     connection count, peak in flight and faults; the latency returns
                                     to the one the emulator was started with; 204
    GET    /_emulator/requests       200 {"requests": [...], "counts": {route: n}}
    GET    /_emulator/connections    200 {"connections": n}: TCP connections that carried API requests
    GET    /_emulator/accounts       200 the v1 accounts (may be {})
    GET    /_emulator/accounts-v2    200 the v2 accounts as sent, real password included (may be {})
    POST   /_emulator/accounts       body: a v1 account; stored as if another owner (a dashboard,
                                     another team's stack) had configured it: not in the request log; 204
    POST   /_emulator/accounts-v2    body: a v2 account, likewise; 204
    POST   /_emulator/refuse-login   body {"email"}: PixVerse refuses that login from now on; 204
    DELETE /_emulator/refuse-login   body {"email"}: PixVerse accepts that login again; 204
    POST   /_emulator/plan           body {"email", <plans.Plan field>: value, ...}: that account's
                                     plan, credits, session length, jobs running; 204
    POST   /_emulator/faults         add a fault rule (see faults.parse_fault); 204
    DELETE /_emulator/faults         clear fault rules; 204
    GET    /_emulator/latency        200 the wait before each API answer (see latency.parse_latency)
    POST   /_emulator/latency        set it: {"seconds", "jitter", "seed", "routes": {route: seconds}};
                                     204 (reset returns to the latency the emulator started with)
    GET    /_emulator/in-flight      200 {"in_flight": n, "peak": p}: API requests being handled now,
                                     and the most at once since the last reset
    DELETE /_emulator/in-flight      200 the same, and the peak starts again from now
(tests/unit/test_emulator_routes.py holds this list, and tests/emulator_admin.py, to ADMIN_ROUTES.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .server import EmulatorServer

ADMIN_PREFIX = "/_emulator/"
"""Every admin route's path starts so; no API route's does."""

AdminHandler = Callable[["EmulatorServer", Any], object]
"""An admin route's call: (the server `s`, the request's JSON body) -> the answer's JSON payload; a
ServiceError is the answer instead."""


def _key(body: object, name: str) -> str:
    """The string `body[name]` of a JSON object body, else "" (which the store refuses as missing)."""
    value = body.get(name) if isinstance(body, dict) else None
    return value if isinstance(value, str) else ""


ADMIN_ROUTES: dict[str, tuple[int, AdminHandler]] = {
    "POST /_emulator/reset": (204, lambda s, body: s.reset()),
    "GET /_emulator/requests": (200, lambda s, body: s.request_log()),
    "GET /_emulator/connections": (200, lambda s, body: {"connections": s.connections()}),
    "GET /_emulator/accounts": (200, lambda s, body: s.store.snapshot()),
    "GET /_emulator/accounts-v2": (200, lambda s, body: s.store.snapshot_v2()),
    "POST /_emulator/accounts": (204, lambda s, body: s.store.upsert(_key(body, "channel"), body)),
    "POST /_emulator/accounts-v2": (204, lambda s, body: s.store.upsert_v2(_key(body, "email"), body)),
    "POST /_emulator/refuse-login": (204, lambda s, body: s.store.refuse_login(_key(body, "email"))),
    "DELETE /_emulator/refuse-login": (204, lambda s, body: s.store.accept_login(_key(body, "email"))),
    "POST /_emulator/plan": (204, lambda s, body: s.store.set_plan(body)),
    "POST /_emulator/faults": (204, lambda s, body: s.add_fault(body)),
    "DELETE /_emulator/faults": (204, lambda s, body: s.clear_faults()),
    "GET /_emulator/latency": (200, lambda s, body: s.latency.spec()),
    "POST /_emulator/latency": (204, lambda s, body: s.set_latency(body)),
    "GET /_emulator/in-flight": (200, lambda s, body: s.in_flight_counts()),
    "DELETE /_emulator/in-flight": (200, lambda s, body: s.in_flight_counts(restart_peak=True)),
}
"""Each admin route, "METHOD /path" -> its status when the call succeeds (204: no body) and its call."""
