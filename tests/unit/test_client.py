"""The REST client against the emulator over loopback: v1 and v2 calls, typed errors, retries, no
token or credential leaks."""

from __future__ import annotations

import logging
import socket
import time
from typing import Any

import pytest
from pulumi_pixverse.client import (
    ApiValidationError,
    AuthenticationError,
    ClientSettings,
    LoginRefusedError,
    NotFoundError,
    PixverseClient,
    PixverseError,
    RetriesExhaustedError,
)
from pulumi_pixverse.client.api import UPSERT_V2
from pulumi_pixverse.client.transport import RETRY_AFTER_CEILING_SECONDS, retry_after_seconds

POST_ROUTE = "POST /v1/pixverse/account/{channel}"
GET_ROUTE = "GET /v1/pixverse/account/{channel}"
LIST_ROUTE = "GET /v1/pixverse/account"
POST_V2 = "POST /v2/pixverse/accounts/{email}"
GET_V2 = "GET /v2/pixverse/accounts/{email}"
LIST_V2 = "GET /v2/pixverse/accounts"
DELETE_V2 = "DELETE /v2/pixverse/accounts/{email}"
ACCOUNT = {
    "discord": "discord-token-a",
    "server": "111111111111111111",
    "channel": "222222222222222222",
    "maxJobs": 3,
}


ACCOUNT_V2 = {"email": "user+tag@example.com", "password": "pixverse-password-a", "maxJobs": 3}
ENCODED_V2_PATH = "/v2/pixverse/accounts/user%2Btag%40example.com"
NOT_CONFIGURED_V1 = "Configuration not found. To create configuration use pixverse/account/channel."
NOT_CONFIGURED_V2 = "Configuration not found. To create configuration use POST /accounts/email."


def make_client(url: str, token: str, **overrides: Any) -> PixverseClient:
    settings = {"max_retries": 3, "backoff_factor": 0.01, "read_timeout": 5.0, **overrides}
    return PixverseClient(ClientSettings(token=token, base_url=url, **settings))


@pytest.fixture
def client(emulator: Any) -> PixverseClient:
    return make_client(emulator.url, emulator.token)


def test_upsert_sends_the_record_with_bearer_auth_and_a_get_reads_it_back(client, emulator):
    assert client.known_account(ACCOUNT["channel"]) is None  # the list: no account yet
    client.upsert_account(ACCOUNT)
    received = emulator.requests()[1]
    assert received["route"] == POST_ROUTE
    assert received["path"] == f"/v1/pixverse/account/{ACCOUNT['channel']}"
    assert received["authorized"] is True
    assert received["body"] == emulator.as_logged(ACCOUNT)
    assert client.known_account(ACCOUNT["channel"]) == ACCOUNT  # written since the list: a GET
    assert [(r["route"], r["status"]) for r in emulator.requests()] == [
        (LIST_ROUTE, 404),
        (POST_ROUTE, 204),
        (GET_ROUTE, 200),
    ]


def test_list_returns_accounts_keyed_by_channel_and_delete_removes_one(client, emulator):
    other = {**ACCOUNT, "discord": "discord-token-b", "channel": "333333333333333333"}
    client.upsert_account(ACCOUNT)
    client.upsert_account(other)
    assert client.list_accounts() == {ACCOUNT["channel"]: ACCOUNT, other["channel"]: other}
    client.delete_account(ACCOUNT["channel"])
    assert emulator.accounts() == {other["channel"]: other}


def test_400_keeps_the_service_message_verbatim(client, emulator):
    with pytest.raises(ApiValidationError) as caught:
        client.upsert_account({**ACCOUNT, "maxJobs": 11})
    assert caught.value.status == 400
    assert caught.value.detail == "Required param maxJobs 11 can't be more that 10"
    assert str(caught.value).startswith(f"POST /v1/pixverse/account/{ACCOUNT['channel']}: HTTP 400")
    assert emulator.counts() == {POST_ROUTE: 1}


