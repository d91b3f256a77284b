"""The plugin's lifecycle through plain `pulumi` commands on a Pulumi YAML project, in ordered steps.

The project declares the plugin in its Pulumi.yaml (`plugins: providers:`); each step rewrites the
program, runs CLI commands against the emulator, and asserts on what the API received, what the
state holds and what the CLI printed; no credential leaks at any step.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest
from harness import (
    SECRET_SIG,
    V1_TYPE,
    V2_TYPE,
    CommandFailed,
    Step,
    YamlStack,
    change_summary,
    new_discord_token,
    new_yaml_stack,
    wire,
)

ALPHA = {"discord": new_discord_token(), "server": "930000000000000001", "channel": "931000000000000001"}
CREATOR = {"email": "yaml-creator@pixverse.example", "maxJobs": 3}
PASSWORD = "pw-yaml-creator-7f3a"


def program(stack: YamlStack, alpha: dict[str, Any], creator: dict[str, Any]) -> None:
    """One v1 and one v2 account, their credentials from the stack's secret config."""
    stack.write_program(
        {
            "alpha": {"type": V1_TYPE, "properties": {**alpha, "discord": "${alphaDiscord}"}},
            "creator": {"type": V2_TYPE, "properties": {**creator, "password": "${creatorPassword}"}},
        },
        outputs={"alphaJobs": "${alpha.maxJobs}", "creatorId": "${creator.accountId}"},
        secrets=("alphaDiscord", "creatorPassword"),
    )


@pytest.fixture(scope="module")
def stack(pulumi_cli, service, api_token, tmp_path_factory) -> Iterator[YamlStack]:
    under_test = new_yaml_stack("yaml", service, tmp_path_factory)
    under_test.set_api_token(api_token)
    under_test.set_secret("alphaDiscord", ALPHA["discord"])
    under_test.set_secret("creatorPassword", PASSWORD)
    yield under_test
    under_test.destroy()


@pytest.fixture(autouse=True)
def no_leak_after_each_step(stack: YamlStack):
    yield
    stack.assert_no_token_leaked()


def test_01_preview_of_a_new_stack_plans_the_creates_and_sends_nothing(stack, service):
    program(stack, {**ALPHA, "maxJobs": 2}, CREATOR)
    step = Step(service)
    printed = stack.preview()
    assert change_summary(printed) == {"create": 3}
    assert "pixverse:index:Account" in printed and "[secret]" in printed
    assert step.requests() == []


def test_02_up_creates_each_account_with_its_fields_and_secrets(stack, service):
    step = Step(service)
    assert change_summary(stack.up()) == {"create": 3}
    assert service.accounts() == {ALPHA["channel"]: wire({**ALPHA, "maxJobs": 2})}
    assert service.accounts_v2() == {CREATOR["email"]: {**CREATOR, "password": PASSWORD}}
    assert sorted(r for r in step.routes() if not r.startswith("GET")) == [
        "POST /v1/pixverse/account/{channel}",
        "POST /v2/pixverse/accounts/{email}",
    ]
    alpha = stack.accounts_in_state(V1_TYPE)["alpha"]
    assert alpha["id"] == ALPHA["channel"] and alpha["outputs"]["maxJobs"] == 2
    assert alpha["outputs"]["discord"][SECRET_SIG] and alpha["inputs"]["discord"][SECRET_SIG]
    creator = stack.accounts_in_state(V2_TYPE)["creator"]
    assert creator["outputs"]["password"][SECRET_SIG] and creator["inputs"]["password"][SECRET_SIG]
    assert isinstance(creator["outputs"]["accountId"], int)
    assert stack.outputs()["creatorId"] == creator["outputs"]["accountId"]


def test_03_preview_again_shows_no_change_and_sends_nothing(stack, service):
    step = Step(service)
    assert change_summary(stack.preview("--expect-no-changes")) == {"same": 3}
    assert step.requests() == []


def test_04_a_new_max_jobs_shows_old_and_new_and_is_one_post(stack, service):
    program(stack, {**ALPHA, "maxJobs": 7}, CREATOR)
    step = Step(service)
    printed = stack.up()
    assert change_summary(printed) == {"update": 1, "same": 2}
    assert "maxJobs: 2 => 7" in printed
    assert step.calls() == [f"POST {ALPHA['channel']}"]
    assert service.accounts()[ALPHA["channel"]]["maxJobs"] == 7


