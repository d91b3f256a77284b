"""The plugin's lifecycle through plain `pulumi` commands on a Pulumi YAML project, as scenarios of
steps (tests/e2e/steps.py): each test runs its steps on a fresh stack against the emulator, then
destroys it.

The project declares the plugin in its Pulumi.yaml (`plugins: providers:`); each step that declares
rewrites the program; no credential leaks at any step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from harness import V1_TYPE, V2_TYPE, YamlStack, new_discord_token, new_yaml_stack, wire
from steps import LIST_V1, LIST_V2, SECRET, Done, Step, account_resources, delete, post, refreshing, run

ALPHA = {"discord": new_discord_token(), "server": "930000000000000001", "channel": "931000000000000001"}
CREATOR = {"email": "yaml-creator@pixverse.example", "maxJobs": 3}
PASSWORD = "pw-yaml-creator-7f3a"
MOVED_ALPHA = {**ALPHA, "channel": "931000000000000002", "maxJobs": 7}
MOVED_CREATOR = {**CREATOR, "email": "y2@px.example"}


def program(alpha: dict[str, Any], creator: dict[str, Any]) -> Callable[[YamlStack], None]:
    """A declaration of one v1 and one v2 account, their credentials from the stack's secret config."""

    def declare(stack: YamlStack) -> None:
        stack.write_program(
            {
                "alpha": {"type": V1_TYPE, "properties": {**alpha, "discord": "${alphaDiscord}"}},
                "creator": {"type": V2_TYPE, "properties": {**creator, "password": "${creatorPassword}"}},
            },
            outputs={"alphaJobs": "${alpha.maxJobs}", "creatorId": "${creator.accountId}"},
            secrets=("alphaDiscord", "creatorPassword"),
        )

    return declare


