"""PixVerse v2 accounts beside v1 ones, through plain `pulumi` commands, in ordered steps.

Each step asserts on what the API received (the emulator's request log), what the state holds
(`pulumi stack export`) and what the CLI printed, and checks that no password, token or API token
leaked. The steps share one stack and run in file order; the last ones move the pool from v1 to v2.
"""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from harness import (
    SECRET_SIG,
    CommandFailed,
    StackUnderTest,
    Step,
    change_summary,
    new_discord_token,
    new_stack,
)

V2 = "pixverse:accountsV2"
POST_V2 = "POST /v2/pixverse/accounts/{email}"
DELETE_V1 = "DELETE /v1/pixverse/account/{channel}"


def password() -> str:
    return f"pixverse-pw-{secrets.token_hex(8)}"


SERVER = "950000000000000001"
V1_A = {
    "name": "legacy-a",
    "discord": new_discord_token(),
    "server": SERVER,
    "channel": "950000000000000011",
    "maxJobs": 2,
}
V1_B = {
    "name": "legacy-b",
    "discord": new_discord_token(),
    "server": SERVER,
    "channel": "950000000000000012",
    "maxJobs": 3,
}
ANNA = {"name": "anna", "email": "anna+studio@pixverse.example", "password": password(), "maxJobs": 2}
BORIS = {
    "name": "boris",
    "email": "boris@pixverse.example",
    "password": password(),
    "maxJobs": 3,
    "token": password(),
}
CLARA = {"name": "clara", "email": "clara@pixverse.example", "password": password(), "maxJobs": 1}
NEW_ANNA = {**ANNA, "maxJobs": 4, "password": password()}
MOVED_BORIS = {**BORIS, "email": "boris.moved@pixverse.example"}
DORA = {"name": "dora", "email": "dora@pixverse.example", "password": password(), "maxJobs": 5}
EMIL = {"name": "emil", "email": "emil@pixverse.example", "password": password(), "maxJobs": 5}


def sent(account: dict[str, Any]) -> dict[str, Any]:
    """The record the service should hold for a v2 config entry (password and token as sent)."""
    return {k: account[k] for k in ("email", "password", "maxJobs", "token") if k in account}


@pytest.fixture(scope="module")
def stack(pulumi_cli, service, api_token, tmp_path_factory):
    under_test = new_stack("v2", service, tmp_path_factory)
    under_test.set_api_token(api_token)
    yield under_test
    under_test.destroy()


@pytest.fixture(autouse=True)
def no_leak_after_each_step(stack: StackUnderTest):
    yield
    stack.assert_no_token_leaked()


def v2_state(stack: StackUnderTest) -> dict[str, dict[str, Any]]:
    resources = stack.export().get("resources", [])
    return {
        r["urn"].rsplit("::", 1)[1]: r
        for r in resources
        if r["type"] == "pulumi-python:dynamic/pixverse:AccountV2"
    }


def test_01_preview_of_both_kinds_lists_the_creates_and_sends_nothing(stack, service):
    stack.set_accounts([V1_A, V1_B])
    stack.set_accounts([ANNA, BORIS], V2)
    step = Step(service)
    printed = stack.preview()
    assert change_summary(printed) == {"create": 5}
    assert "anna+studio@pixverse.example" in printed and "password" in printed and "[secret]" in printed
    assert step.requests() == []


def test_02_up_creates_each_account_as_declared_and_the_post_carries_the_password(stack, service):
    step = Step(service)
    assert change_summary(stack.up()) == {"create": 5}
    assert service.accounts_v2() == {ANNA["email"]: sent(ANNA), BORIS["email"]: sent(BORIS)}
    posts = [r for r in step.requests() if r["route"] == POST_V2]
    assert sorted(p["body"]["email"] for p in posts) == [ANNA["email"], BORIS["email"]]
    assert {p["body"]["email"]: p["body"]["password"] for p in posts} == {
        ANNA["email"]: service.as_logged(ANNA)["password"],
        BORIS["email"]: service.as_logged(BORIS)["password"],
    }
    state = v2_state(stack)
    assert set(state) == {"anna", "boris"}
    anna = state["anna"]["outputs"]
    assert state["anna"]["id"] == ANNA["email"] and anna["maxJobs"] == 2
    assert (
        anna["password"][SECRET_SIG]
        and isinstance(anna["accountId"], int)
        and anna["username"] == "anna+studio"
    )
    assert "jwt" not in anna
    assert state["boris"]["outputs"]["token"][SECRET_SIG]
    assert stack.outputs()["emails"] == [ANNA["email"], BORIS["email"]]


