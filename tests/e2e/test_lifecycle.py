"""The account lifecycle through plain `pulumi` commands, in ordered steps (the acceptance-test model).

Each step runs CLI commands (the language host runs stacks/__main__.py) against the emulator, then
asserts on what the API received (the emulator's request log), what the state holds (`pulumi stack
export`) and what the CLI printed, and checks that no token leaked. The steps share one stack and
run in file order.
"""

from __future__ import annotations

import pytest
from harness import SECRET_SIG, CommandFailed, StackUnderTest, Step, change_summary, new_discord_token, wire

SERVER = "900000000000000001"
ALPHA = {
    "name": "alpha",
    "discord": new_discord_token(),
    "server": SERVER,
    "channel": "910000000000000001",
    "maxJobs": 2,
}
BETA = {
    "name": "beta",
    "discord": new_discord_token(),
    "server": SERVER,
    "channel": "910000000000000002",
    "maxJobs": 5,
}
GAMMA = {
    "name": "gamma",
    "discord": new_discord_token(),
    "server": SERVER,
    "channel": "910000000000000004",
    "maxJobs": 4,
}
MOVED_BETA = {**BETA, "channel": "910000000000000003"}


@pytest.fixture(autouse=True)
def no_leak_after_each_step(e2e_stack: StackUnderTest):
    yield
    e2e_stack.assert_no_token_leaked()


def test_01_preview_of_a_new_stack_lists_the_accounts_and_sends_nothing(e2e_stack, service):
    e2e_stack.set_accounts([ALPHA, BETA])
    step = Step(service)
    printed = e2e_stack.preview()
    assert change_summary(printed) == {"create": 3}
    assert "alpha" in printed and "beta" in printed
    assert "discord" in printed and "[secret]" in printed
    assert step.requests() == []


def test_02_up_creates_each_account_with_exactly_the_declared_fields(e2e_stack, service):
    step = Step(service)
    assert change_summary(e2e_stack.up()) == {"create": 3}
    assert service.accounts() == {ALPHA["channel"]: wire(ALPHA), BETA["channel"]: wire(BETA)}
    assert sorted(c for c in step.calls() if c.startswith("POST")) == [
        f"POST {ALPHA['channel']}",
        f"POST {BETA['channel']}",
    ]
    assert e2e_stack.outputs()["channels"] == [ALPHA["channel"], BETA["channel"]]
    state = e2e_stack.accounts_in_state()
    assert set(state) == {"alpha", "beta"}
    for name, account in (("alpha", ALPHA), ("beta", BETA)):
        outputs = state[name]["outputs"]
        assert state[name]["id"] == account["channel"]
        assert outputs["channel"] == account["channel"] and outputs["maxJobs"] == account["maxJobs"]
        assert outputs["discord"][SECRET_SIG] and "ciphertext" in outputs["discord"]
        assert state[name]["inputs"]["discord"][SECRET_SIG]


def test_03_preview_again_shows_no_change_and_sends_nothing(e2e_stack, service):
    step = Step(service)
    assert change_summary(e2e_stack.preview("--expect-no-changes")) == {"same": 3}
    assert step.requests() == []


def test_04_a_new_max_jobs_is_one_in_place_update_and_one_post(e2e_stack, service):
    e2e_stack.set_accounts([{**ALPHA, "maxJobs": 7}, BETA])
    step = Step(service)
    assert change_summary(e2e_stack.up()) == {"update": 1, "same": 2}
    assert step.calls() == [f"POST {ALPHA['channel']}"]
    assert step.requests()[0]["body"] == service.as_logged(wire({**ALPHA, "maxJobs": 7}))
    assert service.accounts()[ALPHA["channel"]]["maxJobs"] == 7


