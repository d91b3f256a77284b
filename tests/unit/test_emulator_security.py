"""The emulator's own exposure (issue 25's review): it answers loopback Host names only, takes the token
on its admin routes, checks the token before reading a body, caps the body's size, and keeps no
credential of a refused request in its log; and issue 30's: a chunked request is a 411, never a second
request, and a request trickled in is cut off. Over real HTTP (a raw socket where a client would
refuse)."""

from __future__ import annotations

import contextlib
import json
import select
import socket
import time

import requests
from emulator_admin import assert_error
from pulumi_pixverse.emulator.connection import REQUEST_SECONDS

TIMEOUT = 5


def raw_request(url: str, head: str, body: bytes = b"") -> bytes:
    """Send `head` (request line and headers) and `body` as they are; the answer's first line."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=TIMEOUT) as connection:
        connection.sendall(head.encode() + b"\r\n" + body)
        return connection.makefile("rb").readline()


def test_a_foreign_host_header_is_refused_on_every_route(emulator):
    for path in ("/_emulator/requests", "/v1/pixverse/account"):
        response = requests.get(
            f"{emulator.url}{path}",
            headers={"Host": "attacker.example", "Authorization": f"Bearer {emulator.token}"},
            timeout=TIMEOUT,
        )
        assert_error(response, 403, "Host not allowed")
    for host in ("localhost:1234", "127.0.0.1", "[::1]:80"):
        response = requests.get(
            f"{emulator.url}/_emulator/latency",
            headers={"Host": host, "Authorization": f"Bearer {emulator.token}"},
            timeout=TIMEOUT,
        )
        assert response.status_code == 200


def test_admin_routes_need_the_token(emulator):
    emulator.seed(
        {
            "discord": "d-token-1",
            "server": "111111111111111111",
            "channel": "222222222222222222",
            "maxJobs": 1,
        }
    )
    for method, route in (("GET", "requests"), ("GET", "accounts"), ("POST", "reset")):
        response = requests.request(method, f"{emulator.url}/_emulator/{route}", timeout=TIMEOUT)
        assert_error(response, 401, "Unauthorized")
    assert emulator.accounts()  # the reset without the token did nothing


def test_the_token_is_checked_before_a_body_is_read_and_a_huge_body_is_refused_unread(emulator):
    huge = f"POST /v1/pixverse/account/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {10**15}\r\n"
    assert raw_request(emulator.url, huge).startswith(b"HTTP/1.1 401")
    authorized = huge + f"Authorization: Bearer {emulator.token}\r\n"
    assert raw_request(emulator.url, authorized).startswith(b"HTTP/1.1 413")
    assert raw_request(
        emulator.url, authorized.replace("/v1/pixverse/account/1", "/_emulator/faults")
    ).startswith(b"HTTP/1.1 413")


def test_a_refused_request_keeps_no_credential_in_the_log(emulator):
    body = {"email": "a@b.example", "password": "pw-refused-secret", "maxJobs": 99}
    requests.post(f"{emulator.url}/v2/pixverse/accounts/a%40b.example", json=body, timeout=TIMEOUT)
    requests.post(
        f"{emulator.url}/v2/pixverse/accounts/a%40b.example",
        json=body,
        headers={"Authorization": f"Bearer {emulator.token}"},
        timeout=TIMEOUT,
    )
    logged = emulator.requests()
    assert [entry["status"] for entry in logged] == [401, 400]
    assert logged[0]["body"] is None  # never read
    assert logged[1]["body"] == {"email": "a@b.example", "maxJobs": 99}


def exchange(url: str, data: bytes, seconds: float = TIMEOUT) -> bytes:
    """Send `data` on a new connection; every byte answered until the emulator closes it (or
    `seconds` pass)."""
    host, port = url.removeprefix("http://").split(":")
    answered = b""
    with socket.create_connection((host, int(port)), timeout=seconds) as connection:
        connection.sendall(data)
        with contextlib.suppress(TimeoutError):
            while chunk := connection.recv(65536):
                answered += chunk
    return answered


def test_a_chunked_request_is_411_and_its_body_never_parsed_as_a_request(emulator):
    auth = f"Host: 127.0.0.1\r\nAuthorization: Bearer {emulator.token}\r\n"
    smuggled = f"DELETE /v1/pixverse/account/222222222222222222 HTTP/1.1\r\n{auth}\r\n"
    chunked = (
        f"POST /v1/pixverse/account/222222222222222222 HTTP/1.1\r\n{auth}Transfer-Encoding: chunked\r\n\r\n"
    )
    answered = exchange(emulator.url, chunked.encode() + smuggled.encode())
    head, _, body = answered.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 411 ") and answered.count(b"HTTP/1.1") == 1
    assert json.loads(body) == {"error": "Length Required", "code": 411}
    assert emulator.requests() == []


def read_answer(connection: socket.socket) -> bytes:
    """One whole answer on a kept-alive connection: its head, then as many body bytes as its
    Content-Length says (a recv may return the head and the body apart); less only if it closes."""
    answered = b""
    while b"\r\n\r\n" not in answered and (chunk := connection.recv(65536)):
        answered += chunk
    head, _, body = answered.partition(b"\r\n\r\n")
    lengths = [
        line.split(b":", 1)[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
    ]
    while len(body) < int(lengths[0] if lengths else 0) and (chunk := connection.recv(65536)):
        body += chunk
    return head + b"\r\n\r\n" + body


def test_a_request_trickled_byte_by_byte_is_cut_off_and_an_idle_connection_is_kept(emulator):
    host, port = emulator.url.removeprefix("http://").split(":")
    auth = f"Host: 127.0.0.1\r\nAuthorization: Bearer {emulator.token}\r\n"
    request = f"GET /_emulator/latency HTTP/1.1\r\n{auth}\r\n"
    with socket.create_connection((host, int(port)), timeout=TIMEOUT) as idle:
        idle.sendall(request.encode())
        assert read_answer(idle).startswith(b"HTTP/1.1 200 ")
        with socket.create_connection((host, int(port)), timeout=TIMEOUT) as slow:
            started, cut = time.monotonic(), None
            for byte in f"GET /{'a' * 40} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode():
                slow.sendall(bytes([byte]))
                if select.select([slow], [], [], 0.5)[0]:
                    cut = time.monotonic() - started
                    break
            assert cut is not None and slow.recv(1) == b""  # closed unanswered
        assert REQUEST_SECONDS <= cut < REQUEST_SECONDS + 2
        idle.sendall(request.encode())  # idle longer than a request may take to arrive: still served
        assert read_answer(idle).startswith(b"HTTP/1.1 200 ")
