"""The providers against a service whose words and records are not what the contract shows: answers
that echo credentials, escape sequences and floods of text, odd types in the records. No credential
reaches a message, every message is one printable capped line, and a read stores the declared types
or fails naming the field (tests/misbehaving.py serves these answers over loopback)."""

from __future__ import annotations

import pytest
from misbehaving import Received, Reply, api_error
from provider_operations import ACCOUNT, ACCOUNT_V2, NOT_CONFIGURED, one_line_failure, operations
from pulumi_pixverse.dynamic.provider import PixverseAccountProvider, PixverseAccountV2Provider


def echo_authorization(request: Received) -> Reply:
    """A 401 that repeats the Authorization header it was sent, as a proxy's or CDN's might."""
    return api_error(401, f"Malformed Authorization: {request.headers['Authorization']}")


@pytest.mark.parametrize("kind", [PixverseAccountProvider, PixverseAccountV2Provider])
def test_a_401_that_repeats_the_api_token_is_about_the_token_and_never_shows_it(
    serve, against, kind, api_token
):
    provider = against(kind(), serve(echo_authorization))
    for name, operation in operations(provider).items():
        message = one_line_failure(operation)
        assert api_token not in message, name
        assert "the service refused the API token" in message, (name, message)
        assert "PixVerse refused the login" not in message


@pytest.mark.parametrize(
    "words", ["Unauthorized", "Invalid API token", "Bearer token expired", "No authorization"]
)
def test_a_v2_post_401_about_the_api_token_is_not_called_a_refused_login(serve, against, words):
    provider = against(PixverseAccountV2Provider(), serve(lambda _: api_error(401, words)))
    message = one_line_failure(operations(provider)["create"])
    assert "the service refused the API token" in message and "PixVerse refused" not in message


def test_a_v2_post_401_about_the_login_quotes_the_services_cleaned_words_without_the_password(serve, against):
    def refuse(request: Received) -> Reply:
        if request.method == "GET":  # the create's look at the live accounts (issue 25): none
            return Reply(404, NOT_CONFIGURED)
        return api_error(401, f"Wrong password\n\x1b[31m{request.body['password']}\x1b[0m for this login")

    provider = against(PixverseAccountV2Provider(), serve(refuse))
    message = one_line_failure(operations(provider)["create"])
    assert (
        f"PixVerse refused the login of {ACCOUNT_V2['email']} (Wrong password <hidden> for this login)"
        in message
    )
    assert ACCOUNT_V2["password"] not in message


@pytest.mark.parametrize("kind", [PixverseAccountProvider, PixverseAccountV2Provider])
def test_a_400_that_echoes_the_request_body_shows_no_credential(serve, against, kind):
    def echo(request: Received) -> Reply:
        if request.method == "GET":
            return Reply(404, NOT_CONFIGURED)
        return api_error(400, f"Bad request: {request.body}")

    provider = against(kind(), serve(echo))
    for name in ("create", "update"):
        message = one_line_failure(operations(provider)[name])
        assert message.count("<hidden>") >= 1, message
        assert ACCOUNT["discord"] not in message and ACCOUNT_V2["password"] not in message


def test_a_credential_of_another_account_the_process_handled_is_redacted_too(serve, against):
    other = {**ACCOUNT, "discord": "discord-token-of-another-account", "channel": "333333333333333333"}

    def answer(request: Received) -> Reply:
        if request.method == "POST":
            return Reply(204)
        return api_error(403, f"channel is locked by the account holding {other['discord']}")

    provider = against(PixverseAccountProvider(), serve(answer))
    provider.update(other["channel"], other, {**other, "maxJobs": 4})
    message = one_line_failure(operations(provider)["read"])
    assert "channel is locked by the account holding <hidden>" in message
    assert other["discord"] not in message


def test_the_services_words_become_one_printable_capped_line(serve, against):
    flood = "\x1b[2J\x1b]0;owned\x07Required param\r\nmaxJobs \u202eevil\u200b\x00 " + "x" * 50_000
    provider = against(PixverseAccountProvider(), serve(lambda _: api_error(400, flood)))
    message = one_line_failure(operations(provider)["update"])
    assert "the service refused it: Required param maxJobs \\u202eevil\\u200b\\u0000 xxx" in message
    assert "owned" not in message and "\x1b" not in message
    assert len(message) < 600


def test_a_read_stores_the_declared_types_whatever_types_the_service_chose(serve, against):
    odd = {
        "discord": ACCOUNT["discord"],
        "server": 111111111111111111,
        "channel": 222222222222222222,
        "maxJobs": "3",
    }
    provider = against(PixverseAccountProvider(), serve(lambda _: Reply(200, {ACCOUNT["channel"]: odd})))
    read = provider.read(ACCOUNT["channel"], ACCOUNT)
    assert read.outs == ACCOUNT and read.inputs == ACCOUNT
    assert provider.diff(ACCOUNT["channel"], read.outs, ACCOUNT).changes is False


def test_a_v2_read_stores_the_declared_types(serve, against):
    odd = {"email": ACCOUNT_V2["email"], "maxJobs": 2.0, "jwt": {"AccountId": "42", "Username": "maya"}}
    provider = against(PixverseAccountV2Provider(), serve(lambda _: Reply(200, {ACCOUNT_V2["email"]: odd})))
    read = provider.read(ACCOUNT_V2["email"], ACCOUNT_V2)
    assert read.outs == {**ACCOUNT_V2, "accountId": 42, "username": "maya"}
    assert type(read.outs["maxJobs"]) is int
    assert provider.diff(ACCOUNT_V2["email"], read.outs, ACCOUNT_V2).changes is False


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"server": None}, "server", "no value"),
        ({"maxJobs": "five"}, "maxJobs", "a str it cannot be read as"),
        ({"maxJobs": True}, "maxJobs", "a bool it cannot be read as"),
        ({"maxJobs": 2.5}, "maxJobs", "a float it cannot be read as"),
        ({"channel": ["222222222222222222"]}, "channel", "a list it cannot be read as"),
        ({"discord": ""}, "discord", "an empty string"),
    ],
)
def test_a_record_that_cannot_be_read_fails_the_read_naming_the_account_and_the_field(
    serve, against, change, field, reason
):
    record = {key: value for key, value in {**ACCOUNT, **change}.items() if value is not None}
    provider = against(PixverseAccountProvider(), serve(lambda _: Reply(200, {ACCOUNT["channel"]: record})))
    message = one_line_failure(operations(provider)["read"])
    assert message.startswith(f"reading the account on channel {ACCOUNT['channel']} failed: ")
    assert f"the service's record has {reason} in `{field}`" in message
    assert "the state keeps what it had" in message
    assert ACCOUNT["discord"] not in message


def test_a_v2_record_whose_session_cannot_be_read_fails_naming_the_field(serve, against):
    odd = {"email": ACCOUNT_V2["email"], "maxJobs": 2, "jwt": {"AccountId": "forty-two"}}
    provider = against(PixverseAccountV2Provider(), serve(lambda _: Reply(200, {ACCOUNT_V2["email"]: odd})))
    message = one_line_failure(operations(provider)["read"])
    assert "the service's record has a str it cannot be read as in `jwt.AccountId`" in message
