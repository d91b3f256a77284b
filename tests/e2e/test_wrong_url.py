"""A mistyped `pixverse:apiUrl`, through plain `pulumi` commands: the URL answers an HTML 404 page
everywhere (tests/misbehaving.py). Refresh and destroy fail in one line and the state still holds
every account; an `up` of a new account fails in one line without a traceback; nothing is lost.

The steps share one stack and run in file order.
"""

from __future__ import annotations

import pytest
from harness import CommandFailed, StackUnderTest, change_summary, new_discord_token, new_stack
from misbehaving import MisbehavingServer, html

SERVER = "950000000000000001"


def account(name: str, channel: str) -> dict[str, object]:
    return {"name": name, "discord": new_discord_token(), "server": SERVER, "channel": channel, "maxJobs": 2}


ALPHA = account("alpha", "950000000000000011")
BETA = account("beta", "950000000000000012")
DELTA = account("delta", "950000000000000013")
GAMMA = {"name": "gamma", "email": "gamma@studio.example", "password": "gamma-password-e2e", "maxJobs": 2}
WRONG_URL_MESSAGE = (
    "answered HTTP 404 with an HTML page: the URL does not answer like the useapi.net API; "
    "check pixverse:apiUrl"
)


@pytest.fixture(scope="module")
def wrong_url():
    server = MisbehavingServer(lambda _: html(404, "404 Not Found"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def stack(pulumi_cli, service, api_token, tmp_path_factory):
    under_test = new_stack("wrongurl", service, tmp_path_factory)
    under_test.set_api_token(api_token)
    yield under_test
    under_test.cli("config", "set", "pixverse:apiUrl", service.url)
    under_test.destroy("--run-program")


@pytest.fixture(autouse=True)
def no_leak_after_each_step(stack: StackUnderTest):
    yield
    stack.assert_no_token_leaked()


def one_line_failure(call, *args) -> str:
    """The line a failing command printed for the account operation; fails the test if it succeeded
    or printed a traceback."""
    with pytest.raises(CommandFailed) as failed:
        call(*args)
    printed = failed.value.output
    assert "Traceback" not in printed and "NotFoundError" not in printed
    lines = [line for line in printed.splitlines() if WRONG_URL_MESSAGE in line]
    assert lines, printed
    line = lines[0]
    assert "<" not in line and "Not Found" not in line, line
    return line


def all_accounts(stack: StackUnderTest) -> set[str]:
    resources = stack.export().get("resources", [])
    kinds = ("pulumi-python:dynamic/pixverse:Account", "pulumi-python:dynamic/pixverse:AccountV2")
    return {r["urn"].rsplit("::", 1)[1] for r in resources if r["type"] in kinds}


def test_01_the_stack_goes_live_against_the_service(stack, service):
    stack.set_accounts([ALPHA, BETA])
    stack.set_accounts([GAMMA], "pixverse:accountsV2")
    assert change_summary(stack.up()) == {"create": 4}  # the stack and its 3 accounts
    assert all_accounts(stack) == {"alpha", "beta", "gamma"}


def test_02_an_up_with_a_mistyped_url_and_no_account_change_sends_nothing(stack, service, wrong_url):
    stack.cli("config", "set", "pixverse:apiUrl", wrong_url.url)
    stack.up()
    assert wrong_url.received == []


def test_03_refresh_fails_in_one_line_and_the_state_still_holds_every_account(stack, service, wrong_url):
    line = one_line_failure(stack.refresh)
    assert "reading the " in line and f"{wrong_url.url.removeprefix('http://')} {WRONG_URL_MESSAGE}" in line
    assert all_accounts(stack) == {"alpha", "beta", "gamma"}
    assert set(service.accounts()) == {ALPHA["channel"], BETA["channel"]}


def test_04_destroy_fails_in_one_line_and_the_state_still_holds_every_account(stack, service, wrong_url):
    line = one_line_failure(stack.destroy)
    assert "deleting the " in line
    assert all_accounts(stack) == {"alpha", "beta", "gamma"}
    assert set(service.accounts()) == {ALPHA["channel"], BETA["channel"]}
    assert set(service.accounts_v2()) == {GAMMA["email"]}


def test_05_an_up_of_a_new_account_fails_in_one_line_and_loses_nothing(stack, service, wrong_url):
    stack.set_accounts([ALPHA, BETA, DELTA])
    line = one_line_failure(stack.up)
    assert f"creating the account on channel {DELTA['channel']} failed: " in line
    assert all_accounts(stack) == {"alpha", "beta", "gamma"}


def test_06_back_on_the_right_url_the_stack_carries_on_as_written(stack, service):
    stack.cli("config", "set", "pixverse:apiUrl", service.url)
    assert change_summary(stack.up()) == {"create": 1, "same": 4}
    assert change_summary(stack.refresh()) == {"same": 5}
