"""Contract tests of the emulator's PixVerse v1 account API and its admin surface, over real HTTP on
loopback (v2: test_emulator_v2.py; its state file and command line: test_emulator_process.py)."""

from __future__ import annotations

import http.client
import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from emulator_admin import assert_error, assert_plain_404
from emulator_v1 import AUTH, CH1, CH2, SERVER_ID, TIMEOUT, TOKEN, account, accounts, admin, api
from pulumi_pixverse.emulator import EmulatorServer, start_in_thread
from pulumi_pixverse.emulator.server import logged_body

NOT_CONFIGURED = "Configuration not found. To create configuration use pixverse/account/channel."


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    server = start_in_thread(token=TOKEN)
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def clean(emulator: EmulatorServer) -> None:
    assert admin(emulator.url, "POST", "reset").status_code == 204


@pytest.fixture
def url(emulator: EmulatorServer) -> str:
    return emulator.url


def log(url: str) -> dict[str, Any]:
    result: dict[str, Any] = admin(url, "GET", "requests").json()
    return result


def add_fault(url: str, **spec: Any) -> None:
    assert admin(url, "POST", "faults", json=spec).status_code == 204


# --- create, read, list, delete -------------------------------------------------------------


def test_listens_on_loopback_only(emulator: EmulatorServer) -> None:
    assert emulator.server_address[0] == "127.0.0.1"
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", emulator.url)


@pytest.mark.parametrize("max_jobs", [1, 5, 10])
def test_post_then_get_returns_exactly_the_fields(url: str, max_jobs: int) -> None:
    body = {**account(max_jobs=max_jobs), "extra": "ignored"}
    response = api(url, "POST", f"/{CH1}", json=body)
    assert response.status_code == 204
    assert response.content == b""
    got = api(url, "GET", f"/{CH1}")
    assert got.status_code == 200
    assert got.headers["Content-Type"] == "application/json"
    assert got.json() == account(max_jobs=max_jobs)
    assert type(got.json()["maxJobs"]) is int


def test_post_is_an_idempotent_upsert(url: str) -> None:
    assert api(url, "POST", f"/{CH1}", json=account()).status_code == 204
    assert api(url, "POST", f"/{CH1}", json=account()).status_code == 204
    assert accounts(url) == {CH1: account()}
    assert api(url, "POST", f"/{CH1}", json=account(max_jobs=7)).status_code == 204
    assert api(url, "GET", f"/{CH1}").json() == account(max_jobs=7)
    assert list(accounts(url)) == [CH1]


def test_list_returns_accounts_keyed_by_channel(url: str) -> None:
    api(url, "POST", f"/{CH1}", json=account(CH1, "token-1"))
    api(url, "POST", f"/{CH2}", json=account(CH2, "token-2", 10))
    response = api(url, "GET", "")
    assert response.status_code == 200
    assert response.json() == {CH1: account(CH1, "token-1"), CH2: account(CH2, "token-2", 10)}


def test_list_when_nothing_configured_is_a_plain_text_404(url: str) -> None:
    assert_plain_404(api(url, "GET", ""), NOT_CONFIGURED)


def test_delete_removes_the_account(url: str) -> None:
    api(url, "POST", f"/{CH1}", json=account())
    response = api(url, "DELETE", f"/{CH1}")
    assert response.status_code == 204
    assert response.content == b""
    assert_plain_404(api(url, "GET", f"/{CH1}"), NOT_CONFIGURED)
    assert_error(api(url, "DELETE", f"/{CH1}"), 404, NOT_CONFIGURED)
    assert accounts(url) == {}


def test_get_unknown_channel_is_a_plain_text_404(url: str) -> None:
    assert_plain_404(api(url, "GET", f"/{CH2}"), NOT_CONFIGURED)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/pixverse/accounts"),
        ("PUT", f"/v1/pixverse/account/{CH1}"),
        ("OPTIONS", f"/v1/pixverse/account/{CH1}"),
        ("POST", "/v1/pixverse/account"),
    ],
)
def test_unknown_route_is_404(url: str, method: str, path: str) -> None:
    response = requests.request(method, url + path, headers=AUTH, json=account(), timeout=TIMEOUT)
    assert_error(response, 404, "Not found")
    assert accounts(url) == {}


def test_head_gets_headers_only(url: str) -> None:
    response = api(url, "HEAD", "")
    assert response.status_code == 404
    assert int(response.headers["Content-Length"]) > 0
    assert response.content == b""


# --- validation ------------------------------------------------------------------------------

