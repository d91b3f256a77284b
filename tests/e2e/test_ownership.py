"""A create never overwrites a live account another stack made (issue 25), through plain `pulumi`
commands on both front-ends (the Python program's dynamic provider and the plugin from Pulumi YAML),
v1 and v2: a second stack that declares what a first stack manages fails its `up` in one line and
sends no POST; with pixverse:allowOverwrite it takes the accounts over with one POST each; an
identical v1 account is adopted with no POST, an identical v2 one with the POST whose login proves its
password (issue 30). And a v2 create whose 201 carries an unreadable session
(`jwt: "x"`) is recorded, with a warning, and converges."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from harness import (
    V1_TYPE,
    V2_TYPE,
    CommandFailed,
    StackUnderTest,
    Step,
    YamlStack,
    change_summary,
    new_discord_token,
    new_stack,
    new_yaml_stack,
    wire,
)

CHANNEL = "940000000000000001"
EMAIL = "owned@pixverse.example"
POSTS = ["POST /v1/pixverse/account/{channel}", "POST /v2/pixverse/accounts/{email}"]


def accounts(token: str, max_jobs: int) -> tuple[dict[str, Any], dict[str, Any]]:
    v1 = {"discord": token, "server": "940000000000000009", "channel": CHANNEL, "maxJobs": max_jobs}
    return v1, {"email": EMAIL, "password": f"pw-{token}", "maxJobs": max_jobs}


def declare_dynamic(stack: StackUnderTest, v1: dict[str, Any], v2: dict[str, Any]) -> None:
    stack.set_accounts([{"name": "owned", **v1}])
    stack.set_accounts([{"name": "owned-v2", **v2}], "pixverse:accountsV2")


def declare_yaml(stack: YamlStack, v1: dict[str, Any], v2: dict[str, Any]) -> None:
    stack.set_secret("discord", v1["discord"])
    stack.set_secret("password", v2["password"])
    stack.write_program(
        {
            "owned": {"type": V1_TYPE, "properties": {**v1, "discord": "${discord}"}},
            "ownedV2": {"type": V2_TYPE, "properties": {**v2, "password": "${password}"}},
        },
        secrets=("discord", "password"),
    )


FRONT_ENDS: dict[str, tuple[Callable[..., Any], Callable[..., None], str]] = {
    "dynamic": (new_stack, declare_dynamic, "`python -m pulumi_pixverse adopt --stack <stack>`"),
    "plugin": (new_yaml_stack, declare_yaml, f"`pulumi import {V1_TYPE} owned {CHANNEL}`"),
}


@pytest.fixture(scope="module", params=list(FRONT_ENDS))
def stacks(request, pulumi_cli, service, api_token, tmp_path_factory) -> Iterator[dict[str, Any]]:
    """Three stacks of one front-end, each with the API token; destroyed at the end."""
    make, declare, hint = FRONT_ENDS[request.param]
    service.reset()
    made = {
        name: make(f"{request.param}-{name}", service, tmp_path_factory)
        for name in ("first", "second", "third")
    }
    for stack in made.values():
        stack.set_api_token(api_token)
    yield {"declare": declare, "hint": hint, **made}
    for name in ("third", "second", "first"):
        made[name].destroy()
        made[name].assert_no_token_leaked()


def test_01_a_second_stack_fails_in_one_line_and_sends_no_post(stacks, service):
    first, second = stacks["first"], stacks["second"]
    theirs, theirs_v2 = accounts(new_discord_token(), 2)
    stacks["declare"](first, theirs, theirs_v2)
    assert change_summary(first.up()) == {"create": 3}  # the stack and its two accounts
    stacks["declare"](second, *accounts(new_discord_token(), 4))
    step = Step(service)
    with pytest.raises(CommandFailed) as failed:
        second.up()
    lines = [
        line.strip() for line in failed.value.output.splitlines() if "failed: the service already" in line
    ]
    assert any(
        f"creating the account on channel {CHANNEL} failed: the service already holds it, made outside this "
        "stack, and it differs from the declaration in discord, maxJobs (declared 4, live 2); nothing was "
        "written."
        in line
        and stacks["hint"] in line
        and "set pixverse:allowOverwrite to true" in line
        for line in lines
    ), failed.value.output
    assert any(f"creating the v2 account {EMAIL} failed" in line for line in lines)
    assert [r for r in step.routes() if r.startswith("POST")] == []
    assert service.accounts() == {CHANNEL: wire(theirs)}
    assert service.accounts_v2() == {EMAIL: theirs_v2}


def test_02_with_the_overwrite_setting_the_second_up_takes_them_over_with_one_post_each(stacks, service):
    second = stacks["second"]
    second.cli("config", "set", "pixverse:allowOverwrite", "true")
    step = Step(service)
    assert change_summary(second.up()) == {"create": 2, "same": 1}
    assert sorted(r for r in step.routes() if r.startswith("POST")) == POSTS
    assert service.accounts()[CHANNEL]["maxJobs"] == 4 and service.accounts_v2()[EMAIL]["maxJobs"] == 4


def test_03_an_identical_v1_account_is_adopted_with_no_post_a_v2_one_with_its_login(stacks, service):
    third = stacks["third"]
    live = service.accounts()[CHANNEL]
    stacks["declare"](third, live, {**service.accounts_v2()[EMAIL], "password": "pw-third"})
    step = Step(service)
    assert change_summary(third.up()) == {"create": 3}
    assert [r for r in step.routes() if r.startswith("POST")] == [POSTS[1]]


def test_04_a_201_with_an_unreadable_session_is_recorded_with_a_warning_and_converges(stacks, service):
    third = stacks["third"]
    service.remove_v2(EMAIL)  # gone behind the stacks' backs: the refresh drops it, the up creates it
    third.refresh()
    service.fault(route=POSTS[1], merge={"jwt": "x"})
    printed = third.up()
    printed += third.transcript[-1]  # stderr
    assert change_summary(printed) == {"create": 1, "same": 2}
    assert f"created the v2 account {EMAIL}, but the service's answer has a str in `jwt`" in printed
    assert "accountId and username are empty until a refresh reads them" in printed
    [state] = [r for r in third.export()["resources"] if r["type"].endswith("AccountV2")]
    assert state["outputs"].get("accountId") is None and state["outputs"].get("username") is None
    third.refresh()
    assert change_summary(third.preview("--expect-no-changes")) == {"same": 3}
