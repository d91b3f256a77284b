"""Contract tests of the emulator's PixVerse v2 account API and its v2 admin controls, over real HTTP
on loopback (the session's emulator from tests/conftest.py, emptied for each test)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from emulator_admin import EmulatorAdmin, assert_error, assert_plain_404
from pulumi_pixverse.emulator import start_in_thread

TIMEOUT = 5
EMAIL = "studio@example.com"
OTHER = "user+tag@example.com"
NOT_CONFIGURED = "Configuration not found. To create configuration use POST /accounts/email."
MASKED = "********"
POST = "POST /v2/pixverse/accounts/{email}"
GET = "GET /v2/pixverse/accounts/{email}"
LIST = "GET /v2/pixverse/accounts"
DELETE = "DELETE /v2/pixverse/accounts/{email}"


def account(email: str = EMAIL, max_jobs: object = 3, **extra: Any) -> dict[str, Any]:
    return {"email": email, "password": "pixverse-password", "maxJobs": max_jobs, **extra}


def v2(
    emulator: EmulatorAdmin,
    method: str,
    email: str | None = None,
    auth: bool = True,
    headers: dict[str, str] | None = None,
    **kwargs: Any,
) -> requests.Response:
    """One call of the v2 API; `email` is URL-encoded into the path, None for the list route."""
    path = "/v2/pixverse/accounts" + ("" if email is None else f"/{quote(email, safe='')}")
    sent = {"Authorization": f"Bearer {emulator.token}"} if auth else {}
    return requests.request(
        method, emulator.url + path, headers={**sent, **(headers or {})}, timeout=TIMEOUT, **kwargs
    )


def assert_shown(shown: dict[str, Any], email: str, max_jobs: int) -> None:
    """The stored account as the service shows it: the password and the session token masked."""
    assert list(shown) == ["email", "password", "maxJobs", "jwt"]
    assert (shown["email"], shown["password"], shown["maxJobs"]) == (email, MASKED, max_jobs)
    jwt = shown["jwt"]
    assert list(jwt) == ["AccountId", "Username", "ExpireTime", "ExpireTimeUTC", "token"]
    assert type(jwt["AccountId"]) is int and type(jwt["ExpireTime"]) is int
    assert jwt["Username"] == email.partition("@")[0]
    assert jwt["token"] == MASKED
    expires = datetime.fromtimestamp(jwt["ExpireTime"], timezone.utc)
    assert jwt["ExpireTimeUTC"] == expires.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert expires > datetime.now(timezone.utc)


# --- create, read, list, delete -------------------------------------------------------------


@pytest.mark.parametrize("max_jobs", [1, 5, 8])
def test_post_answers_201_with_the_stored_account_and_get_reads_it(
    emulator: EmulatorAdmin, max_jobs: int
) -> None:
    response = v2(emulator, "POST", EMAIL, json={**account(max_jobs=max_jobs), "extra": "ignored"})
    assert response.status_code == 201
    assert response.headers["Content-Type"] == "application/json"
    assert_shown(response.json(), EMAIL, max_jobs)
    got = v2(emulator, "GET", EMAIL)
    assert got.status_code == 200
    assert_shown(got.json(), EMAIL, max_jobs)
    assert got.json()["jwt"]["AccountId"] == response.json()["jwt"]["AccountId"]
    assert emulator.accounts_v2() == {EMAIL: account(max_jobs=max_jobs)}


def test_the_session_expiry_moves_on_every_answer(emulator: EmulatorAdmin) -> None:
    times = [emulator.seed_v2(account())["jwt"]["ExpireTime"]]
    times += [v2(emulator, "GET", EMAIL).json()["jwt"]["ExpireTime"] for _ in range(3)]
    times.append(v2(emulator, "GET").json()[EMAIL]["jwt"]["ExpireTime"])
    assert times == sorted(set(times))


def test_post_is_an_upsert_and_the_token_is_kept_only_when_given(emulator: EmulatorAdmin) -> None:
    emulator.seed_v2(account(token="dev-token"))
    assert emulator.accounts_v2() == {EMAIL: account(token="dev-token")}
    assert "dev-token" not in v2(emulator, "GET", EMAIL).text
    assert_shown(emulator.seed_v2(account(max_jobs=7)), EMAIL, 7)
    assert emulator.accounts_v2() == {EMAIL: account(max_jobs=7)}
    for ignored in ("", None, 5):
        emulator.seed_v2(account(token=ignored))
        assert emulator.accounts_v2() == {EMAIL: account()}


def test_list_is_keyed_by_email(emulator: EmulatorAdmin) -> None:
    emulator.seed_v2(account(EMAIL))
    emulator.seed_v2(account(OTHER, 8))
    response = v2(emulator, "GET")
    assert response.status_code == 200
    listed = response.json()
    assert list(listed) == [EMAIL, OTHER]
    assert_shown(listed[EMAIL], EMAIL, 3)
    assert_shown(listed[OTHER], OTHER, 8)


def test_the_get_routes_answer_a_plain_text_404_when_nothing_is_configured(emulator: EmulatorAdmin) -> None:
    assert_plain_404(v2(emulator, "GET"), NOT_CONFIGURED)
    assert_plain_404(v2(emulator, "GET", EMAIL), NOT_CONFIGURED)
    emulator.seed_v2(account(OTHER))
    assert_plain_404(v2(emulator, "GET", EMAIL), NOT_CONFIGURED)


def test_delete_answers_204_then_a_json_404(emulator: EmulatorAdmin) -> None:
    emulator.seed_v2(account())
    response = v2(emulator, "DELETE", EMAIL)
    assert response.status_code == 204
    assert response.content == b""
    assert emulator.accounts_v2() == {}
    assert_plain_404(v2(emulator, "GET", EMAIL), NOT_CONFIGURED)
    assert_error(v2(emulator, "DELETE", EMAIL), 404, NOT_CONFIGURED)


def test_the_email_is_url_decoded_from_the_path(emulator: EmulatorAdmin) -> None:
    emulator.seed_v2(account(OTHER))
    assert v2(emulator, "GET", OTHER).json()["email"] == OTHER
    emulator.remove_v2(OTHER)
    assert [(r["path"], r["route"]) for r in emulator.requests()] == [
        ("/v2/pixverse/accounts/user%2Btag%40example.com", POST),
        ("/v2/pixverse/accounts/user%2Btag%40example.com", GET),
        ("/v2/pixverse/accounts/user%2Btag%40example.com", DELETE),
    ]


def test_v1_and_v2_accounts_live_side_by_side(emulator: EmulatorAdmin) -> None:
    v1 = {"discord": "discord-token", "server": "1" * 18, "channel": "2" * 18, "maxJobs": 10}
    emulator.seed(v1)
    emulator.seed_v2(account())
    assert emulator.accounts() == {v1["channel"]: v1}
    assert emulator.accounts_v2() == {EMAIL: account()}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", f"/v2/pixverse/accounts/{EMAIL}"),
        ("POST", "/v2/pixverse/accounts"),
        ("GET", "/v2/pixverse/accounts/a/b"),
        ("GET", "/v2/pixverse/account"),
    ],
)
def test_unknown_v2_routes_are_404(emulator: EmulatorAdmin, method: str, path: str) -> None:
    headers = {"Authorization": f"Bearer {emulator.token}"}
    response = requests.request(method, emulator.url + path, headers=headers, json=account(), timeout=TIMEOUT)
    assert_error(response, 404, "Not found")
    assert emulator.accounts_v2() == {}


# --- validation ------------------------------------------------------------------------------

BAD_BODIES: list[tuple[str, object, str]] = [
    ("not-an-object", [account()], "Required param email is missing or empty"),
    ("empty-object", {}, "Required param email is missing or empty"),
    ("email-missing", {"password": "p", "maxJobs": 1}, "Required param email is missing or empty"),
    ("email-empty", account(""), "Required param email is missing or empty"),
    ("email-not-string", {**account(), "email": 5}, "Required param email is missing or empty"),
    ("password-missing", {"email": EMAIL, "maxJobs": 1}, "Required param password is missing or empty"),
    ("password-empty", {**account(), "password": ""}, "Required param password is missing or empty"),
    ("password-not-string", {**account(), "password": 1}, "Required param password is missing or empty"),
    ("maxJobs-missing", {"email": EMAIL, "password": "p"}, "Required param maxJobs is missing or empty"),
    ("maxJobs-null", account(max_jobs=None), "Required param maxJobs is missing or empty"),
    ("maxJobs-zero", account(max_jobs=0), "Required param maxJobs is missing or empty"),
    ("maxJobs-negative", account(max_jobs=-1), "Required param maxJobs is missing or empty"),
    ("maxJobs-fraction", account(max_jobs=2.5), "Required param maxJobs is missing or empty"),
    ("maxJobs-float-integral", account(max_jobs=5.0), "Required param maxJobs is missing or empty"),
    ("maxJobs-string", account(max_jobs="3"), "Required param maxJobs is missing or empty"),
    ("maxJobs-bool", account(max_jobs=True), "Required param maxJobs is missing or empty"),
    ("maxJobs-9", account(max_jobs=9), "Required param maxJobs 9 can't be more that 8"),
    ("maxJobs-100", account(max_jobs=100), "Required param maxJobs 100 can't be more that 8"),
    (
        "email-mismatch",
        account(OTHER),
        f"Required param email ({OTHER}) not matching to /pixverse/accounts/{EMAIL}",
    ),
    (
        "order-password-before-maxJobs",
        {"email": EMAIL, "maxJobs": 9},
        "Required param password is missing or empty",
    ),
    ("order-maxJobs-before-mismatch", account(OTHER, 9), "Required param maxJobs 9 can't be more that 8"),
]


@pytest.mark.parametrize(
    ("body", "message"), [case[1:] for case in BAD_BODIES], ids=[case[0] for case in BAD_BODIES]
)
def test_post_rejects_a_bad_body_with_the_service_message(
    emulator: EmulatorAdmin, body: object, message: str
) -> None:
    assert_error(v2(emulator, "POST", EMAIL, json=body), 400, message)
    assert emulator.accounts_v2() == {}


def test_post_with_invalid_json_is_a_400(emulator: EmulatorAdmin) -> None:
    response = v2(emulator, "POST", EMAIL, data=b"{not json", headers={"Content-Type": "application/json"})
    assert_error(response, 400, "Malformed JSON body")


# --- auth and refused logins -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "email"), [("POST", EMAIL), ("GET", None), ("GET", EMAIL), ("DELETE", EMAIL)]
)
def test_every_v2_route_needs_the_token(emulator: EmulatorAdmin, method: str, email: str | None) -> None:
    emulator.seed_v2(account())
    emulator.refuse_login(EMAIL)
    assert_error(v2(emulator, method, email, auth=False, json=account(max_jobs=9)), 401, "Unauthorized")
    assert emulator.accounts_v2() == {EMAIL: account()}


def test_a_refused_login_is_a_401_naming_the_email_and_stores_nothing(emulator: EmulatorAdmin) -> None:
    emulator.seed_v2(account())
    emulator.refuse_login(EMAIL)
    refused = f"PixVerse login failed for {EMAIL}: wrong email or password"
    assert_error(v2(emulator, "POST", EMAIL, json=account(max_jobs=5)), 401, refused)
    assert "pixverse-password" not in v2(emulator, "POST", EMAIL, json=account()).text
    assert emulator.accounts_v2() == {EMAIL: account()}
    assert v2(emulator, "GET", EMAIL).status_code == 200
    assert emulator.seed_v2(account(OTHER))["email"] == OTHER
    assert [r["status"] for r in emulator.requests() if r["route"] == POST] == [201, 401, 401, 201]


def test_the_400_checks_come_before_the_login(emulator: EmulatorAdmin) -> None:
    emulator.refuse_login(EMAIL)
    assert_error(
        v2(emulator, "POST", EMAIL, json=account(max_jobs=9)),
        400,
        "Required param maxJobs 9 can't be more that 8",
    )


def test_accept_login_and_reset_end_a_refusal(emulator: EmulatorAdmin) -> None:
    emulator.refuse_login(EMAIL)
    emulator.accept_login(EMAIL)
    emulator.seed_v2(account())
    emulator.refuse_login(EMAIL)
    emulator.reset()
    emulator.seed_v2(account())


@pytest.mark.parametrize("body", [None, [], {}, {"email": ""}, {"email": 5}])
@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_a_malformed_login_control_is_rejected(emulator: EmulatorAdmin, method: str, body: object) -> None:
    response = requests.request(
        method,
        f"{emulator.url}/_emulator/refuse-login",
        json=body,
        headers={"Authorization": f"Bearer {emulator.token}"},
        timeout=TIMEOUT,
    )
    assert_error(response, 400, 'Invalid login: the body must be {"email": "<a non-empty string>"}')


# --- request log, faults, reset --------------------------------------------------------------


def test_the_request_log_counts_v2_routes(emulator: EmulatorAdmin) -> None:
    emulator.seed_v2(account())
    v2(emulator, "POST", EMAIL, json={})
    v2(emulator, "GET", EMAIL)
    v2(emulator, "GET")
    v2(emulator, "DELETE", EMAIL, auth=False)
    log = emulator.requests()
    assert [(e["route"], e["status"], e["authorized"]) for e in log] == [
        (POST, 201, True),
        (POST, 400, True),
        (GET, 200, True),
        (LIST, 200, True),
        (DELETE, 401, False),
    ]
    assert log[0]["body"] == emulator.as_logged(account())  # the password as its fingerprint
    assert account()["password"] not in str(log)
    assert emulator.counts() == {POST: 2, GET: 1, LIST: 1, DELETE: 1}


def test_faults_apply_to_v2_routes_by_template(emulator: EmulatorAdmin) -> None:
    emulator.fault(status=503, count=1, route=POST, retry_after=2)
    response = v2(emulator, "POST", EMAIL, json=account())
    assert_error(response, 503, "Injected fault")
    assert response.headers["Retry-After"] == "2"
    assert emulator.accounts_v2() == {}
    emulator.fault(drop=True, count=1, route=GET)
    assert v2(emulator, "POST", EMAIL, json=account()).status_code == 201
    with pytest.raises(requests.exceptions.ConnectionError):
        v2(emulator, "GET", EMAIL)
    assert [e["status"] for e in emulator.requests()] == [503, 201, 0]


def test_reset_clears_both_versions_refusals_log_and_faults(emulator: EmulatorAdmin) -> None:
    emulator.seed({"discord": "d", "server": "1" * 18, "channel": "2" * 18, "maxJobs": 1})
    emulator.seed_v2(account())
    emulator.refuse_login(OTHER)
    emulator.fault(status=500, count=5)
    emulator.reset()
    assert emulator.accounts() == {} and emulator.accounts_v2() == {}
    assert emulator.requests() == []
    assert emulator.seed_v2(account(OTHER))["email"] == OTHER


# --- persistence -----------------------------------------------------------------------------


def test_the_state_file_holds_both_versions_across_a_restart(tmp_path: Path, api_token: str) -> None:
    state = tmp_path / "state.json"
    v1 = {"discord": "discord-token", "server": "1" * 18, "channel": "2" * 18, "maxJobs": 4}
    first = start_in_thread(token=api_token, state_file=state)
    try:
        admin = EmulatorAdmin(first.url, api_token)
        admin.seed(v1)
        admin.seed_v2(account(token="dev-token"))
        admin.seed_v2(account(OTHER))
        admin.refuse_login(EMAIL)
        assert json.loads(state.read_text()) == {
            "v1": {v1["channel"]: v1},
            "v2": {EMAIL: account(token="dev-token"), OTHER: account(OTHER)},
        }
        admin.remove_v2(OTHER)
        assert json.loads(state.read_text())["v2"] == {EMAIL: account(token="dev-token")}
    finally:
        first.stop()
    second = start_in_thread(token=api_token, state_file=state)
    try:
        admin = EmulatorAdmin(second.url, api_token)
        assert admin.accounts() == {v1["channel"]: v1}
        assert admin.accounts_v2() == {EMAIL: account(token="dev-token")}
        assert_shown(v2(admin, "GET", EMAIL).json(), EMAIL, 3)
        assert_shown(admin.seed_v2(account()), EMAIL, 3)  # refusals are not saved
        admin.reset()
        assert json.loads(state.read_text()) == {"v1": {}, "v2": {}}
    finally:
        second.stop()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]
