"""A team's shared backend (docs/teams.md): the CLI's PostgreSQL backend, PULUMI_BACKEND_URL=postgres://…
of a throwaway cluster (tests/e2e/postgres.py), through plain `pulumi` commands against the emulator:

- each front-end's lifecycle (the dynamic provider of this project's program; the plugin, from Pulumi
  YAML): create, update, destroy, with the state in the database's rows and no credential in plain text
  there (the harness's leak scans read every row, decoded, and the database's dump);
- two stacks deploying at once: disjoint accounts both succeed; a channel the first one made is refused
  to the second as an account it did not make, and nothing is overwritten;
- the same stack twice at once: the second run stops on the backend's lock, with its exact message,
  the first is undisturbed, and the next run is clean;
- an `up` killed mid-create leaves its lock in the database: `pulumi cancel` clears it, then
  `pulumi refresh --clear-pending-creates` and `pulumi up` converge (these two cases are shared with
  the S3 backend's tests: tests/e2e/shared_backend.py);
- `python -m pulumi_pixverse audit` and `adopt` on the database-backed stack.

Where two runs must overlap, the emulator holds a request until the test lets it go (`Gate`): the order
is an event, never a timing.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from harness import (
    V1_TYPE,
    StackUnderTest,
    change_summary,
    new_discord_token,
    new_stack,
    new_yaml_stack,
    wire,
)
from postgres import key, locks, rows
from shared_backend import (
    LIST,
    PROJECT,
    a_killed_up_s_lock_is_cleared_then_refresh_and_up_converge,
    account,
    assert_state_holds_no_credential,
    lock_path,
    on_backend,
    the_same_stack_twice_the_second_stops_on_the_lock,
)
from steps import LIST_V1, SECRET, Done, Step, accounts, post, run


@pytest.fixture
def make_stack(
    pulumi_cli, pg_cluster, emulator, api_token, tmp_path_factory
) -> Callable[..., StackUnderTest]:
    """A fresh stack on the PostgreSQL backend (`new_stack` or `new_yaml_stack`); the database's
    password counts as a credential (`on_backend`)."""

    def make(name: str, new: Callable[..., StackUnderTest] = new_stack) -> StackUnderTest:
        stack = new(name, emulator, tmp_path_factory, backend_url=pg_cluster.url)
        return on_backend(stack, api_token, pg_cluster.password)

    return make


def state_row(stack: StackUnderTest) -> dict[str, Any]:
    """The stack's state as the database holds it (its row, decoded)."""
    url, project = stack.backend_url, yaml.safe_load((stack.work_dir / "Pulumi.yaml").read_text())["name"]
    return dict(json.loads(rows(url)[key(url, f".pulumi/stacks/{project}/{stack.name}.json")]))


def lock_keys(stack: StackUnderTest) -> list[str]:
    return locks(stack.backend_url, f"organization/{PROJECT}/{stack.name}")


def the_row_holds_the_state_and_no_credential(done: Done) -> None:
    """The state is the database's row, read decoded (each channel is in it: what the leak scans read
    is the state itself), and each account's Discord token is in it as ciphertext only (in its inputs
    and its outputs)."""
    assert_state_holds_no_credential(state_row(done.stack), done.service)


def test_the_dynamic_provider_s_lifecycle_with_its_state_in_the_database(make_stack, emulator):
    stack = make_stack("pg-dynamic")
    alpha, beta = account(1), account(2)
    busier = {**alpha, "maxJobs": 7}
    run(
        stack,
        emulator,
        [
            Step(
                "up creates the accounts; the state is the database's row, credentials encrypted",
                declare=accounts([alpha, beta]),
                changes={"create": 3},
                requests=[LIST_V1, post(alpha), post(beta)],
                accounts={alpha["channel"]: wire(alpha), beta["channel"]: wire(beta)},
                state={a["name"]: {"id": a["channel"], "discord": SECRET} for a in (alpha, beta)},
                check=the_row_holds_the_state_and_no_credential,
            ),
            Step(
                "a new maxJobs is one update and one POST",
                declare=accounts([busier, beta]),
                changes={"update": 1, "same": 2},
                requests=[post(alpha)],
                accounts={alpha["channel"]: wire(busier), beta["channel"]: wire(beta)},
            ),
        ],
    )
    assert state_row(stack)["checkpoint"]["latest"].get("resources", []) == [], "destroyed, in the row too"


def test_the_plugin_s_lifecycle_with_its_state_in_the_database(make_stack, emulator):
    stack = make_stack("pg-yaml", new_yaml_stack)
    alpha = account(3)
    stack.set_secret("alphaDiscord", alpha["discord"])

    def program(max_jobs: int) -> Callable[[StackUnderTest], None]:
        fields = {k: alpha[k] for k in ("server", "channel")}
        resource = {
            "type": V1_TYPE,
            "properties": {**fields, "maxJobs": max_jobs, "discord": "${alphaDiscord}"},
        }
        return lambda yaml_stack: yaml_stack.write_program({"alpha": resource}, secrets=("alphaDiscord",))

    run(
        stack,
        emulator,
        [
            Step(
                "up creates the account; the state is the database's row, the token encrypted",
                declare=program(2),
                changes={"create": 2},
                requests=[LIST_V1, post(alpha)],
                accounts={alpha["channel"]: wire(alpha)},
                state={"alpha": {"id": alpha["channel"], "maxJobs": 2, "discord": SECRET}},
                check=the_row_holds_the_state_and_no_credential,
            ),
            Step(
                "a new maxJobs is one update and one POST",
                declare=program(5),
                changes={"update": 1, "same": 1},
                requests=[post(alpha)],
                accounts={alpha["channel"]: wire({**alpha, "maxJobs": 5})},
            ),
        ],
    )


