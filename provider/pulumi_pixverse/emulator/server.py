"""Thin HTTP layer of the emulator: the v1 and v2 account APIs plus a test-only admin surface.

API routes, all behind `Authorization: Bearer <token>` (401 `Unauthorized` without it):
    POST   /v1/pixverse/account/{channel}   204, or 400 with the service's message
    GET    /v1/pixverse/account             200 {channel: account}, or 404 plain text
    GET    /v1/pixverse/account/{channel}   200 account, or 404 plain text
    DELETE /v1/pixverse/account/{channel}   204, or 404
    POST   /v2/pixverse/accounts/{email}    201 account as shown, 400, or 401 for a refused login
    GET    /v2/pixverse/accounts            200 {email: account as shown}, or 404 plain text
    GET    /v2/pixverse/accounts/{email}    200 account as shown, or 404 plain text
    DELETE /v2/pixverse/accounts/{email}    204, or 404

Admin routes, without auth, never logged and never faulted (the server listens on 127.0.0.1 only):
    POST   /_emulator/reset          clear accounts (both versions), refused logins, request log and
                                     connection count, faults; 204
    GET    /_emulator/requests       200 {"requests": [...], "counts": {route: n}}
    GET    /_emulator/connections    200 {"connections": n}: TCP connections that carried API requests
    GET    /_emulator/accounts       200 the v1 accounts (may be {})
    GET    /_emulator/accounts-v2    200 the v2 accounts as sent, real password included (may be {})
    POST   /_emulator/refuse-login   body {"email"}: PixVerse refuses that login from now on; 204
    DELETE /_emulator/refuse-login   body {"email"}: PixVerse accepts that login again; 204
    POST   /_emulator/faults         add a fault rule (see parse_fault); 204
    DELETE /_emulator/faults         clear fault rules; 204
"""

from __future__ import annotations

import hmac
import json
import random
import socketserver
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .backend import MSG_NOT_FOUND, AccountStore, ServiceError

DEFAULT_TOKEN = "emulator-token"
HOST = "127.0.0.1"

ACCOUNTS_PATH = "/v1/pixverse/account"
ACCOUNTS_V2_PATH = "/v2/pixverse/accounts"
ADMIN_PREFIX = "/_emulator/"

ROUTE_UPSERT = f"POST {ACCOUNTS_PATH}/{{channel}}"
ROUTE_LIST = f"GET {ACCOUNTS_PATH}"
ROUTE_GET = f"GET {ACCOUNTS_PATH}/{{channel}}"
ROUTE_DELETE = f"DELETE {ACCOUNTS_PATH}/{{channel}}"
ROUTE_UPSERT_V2 = f"POST {ACCOUNTS_V2_PATH}/{{email}}"
ROUTE_LIST_V2 = f"GET {ACCOUNTS_V2_PATH}"
ROUTE_GET_V2 = f"GET {ACCOUNTS_V2_PATH}/{{email}}"
ROUTE_DELETE_V2 = f"DELETE {ACCOUNTS_V2_PATH}/{{email}}"

_COLLECTIONS = ((ACCOUNTS_PATH, "channel"), (ACCOUNTS_V2_PATH, "email"))
"""Each API version's collection path and the name of the key in its item routes."""
_ITEM_METHODS = ("POST", "GET", "DELETE")
_FAULT_KEYS = frozenset({"status", "count", "retry_after", "delay", "drop", "rate", "seed", "route"})


def route_of(method: str, path: str) -> tuple[str, str]:
    """The route template of a request and its URL-decoded path key, channel or email ("" when
    the route has none).

    Unknown routes are named "<METHOD> <path>".
    """
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
        if route == ROUTE_DELETE:
            store.delete(key)
        elif route == ROUTE_DELETE_V2:
            store.delete_v2(key)
        else:
            raise ServiceError(404, MSG_NOT_FOUND)
        return 204, None
    except ServiceError as error:
        return error.status, error.body()


