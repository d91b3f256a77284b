"""Validation tables of both versions: each rule of the contract, with good and bad values, and what
the error says (never a credential)."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_pixverse.core.models import (
    Account,
    AccountV2,
    FieldProblem,
    InvalidAccountError,
    find_problems,
    find_problems_v2,
    parse_account,
    parse_account_v2,
)

GOOD = {
    "discord": "discord-token",
    "server": "111111111111111111",
    "channel": "22222222222222222",
    "maxJobs": 5,
}


@pytest.mark.parametrize(
    ("field", "value", "wire"),
    [
        ("maxJobs", 1, 1),
        ("maxJobs", 10, 10),
        ("maxJobs", 5.0, 5),
        ("channel", "1" * 17, "1" * 17),
        ("channel", "9" * 20, "9" * 20),
        ("server", "12345678901234567890", "12345678901234567890"),
        ("discord", "a", "a"),
    ],
)
def test_good_values_pass_and_reach_the_wire_as_the_api_wants(field: str, value: Any, wire: Any) -> None:
    account = parse_account({**GOOD, field: value})
    body = account.wire()
    assert body[field] == wire and type(body[field]) is type(wire)
    assert list(body) == ["discord", "server", "channel", "maxJobs"]


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("discord", "", "discord must be the account's Discord token, a non-empty string"),
        ("discord", "   ", "discord must be the account's Discord token, a non-empty string"),
        ("discord", 42, "discord must be the account's Discord token, a non-empty string"),
        ("server", "", "server must be a Discord server id, 17 to 20 ASCII digits; got ''"),
        ("server", "my-guild", "server must be a Discord server id, 17 to 20 ASCII digits; got 'my-guild'"),
        ("channel", "", "channel must be a Discord channel id, 17 to 20 ASCII digits; got ''"),
        (
            "channel",
            "1" * 16,
            f"channel must be a Discord channel id, 17 to 20 ASCII digits; got '{'1' * 16}'",
        ),
        (
            "channel",
            "1" * 21,
            f"channel must be a Discord channel id, 17 to 20 ASCII digits; got '{'1' * 21}'",
        ),
        ("channel", "\u0661" * 18, "channel must be a Discord channel id, 17 to 20 ASCII digits"),
        (
            "channel",
            1.2e18,
            "channel must be a Discord channel id, 17 to 20 ASCII digits; got a number (write",
        ),
        ("server", ["1" * 18], "server must be a Discord server id, 17 to 20 ASCII digits; got a list"),
        ("maxJobs", 0, "maxJobs must be a whole number from 1 to 10; got 0"),
        ("maxJobs", 11, "maxJobs must be a whole number from 1 to 10; got 11"),
        ("maxJobs", -1, "maxJobs must be a whole number from 1 to 10; got -1"),
        ("maxJobs", 2.5, "maxJobs must be a whole number from 1 to 10; got 2.5"),
        ("maxJobs", True, "maxJobs must be a whole number from 1 to 10; got True"),
        ("maxJobs", "5", "maxJobs must be a whole number from 1 to 10; got '5'"),
    ],
)
def test_bad_values_name_the_field_and_the_rule(field: str, value: Any, rule: str) -> None:
    [problem] = find_problems({**GOOD, field: value})
    assert problem.field == field
    assert problem.reason.startswith(rule)


@pytest.mark.parametrize("field", ["discord", "server", "channel", "maxJobs"])
def test_a_missing_or_null_field_is_required(field: str) -> None:
    missing = {k: v for k, v in GOOD.items() if k != field}
    for props in (missing, {**GOOD, field: None}):
        [problem] = find_problems(props)
        assert problem.field == field
        assert problem.reason.startswith(f"{field} is required: ")


def test_every_problem_is_reported_at_once_in_field_order() -> None:
    problems = find_problems({"discord": "", "server": "x", "channel": "y", "maxJobs": 99})
    assert [p.field for p in problems] == ["discord", "server", "channel", "maxJobs"]


def test_unknown_values_are_not_judged() -> None:
    unknown = object()
    props = {**GOOD, "channel": unknown, "maxJobs": unknown}
    assert find_problems(props, lambda value: value is unknown) == []
    assert [p.field for p in find_problems({**props, "server": "bad"}, lambda v: v is unknown)] == ["server"]


def test_a_discord_problem_never_repeats_the_token() -> None:
    with pytest.raises(InvalidAccountError) as caught:
        parse_account({**GOOD, "discord": ["leaky-token-value"], "maxJobs": 0})
    assert "leaky-token-value" not in str(caught.value)
    assert [p.field for p in caught.value.problems] == ["discord", "maxJobs"]


def test_an_account_is_declared_under_the_wire_names_and_read_under_the_python_names() -> None:
    account = Account.model_validate(GOOD)
    assert (account.discord, account.server, account.channel, account.max_jobs) == tuple(GOOD.values())
    assert account.wire() == GOOD and account.key == GOOD["channel"]


@pytest.mark.parametrize(("name", "value"), [("max_jobs", 5), ("maxjobs", 5), ("priority", 1)])
def test_a_field_the_table_does_not_have_is_refused_naming_it(name: str, value: Any) -> None:
    problems = find_problems({**GOOD, name: value})
    assert problems == [
        FieldProblem(
            name, f"{name} is not a field of Account, whose fields are discord, server, channel, maxJobs"
        )
    ]


def test_the_engines_own_properties_are_not_fields() -> None:
    assert find_problems({**GOOD, "__provider": "pickled provider"}) == []
    assert parse_account({**GOOD, "__provider": "pickled provider"}).wire() == GOOD


def test_the_repr_of_an_account_hides_its_credential() -> None:
    assert "discord-token" not in repr(parse_account(GOOD))
    assert list(parse_account(GOOD).wire()) == ["discord", "server", "channel", "maxJobs"]


# v2 -------------------------------------------------------------------------------------------

GOOD_V2 = {"email": "user+tag@example.com", "password": "pixverse-password", "maxJobs": 3}
ORDER_V2 = ["email", "password", "maxJobs", "token"]
"""The v2 fields in the order docs/contributing/contract.md gives them (the POST body's)."""
PASSWORD_RULE = "password must be the account's PixVerse password, a non-empty string"
TOKEN_RULE = "token must be a PixVerse token, a non-empty string when given"
EMAIL_RULE = "email must be the account's PixVerse login, an email address such as name@example.com"
MAX_JOBS_V2_RULE = "maxJobs must be a whole number from 1 to 8"


@pytest.mark.parametrize(
    ("field", "value", "wire"),
    [
        ("maxJobs", 1, 1),
        ("maxJobs", 8, 8),
        ("maxJobs", 5.0, 5),
        ("email", "a@b.co", "a@b.co"),
        ("email", "first.last+pool@mail.example.org", "first.last+pool@mail.example.org"),
        ("password", "p", "p"),
        ("password", " spaced out ", " spaced out "),
        ("token", "dev-token", "dev-token"),
    ],
)
def test_v2_good_values_pass_and_reach_the_wire_as_the_api_wants(field: str, value: Any, wire: Any) -> None:
    body = parse_account_v2({**GOOD_V2, field: value}).wire()
    assert body[field] == wire and type(body[field]) is type(wire)
    assert list(body) == [name for name in ORDER_V2 if name in {**GOOD_V2, field: value}]


def test_v2_token_is_optional_and_left_off_the_wire_when_not_given() -> None:
    for props in (GOOD_V2, {**GOOD_V2, "token": None}):
        account = parse_account_v2(props)
        assert account.token is None
        assert account.wire() == GOOD_V2
        assert find_problems_v2(props) == []


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("email", "", f"{EMAIL_RULE}; got ''"),
        ("email", "studio", f"{EMAIL_RULE}; got 'studio'"),
        ("email", "studio@example", f"{EMAIL_RULE}; got 'studio@example'"),
        ("email", "@example.com", f"{EMAIL_RULE}; got '@example.com'"),
        ("email", "a@b@example.com", f"{EMAIL_RULE}; got 'a@b@example.com'"),
        ("email", "my name@example.com", f"{EMAIL_RULE}; got 'my name@example.com'"),
        ("email", "a@example.com\n", f"{EMAIL_RULE}; got 'a@example.com\\n'"),
        ("email", 42, f"{EMAIL_RULE}; got a int"),
        ("email", ["a@b.co"], f"{EMAIL_RULE}; got a list"),
        ("password", "", PASSWORD_RULE),
        ("password", "   ", PASSWORD_RULE),
        ("password", 1234, PASSWORD_RULE),
        ("token", "", TOKEN_RULE),
        ("token", " ", TOKEN_RULE),
        ("token", 7, TOKEN_RULE),
        ("maxJobs", 0, f"{MAX_JOBS_V2_RULE}; got 0"),
        ("maxJobs", 9, f"{MAX_JOBS_V2_RULE}; got 9"),
        ("maxJobs", -1, f"{MAX_JOBS_V2_RULE}; got -1"),
        ("maxJobs", 2.5, f"{MAX_JOBS_V2_RULE}; got 2.5"),
        ("maxJobs", 9.0, f"{MAX_JOBS_V2_RULE}; got 9"),
        ("maxJobs", "3", f"{MAX_JOBS_V2_RULE}; got '3'"),
        ("maxJobs", True, f"{MAX_JOBS_V2_RULE}; got True"),
    ],
)
def test_v2_bad_values_name_the_field_and_the_rule(field: str, value: Any, rule: str) -> None:
    [problem] = find_problems_v2({**GOOD_V2, field: value})
    assert (problem.field, problem.reason) == (field, rule)