def test_05_a_new_channel_with_the_same_token_deletes_the_old_account_first(e2e_stack, service):
    e2e_stack.set_accounts([{**ALPHA, "maxJobs": 7}, MOVED_BETA])
    step = Step(service)
    assert change_summary(e2e_stack.up()) == {"replace": 1, "same": 2}
    calls = step.calls()
    assert calls.index(f"DELETE {BETA['channel']}") < calls.index(f"POST {MOVED_BETA['channel']}")
    assert set(service.accounts()) == {ALPHA["channel"], MOVED_BETA["channel"]}
    assert service.accounts()[MOVED_BETA["channel"]] == wire(MOVED_BETA)
    assert e2e_stack.accounts_in_state()["beta"]["id"] == MOVED_BETA["channel"]


def test_06_an_account_deleted_behind_pulumis_back_leaves_the_state_on_refresh(e2e_stack, service):
    service.remove(ALPHA["channel"])
    assert change_summary(e2e_stack.refresh()) == {"delete": 1, "same": 2}
    assert set(e2e_stack.accounts_in_state()) == {"beta"}
    step = Step(service)
    assert change_summary(e2e_stack.up()) == {"create": 1, "same": 2}
    assert f"POST {ALPHA['channel']}" in step.calls()
    assert service.accounts()[ALPHA["channel"]] == wire({**ALPHA, "maxJobs": 7})


def test_07_drift_shows_on_refresh_and_a_preview_plans_to_restore_it(e2e_stack, service):
    service.seed(wire({**ALPHA, "maxJobs": 9}))
    refreshed = e2e_stack.refresh()
    assert change_summary(refreshed) == {"update": 1, "same": 2}
    assert "maxJobs" in refreshed and "9" in refreshed
    refreshed_alpha = e2e_stack.accounts_in_state()["alpha"]
    assert refreshed_alpha["outputs"]["maxJobs"] == 9
    assert refreshed_alpha["outputs"]["discord"][SECRET_SIG], "the token read back must stay secret"
    assert refreshed_alpha["inputs"]["discord"][SECRET_SIG]
    plan = e2e_stack.preview()
    assert change_summary(plan) == {"update": 1, "same": 2}
    assert "maxJobs" in plan
    e2e_stack.up()
    assert service.accounts()[ALPHA["channel"]]["maxJobs"] == 7


def test_08_a_declared_existing_account_is_adopted_without_a_write(e2e_stack, service):
    # Pulumi's import cannot serve a dynamic provider (see test_adopt.py); declaring the account
    # adopts it instead: the create finds the live account identical and writes nothing.
    service.seed(wire(GAMMA))
    e2e_stack.set_accounts([{**ALPHA, "maxJobs": 7}, MOVED_BETA, GAMMA])
    step = Step(service)
    assert change_summary(e2e_stack.up()) == {"create": 1, "same": 3}
    assert step.calls() == ["GET account"]  # the list call tells the create that it is there, identical
    assert e2e_stack.accounts_in_state()["gamma"]["outputs"]["maxJobs"] == GAMMA["maxJobs"]
    assert change_summary(e2e_stack.preview("--expect-no-changes")) == {"same": 4}


@pytest.mark.parametrize(
    ("change", "field_and_rule"),
    [
        ({"maxJobs": 11}, "maxJobs must be a whole number from 1 to 10; got 11"),
        ({"channel": "not-a-channel"}, "channel must be a Discord channel id, 17 to 20 ASCII digits"),
    ],
)
def test_09_a_bad_value_in_stack_config_fails_the_preview_naming_field_and_rule(
    e2e_stack, service, change, field_and_rule
):
    good = [{**ALPHA, "maxJobs": 7}, MOVED_BETA, GAMMA]
    e2e_stack.set_accounts([{**good[0], **change}, *good[1:]])
    step = Step(service)
    with pytest.raises(CommandFailed) as failed:
        e2e_stack.preview()
    assert field_and_rule in failed.value.output
    assert step.requests() == []
    e2e_stack.set_accounts(good)


def test_10_destroy_leaves_no_account_in_the_service(e2e_stack, service):
    assert change_summary(e2e_stack.destroy()) == {"delete": 4}
    assert service.accounts() == {}
    assert e2e_stack.accounts_in_state() == {}