@dataclass
class Fault:
    """A fault rule: applies to the next `count` matching API requests.

    Order of effects: sleep `delay` seconds, then `drop` the connection unanswered, else
    answer `status` without touching state, else handle the request normally.
    """

    count: int
    status: int | None = None
    retry_after: int | str | None = None
    delay: float = 0.0
    drop: bool = False
    rate: float | None = None
    route: str | None = None
    rng: random.Random = field(default_factory=random.Random)

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
    template). At least one of status, delay or drop is required.
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
    if status is None and not delay and not drop:
        raise invalid("one of status, delay or drop is required")
    return Fault(count, status, retry_after, float(delay), drop, rate, route, random.Random(seed))


def _parse_json(raw: bytes) -> Any:
    """The JSON value of a request body, or None when it is empty or not valid JSON."""
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60  # seconds an idle keep-alive connection is kept
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm holds the body
    # until the client acknowledges the headers, which a kept-alive client delays by ~40 ms.
    disable_nagle_algorithm = True
    server: EmulatorServer
    _counted_in: int | None = None  # the log epoch this connection was last counted in (one handler each)

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_DELETE = do_PUT = do_PATCH = do_OPTIONS = do_HEAD = do_GET

    def _dispatch(self) -> None:
        raw = self._read_body()
        path = urlsplit(self.path).path
        if path.startswith(ADMIN_PREFIX):
            status, payload = self.server.admin(self.command, path, raw)
            self._send(status, payload)
        else:
            self._serve_api(path, raw)

    def _read_body(self) -> bytes:
        """Read the whole body by Content-Length so the connection can be reused."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            return b""
        return self.rfile.read(length)

    def _serve_api(self, path: str, raw: bytes) -> None:
        server = self.server
        self._counted_in = server.count_connection(self._counted_in)
        route, key = route_of(self.command, path)
        body = _parse_json(raw)
        header = self.headers.get("Authorization", "")
        authorized = hmac.compare_digest(
            header.encode("utf-8", "surrogatepass"), f"Bearer {server.token}".encode("utf-8", "surrogatepass")
        )
        entry = {"method": self.command, "path": path, "route": route, "body": body, "authorized": authorized}
        fault = server.take_fault(route)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.drop:
            server.record({**entry, "status": 0})
            self.close_connection = True
            return
        headers: dict[str, str] = {}
        payload: object
        if fault is not None and fault.status is not None:
            status, payload = fault.status, {"error": "Injected fault", "code": fault.status}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
        elif not authorized:
            status, payload = 401, ServiceError(401, "Unauthorized").body()
        else:
            status, payload = answer(server.store, route, key, body)
        server.record({**entry, "status": status})
        self._send(status, payload, headers)

    def _send(self, status: int, payload: object, headers: dict[str, str] | None = None) -> None:
        """Send a payload as JSON, as plain text when a str, or no body when None, with an exact
        Content-Length; HEAD gets headers only.

        204 carries no Content-Length, as HTTP forbids it there; its body is empty by definition.
        """
        if payload is None:
            data, content_type = b"", None
        elif isinstance(payload, str):
            data, content_type = payload.encode("utf-8"), "text/plain;charset=UTF-8"
        else:
            data, content_type = json.dumps(payload).encode("utf-8"), "application/json"
        self.send_response(status)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        if status != 204:
            self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log method, path and status only, and only when the server is verbose."""
        if self.server.verbose:
            sys.stderr.write(f"{self.command} {urlsplit(self.path).path} {code}\n")

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the default would echo request lines and errors to stderr."""


class EmulatorServer(ThreadingHTTPServer):
    """The emulator: an HTTP server on 127.0.0.1 holding the store, request log and faults."""

    daemon_threads = True

    def __init__(
        self,
        port: int = 0,
        token: str = DEFAULT_TOKEN,
        store: AccountStore | None = None,
        verbose: bool = False,
    ) -> None:
        self.store = store if store is not None else AccountStore()
        self.token = token
        self.verbose = verbose
        self._lock = threading.Lock()
        self._requests: list[dict[str, Any]] = []
        self._connections = 0
        self._epoch = 0  # bumped by reset, so a kept-alive connection counts again after one
        self._faults: list[Fault] = []
        self._thread: threading.Thread | None = None
        super().__init__((HOST, port), _Handler)

    def server_bind(self) -> None:
        """Bind without the reverse DNS lookup HTTPServer does for server_name."""
        socketserver.TCPServer.server_bind(self)
        self.server_name = HOST
        self.server_port = self.server_address[1]

    @property
    def url(self) -> str:
        """Base URL of the emulator, e.g. http://127.0.0.1:8080."""
        return f"http://{HOST}:{self.server_port}"

    def start(self) -> None:
        """Serve in a daemon thread."""
        self._thread = threading.Thread(target=self.serve_forever, name="pixverse-emulator", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving (when started with start()) and close the listening socket."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore clients that went away (e.g. timed out during a delay fault)."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def reset(self) -> None:
        """Clear accounts (both versions), refused logins, the request log (connection count
        included) and fault rules."""
        self.store.reset()
        with self._lock:
            self._requests.clear()
            self._connections = 0
            self._epoch += 1
            self._faults.clear()

    def add_fault(self, spec: object) -> None:
        """Append a fault rule from its JSON spec; ServiceError(400) when malformed."""
        fault = parse_fault(spec)
        with self._lock:
            self._faults.append(fault)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def take_fault(self, route: str) -> Fault | None:
        """The first rule that hits a request on `route` (consuming one count), if any."""
        with self._lock:
            hit = next((fault for fault in self._faults if fault.hits(route)), None)
            self._faults = [fault for fault in self._faults if fault.count > 0]
            return hit

    def record(self, entry: dict[str, Any]) -> None:
        """Append one API request to the request log."""
        with self._lock:
            self._requests.append(entry)

    def count_connection(self, counted_in: int | None) -> int:
        """Count the connection of an API request unless it was counted since the last reset
        (`counted_in` is the epoch its handler last returned); returns the epoch to keep. Connections
        that carry only admin requests are not counted."""
        with self._lock:
            if counted_in != self._epoch:
                self._connections += 1
            return self._epoch

    def connections(self) -> int:
        """TCP connections that carried at least one API request since the last reset: with
        keep-alive, a client that reuses its connections opens far fewer than it sends requests."""
        with self._lock:
            return self._connections

    def request_log(self) -> dict[str, Any]:
        """{"requests": [entries in arrival order], "counts": {route: number of requests}}."""
        with self._lock:
            requests = [dict(entry) for entry in self._requests]
        return {"requests": requests, "counts": dict(Counter(entry["route"] for entry in requests))}

    def admin(self, method: str, path: str, raw: bytes) -> tuple[int, object]:
        """Status and JSON payload (None for no body) of an admin request."""
        key = f"{method} {path}"
        if key == "POST /_emulator/reset":
            self.reset()
            return 204, None
        if key == "GET /_emulator/requests":
            return 200, self.request_log()
        if key == "GET /_emulator/connections":
            return 200, {"connections": self.connections()}
        if key == "GET /_emulator/accounts":
            return 200, self.store.snapshot()
        if key == "GET /_emulator/accounts-v2":
            return 200, self.store.snapshot_v2()
        if key == "DELETE /_emulator/faults":
            self.clear_faults()
            return 204, None
        body = _parse_json(raw)
        email = body.get("email") if isinstance(body, dict) else None
        try:
            if key == "POST /_emulator/faults":
                self.add_fault(body)
            elif key == "POST /_emulator/refuse-login":
                self.store.refuse_login(email)
            elif key == "DELETE /_emulator/refuse-login":
                self.store.accept_login(email)
            else:
                raise ServiceError(404, MSG_NOT_FOUND)
        except ServiceError as error:
            return error.status, error.body()
        return 204, None


def start_in_thread(
    port: int = 0, token: str = DEFAULT_TOKEN, state_file: Path | None = None
) -> EmulatorServer:
    """Start an emulator serving in a daemon thread; call its stop() when done."""
    server = EmulatorServer(port=port, token=token, store=AccountStore(state_file))
    server.start()
    return server