def test_401_says_the_token_was_refused_once_without_retrying(emulator):
    client = make_client(emulator.url, "not-the-token")
    with pytest.raises(AuthenticationError) as caught:
        client.known_account(ACCOUNT["channel"])  # the list refused: no GET of the channel after it
    assert "API token refused" in str(caught.value)
    assert "not-the-token" not in str(caught.value)
    assert emulator.counts() == {LIST_ROUTE: 1}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.list_accounts(), NOT_CONFIGURED_V1),
        (lambda c: c.delete_account(ACCOUNT["channel"]), NOT_CONFIGURED_V1),
        (lambda c: c.list_accounts_v2(), NOT_CONFIGURED_V2),
        (lambda c: c.delete_account_v2(ACCOUNT_V2["email"]), NOT_CONFIGURED_V2),
    ],
    ids=["v1-list", "v1-delete", "v2-list", "v2-delete"],
)
def test_404_is_not_found_carrying_the_service_text_plain_or_json(client, emulator, call, message):
    with pytest.raises(NotFoundError) as caught:
        call(client)
    assert (caught.value.status, caught.value.detail) == (404, message)
    assert len(emulator.requests()) == 1


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_the_get_of_an_account_written_since_the_list_reads_its_404_as_no_account(client, emulator, version):
    """What a create asks when its account was written since the list call: the service's 404 on the
    account's own GET is "no account" (not an error), sent once."""
    known, delete = (
        (client.known_account, client.delete_account)
        if version == "v1"
        else (client.known_account_v2, client.delete_account_v2)
    )
    key = ACCOUNT["channel"] if version == "v1" else ACCOUNT_V2["email"]
    assert known(key) is None  # the list: no account at all
    with pytest.raises(NotFoundError):
        delete(key)  # a write, if a failed one: the list no longer holds for the account
    assert known(key) is None
    gets = [(r["path"], r["status"]) for r in emulator.requests()][2:]
    assert gets == [(ENCODED_V2_PATH if version == "v2" else f"/v1/pixverse/account/{key}", 404)]


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_a_retryable_status_is_retried_and_the_write_lands_once(client, emulator, status):
    emulator.fault(status=status, count=2)
    client.upsert_account(ACCOUNT)
    assert [r["status"] for r in emulator.requests()] == [status, status, 204]
    assert emulator.accounts() == {ACCOUNT["channel"]: ACCOUNT}


def test_retry_after_is_honoured(client, emulator):
    emulator.fault(status=429, count=1, retry_after=1)
    started = time.monotonic()
    client.upsert_account(ACCOUNT)
    assert time.monotonic() - started >= 0.9
    assert [r["status"] for r in emulator.requests()] == [429, 204]


def test_a_read_timeout_is_retried(emulator):
    client = make_client(emulator.url, emulator.token, read_timeout=0.3)
    emulator.fault(delay=1.0, count=1, route=POST_ROUTE)
    client.upsert_account(ACCOUNT)
    assert [r["route"] for r in emulator.wait_for_requests(2)] == [POST_ROUTE, POST_ROUTE]
    assert emulator.accounts() == {ACCOUNT["channel"]: ACCOUNT}


def test_a_dropped_connection_is_retried(client, emulator):
    emulator.fault(drop=True, count=2)
    client.upsert_account(ACCOUNT)
    assert [r["status"] for r in emulator.requests()] == [0, 0, 204]


def test_exhausted_status_retries_name_the_last_cause(emulator):
    client = make_client(emulator.url, emulator.token, max_retries=2)
    emulator.fault(status=503, count=10)
    with pytest.raises(RetriesExhaustedError) as caught:
        client.upsert_account(ACCOUNT)
    assert "3 attempts" in str(caught.value) and "HTTP 503" in str(caught.value)
    assert emulator.counts() == {POST_ROUTE: 3}
    assert emulator.accounts() == {}


def test_exhausted_connection_retries_name_the_last_cause(emulator):
    client = make_client(emulator.url, emulator.token, max_retries=1)
    emulator.fault(drop=True, count=10)
    with pytest.raises(RetriesExhaustedError) as caught:
        client.list_accounts()
    assert "2 attempts" in str(caught.value)
    assert "Disconnected" in str(caught.value) or "Connection" in str(caught.value)
    assert emulator.counts() == {LIST_ROUTE: 2}