def test_05_drift_shows_on_refresh_and_the_next_up_restores_it(stack, service):
    service.seed(wire({**ALPHA, "maxJobs": 9}))
    refreshed = stack.refresh()
    assert change_summary(refreshed) == {"update": 1, "same": 2}
    assert stack.accounts_in_state(V1_TYPE)["alpha"]["outputs"]["maxJobs"] == 9
    assert stack.accounts_in_state(V1_TYPE)["alpha"]["outputs"]["discord"][SECRET_SIG]
    step = Step(service)
    assert "maxJobs: 9 => 7" in stack.up()
    assert step.calls() == [f"POST {ALPHA['channel']}"]
    assert service.accounts()[ALPHA["channel"]]["maxJobs"] == 7


def test_06_an_account_deleted_behind_pulumis_back_leaves_the_state_on_refresh(stack, service):
    service.remove(ALPHA["channel"])
    assert change_summary(stack.refresh()) == {"delete": 1, "same": 2}
    assert stack.accounts_in_state(V1_TYPE) == {}
    step = Step(service)
    assert change_summary(stack.up()) == {"create": 1, "same": 2}
    assert f"POST {ALPHA['channel']}" in step.calls()
    assert service.accounts()[ALPHA["channel"]] == wire({**ALPHA, "maxJobs": 7})


def test_07_a_new_channel_replaces_the_account_deleting_the_old_one_first(stack, service):
    moved = {**ALPHA, "channel": "931000000000000002", "maxJobs": 7}
    program(stack, moved, CREATOR)
    step = Step(service)
    assert change_summary(stack.up()) == {"replace": 1, "same": 2}
    calls = [c for c in step.calls() if not c.startswith("GET")]
    assert calls == [f"DELETE {ALPHA['channel']}", f"POST {moved['channel']}"]
    assert service.accounts() == {moved["channel"]: wire(moved)}


def test_08_a_new_email_replaces_the_account_creating_the_new_one_first(stack, service):
    program(
        stack, {**ALPHA, "channel": "931000000000000002", "maxJobs": 7}, {**CREATOR, "email": "y2@px.example"}
    )
    step = Step(service)
    assert change_summary(stack.up()) == {"replace": 1, "same": 2}
    sent = [(r["method"], unquote(r["path"].rsplit("/", 1)[-1])) for r in step.requests()]
    # the create looks at the live accounts first (issue 25), then posts the new one
    assert sent == [("GET", "accounts"), ("POST", "y2@px.example"), ("DELETE", CREATOR["email"])]
    assert set(service.accounts_v2()) == {"y2@px.example"}


def test_09_a_bad_value_fails_the_preview_in_one_line_naming_field_and_rule(stack, service):
    program(
        stack,
        {**ALPHA, "channel": "931000000000000002", "maxJobs": 11},
        {**CREATOR, "email": "y2@px.example"},
    )
    step = Step(service)
    with pytest.raises(CommandFailed) as failed:
        stack.preview()
    lines = [line for line in failed.value.output.splitlines() if "maxJobs must be" in line]
    assert len(lines) == 1 and lines[0].strip().endswith(
        "maxJobs must be a whole number from 1 to 10; got 11"
    )
    assert step.requests() == []


def test_10_a_refused_token_passes_the_preview_sending_nothing_and_fails_the_up_in_one_line(stack, service):
    program(
        stack, {**ALPHA, "channel": "931000000000000002", "maxJobs": 6}, {**CREATOR, "email": "y2@px.example"}
    )
    stack.set_api_token("rotated-away-token")
    step = Step(service)
    assert change_summary(stack.preview()) == {"update": 1, "same": 2}
    assert step.requests() == []
    with pytest.raises(CommandFailed) as failed:
        stack.up()
    refused = [line for line in failed.value.output.splitlines() if "refused the API token" in line]
    assert len(refused) == 1 and "updating the account on channel 931000000000000002 failed" in refused[0]
    assert "Traceback" not in failed.value.output and 'File "' not in failed.value.output
    assert [r["status"] for r in step.requests()] == [401]


def test_11_destroy_leaves_no_account_in_the_service(stack, service, api_token):
    stack.set_api_token(api_token)
    stack.up()  # saves the token again: destroy uses the provider config of the state
    assert change_summary(stack.destroy()) == {"delete": 3}
    assert service.accounts() == {} and service.accounts_v2() == {}
    assert stack.accounts_in_state(V1_TYPE) == {} and stack.accounts_in_state(V2_TYPE) == {}