def held(creator: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The v2 accounts the service should hold for `creator`: the one, with its password."""
    return {creator["email"]: {**creator, "password": PASSWORD}}


@pytest.fixture
def stack(pulumi_cli, service, api_token, tmp_path_factory) -> YamlStack:
    """A fresh YAML stack with the API token and the accounts' credentials in its config (as secrets)."""
    under_test = new_yaml_stack("yaml", service, tmp_path_factory)
    under_test.set_api_token(api_token)
    under_test.set_secret("alphaDiscord", ALPHA["discord"])
    under_test.set_secret("creatorPassword", PASSWORD)
    return under_test


def the_output_is_the_account_id(done: Done) -> None:
    creator = account_resources(done.stack)["creator"]
    assert done.stack.outputs()["creatorId"] == creator["outputs"]["accountId"]


def the_one_line_ends_with_the_rule(done: Done) -> None:
    lines = [line for line in done.printed.splitlines() if "maxJobs must be" in line]
    assert len(lines) == 1 and lines[0].strip().endswith(
        "maxJobs must be a whole number from 1 to 10; got 11"
    )


def the_line_names_the_update_and_the_service_answered_401(done: Done) -> None:
    refused = next(line for line in done.printed.splitlines() if "refused the API token" in line)
    assert f"updating the account on channel {ALPHA['channel']} failed" in refused
    assert [r["status"] for r in done.requests] == [401]


def test_accounts_are_created_updated_in_place_and_replaced(stack, service):
    run(
        stack,
        service,
        [
            Step(
                "a preview of the new stack plans the creates and sends nothing",
                declare=program({**ALPHA, "maxJobs": 2}, CREATOR),
                command="preview",
                changes={"create": 3},
                printed=("pixverse:index:Account", "[secret]"),
            ),
            Step(
                "up creates each account with its fields and secrets",
                changes={"create": 3},
                requests=[LIST_V1, post(ALPHA), LIST_V2, post(CREATOR)],
                accounts={ALPHA["channel"]: wire({**ALPHA, "maxJobs": 2})},
                accounts_v2=held(CREATOR),
                state={
                    "alpha": {"id": ALPHA["channel"], "maxJobs": 2, "discord": SECRET},
                    "creator": {"password": SECRET, "accountId": int},
                },
                check=the_output_is_the_account_id,
            ),
            Step(
                "a new maxJobs shows old and new and is one POST",
                declare=program({**ALPHA, "maxJobs": 7}, CREATOR),
                changes={"update": 1, "same": 2},
                printed=("maxJobs: 2 => 7",),
                requests=[post(ALPHA)],
                accounts={ALPHA["channel"]: wire({**ALPHA, "maxJobs": 7})},
            ),
            Step(
                "a bad value fails the preview in one line naming field and rule",
                declare=program({**ALPHA, "maxJobs": 11}, CREATOR),
                command="preview",
                fails_with="maxJobs must be a whole number from 1 to 10; got 11",
                check=the_one_line_ends_with_the_rule,
            ),
            Step(
                "a new channel replaces the account, deleting the old one first",
                declare=program(MOVED_ALPHA, CREATOR),
                changes={"replace": 1, "same": 2},
                requests=[delete(ALPHA), LIST_V1, post(MOVED_ALPHA)],
                in_order=True,
                accounts={MOVED_ALPHA["channel"]: wire(MOVED_ALPHA)},
            ),
            Step(
                "a new email replaces the account, creating the new one first",
                declare=program(MOVED_ALPHA, MOVED_CREATOR),
                changes={"replace": 1, "same": 2},
                requests=[LIST_V2, post(MOVED_CREATOR), delete(CREATOR)],  # a create lists first (issue 25)
                in_order=True,
                accounts_v2=held(MOVED_CREATOR),
            ),
        ],
    )


def test_changes_behind_pulumis_back_show_on_refresh_and_the_next_up_restores_the_declaration(stack, service):
    busy_alpha = {**ALPHA, "maxJobs": 7}
    run(
        stack,
        service,
        [
            Step(
                "up creates the accounts",
                declare=program(busy_alpha, CREATOR),
                changes={"create": 3},
                requests=[LIST_V1, post(ALPHA), LIST_V2, post(CREATOR)],
            ),
            Step(
                "a maxJobs changed behind Pulumi's back shows on refresh, the token read back a secret",
                behind_the_back=lambda service: service.seed(wire({**ALPHA, "maxJobs": 9})),
                command="refresh",
                changes={"update": 1, "same": 2},
                requests=refreshing(LIST_V1, LIST_V2),
                state={"alpha": {"maxJobs": 9, "discord": SECRET}, "creator": {}},
            ),
            Step(
                "the next up restores it, showing old and new",
                changes={"update": 1, "same": 2},
                printed=("maxJobs: 9 => 7",),
                requests=[post(ALPHA)],
                accounts={ALPHA["channel"]: wire(busy_alpha)},
            ),
            Step(
                "an account deleted behind Pulumi's back leaves the state on refresh",
                behind_the_back=lambda service: service.remove(ALPHA["channel"]),
                command="refresh",
                changes={"delete": 1, "same": 2},
                requests=refreshing(LIST_V1, LIST_V2),
                state={"creator": {}},
            ),
            Step(
                "the next up creates it again",
                changes={"create": 1, "same": 2},
                requests=[LIST_V1, post(ALPHA)],
                accounts={ALPHA["channel"]: wire(busy_alpha)},
            ),
        ],
    )


def test_a_refused_token_passes_the_preview_sending_nothing_and_fails_the_up_in_one_line(
    stack, service, api_token
):
    busier_alpha = program({**ALPHA, "maxJobs": 6}, CREATOR)

    def with_a_rotated_token(stack: YamlStack) -> None:
        busier_alpha(stack)
        stack.set_api_token("rotated-away-token")

    run(
        stack,
        service,
        [
            Step(
                "up creates the accounts",
                declare=program({**ALPHA, "maxJobs": 2}, CREATOR),
                changes={"create": 3},
                requests=[LIST_V1, post(ALPHA), LIST_V2, post(CREATOR)],
            ),
            Step(
                "with a token the service refuses, a preview plans the change and sends nothing",
                declare=with_a_rotated_token,
                command="preview",
                changes={"update": 1, "same": 2},
            ),
            Step(
                "the up fails in one line",
                fails_with="refused the API token",
                requests=[post(ALPHA)],
                accounts={ALPHA["channel"]: wire({**ALPHA, "maxJobs": 2})},
                check=the_line_names_the_update_and_the_service_answered_401,
            ),
            Step(
                "with the token back, the up goes through (and saves the token for the destroy)",
                declare=lambda stack: stack.set_api_token(api_token),
                changes={"update": 1, "same": 2},
                requests=[post(ALPHA)],
                accounts={ALPHA["channel"]: wire({**ALPHA, "maxJobs": 6})},
            ),
        ],
    )