ARABIC_INDIC_ID = "\u0661" * 19  # 19 non-ASCII digits: str.isdigit() is True, still invalid
BAD_BODIES: list[tuple[str, object, str]] = [
    ("not-an-object", [account()], "Required param discord is missing or empty"),
    ("empty-object", {}, "Required param discord is missing or empty"),
    (
        "discord-missing",
        {k: v for k, v in account().items() if k != "discord"},
        "Required param discord is missing or empty",
    ),
    ("discord-empty", account(discord=""), "Required param discord is missing or empty"),
    ("discord-not-string", {**account(), "discord": 5}, "Required param discord is missing or empty"),
    (
        "server-missing",
        {"discord": "t", "channel": CH1, "maxJobs": 1},
        "Required param server is missing or empty",
    ),
    ("server-empty", {**account(), "server": ""}, "Required param server is missing or empty"),
    (
        "channel-missing",
        {"discord": "t", "server": SERVER_ID, "maxJobs": 1},
        "Required param channel is missing or empty",
    ),
    ("channel-empty", account(channel=""), "Required param channel is missing or empty"),
    ("channel-not-string", {**account(), "channel": int(CH1)}, "Required param channel is missing or empty"),
    (
        "channel-letters",
        account(channel="general"),
        "Required param channel (general) is not valid Discord channel id",
    ),
    (
        "channel-16-digits",
        account(channel="1" * 16),
        f"Required param channel ({'1' * 16}) is not valid Discord channel id",
    ),
    (
        "channel-21-digits",
        account(channel="1" * 21),
        f"Required param channel ({'1' * 21}) is not valid Discord channel id",
    ),
    (
        "channel-non-ascii-digits",
        account(channel=ARABIC_INDIC_ID),
        f"Required param channel ({ARABIC_INDIC_ID}) is not valid Discord channel id",
    ),
    (
        "channel-trailing-newline",
        account(channel=CH1 + "\n"),
        f"Required param channel ({CH1}\n) is not valid Discord channel id",
    ),
    (
        "channel-mismatch",
        account(channel=CH2),
        f"Required param channel ({CH2}) not matching to /pixverse/account/{CH1}",
    ),
    (
        "maxJobs-missing",
        {k: v for k, v in account().items() if k != "maxJobs"},
        "Required param maxJobs is missing or empty",
    ),
    ("maxJobs-null", account(max_jobs=None), "Required param maxJobs is missing or empty"),
    ("maxJobs-zero", account(max_jobs=0), "Required param maxJobs is missing or empty"),
    ("maxJobs-negative", account(max_jobs=-2), "Required param maxJobs is missing or empty"),
    ("maxJobs-fraction", account(max_jobs=2.5), "Required param maxJobs is missing or empty"),
    ("maxJobs-float-integral", account(max_jobs=5.0), "Required param maxJobs is missing or empty"),
    ("maxJobs-string", account(max_jobs="5"), "Required param maxJobs is missing or empty"),
    ("maxJobs-bool", account(max_jobs=True), "Required param maxJobs is missing or empty"),
    ("maxJobs-11", account(max_jobs=11), "Required param maxJobs 11 can't be more that 10"),
    ("maxJobs-1000", account(max_jobs=1000), "Required param maxJobs 1000 can't be more that 10"),
    (
        "order-channel-before-maxJobs",
        account(channel="x", max_jobs=0),
        "Required param channel (x) is not valid Discord channel id",
    ),
]


@pytest.mark.parametrize(
    ("body", "message"), [case[1:] for case in BAD_BODIES], ids=[case[0] for case in BAD_BODIES]
)
def test_post_rejects_bad_body_with_service_message(url: str, body: object, message: str) -> None:
    assert_error(api(url, "POST", f"/{CH1}", json=body), 400, message)
    assert accounts(url) == {}