def test_03_preview_again_is_clean_although_the_session_expiry_moved(stack, service):
    step = Step(service)
    assert change_summary(stack.preview("--expect-no-changes")) == {"same": 5}
    assert step.requests() == []


def test_04_a_new_max_jobs_is_one_post(stack, service):
    stack.set_accounts([{**ANNA, "maxJobs": 4}, BORIS], V2)
    step = Step(service)
    assert change_summary(stack.up()) == {"update": 1, "same": 4}
    assert step.routes() == [POST_V2]
    assert service.accounts_v2()[ANNA["email"]]["maxJobs"] == 4


def test_05_a_new_password_is_one_post_and_never_shows(stack, service):
    stack.set_accounts([NEW_ANNA, BORIS], V2)
    step = Step(service)
    printed = stack.up()
    assert change_summary(printed) == {"update": 1, "same": 4}
    assert step.routes() == [POST_V2]
    assert step.requests()[0]["body"]["password"] == service.as_logged(NEW_ANNA)["password"]
    assert service.accounts_v2()[ANNA["email"]] == sent(NEW_ANNA)
    assert "password" in printed and NEW_ANNA["password"] not in printed


def test_06_a_new_email_replaces_the_account_creating_the_new_one_first(stack, service):
    stack.set_accounts([NEW_ANNA, MOVED_BORIS], V2)
    step = Step(service)
    assert change_summary(stack.up()) == {"replace": 1, "same": 4}
    routes = step.routes()
    assert routes.index(POST_V2) < routes.index("DELETE /v2/pixverse/accounts/{email}")
    assert set(service.accounts_v2()) == {ANNA["email"], MOVED_BORIS["email"]}
    assert v2_state(stack)["boris"]["id"] == MOVED_BORIS["email"]


def test_07_max_jobs_drift_shows_on_refresh_and_the_next_preview_restores_it(stack, service):
    service.seed_v2({**sent(NEW_ANNA), "maxJobs": 7})
    refreshed = stack.refresh()
    assert change_summary(refreshed) == {"update": 1, "same": 4}
    assert "maxJobs" in refreshed and "7" in refreshed
    anna = v2_state(stack)["anna"]
    assert anna["outputs"]["maxJobs"] == 7
    assert anna["outputs"]["password"][SECRET_SIG] and anna["inputs"]["password"][SECRET_SIG]
    plan = stack.preview()
    assert change_summary(plan) == {"update": 1, "same": 4} and "maxJobs" in plan
    stack.up()
    assert service.accounts_v2()[ANNA["email"]]["maxJobs"] == NEW_ANNA["maxJobs"]


def test_08_a_refused_login_fails_that_account_in_one_line_and_spares_the_others(stack, service):
    service.refuse_login(CLARA["email"])
    stack.set_accounts([NEW_ANNA, MOVED_BORIS, CLARA], V2)
    step = Step(service)
    with pytest.raises(CommandFailed) as failed:
        stack.up()
    printed = failed.value.output
    email = CLARA["email"]
    assert f"error: creating the v2 account {email} failed: PixVerse refused the login of {email}" in printed
    assert (
        "check the account's email and password, not the API token" in printed and "Traceback" not in printed
    )
    assert step.routes() == ["GET /v2/pixverse/accounts", POST_V2]  # a create lists first (issue 25)
    assert set(v2_state(stack)) == {"anna", "boris"}
    assert set(service.accounts_v2()) == {ANNA["email"], MOVED_BORIS["email"]}
    service.accept_login(CLARA["email"])
    stack.set_accounts([NEW_ANNA, MOVED_BORIS], V2)
    assert change_summary(stack.preview("--expect-no-changes")) == {"same": 5}


def test_09_moving_from_v1_to_v2_creates_the_v2_accounts_before_deleting_any_v1_one(stack, service):
    stack.cli("config", "rm", "pixverse:accounts")
    stack.set_accounts([NEW_ANNA, MOVED_BORIS, DORA, EMIL], V2)
    step = Step(service)
    summary = change_summary(stack.up())
    assert (summary["create"], summary["delete"]) == (2, 2)
    routes = step.routes()
    last_create = max(i for i, route in enumerate(routes) if route == POST_V2)
    first_delete = min(i for i, route in enumerate(routes) if route == DELETE_V1)
    assert last_create < first_delete, routes
    assert service.accounts() == {}
    assert set(service.accounts_v2()) == {ANNA["email"], MOVED_BORIS["email"], DORA["email"], EMIL["email"]}


def test_10_destroy_leaves_the_service_empty(stack, service):
    assert change_summary(stack.destroy()) == {"delete": 5}
    assert service.accounts() == {} and service.accounts_v2() == {}
    assert v2_state(stack) == {} and stack.accounts_in_state() == {}
