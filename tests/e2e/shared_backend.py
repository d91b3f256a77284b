"""What the e2e tests of a team's shared backend (docs/teams.md) share, whatever keeps the state
(test_postgres_backend.py: PostgreSQL; test_s3_backend.py: an S3-compatible object store): v1 accounts
of their own channels, stacks whose held requests may wait long, the emulator holding requests until the
test lets them go (`Gate`: where two runs must overlap, the order is an event, never a timing), and the
cases both backends run, given how the backend's locks on a stack are listed, how its URL names a lock
and how a stack's state is read from it (what the backend holds, as someone looking into it would):

- the plugin's lifecycle (Pulumi YAML): create, update, destroy, with no credential in plain text in
  the state the backend holds;
- two stacks deploying at once: disjoint accounts both succeed; a channel the first one made is refused
  to the second as an account it did not make, and nothing is overwritten;
- the same stack twice at once: the second run stops on the backend's lock, with its exact message,
  the first is undisturbed, and the next run is clean;
- an `up` killed mid-create leaves its lock in the backend: `pulumi cancel` clears it, then
  `pulumi refresh --clear-pending-creates` and `pulumi up` converge;
- `python -m pulumi_pixverse audit` and `adopt` on the backend's stack.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import socket
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any

import pytest
import yaml
from emulator_admin import EmulatorAdmin
from harness import (
    ACCOUNT_TYPE,
    V1_TYPE,
    CommandFailed,
    StackUnderTest,
    Watch,
    change_summary,
    new_discord_token,
    wire,
)
from steps import LIST_V1, SECRET, Done, Step, accounts, post, run

SERVER = "960000000000000001"
LIST = "GET /v1/pixverse/account"
POST = "POST /v1/pixverse/account/{channel}"
PROJECT = "pixverse"
"""The project of this repository's program (Pulumi.yaml), under which the backend keeps its stacks."""
LOCKED = (
    "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end "
    "or delete the lock file with `pulumi cancel`."
)
HOLD_LIMIT = 300.0
"""Seconds a held request waits at most for the test to let it go."""
HeldState = Callable[[StackUnderTest], Mapping[str, Any]]
"""How a test reads a stack's state from its backend (the bucket's object, the database's row)."""


def account(number: int, **changed: Any) -> dict[str, Any]:
    """A v1 account of its own channel and Discord token."""
    return {
        "name": f"acct-{number}",
        "discord": new_discord_token(),
        "server": SERVER,
        "channel": f"96000000000000{number:04d}",
        "maxJobs": 2,
        **changed,
    }


def on_backend(stack: StackUnderTest, api_token: str, credential: str) -> StackUnderTest:
    """`stack`, a fresh stack on a shared backend, with the API token in its config; the backend's
    `credential` (a password, a secret key) counts as a credential too: never printed, never stored. A
    held request may wait long: the provider's timeouts leave it time."""
    stack.tokens.append(credential)
    stack.env.update(USEAPI_READ_TIMEOUT=str(HOLD_LIMIT), USEAPI_REQUEST_TIMEOUT=str(HOLD_LIMIT))
    stack.set_api_token(api_token)
    return stack


def project(stack: StackUnderTest) -> str:
    """The project of `stack`'s program (its Pulumi.yaml), under which the backend keeps the stack."""
    return str(yaml.safe_load((stack.work_dir / "Pulumi.yaml").read_text())["name"])


def accounts_held(state: Mapping[str, Any]) -> set[str]:
    """The names of the dynamic provider's accounts in `state`, a stack's state as the backend holds it."""
    resources = state["checkpoint"]["latest"].get("resources", [])
    return {r["urn"].rsplit("::", 1)[1] for r in resources if r["type"] == ACCOUNT_TYPE}