def test_post_with_an_empty_body_is_treated_as_not_an_object(url: str) -> None:
    headers = {**AUTH, "Content-Type": "application/json"}
    assert_error(
        api(url, "POST", f"/{CH1}", headers=headers, data=b""),
        400,
        "Required param discord is missing or empty",
    )


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe", b"[" * 20000])
def test_post_with_malformed_or_too_deep_json_is_a_400(url: str, raw: bytes) -> None:
    """Issue 25: a body that is not JSON (it used to read as no object) or too deep (it used to raise
    RecursionError unanswered) is a 400 of its own."""
    headers = {**AUTH, "Content-Type": "application/json"}
    assert_error(api(url, "POST", f"/{CH1}", headers=headers, data=raw), 400, "Malformed JSON body")


def test_one_discord_token_on_one_channel_only(url: str) -> None:
    assert api(url, "POST", f"/{CH1}", json=account(CH1, "shared")).status_code == 204
    assert_error(
        api(url, "POST", f"/{CH2}", json=account(CH2, "shared")),
        400,
        f"Channel {CH1} configuration has same discord value",
    )
    assert accounts(url) == {CH1: account(CH1, "shared")}
    # Moving the token needs the old channel deleted first.
    assert api(url, "DELETE", f"/{CH1}").status_code == 204
    assert api(url, "POST", f"/{CH2}", json=account(CH2, "shared")).status_code == 204
    assert accounts(url) == {CH2: account(CH2, "shared")}


# --- auth ------------------------------------------------------------------------------------

ROUTES = [("POST", f"/{CH1}"), ("GET", ""), ("GET", f"/{CH1}"), ("DELETE", f"/{CH1}"), ("GET", "/a/b")]
BAD_AUTH: list[dict[str, str] | None] = [
    None,
    {"Authorization": "Bearer wrong-token"},
    {"Authorization": TOKEN},
    {"Authorization": f"Bearer {TOKEN} "},
    {"Authorization": f"Basic {TOKEN}"},
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize(
    "headers", BAD_AUTH, ids=["missing", "wrong", "no-scheme", "trailing-space", "basic"]
)
def test_every_route_needs_the_token(
    url: str, method: str, path: str, headers: dict[str, str] | None
) -> None:
    api(url, "POST", f"/{CH1}", json=account())
    response = api(url, method, path, headers=headers, json=account(max_jobs=9))
    assert_error(response, 401, "Unauthorized")
    assert accounts(url) == {CH1: account()}


def test_auth_is_checked_before_validation(url: str) -> None:
    assert_error(api(url, "POST", f"/{CH1}", headers=None, json={}), 401, "Unauthorized")


# --- HTTP framing ----------------------------------------------------------------------------


def test_keep_alive_connection_serves_many_requests(emulator: EmulatorServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", emulator.server_port, timeout=TIMEOUT)
    headers = {**AUTH, "Content-Type": "application/json"}
    calls = [
        ("POST", f"/v1/pixverse/account/{CH1}", json.dumps(account()), 204),
        ("GET", f"/v1/pixverse/account/{CH1}", None, 200),
        ("POST", f"/v1/pixverse/account/{CH1}", "{}", 400),
        ("DELETE", f"/v1/pixverse/account/{CH2}", '{"ignored": "body"}', 404),
        ("GET", "/v1/pixverse/account", None, 200),
        ("GET", f"/v1/pixverse/account/{CH2}", None, 404),
    ]
    try:
        sockets = set()
        for method, path, body, status in calls:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            assert response.status == status
            if status != 204:
                assert int(response.headers["Content-Length"]) == len(data)
            sockets.add(id(conn.sock))
        assert len(sockets) == 1
    finally:
        conn.close()


# --- request log -----------------------------------------------------------------------------


def test_request_log_records_api_calls_and_counts_routes(url: str) -> None:
    api(url, "POST", f"/{CH1}", json=account())
    api(url, "POST", f"/{CH1}", json={})
    api(url, "GET", f"/{CH1}")
    api(url, "GET", "")
    api(url, "DELETE", f"/{CH1}", headers=None)
    api(url, "GET", "/x/y")
    accounts(url)  # admin calls are not logged
    result = log(url)
    assert [(e["method"], e["path"], e["status"], e["authorized"]) for e in result["requests"]] == [
        ("POST", f"/v1/pixverse/account/{CH1}", 204, True),
        ("POST", f"/v1/pixverse/account/{CH1}", 400, True),
        ("GET", f"/v1/pixverse/account/{CH1}", 200, True),
        ("GET", "/v1/pixverse/account", 200, True),
        ("DELETE", f"/v1/pixverse/account/{CH1}", 401, False),
        ("GET", "/v1/pixverse/account/x/y", 404, True),
    ]
    assert result["requests"][0]["route"] == "POST /v1/pixverse/account/{channel}"
    # The Discord token is kept as its fingerprint, never in clear.
    assert result["requests"][0]["body"] == logged_body(account(), TOKEN)
    assert result["requests"][0]["body"]["discord"].startswith("hidden:")
    assert account()["discord"] not in json.dumps(result)
    assert result["requests"][2]["body"] is None
    assert result["counts"] == {
        "POST /v1/pixverse/account/{channel}": 2,
        "GET /v1/pixverse/account/{channel}": 1,
        "GET /v1/pixverse/account": 1,
        "DELETE /v1/pixverse/account/{channel}": 1,
        "GET /v1/pixverse/account/x/y": 1,
    }


def test_reset_clears_accounts_log_and_faults(url: str) -> None:
    api(url, "POST", f"/{CH1}", json=account())
    add_fault(url, status=500, count=5)
    assert admin(url, "POST", "reset").status_code == 204
    assert accounts(url) == {}
    assert log(url) == {"requests": [], "counts": {}}
    assert api(url, "POST", f"/{CH1}", json=account()).status_code == 204


def test_unknown_admin_route_is_404(url: str) -> None:
    assert_error(admin(url, "GET", "nothing"), 404, "Not found")


# --- faults ----------------------------------------------------------------------------------


def test_status_fault_answers_without_touching_state(url: str) -> None:
    add_fault(url, status=503, count=2)
    for _ in range(2):
        response = api(url, "POST", f"/{CH1}", json=account())
        assert_error(response, 503, "Injected fault")
        assert "Retry-After" not in response.headers
        assert accounts(url) == {}
    assert api(url, "POST", f"/{CH1}", json=account()).status_code == 204
    assert [e["status"] for e in log(url)["requests"]] == [503, 503, 204]


def test_status_fault_with_retry_after_header(url: str) -> None:
    add_fault(url, status=429, count=1, retry_after=1)
    response = api(url, "GET", "")
    assert_error(response, 429, "Injected fault")
    assert response.headers["Retry-After"] == "1"
    assert_plain_404(api(url, "GET", ""), NOT_CONFIGURED)


def test_faults_do_not_affect_admin_routes(url: str) -> None:
    add_fault(url, status=500, count=1)
    assert accounts(url) == {}
    assert log(url)["requests"] == []
    assert api(url, "GET", "").status_code == 500


def test_delay_fault_times_out_client_then_processes_request(url: str) -> None:
    add_fault(url, delay=1.0, count=1)
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.post(f"{url}/v1/pixverse/account/{CH1}", headers=AUTH, json=account(), timeout=0.2)
    deadline = time.monotonic() + TIMEOUT
    while accounts(url) == {} and time.monotonic() < deadline:
        time.sleep(0.05)
    assert accounts(url) == {CH1: account()}
    assert log(url)["requests"][0]["status"] == 204


def test_drop_fault_closes_connection_without_processing(url: str) -> None:
    add_fault(url, drop=True, count=1)
    with pytest.raises(requests.exceptions.ConnectionError):
        api(url, "POST", f"/{CH1}", json=account())
    assert accounts(url) == {}
    assert [e["status"] for e in log(url)["requests"]] == [0]
    assert api(url, "POST", f"/{CH1}", json=account()).status_code == 204


def rate_pattern(url: str, seed: int) -> list[int]:
    admin(url, "POST", "reset")
    add_fault(url, status=500, rate=0.3, count=100, seed=seed)
    return [api(url, "GET", "").status_code for _ in range(30)]


def test_rate_fault_is_repeatable_with_a_seed(url: str) -> None:
    first = rate_pattern(url, seed=7)
    assert set(first) == {500, 404}
    assert first == rate_pattern(url, seed=7)


def test_count_bounds_a_rate_fault(url: str) -> None:
    add_fault(url, status=502, rate=1.0, count=2)
    assert [api(url, "GET", "").status_code for _ in range(4)] == [502, 502, 404, 404]


def test_route_filter_only_hits_that_route(url: str) -> None:
    add_fault(url, status=504, count=1, route="GET /v1/pixverse/account/{channel}")
    assert api(url, "POST", f"/{CH1}", json=account()).status_code == 204
    assert api(url, "GET", "").status_code == 200
    assert_error(api(url, "GET", f"/{CH1}"), 504, "Injected fault")
    assert api(url, "GET", f"/{CH1}").status_code == 200


def test_delete_faults_clears_them(url: str) -> None:
    add_fault(url, status=500, count=10)
    assert admin(url, "DELETE", "faults").status_code == 204
    assert api(url, "GET", "").status_code == 404


@pytest.mark.parametrize(
    "spec",
    [
        [],
        {"count": 1},
        {"status": 200},
        {"status": 500, "count": 0},
        {"drop": "yes"},
        {"status": 500, "rate": 2},
        {"nope": 1},
    ],
)
def test_malformed_fault_is_rejected(url: str, spec: object) -> None:
    response = admin(url, "POST", "faults", json=spec)
    assert response.status_code == 400
    assert response.json()["error"].startswith("Invalid fault: ")
    assert api(url, "GET", "").status_code == 404
