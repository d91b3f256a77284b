"""Validation tables: each rule of the contract, with good and bad values, and what the error says."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_pixverse.models import Account, InvalidAccountError, find_problems, parse_account

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


def test_python_names_and_wire_names_describe_the_same_account() -> None:
    by_alias = Account.model_validate(GOOD)
    by_name = Account(discord="discord-token", server=GOOD["server"], channel=GOOD["channel"], max_jobs=5)
    assert by_alias == by_name
    assert by_name.wire() == GOOD
