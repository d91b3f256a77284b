"""The emulator's API as one table, API_ROUTES: each route and the store call that answers it
(backend.py); `route_of` names a request's route, `dispatch` answers it by a table (this one, or the
admin surface's: admin.py).

Each behind `Authorization: Bearer <token>` (401 `Unauthorized` without it, see server.py):
    POST   /v1/pixverse/account/{channel}   204, or 400 with the service's message
    GET    /v1/pixverse/account             200 {channel: account}, or 404 plain text
    GET    /v1/pixverse/account/{channel}   200 account, or 404 plain text
    DELETE /v1/pixverse/account/{channel}   204, or 404
    POST   /v2/pixverse/accounts/{email}    201 account as shown, 400, or 401 for a refused login
    GET    /v2/pixverse/accounts            200 {email: account as shown}, or 404 plain text
    GET    /v2/pixverse/accounts/{email}    200 account as shown, or 404 plain text
    DELETE /v2/pixverse/accounts/{email}    204, or 404
    GET    /v2/pixverse/features/?email=    200 the account's plan and credits, or 400 (plans.py; the
                                            path without its trailing slash too)
    GET    /v2/pixverse/scheduler/available 200 {"executing": [...], "available": [...]} (plans.py)
Any other method or path: 404 `Not found`. (tests/unit/test_emulator_routes.py holds this list to
API_ROUTES.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs, unquote

from .backend import MSG_NOT_FOUND, AccountStore, ServiceError

MSG_MALFORMED = "Malformed JSON body"

Handler = Callable[[AccountStore, dict[str, str], Any], object]
"""An API route's store call: (the store, the request's parameters `p`, its JSON body) -> the answer's payload
(None for no body, a str for plain text); a ServiceError is the answer instead."""

API_ROUTES: dict[str, tuple[int, Handler]] = {
    "POST /v1/pixverse/account/{channel}": (204, lambda store, p, body: store.upsert(p["channel"], body)),
    "GET /v1/pixverse/account": (200, lambda store, p, body: store.list()),
    "GET /v1/pixverse/account/{channel}": (200, lambda store, p, body: store.get(p["channel"])),
    "DELETE /v1/pixverse/account/{channel}": (204, lambda store, p, body: store.delete(p["channel"])),
    "POST /v2/pixverse/accounts/{email}": (201, lambda store, p, body: store.upsert_v2(p["email"], body)),
    "GET /v2/pixverse/accounts": (200, lambda store, p, body: store.list_v2()),
    "GET /v2/pixverse/accounts/{email}": (200, lambda store, p, body: store.get_v2(p["email"])),
    "DELETE /v2/pixverse/accounts/{email}": (204, lambda store, p, body: store.delete_v2(p["email"])),
    "GET /v2/pixverse/features/": (200, lambda store, p, body: store.features(p.get("email", ""))),
    "GET /v2/pixverse/scheduler/available": (200, lambda store, p, body: store.scheduler()),
}
"""Each route, "METHOD /path" as the request log, fault rules and latency name it (`{name}` one
non-empty path segment; a path ending in `/` taken with or without it) -> its status when the call
succeeds (204: no body, whatever the call returns) and its call."""


def _pattern(route: str) -> tuple[str, re.Pattern[str]]:
    """The method of a route and the paths it takes (see API_ROUTES)."""
    method, _, path = route.partition(" ")
    parts = re.split(r"\{(\w+)\}", path.rstrip("/"))
    regex = "".join(
        f"(?P<{part}>[^/]+)" if index % 2 else re.escape(part) for index, part in enumerate(parts)
    )
    return method, re.compile(regex + ("/*" if path.endswith("/") else ""))


_PATTERNS = {route: _pattern(route) for route in API_ROUTES}


def route_of(method: str, path: str, query: str = "") -> tuple[str, dict[str, str]]:
    """The route of a request (its API_ROUTES key; "<METHOD> <path>" when it has none) and its
    parameters: the query's (the first value of each) and the route's path segments, URL-decoded."""
    params = {name: values[0] for name, values in parse_qs(query).items()}
    for route, (route_method, pattern) in _PATTERNS.items():
        found = pattern.fullmatch(path)
        if found and route_method == method:
            return route, {**params, **{name: unquote(value) for name, value in found.groupdict().items()}}
    return f"{method} {path}", params


def parse_json(raw: bytes) -> Any:
    """The JSON value of a request body, None when it is empty; ServiceError(400) when it is not JSON
    or is nested too deep."""
    try:
        return json.loads(raw) if raw else None
    except (ValueError, RecursionError):
        raise ServiceError(400, MSG_MALFORMED) from None


def dispatch(
    table: Mapping[str, tuple[int, Callable[..., object]]], route: str, *args: Any
) -> tuple[int, object]:
    """Status and payload of a request on `route` by `table`: its call's payload with its status (none
    when 204), the ServiceError the call raised, or 404 `Not found` when the table has no such route."""
    try:
        if route not in table:
            raise ServiceError(404, MSG_NOT_FOUND)
        status, call = table[route]
        payload = call(*args)
    except ServiceError as error:
        return error.status, error.body()
    return status, None if status == 204 else payload
