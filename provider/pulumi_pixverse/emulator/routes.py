"""The emulator's API routes: which route a request is (`route_of`) and what the store answers it
(`answer`).

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
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote

from .backend import MSG_NOT_FOUND, AccountStore, ServiceError

ACCOUNTS_PATH = "/v1/pixverse/account"
ACCOUNTS_V2_PATH = "/v2/pixverse/accounts"

ROUTE_UPSERT = f"POST {ACCOUNTS_PATH}/{{channel}}"
ROUTE_LIST = f"GET {ACCOUNTS_PATH}"
ROUTE_GET = f"GET {ACCOUNTS_PATH}/{{channel}}"
ROUTE_DELETE = f"DELETE {ACCOUNTS_PATH}/{{channel}}"
ROUTE_UPSERT_V2 = f"POST {ACCOUNTS_V2_PATH}/{{email}}"
ROUTE_LIST_V2 = f"GET {ACCOUNTS_V2_PATH}"
ROUTE_GET_V2 = f"GET {ACCOUNTS_V2_PATH}/{{email}}"
ROUTE_DELETE_V2 = f"DELETE {ACCOUNTS_V2_PATH}/{{email}}"
ROUTE_FEATURES = "GET /v2/pixverse/features/"
ROUTE_SCHEDULER = "GET /v2/pixverse/scheduler/available"

_COLLECTIONS = ((ACCOUNTS_PATH, "channel"), (ACCOUNTS_V2_PATH, "email"))
"""Each API version's collection path and the name of the key in its item routes."""
_ITEM_METHODS = ("POST", "GET", "DELETE")


def route_of(method: str, path: str, query: str = "") -> tuple[str, str]:
    """The route template of a request and its URL-decoded key: channel or email from the path, the
    features call's `email` from the `query` ("" when the route has none).

    Unknown routes are named "<METHOD> <path>".
    """
    if f"{method} {path.rstrip('/')}/" == ROUTE_FEATURES:
        return ROUTE_FEATURES, parse_qs(query).get("email", [""])[0]
    for collection, key in _COLLECTIONS:
        prefix = collection + "/"
        segment = path[len(prefix) :] if path.startswith(prefix) else ""
        if method in _ITEM_METHODS and segment and "/" not in segment:
            return f"{method} {prefix}{{{key}}}", unquote(segment)
    return f"{method} {path}", ""


def answer(store: AccountStore, route: str, key: str, body: object) -> tuple[int, object]:
    """Status and payload (None for no body, a str for plain text) of an authorized API request."""
    try:
        if route == ROUTE_UPSERT:
            store.upsert(key, body)
            return 204, None
        if route == ROUTE_UPSERT_V2:
            return 201, store.upsert_v2(key, body)
        if route == ROUTE_LIST:
            return 200, store.list()
        if route == ROUTE_LIST_V2:
            return 200, store.list_v2()
        if route == ROUTE_GET:
            return 200, store.get(key)
        if route == ROUTE_GET_V2:
            return 200, store.get_v2(key)
        if route == ROUTE_FEATURES:
            return 200, store.features(key)
        if route == ROUTE_SCHEDULER:
            return 200, store.scheduler()
        if route == ROUTE_DELETE:
            store.delete(key)
        elif route == ROUTE_DELETE_V2:
            store.delete_v2(key)
        else:
            raise ServiceError(404, MSG_NOT_FOUND)
        return 204, None
    except ServiceError as error:
        return error.status, error.body()
