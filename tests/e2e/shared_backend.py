"""What the e2e tests of a team's shared backend (docs/teams.md) share, whatever keeps the state
(test_postgres_backend.py: PostgreSQL; test_s3_backend.py: an S3-compatible object store): v1 accounts
of their own channels, stacks whose held requests may wait long, the emulator holding requests until the
test lets them go (`Gate`: where two runs must overlap, the order is an event, never a timing), and the
two lock cases, given how the backend's locks on a stack are listed and how its URL names a lock:

- the same stack twice at once: the second run stops on the backend's lock, with its exact message,
  the first is undisturbed, and the next run is clean;
- an `up` killed mid-create leaves its lock in the backend: `pulumi cancel` clears it, then
  `pulumi refresh --clear-pending-creates` and `pulumi up` converge.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import socket
import threading
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from emulator_admin import EmulatorAdmin
from harness import CommandFailed, StackUnderTest, Watch, change_summary, new_discord_token, wire

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
