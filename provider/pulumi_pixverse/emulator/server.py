"""Thin HTTP layer of the emulator: the v1 and v2 account APIs plus a test-only admin surface.

API routes: the table of `routes.py`, all behind `Authorization: Bearer <token>` (401 `Unauthorized`
without it). Admin routes: the table of `admin.py`, behind the same token, never logged and never
faulted.

Every request must name a loopback Host (127.0.0.1, localhost, [::1]; else 403: no DNS-rebinding page
reaches it) and arrive within a few seconds of its first byte; a body is read by its Content-Length
only (a `Transfer-Encoding` is a 411 and the connection closed: `connection.py`); the token is checked
before a body is read, and a body over MAX_BODY bytes is refused (413) unread; a body that is not JSON,
or nested too deep, is a 400. Without a token given, the emulator makes a random one. No credential
is kept in clear in the request log: an accepted request's credential fields (discord, password,
token) are fingerprints (`logged_body`), a refused request's are left out.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import secrets
import socketserver
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .admin import ADMIN_PREFIX, ADMIN_ROUTES
from .backend import AccountStore, ServiceError
from .connection import IDLE_SECONDS, MSG_LENGTH_REQUIRED, RequestReader
from .faults import Fault, parse_fault
from .latency import Latency, parse_latency
from .routes import API_ROUTES, dispatch, parse_json, route_of

HOST = "127.0.0.1"
MAX_BODY = 64 * 1024
"""The largest request body read, in bytes: an account is a few hundred."""
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})
_CREDENTIALS = ("discord", "password", "token")


class _Cut(bytes):
    """A JSON answer cut short (a `truncate` fault): sent as it is, still typed as JSON."""


def _is_loopback_host(host: str) -> bool:
    """A Host header naming a loopback address (any port)."""
    host = host.strip().lower()
    name = host.partition("]")[0] + "]" if host.startswith("[") else host.rsplit(":", 1)[0]
    return name in _LOOPBACK_HOSTS


def logged_body(body: object, token: str, accepted: bool = True) -> object:
    """A request body as the request log keeps it: no credential in clear. An accepted request's
    credential fields (discord, password, token) become `fingerprint(value, token)`, so a test can
    tell which value was sent; a refused request's are left out."""
    if not isinstance(body, dict):
        return body
    if not accepted:
        return {key: value for key, value in body.items() if key not in _CREDENTIALS}
    return {
        key: fingerprint(value, token) if key in _CREDENTIALS and isinstance(value, str) else value
        for key, value in body.items()
    }