def test_exhausted_timeouts_say_timeout(emulator):
    client = make_client(emulator.url, emulator.token, max_retries=1, read_timeout=0.2)
    emulator.fault(delay=0.6, count=2)
    with pytest.raises(RetriesExhaustedError, match="timeout"):
        client.list_accounts()
    assert len(emulator.wait_for_requests(2)) == 2  # the delayed requests end here, not in a later test


def test_a_refused_connection_ends_with_retries_exhausted(api_token):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    client = make_client(f"http://127.0.0.1:{closed_port}", api_token, max_retries=1)
    with pytest.raises(RetriesExhaustedError, match="2 attempts") as caught:
        client.list_accounts()
    assert "Connection refused" in str(caught.value)
    assert " object at 0x" not in str(caught.value)


def test_a_very_long_retry_after_is_capped():
    assert retry_after_seconds("3600") == RETRY_AFTER_CEILING_SECONDS
    assert retry_after_seconds("2") == 2
    assert retry_after_seconds("when we feel like it") is None


def test_no_error_repr_or_log_line_carries_the_token(emulator, caplog):
    secret = emulator.token
    client = make_client(emulator.url, secret, max_retries=1, read_timeout=0.2)
    caplog.set_level(logging.DEBUG)
    failures: list[Exception] = []
    emulator.fault(status=503, count=2)
    emulator.fault(delay=0.6, count=2)
    emulator.fault(drop=True, count=2)
    for _ in range(3):
        with pytest.raises(RetriesExhaustedError) as caught:
            client.list_accounts()
        failures.append(caught.value)
    with pytest.raises(ApiValidationError) as invalid:
        client.upsert_account({**ACCOUNT, "channel": "abc"})
    failures.append(invalid.value)
    texts = [str(f) for f in failures] + [repr(f) for f in failures] + [repr(client), caplog.text]
    assert caplog.text, "urllib3 should have logged its requests"
    assert all(secret not in text for text in texts)
    assert len(emulator.wait_for_requests(7)) == 7  # the delayed requests end here, not in a later test


# v2 -------------------------------------------------------------------------------------------


def test_upsert_v2_posts_to_the_url_encoded_email_and_returns_the_stored_account(client, emulator):
    stored = client.upsert_account_v2(ACCOUNT_V2)
    [received] = emulator.requests()
    assert (received["route"], received["path"], received["status"]) == (POST_V2, ENCODED_V2_PATH, 201)
    assert received["authorized"] is True
    assert received["body"] == emulator.as_logged(ACCOUNT_V2)
    assert {k: stored[k] for k in ("email", "password", "maxJobs")} == {**ACCOUNT_V2, "password": "********"}
    assert set(stored["jwt"]) == {"AccountId", "Username", "ExpireTime", "ExpireTimeUTC", "token"}
    assert emulator.accounts_v2() == {ACCOUNT_V2["email"]: ACCOUNT_V2}


def test_upsert_v2_sends_the_token_only_when_the_record_has_one(client, emulator):
    client.upsert_account_v2({**ACCOUNT_V2, "token": "dev-token"})
    assert emulator.accounts_v2()[ACCOUNT_V2["email"]]["token"] == "dev-token"
    client.upsert_account_v2(ACCOUNT_V2)
    assert emulator.accounts_v2() == {ACCOUNT_V2["email"]: ACCOUNT_V2}


def test_list_get_and_delete_v2_go_to_the_url_encoded_email(client, emulator):
    other = {**ACCOUNT_V2, "email": "other@example.com", "maxJobs": 8}
    emulator.seed_v2(ACCOUNT_V2)
    emulator.seed_v2(other)
    listed = client.list_accounts_v2()
    assert sorted(listed) == sorted([ACCOUNT_V2["email"], other["email"]])
    assert listed[other["email"]]["maxJobs"] == 8
    assert client.listed_account_v2(other["email"])["maxJobs"] == 8  # the list a read shares
    client.upsert_account_v2(ACCOUNT_V2)  # written since that list: a read of it GETs it
    got = client.known_account_v2(ACCOUNT_V2["email"])
    assert got is not None
    assert (got["email"], got["maxJobs"], got["password"]) == (ACCOUNT_V2["email"], 3, "********")
    client.delete_account_v2(ACCOUNT_V2["email"])
    assert emulator.accounts_v2() == {other["email"]: other}
    assert [(r["route"], r["path"], r["status"]) for r in emulator.requests()[2:]] == [
        (LIST_V2, "/v2/pixverse/accounts", 200),
        (LIST_V2, "/v2/pixverse/accounts", 200),
        (POST_V2, ENCODED_V2_PATH, 201),
        (GET_V2, ENCODED_V2_PATH, 200),
        (DELETE_V2, ENCODED_V2_PATH, 204),
    ]


