"""The emulator's own exposure (issue 25's review): it answers loopback Host names only, takes the token
on its admin routes, checks the token before reading a body, caps the body's size, and keeps no
credential of a refused request in its log. Over real HTTP (a raw socket where a client would refuse)."""

from __future__ import annotations

import socket

import requests
from emulator_admin import assert_error

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