def fingerprint(value: str, token: str) -> str:
    """How the request log shows a credential: `hidden:` and 16 hex digits of its HMAC-SHA256 keyed
    by the emulator's token (equal values, equal fingerprints; the value is not in it)."""
    digest = hmac.new(token.encode(), value.encode("utf-8", "surrogatepass"), "sha256").hexdigest()
    return f"hidden:{digest[:16]}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = IDLE_SECONDS  # seconds an idle keep-alive connection is kept
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm holds the body
    # until the client acknowledges the headers, which a kept-alive client delays by ~40 ms.
    disable_nagle_algorithm = True
    server: EmulatorServer
    _counted_in: int | None = None  # the log epoch this connection was last counted in (one handler each)

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # read through a RequestReader instead: each request within its deadline
        self.rfile = self._reader = RequestReader(self.connection)

    def handle_one_request(self) -> None:
        """Read and answer one request, which must arrive within its deadline once begun."""
        if not self._reader.begin_request():
            self.close_connection = True
            return
        super().handle_one_request()

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_DELETE = do_PUT = do_PATCH = do_OPTIONS = do_HEAD = do_GET

    def _dispatch(self) -> None:
        """Host first, then the body's framing, then the token, then the body (by its announced
        size), then the route."""
        path, query = urlsplit(self.path)[2:4]
        if not _is_loopback_host(self.headers.get("Host") or ""):
            self.close_connection = True
            self._send(403, ServiceError(403, "Host not allowed").body())
            return
        if "Transfer-Encoding" in self.headers:
            self.close_connection = True  # its body stays unread: never parsed as a next request
            self._send(411, ServiceError(411, MSG_LENGTH_REQUIRED).body())
            return
        if not path.startswith(ADMIN_PREFIX):
            self._serve_api(path, query)
            return
        if not self._authorized(self.server.admin_token):
            self.close_connection = True  # the body stays unread
            self._send(401, ServiceError(401, "Unauthorized").body())
            return
        raw = self._read_body()
        if raw is None:
            self._send(413, ServiceError(413, "Request body too large").body())
            return
        try:
            body = parse_json(raw)
        except ServiceError as error:
            self._send(error.status, error.body())
            return
        self._send(*dispatch(ADMIN_ROUTES, f"{self.command} {path}", self.server, body))

    def _authorized(self, token: str | None = None) -> bool:
        """The request carries `Bearer <token>` (default: the API token)."""
        header = self.headers.get("Authorization", "")
        expected = f"Bearer {token if token is not None else self.server.token}"
        return hmac.compare_digest(
            header.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
        )

    def _read_body(self) -> bytes | None:
        """Read the whole body by Content-Length so the connection can be reused; None (and the
        connection closed, the body unread) when it announces more than MAX_BODY bytes."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            return b""
        if length > MAX_BODY:
            self.close_connection = True
            return None
        return self.rfile.read(length)

    def _serve_api(self, path: str, query: str) -> None:
        """Answer an API request; it counts as in flight until its answer is ready to send (so a
        client that has its answer never sees its own request still in flight)."""
        with self.server.in_flight():
            answered = self._answer_api(path, query)
        if answered is None:
            self.close_connection = True
        else:
            self._send(*answered)

    def _answer_api(self, path: str, query: str) -> tuple[int, object, dict[str, str]] | None:
        """Status, payload and headers of an API request (after its latency and any fault), logged;
        None when a fault drops the connection unanswered. The body is read only once the token is
        accepted."""
        server = self.server
        self._counted_in = server.count_connection(self._counted_in)
        route, params = route_of(self.command, path, query)
        authorized = self._authorized()
        raw = self._read_body() if authorized else None
        refusal: ServiceError | None = None
        body: object = None
        if not authorized:
            self.close_connection = True  # the body stays unread
        elif raw is None:
            refusal = ServiceError(413, "Request body too large")
        else:
            try:
                body = parse_json(raw)
            except ServiceError as error:
                refusal = error
        wait = server.latency.draw(route)
        entry = {
            "method": self.command,
            "path": path,
            "query": query,
            "route": route,
            "body": logged_body(body, server.token),
            "authorized": authorized,
            "latency": wait,
        }
        if wait:
            time.sleep(wait)
        fault = server.take_fault(route)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.drop:
            server.record({**entry, "status": 0})
            return None
        headers: dict[str, str] = {}
        payload: object
        if fault is not None and fault.status is not None:
            status, payload = fault.status, {"error": "Injected fault", "code": fault.status}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
        elif not authorized:
            status, payload = 401, ServiceError(401, "Unauthorized").body()
        elif refusal is not None:
            status, payload = refusal.status, refusal.body()
        else:
            status, payload = dispatch(API_ROUTES, route, server.store, params, body)
        if fault is not None and fault.merge is not None and isinstance(payload, dict):
            payload = {**payload, **fault.merge}
        if fault is not None and fault.truncate and payload is not None:
            data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
            payload = _Cut(data[: len(data) // 2])
        if status >= 400:
            entry["body"] = logged_body(body, server.token, accepted=False)
        server.record({**entry, "status": status})
        return status, payload, headers

    def _send(self, status: int, payload: object, headers: dict[str, str] | None = None) -> None:
        """Send a payload as JSON, as plain text when a str, or no body when None, with an exact
        Content-Length; HEAD gets headers only.

        204 carries no Content-Length, as HTTP forbids it there; its body is empty by definition.
        """
        if payload is None:
            data, content_type = b"", None
        elif isinstance(payload, _Cut):
            data, content_type = bytes(payload), "application/json"
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
    request_queue_size = 128  # connections waiting to be accepted (socketserver's 5 drops a burst's
    # SYNs, which clients send again only after a second: 32 calls at once each open a connection)

    def __init__(
        self,
        port: int = 0,
        token: str | None = None,
        store: AccountStore | None = None,
        verbose: bool = False,
        latency: Latency | None = None,
    ) -> None:
        self.store: AccountStore = store if store is not None else AccountStore()
        self.token = token if token is not None else secrets.token_urlsafe(32)
        """The API token: the one given, else a random one (no fixed token opens an emulator)."""
        self.admin_token = self.token
        """The admin routes' token: the API token the emulator started with (a test may rotate the
        API token; the admin surface keeps its own)."""
        self.verbose = verbose
        self._started_latency = latency if latency is not None else Latency()
        self.latency: Latency = parse_latency(self._started_latency.spec())  # what reset returns to
        self._in_flight = 0
        self._peak_in_flight = 0
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
        """Clear accounts (both versions), refused logins, the request log (connection count and peak
        of requests in flight included) and fault rules; the latency returns to the one the emulator
        was started with."""
        self.store.reset()
        with self._lock:
            self._requests.clear()
            self._connections = 0
            self._epoch += 1
            self._faults.clear()
            self._peak_in_flight = self._in_flight
            self.latency = parse_latency(self._started_latency.spec())

    @contextlib.contextmanager
    def in_flight(self) -> Iterator[None]:
        """Around the handling of one API request: counts it as in flight, and the peak."""
        with self._lock:
            self._in_flight += 1
            self._peak_in_flight = max(self._peak_in_flight, self._in_flight)
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1

    def in_flight_counts(self, restart_peak: bool = False) -> dict[str, int]:
        """{"in_flight": API requests being handled now, "peak": the most at once since the last
        reset or restart}; `restart_peak` then starts the peak again from now."""
        with self._lock:
            counts = {"in_flight": self._in_flight, "peak": self._peak_in_flight}
            if restart_peak:
                self._peak_in_flight = self._in_flight
            return counts

    def set_latency(self, spec: object) -> None:
        """Set the latency from its JSON spec, until the next reset; ServiceError(400) when malformed."""
        self.latency = parse_latency(spec)

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


def start_in_thread(
    port: int = 0, token: str | None = None, state_file: Path | None = None, latency: Latency | None = None
) -> EmulatorServer:
    """Start an emulator serving in a daemon thread (its token `token`, else a random one: its
    `.token`); call its stop() when done."""
    server = EmulatorServer(port=port, token=token, store=AccountStore(state_file), latency=latency)
    server.start()
    return server