def test_v2_400_keeps_the_service_message_verbatim(client, emulator):
    with pytest.raises(ApiValidationError) as caught:
        client.upsert_account_v2({**ACCOUNT_V2, "maxJobs": 9})
    assert caught.value.detail == "Required param maxJobs 9 can't be more that 8"
    assert emulator.counts() == {POST_V2: 1}


def test_v2_401_unauthorized_is_the_api_token_once_without_retrying(emulator):
    emulator.refuse_login(ACCOUNT_V2["email"])  # the token is checked before the login
    client = make_client(emulator.url, "not-the-token")
    with pytest.raises(AuthenticationError, match="API token refused"):
        client.upsert_account_v2(ACCOUNT_V2)
    assert emulator.counts() == {POST_V2: 1}


def test_a_refused_login_names_the_email_never_the_password_and_is_not_retried(client, emulator):
    emulator.refuse_login(ACCOUNT_V2["email"])
    with pytest.raises(LoginRefusedError) as caught:
        client.upsert_account_v2(ACCOUNT_V2)
    error = caught.value
    assert isinstance(error, PixverseError) and not isinstance(error, AuthenticationError)
    assert (error.status, error.email) == (401, ACCOUNT_V2["email"])
    assert str(error) == (
        f"POST {ENCODED_V2_PATH}: HTTP 401: PixVerse refused the login of {ACCOUNT_V2['email']} "
        f"(PixVerse login failed for {ACCOUNT_V2['email']}: wrong email or password): "
        "check the account's email and password, not the API token"
    )
    assert ACCOUNT_V2["password"] not in str(error) + repr(error)
    assert emulator.counts() == {POST_V2: 1}
    assert emulator.accounts_v2() == {}


def test_a_401_other_than_unauthorized_outside_a_login_is_still_the_api_token(client, emulator):
    emulator.fault(status=401, count=1)  # answers {"error": "Injected fault", "code": 401}
    with pytest.raises(AuthenticationError):
        client.known_account_v2(ACCOUNT_V2["email"])
    assert emulator.counts() == {LIST_V2: 1}


def test_v2_calls_share_the_retries(client, emulator):
    emulator.fault(status=503, count=2, route=POST_V2)
    emulator.fault(drop=True, count=1, route=GET_V2)
    assert client.known_account_v2(ACCOUNT_V2["email"]) is None  # the list: no account yet
    client.upsert_account_v2(ACCOUNT_V2)
    assert client.known_account_v2(ACCOUNT_V2["email"])["email"] == ACCOUNT_V2["email"]  # its GET
    assert [r["status"] for r in emulator.requests()] == [404, 503, 503, 201, 0, 200]
    assert emulator.accounts_v2() == {ACCOUNT_V2["email"]: ACCOUNT_V2}


def test_no_error_repeats_a_credential_the_request_carried(client):
    with pytest.raises(ApiValidationError) as caught:
        client.upsert_account({**ACCOUNT, "channel": "leaky-value", "discord": "leaky-value"})
    assert caught.value.detail == "Required param channel (<hidden>) is not valid Discord channel id"
    mismatch = {**ACCOUNT_V2, "email": "mismatch@example.com", "password": "mismatch@example.com"}
    with pytest.raises(ApiValidationError) as caught:
        client._transport.request(UPSERT_V2, ENCODED_V2_PATH, mismatch)
    assert "mismatch@example.com" not in str(caught.value)