@pytest.mark.parametrize("field", ["email", "password", "maxJobs"])
def test_v2_a_missing_or_null_required_field_is_required(field: str) -> None:
    missing = {k: v for k, v in GOOD_V2.items() if k != field}
    for props in (missing, {**GOOD_V2, field: None}):
        [problem] = find_problems_v2(props)
        assert problem.field == field
        assert problem.reason.startswith(f"{field} is required: ")


def test_v2_every_problem_is_reported_at_once_in_field_order() -> None:
    props = {"email": "x", "password": "", "maxJobs": 99, "token": ""}
    assert [p.field for p in find_problems_v2(props)] == ["email", "password", "maxJobs", "token"]


def test_v2_unknown_values_are_not_judged() -> None:
    unknown = object()
    props = {**GOOD_V2, "password": unknown, "maxJobs": unknown}
    assert find_problems_v2(props, lambda value: value is unknown) == []
    assert [p.field for p in find_problems_v2({**props, "email": "x"}, lambda v: v is unknown)] == ["email"]


@pytest.mark.parametrize(
    ("field", "in_order"), [("password", ["password", "maxJobs"]), ("token", ["maxJobs", "token"])]
)
def test_v2_no_problem_or_repr_ever_carries_a_credential(field: str, in_order: list[str]) -> None:
    for leaky in (["leaky-credential"], {"value": "leaky-credential"}, 1.5, " \t"):
        with pytest.raises(InvalidAccountError) as caught:
            parse_account_v2({**GOOD_V2, field: leaky, "maxJobs": 0})
        assert "leaky-credential" not in str(caught.value) and "1.5" not in str(caught.value)
        assert [p.field for p in caught.value.problems] == in_order
    account = parse_account_v2({**GOOD_V2, "token": "token-value"})
    assert "pixverse-password" not in repr(account) and "token-value" not in repr(account)


def test_v2_an_account_is_declared_under_the_wire_names_and_read_under_the_python_names() -> None:
    account = AccountV2.model_validate({**GOOD_V2, "token": "t"})
    assert (account.email, account.password, account.max_jobs, account.token) == (*GOOD_V2.values(), "t")
    assert account.wire() == {**GOOD_V2, "token": "t"} and account.key == GOOD_V2["email"]


def test_v2_an_output_is_not_declared() -> None:
    [problem] = find_problems_v2({**GOOD_V2, "accountId": 7})
    assert problem.reason == (
        "accountId is not a field of AccountV2, whose fields are email, password, maxJobs, token"
    )


def test_each_version_keeps_its_own_rules() -> None:
    assert find_problems({**GOOD, "maxJobs": 10}) == []
    assert [p.reason for p in find_problems_v2({**GOOD_V2, "maxJobs": 10})] == [f"{MAX_JOBS_V2_RULE}; got 10"]
    with pytest.raises(InvalidAccountError, match="email is required"):
        parse_account_v2(GOOD)
