"""A misbehaving HTTP service on loopback, for the provider to meet what real endpoints do: a wrong
base URL answering HTML 404s, redirects, a CDN's error pages, answers that echo credentials, odd
types, escape sequences, a trickled answer.

`MisbehavingServer(answer)` answers each request with `answer(received)` (a `Reply`) and logs what it
received; it is a real HTTP server (keep-alive, Content-Length), not a mock of the client's library.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    """One request as the server saw it, `at` its time.monotonic() once read."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class Reply:
    """An answer: `body` is sent as JSON when a dict or list, as UTF-8 text when a str. `trickle`:
    seconds between the bytes of the head and of the body (a service that never quite answers).
    `cut`: "body" sends the first half of the body (its Content-Length saying so: JSON that does not
    parse); "connection" announces the whole body, sends half of it and closes the connection.
    `silent`: seconds to hold the request without a byte of answer, then close (a service that
    accepts connections and never answers)."""

    status: int
    body: Any = ""
    headers: dict[str, str] = field(default_factory=dict)
    trickle: float = 0.0
    cut: str = ""
    silent: float = 0.0


def html(status: int, title: str) -> Reply:
    """An HTML error page, as a web server, CDN or firewall sends one."""
    page = f"<!DOCTYPE html><html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
    return Reply(status, page, {"Content-Type": "text/html; charset=utf-8"})


def api_error(status: int, message: str) -> Reply:
    """The API's own JSON error body."""
    return Reply(status, {"error": message, "code": status})


Answer = Callable[[Received], Reply]


class MisbehavingServer(ThreadingHTTPServer):
    """Answers every request with `answer(received)`; `received` lists the requests, oldest first;
    `connections` counts the connections accepted (those that carried no request they could read, a
    TLS handshake say, included)."""

    daemon_threads = True

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.received: list[Received] = []
        self.connections = 0
        self._lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def record(self, request: Received) -> None:
        with self._lock:
            self.received.append(request)

    def verify_request(self, request: Any, client_address: Any) -> bool:
        with self._lock:
            self.connections += 1
        return True

    def stop(self) -> None:
        self.shutdown()
        self._thread.join()
        self.server_close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that give up on a trickled answer are expected here."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: MisbehavingServer

    def do_GET(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        received = Received(self.command, self.path, dict(self.headers.items()), body)
        self.server.record(received)
        self._send(self.server.answer(received))

    do_POST = do_DELETE = do_CONNECT = do_GET  # CONNECT: a proxy asked for a tunnel

    def _send(self, reply: Reply) -> None:
        if reply.silent:
            time.sleep(reply.silent)
            self.close_connection = True
            return
        if isinstance(reply.body, (dict, list)):
            data, kind = json.dumps(reply.body).encode(), "application/json"
        else:
            data, kind = str(reply.body).encode("utf-8"), "text/plain;charset=UTF-8"
        headers = {"Content-Type": kind, **reply.headers}
        head = f"HTTP/1.1 {reply.status} {self.responses.get(reply.status, ('Odd',))[0]}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        if reply.cut == "body":
            data = data[: len(data) // 2]
        if reply.status != 204:
            head += f"Content-Length: {len(data)}\r\n"
        if reply.cut == "connection":
            self.wfile.write(head.encode("latin-1") + b"\r\n" + data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        message = head.encode("latin-1") + b"\r\n" + data
        if not reply.trickle:
            self.wfile.write(message)
            return
        for index in range(len(message)):
            self.wfile.write(message[index : index + 1])
            self.wfile.flush()
            time.sleep(reply.trickle)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent."""