def assert_state_holds_no_credential(state: Mapping[str, Any], service: EmulatorAdmin) -> None:
    """`state`, a stack's state as the backend holds it, names each account the service holds (what
    the leak scans read is the state itself), and each account's Discord token is in it as ciphertext
    only (in its inputs and its outputs)."""
    text = json.dumps(state)
    for held in service.accounts().values():
        assert held["channel"] in text and held["discord"] not in text
    assert text.count('"ciphertext"') >= 2 * len(service.accounts())


class Gate:
    """The session's emulator, holding the first `count` API requests on `route` in their handler
    threads until `release()` (what the client sent has arrived; nothing is answered yet). `held`
    counts those it holds, `answered` the routes of every request it has answered; each change tells
    `watch`."""

    def __init__(self, server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.watch = Watch()
        self.route, self.count, self.held = "", 0, 0
        self.answered: list[str] = []
        self._open = threading.Event()
        self._lock = threading.Lock()
        take_fault, record = server.take_fault, server.record

        def taking(route: str) -> Any:
            with self._lock:
                holding = route == self.route and self.held < self.count
                if holding:
                    self.held += 1
            if holding:
                self.watch.changed()
                self._open.wait(HOLD_LIMIT)
            return take_fault(route)

        def recording(entry: dict[str, Any]) -> None:
            record(entry)
            self.answered.append(entry["route"])
            self.watch.changed()

        monkeypatch.setattr(server, "take_fault", taking)
        monkeypatch.setattr(server, "record", recording)

    def hold(self, route: str, count: int) -> None:
        self.route, self.count, self.held = route, count, 0
        self._open.clear()

    def release(self) -> None:
        self.count = 0
        self._open.set()

    def wait_answered(self, route: str, number: int, timeout: float = 60) -> None:
        done = self.watch.wait_until(lambda: self.answered.count(route) >= number, timeout)
        assert done, f"the emulator answered {self.answered.count(route)} requests on {route}, not {number}"


def lock_path(stack: StackUnderTest) -> str:
    """A pattern of the path of a lock on `stack` in its backend, after the backend URL's own path."""
    return rf"\.pulumi/locks/organization/{PROJECT}/{stack.name}/[0-9a-f-]{{36}}\.json"


def lock_line(where: str, pid: int) -> re.Pattern[str]:
    """The line under LOCKED naming the lock: its URL (`where`, a pattern, see `lock_path`) and the
    run that holds it, the process `pid` of this user on this host."""
    user, host = pwd.getpwuid(os.getuid()).pw_name, socket.gethostname()
    holder = rf"created by {re.escape(user)}@{re.escape(host)} \(pid {pid}\) at \d{{4}}-\d\d-\d\dT\S+"
    return re.compile(rf"^  {where}: {holder}$", re.M)


def the_same_stack_twice_the_second_stops_on_the_lock(
    stack: StackUnderTest,
    emulator: EmulatorAdmin,
    gate: Gate,
    locks: Callable[[StackUnderTest], list[str]],
    where: str,
) -> str:
    """Run `up` on `stack` twice at once (see the module's docstring); `locks` lists the backend's
    locks on a stack, `where` is a pattern of the URL of the first run's lock. What the refused run
    printed."""
    declared = [account(41), account(42)]
    stack.set_accounts(declared)
    gate.hold(LIST, 1)
    first = stack.start("up", "--yes", watch=gate.watch)
    first.wait_until(lambda: gate.held == 1, "the first run reached the service")
    [held] = locks(stack)

    with pytest.raises(CommandFailed) as locked:
        stack.cli("up", "--yes")
    print(locked.value.output)  # the closing note's record of the exact message
    assert LOCKED in locked.value.output
    assert lock_line(where, first.process.pid).search(locked.value.output), locked.value.output
    assert locks(stack) == [held], "the refused run left the first run's lock alone"

    gate.release()
    assert change_summary(first.wait()) == {"create": 3} and first.process.returncode == 0
    assert [r["route"] for r in emulator.requests()].count(LIST) == 1, "the refused run sent nothing"
    assert emulator.accounts() == {a["channel"]: wire(a) for a in declared}
    assert set(stack.accounts_in_state()) == {a["name"] for a in declared}, "nothing lost"
    assert locks(stack) == []
    assert change_summary(stack.up()) == {"same": 3}
    stack.preview("--expect-no-changes")
    stack.assert_no_token_leaked()
    return locked.value.output


def a_killed_up_s_lock_is_cleared_then_refresh_and_up_converge(
    stack: StackUnderTest,
    emulator: EmulatorAdmin,
    gate: Gate,
    locks: Callable[[StackUnderTest], list[str]],
) -> str:
    """Kill an `up` on `stack` while the service holds its creates, then clear its lock and converge
    (see the module's docstring); `locks` lists the backend's locks on a stack. What `pulumi cancel`
    printed."""
    declared = [account(51), account(52)]
    stack.set_accounts(declared)
    gate.hold(POST, 2)
    up = stack.start("up", "--yes", watch=gate.watch)
    try:
        up.wait_until(lambda: gate.held == 2, "the emulator held both POSTs")
    finally:
        up.kill_tree()
    assert up.survivors() == []
    gate.release()  # the service makes both accounts after the client died
    gate.wait_answered(POST, 2)
    assert emulator.accounts() == {a["channel"]: wire(a) for a in declared}
    assert len(locks(stack)) == 1, "the killed run's lock stays in the backend"

    mark = len(emulator.requests())
    with pytest.raises(CommandFailed) as locked:
        stack.cli("up", "--yes")
    assert LOCKED in locked.value.output and f"(pid {up.process.pid})" in locked.value.output
    assert len(emulator.requests()) == mark

    canceled = stack.cli("cancel", "--yes")
    assert f"The currently running update for '{stack.name}' has been canceled!" in canceled
    assert locks(stack) == []
    stack.cli("refresh", "--yes", "--clear-pending-creates")
    assert change_summary(stack.up()) == {"create": 2, "same": 1}
    assert [r["route"] for r in emulator.requests()[mark:]] == [LIST], "taken over, no write"
    assert {r["id"] for r in stack.accounts_in_state().values()} == set(emulator.accounts())
    assert not stack.export().get("pending_operations")
    assert change_summary(stack.preview("--expect-no-changes")) == {"same": 3}
    stack.assert_no_token_leaked()
    return canceled


def the_dynamic_provider_s_lifecycle(
    stack: StackUnderTest, emulator: EmulatorAdmin, held_state: HeldState
) -> None:
    """The dynamic provider's lifecycle on `stack`, a fresh stack of this project on the backend: create,
    update, destroy; the state `held_state` reads holds each token as ciphertext only, and nothing once
    destroyed."""
    alpha, beta = account(1), account(2)
    busier = {**alpha, "maxJobs": 7}

    def the_backend_holds_the_state_and_no_credential(done: Done) -> None:
        assert_state_holds_no_credential(held_state(done.stack), done.service)

    run(
        stack,
        emulator,
        [
            Step(
                "up creates the accounts; the backend holds the state, credentials encrypted",
                declare=accounts([alpha, beta]),
                changes={"create": 3},
                requests=[LIST_V1, post(alpha), post(beta)],
                accounts={alpha["channel"]: wire(alpha), beta["channel"]: wire(beta)},
                state={a["name"]: {"id": a["channel"], "discord": SECRET} for a in (alpha, beta)},
                check=the_backend_holds_the_state_and_no_credential,
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
    destroyed = held_state(stack)["checkpoint"]["latest"]
    assert destroyed.get("resources", []) == [], "destroyed, in the backend too"


def the_plugin_s_lifecycle(stack: StackUnderTest, emulator: EmulatorAdmin, held_state: HeldState) -> None:
    """The plugin's lifecycle on `stack`, a fresh YAML stack (`new_yaml_stack`) on the backend: create,
    update, destroy; the state `held_state` reads holds the token as ciphertext only, and nothing once
    destroyed."""
    alpha = account(3)
    stack.set_secret("alphaDiscord", alpha["discord"])

    def program(max_jobs: int) -> Callable[[StackUnderTest], None]:
        fields = {k: alpha[k] for k in ("server", "channel")}
        resource = {
            "type": V1_TYPE,
            "properties": {**fields, "maxJobs": max_jobs, "discord": "${alphaDiscord}"},
        }
        return lambda yaml_stack: yaml_stack.write_program({"alpha": resource}, secrets=("alphaDiscord",))

    def the_backend_holds_the_state_and_no_credential(done: Done) -> None:
        assert_state_holds_no_credential(held_state(done.stack), done.service)

    run(
        stack,
        emulator,
        [
            Step(
                "up creates the account; the backend holds the state, the token encrypted",
                declare=program(2),
                changes={"create": 2},
                requests=[LIST_V1, post(alpha)],
                accounts={alpha["channel"]: wire(alpha)},
                state={"alpha": {"id": alpha["channel"], "maxJobs": 2, "discord": SECRET}},
                check=the_backend_holds_the_state_and_no_credential,
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
    destroyed = held_state(stack)["checkpoint"]["latest"]
    assert destroyed.get("resources", []) == [], "destroyed, in the backend too"


def two_stacks_at_once_disjoint_both_succeed_a_channel_the_first_made_is_refused_to_the_second(
    first: StackUnderTest,
    second: StackUnderTest,
    emulator: EmulatorAdmin,
    gate: Gate,
    locks: Callable[[StackUnderTest], list[str]],
    held_state: HeldState,
) -> None:
    """Run `up` on two fresh stacks of one subscription at once (see the module's docstring); `locks`
    lists the backend's locks on a stack, `held_state` reads a stack's state from it. The service's
    accounts, each stack's state as the backend holds it and `pulumi stack export` agree."""
    theirs = {first.name: [account(11), account(12)], second.name: [account(21), account(22)]}
    for stack in (first, second):
        stack.set_accounts(theirs[stack.name])

    # Both at once: each one's list call is held until the other's has arrived too.
    gate.hold(LIST, 2)
    ups = [stack.start("up", "--yes", watch=gate.watch) for stack in (first, second)]
    ups[0].wait_until(lambda: gate.held == 2, "both runs reached the service")
    assert len(locks(first)) == len(locks(second)) == 1, "each run holds its own stack's lock"
    gate.release()
    for up in ups:
        assert change_summary(up.wait()) == {"create": 3} and up.process.returncode == 0
    assert emulator.accounts() == {a["channel"]: wire(a) for both in theirs.values() for a in both}
    for stack in (first, second):
        names = {a["name"] for a in theirs[stack.name]}
        assert set(stack.accounts_in_state()) == names == accounts_held(held_state(stack))

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
    second_names = {a["name"] for a in theirs[second.name]}
    first_names = {a["name"] for a in (*theirs[first.name], shared)}
    assert set(second.accounts_in_state()) == second_names == accounts_held(held_state(second))
    assert set(first.accounts_in_state()) == first_names == accounts_held(held_state(first))
    assert locks(first) == locks(second) == []
    first.assert_no_token_leaked()
    second.assert_no_token_leaked()


def audit(stack: StackUnderTest) -> tuple[int, dict[str, Any]]:
    """`python -m pulumi_pixverse audit --stack` on `stack`: its exit status and its JSON report."""
    report = stack.work_dir / "audit.json"
    done = stack.run(
        [sys.executable, "-m", "pulumi_pixverse", "audit", "--stack", stack.name, "--json", str(report)]
    )
    stack.transcript.append(report.read_text())
    return done.returncode, json.loads(report.read_text())


def audit_and_adopt(stack: StackUnderTest, emulator: EmulatorAdmin) -> None:
    """On `stack`, a fresh stack on the backend: `audit` finds an account added in the dashboard,
    `adopt` and `up` take it over without a write, and the next `audit` is clean."""
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
