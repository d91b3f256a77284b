"""The v1 account lifecycle of the dynamic provider through plain `pulumi` commands, as scenarios of
steps (tests/e2e/steps.py): each test runs its steps on a fresh stack of this project (the language
host runs stacks/__main__.py) against the emulator, then destroys it.
"""

from __future__ import annotations

import pytest
from harness import new_discord_token, new_stack, wire
from steps import LIST_V1, SECRET, Done, Step, accounts, delete, post, refreshing, run

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
BUSIER_ALPHA = {**ALPHA, "maxJobs": 7}
MOVED_BETA = {**BETA, "channel": "910000000000000003"}


@pytest.fixture
def stack(pulumi_cli, service, api_token, tmp_path_factory):
    """A fresh stack with the API token in its config (as a secret)."""
    under_test = new_stack("v1", service, tmp_path_factory)
    under_test.set_api_token(api_token)
    return under_test


def created(*declared: dict) -> dict:
    """The state of the accounts `declared`, as created: id, fields, the Discord token a secret."""
    return {
        a["name"]: {"id": a["channel"], "channel": a["channel"], "maxJobs": a["maxJobs"], "discord": SECRET}
        for a in declared
    }


def the_post_carries_the_new_max_jobs(done: Done) -> None:
    assert done.requests[0]["body"] == done.service.as_logged(wire(BUSIER_ALPHA))


def test_accounts_are_created_updated_in_place_and_moved(stack, service):
    run(
        stack,
        service,
        [
            Step(
                "a preview of the new stack lists the accounts and sends nothing",
                declare=accounts([ALPHA, BETA]),
                command="preview",
                changes={"create": 3},
                printed=("alpha", "beta", "discord", "[secret]"),
            ),
            Step(
                "up creates each account with exactly the declared fields",
                changes={"create": 3},
                requests=[LIST_V1, post(ALPHA), post(BETA)],
                accounts={ALPHA["channel"]: wire(ALPHA), BETA["channel"]: wire(BETA)},
                state=created(ALPHA, BETA),
                outputs={"channels": [ALPHA["channel"], BETA["channel"]]},
            ),
            Step(
                "a new maxJobs is one in-place update and one POST",
                declare=accounts([BUSIER_ALPHA, BETA]),
                changes={"update": 1, "same": 2},
                requests=[post(ALPHA)],
                accounts={ALPHA["channel"]: wire(BUSIER_ALPHA), BETA["channel"]: wire(BETA)},
                check=the_post_carries_the_new_max_jobs,
            ),
            Step(
                "a maxJobs out of range fails the preview naming field and rule",
                declare=accounts([{**BUSIER_ALPHA, "maxJobs": 11}, BETA]),
                command="preview",
                fails_with="maxJobs must be a whole number from 1 to 10; got 11",
            ),
            Step(
                "a channel that is no channel id fails the preview naming field and rule",
                declare=accounts([{**BUSIER_ALPHA, "channel": "not-a-channel"}, BETA]),
                command="preview",
                fails_with="channel must be a Discord channel id, 17 to 20 ASCII digits",
            ),
            Step(
                "a new channel with the same token replaces the account, deleting the old one first",
                declare=accounts([BUSIER_ALPHA, MOVED_BETA]),
                changes={"replace": 1, "same": 2},
                requests=[delete(BETA), LIST_V1, post(MOVED_BETA)],
                in_order=True,
                accounts={ALPHA["channel"]: wire(BUSIER_ALPHA), MOVED_BETA["channel"]: wire(MOVED_BETA)},
                state=created(BUSIER_ALPHA, MOVED_BETA),
            ),
        ],
    )


def test_changes_behind_pulumis_back_show_on_refresh_and_the_next_up_restores_the_declaration(stack, service):
    run(
        stack,
        service,
        [
            Step(
                "up creates the accounts",
                declare=accounts([ALPHA, BETA]),
                changes={"create": 3},
                requests=[LIST_V1, post(ALPHA), post(BETA)],
            ),
            Step(
                "an account deleted behind Pulumi's back leaves the state on refresh",
                behind_the_back=lambda service: service.remove(ALPHA["channel"]),
                command="refresh",
                changes={"delete": 1, "same": 2},
                requests=refreshing(LIST_V1),
                state={"beta": {}},
            ),
            Step(
                "the next up creates it again",
                changes={"create": 1, "same": 2},
                requests=[LIST_V1, post(ALPHA)],
                accounts={ALPHA["channel"]: wire(ALPHA), BETA["channel"]: wire(BETA)},
            ),
            Step(
                "a maxJobs changed behind Pulumi's back shows on refresh, the token read back a secret",
                behind_the_back=lambda service: service.seed(wire({**ALPHA, "maxJobs": 9})),
                command="refresh",
                changes={"update": 1, "same": 2},
                requests=refreshing(LIST_V1),
                printed=("maxJobs", "9"),
                state={**created(BETA), "alpha": {"maxJobs": 9, "discord": SECRET}},
            ),
            Step(
                "a preview plans to restore it",
                command="preview",
                changes={"update": 1, "same": 2},
                printed=("maxJobs",),
            ),
            Step(
                "the next up restores it",
                changes={"update": 1, "same": 2},
                requests=[post(ALPHA)],
                accounts={ALPHA["channel"]: wire(ALPHA), BETA["channel"]: wire(BETA)},
            ),
        ],
    )


def test_a_declared_existing_account_is_adopted_without_a_write(stack, service):
    # Pulumi's import cannot serve a dynamic provider (see test_adopt.py); declaring the account
    # adopts it instead: the create finds the live account identical and writes nothing.
    run(
        stack,
        service,
        [
            Step(
                "up adopts the live account: the list call tells the create it is there, identical",
                behind_the_back=lambda service: service.seed(wire(GAMMA)),
                declare=accounts([GAMMA]),
                changes={"create": 2},
                requests=[LIST_V1],
                accounts={GAMMA["channel"]: wire(GAMMA)},
                state=created(GAMMA),
            ),
        ],
    )