def test_two_stacks_at_once_disjoint_both_succeed_a_channel_the_first_made_is_refused_to_the_second(
    make_stack, emulator, gate
):
    first, second = make_stack("pg-first"), make_stack("pg-second")
    theirs = {first.name: [account(11), account(12)], second.name: [account(21), account(22)]}
    for stack in (first, second):
        stack.set_accounts(theirs[stack.name])

    # Both at once: each one's list call is held until the other's has arrived too.
    gate.hold(LIST, 2)
    ups = [stack.start("up", "--yes", watch=gate.watch) for stack in (first, second)]
    ups[0].wait_until(lambda: gate.held == 2, "both runs reached the service")
    assert len(lock_keys(first)) == len(lock_keys(second)) == 1, "each run holds its own stack's lock"
    gate.release()
    for up in ups:
        assert change_summary(up.wait()) == {"create": 3} and up.process.returncode == 0
    assert emulator.accounts() == {a["channel"]: wire(a) for both in theirs.values() for a in both}
    for stack in (first, second):
        assert set(stack.accounts_in_state()) == {a["name"] for a in theirs[stack.name]}

    # One channel in both: the second run is under way (its list call held) while the first makes it.
    shared = account(30)
    first.set_accounts([*theirs[first.name], shared])
    second.set_accounts([*theirs[second.name], {**shared, "discord": new_discord_token(), "maxJobs": 4}])
    gate.hold(LIST, 1)
    late = second.start("up", "--yes", watch=gate.watch)
    late.wait_until(lambda: gate.held == 1, "the second run reached the service")
    assert change_summary(first.up()) == {"create": 1, "same": 3}
    gate.release()
    refused = late.wait()
    assert late.process.returncode != 0
    assert (
        f"creating the account on channel {shared['channel']} failed: the service already holds it, made "
        "outside this stack, and it differs from the declaration in discord, maxJobs (declared 4, live 2); "
        "nothing was written."
    ) in " ".join(refused.split()), refused
    assert emulator.accounts()[shared["channel"]] == wire(shared), "nothing overwritten"
    posted = [r["path"] for r in emulator.requests() if r["method"] == "POST"]
    assert posted.count(f"/v1/pixverse/account/{shared['channel']}") == 1, "the first run's POST only"
    assert set(second.accounts_in_state()) == {a["name"] for a in theirs[second.name]}
    assert set(first.accounts_in_state()) == {a["name"] for a in (*theirs[first.name], shared)}
    assert lock_keys(first) == lock_keys(second) == []
    first.assert_no_token_leaked()
    second.assert_no_token_leaked()


def test_the_same_stack_twice_at_once_the_second_stops_on_the_lock(make_stack, emulator, gate, pg_cluster):
    stack = make_stack("pg-twice")
    masked = rf"postgres://\*\*\*\*:\*\*\*\*@127\.0\.0\.1:{pg_cluster.port}"  # the credentials masked
    where = rf"{masked}/pulumi/{lock_path(stack)}\?sslmode=disable"
    the_same_stack_twice_the_second_stops_on_the_lock(stack, emulator, gate, lock_keys, where)


def test_a_killed_up_leaves_its_lock_in_the_database_cancel_clears_it_refresh_and_up_converge(
    make_stack, emulator, gate
):
    stack = make_stack("pg-killed")
    a_killed_up_s_lock_is_cleared_then_refresh_and_up_converge(stack, emulator, gate, lock_keys)


def audit(stack: StackUnderTest) -> tuple[int, dict[str, Any]]:
    report = stack.work_dir / "audit.json"
    done = stack.run(
        [sys.executable, "-m", "pulumi_pixverse", "audit", "--stack", stack.name, "--json", str(report)]
    )
    stack.transcript.append(report.read_text())
    return done.returncode, json.loads(report.read_text())


def test_audit_and_adopt_on_the_database_backed_stack(make_stack, emulator):
    stack = make_stack("pg-audit")
    declared = account(61)
    stack.set_accounts([declared])
    stack.up()
    stray = {k: v for k, v in account(69).items() if k != "name"}
    stack.tokens.append(stray["discord"])
    emulator.seed(stray)  # added in the dashboard

    status, report = audit(stack)
    assert status == 2
    assert [(f["kind"], f["account"]) for f in report["findings"]] == [
        ("unmanaged", f"v1 channel {stray['channel']}")
    ]
    adopted = stack.run([sys.executable, "-m", "pulumi_pixverse", "adopt", "--stack", stack.name])
    assert adopted.returncode == 0, adopted.stderr
    mark = len(emulator.requests())
    assert change_summary(stack.up()) == {"create": 1, "same": 2}
    assert {r["method"] for r in emulator.requests()[mark:]} == {"GET"}, "taken over, no write"
    status, report = audit(stack)
    assert (status, report["findings"]) == (0, [])
    stack.assert_no_token_leaked()
