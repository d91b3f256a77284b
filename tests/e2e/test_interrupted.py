"""A `pulumi up` killed mid-create (a pipeline runner that dies), and the recovery docs/operations.md gives.

The CLI, its language host, the Python program and the dynamic provider plugin are all killed with
SIGKILL while the provider waits on its POSTs. The emulator then finishes what it had received: two
POSTs create their accounts after the client died, two are lost unanswered. The stack is left with a
lock, four pending creates and no account in its state, and the service holds two of the four. The
recovery is docs/operations.md's "If a deployment was interrupted", in plain `pulumi` commands:

    pulumi cancel --yes                              # removes the lock the killed run left
    pulumi refresh --yes --clear-pending-creates     # drops the pending creates from the state
    pulumi up --yes                                  # adopts what the service made, creates the rest

The last test kills an up run with PULUMI_SKIP_CHECKPOINTS=true (docs/contributing/performance.md "Large pools
on a self-managed backend"), which leaves the state as it was before the run, and repairs it with
`pulumi cancel` and `pulumi up`.
"""

from __future__ import annotations

from typing import Any

import pytest
from emulator_admin import EmulatorAdmin
from harness import Background, CommandFailed, StackUnderTest, Watch, change_summary, new_discord_token

SERVER = "950000000000000001"
ACCOUNTS = [
    {
        "name": f"pool-{n}",
        "discord": new_discord_token(),
        "server": SERVER,
        "channel": f"95000000000000001{n}",
        "maxJobs": n + 1,
    }
    for n in range(4)
]
CHANNELS = {a["channel"] for a in ACCOUNTS}
NAMES = {a["name"] for a in ACCOUNTS}
POST = "POST /v1/pixverse/account/{channel}"
HOLD = 4.0  # seconds the emulator holds each POST: the window in which the CLI is killed
LOCKED = (
    "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end "
    "or delete the lock file with `pulumi cancel`."
)
PENDING = (
    "warning: Attempting to deploy or update resources with 4 pending operations from previous deployment."
)


def wire(account: dict[str, Any]) -> dict[str, Any]:
    """The record the service should hold for a config entry."""
    return {k: account[k] for k in ("discord", "server", "channel", "maxJobs")}


def calls(requests: list[dict[str, Any]]) -> list[str]:
    """Requests as "METHOD channel status", sorted (concurrent creates arrive in any order)."""
    return sorted(f"{r['method']} {r['path'].rsplit('/', 1)[-1]} {r['status']}" for r in requests)


class Traffic:
    """The emulator's API traffic as it happens, to wait on: `arrived`, the routes of the faulted
    requests as they reach it (the request log shows a request only once it has been answered: these
    are the ones the provider is waiting on), and `answered`, the routes of every request it has
    logged. Each change tells `watch`."""

    def __init__(self) -> None:
        self.arrived: list[str] = []
        self.answered: list[str] = []
        self.watch = Watch()

    def wait_answered(self, number: int, timeout: float) -> None:
        """Return once the emulator has logged `number` requests since this began; fail at `timeout`."""
        done = self.watch.wait_until(lambda: len(self.answered) >= number, timeout)
        assert done, f"the emulator answered {len(self.answered)} requests in {timeout} s, not {number}"


@pytest.fixture
def traffic(emulator_server: Any, monkeypatch: pytest.MonkeyPatch) -> Traffic:
    """The session's emulator's traffic from now on."""
    seen = Traffic()
    take_fault, record = emulator_server.take_fault, emulator_server.record

    def taking(route: str) -> Any:
        fault = take_fault(route)
        if fault is not None:
            seen.arrived.append(route)
            seen.watch.changed()
        return fault

    def recording(entry: dict[str, Any]) -> None:
        record(entry)
        seen.answered.append(entry["route"])
        seen.watch.changed()

    monkeypatch.setattr(emulator_server, "take_fault", taking)
    monkeypatch.setattr(emulator_server, "record", recording)
    return seen


@pytest.fixture
def stack(
    pulumi_cli: str, emulator: EmulatorAdmin, api_token: str, tmp_path_factory: pytest.TempPathFactory
) -> StackUnderTest:
    """A fresh stack declaring the four accounts, against an emptied emulator."""
    under_test = StackUnderTest("interrupted", tmp_path_factory.mktemp("interrupted"), emulator.url)
    under_test.set_api_token(api_token)
    under_test.set_accounts(ACCOUNTS)
    return under_test


def kill_up_once_held(stack: StackUnderTest, traffic: Traffic, route: str, held: int) -> Background:
    """Start `pulumi up --yes`, wait until the emulator holds `held` requests on `route`, then SIGKILL
    the CLI's whole process tree, as when the runner dies."""
    up = stack.start("up", "--yes", watch=traffic.watch)
    try:
        reached = f"the emulator held {held} requests on {route}"
        up.wait_until(lambda: traffic.arrived.count(route) >= held, reached, timeout=180)
    finally:
        up.kill_tree()
    return up


def kill_up_mid_create(stack: StackUnderTest, service: EmulatorAdmin, traffic: Traffic) -> Background:
    """Start `pulumi up --yes`, wait until the emulator holds all four POSTs, then SIGKILL the CLI's
    whole process tree; return once the emulator has answered what it had received."""
    service.fault(delay=HOLD, drop=True, count=2, route=POST)  # lost with the runner
    service.fault(delay=HOLD, count=2, route=POST)  # done by the service after the client died
    up = kill_up_once_held(stack, traffic, POST, 4)
    killed = " | ".join(up.killed.values())
    for part in ("pulumi up", "pulumi-language-python ", "pulumi-language-python-exec", "pulumi.dynamic"):
        assert part in killed, f"{part!r} is not among the killed processes: {killed}"
    assert up.survivors() == []
    traffic.wait_answered(5, timeout=HOLD + 30)
    log = service.requests()
    assert calls([r for r in log if r["method"] == "GET"]) == ["GET account 404"], "one list call, no account"
    posts = [r for r in log if r["method"] == "POST"]
    assert {r["path"].rsplit("/", 1)[-1] for r in posts} == CHANNELS
    assert sorted(r["status"] for r in posts) == [0, 0, 204, 204], calls(log)
    return up


def pending_operations(stack: StackUnderTest) -> list[tuple[str, str]]:
    """(type, resource name) of each pending operation in `pulumi stack export`."""
    operations = stack.export().get("pending_operations") or []
    return sorted((op["type"], op["resource"]["urn"].rsplit("::", 1)[1]) for op in operations)


def lock_files(stack: StackUnderTest) -> list[str]:
    return [p.name for p in (stack.backend_dir / ".pulumi" / "locks").rglob("*.json")]


def test_a_killed_up_is_recovered_by_cancel_refresh_and_up(stack, emulator, traffic):
    up = kill_up_mid_create(stack, emulator, traffic)
    made = set(emulator.accounts())
    assert len(made) == 2, "two accounts were created after the client died"
    missing = CHANNELS - made
    assert pending_operations(stack) == sorted(("creating", name) for name in NAMES)
    assert stack.accounts_in_state() == {}
    assert len(lock_files(stack)) == 1

    # What the user sees: the next update stops on the lock the killed CLI left, before any API call.
    mark = len(emulator.requests())
    with pytest.raises(CommandFailed) as locked:
        stack.cli("up", "--yes")
    assert LOCKED in locked.value.output
    assert f"(pid {up.process.pid})" in locked.value.output, "the lock names the killed CLI"
    assert len(emulator.requests()) == mark

    # The recovery, exactly as docs/operations.md gives it.
    canceled = stack.cli("cancel", "--yes")
    assert f"The currently running update for '{stack.name}' has been canceled!" in canceled
    assert lock_files(stack) == []
    stack.cli("refresh", "--yes", "--clear-pending-creates")
    assert pending_operations(stack) == []
    assert len(emulator.requests()) == mark, "nothing in the state to read yet"
    recovered = stack.cli("up", "--yes")
    assert change_summary(recovered) == {"create": 4, "same": 1}
    assert "pending operations" not in recovered

    # What the API received since the kill: one list call, one POST for each account the service
    # never got and none for those it made after the client died, no DELETE.
    expected = ["GET account 200"] + [f"POST {c} 204" for c in missing]
    assert calls(emulator.requests()[mark:]) == sorted(expected)

    # The state equals the service: each declared account once, as declared, and nothing else.
    assert emulator.accounts() == {a["channel"]: wire(a) for a in ACCOUNTS}
    state = stack.accounts_in_state()
    assert set(state) == NAMES
    for account in ACCOUNTS:
        resource = state[account["name"]]
        assert resource["id"] == account["channel"]
        assert resource["outputs"]["channel"] == account["channel"]
        assert resource["outputs"]["maxJobs"] == account["maxJobs"]
    assert sorted(r["id"] for r in state.values()) == sorted(emulator.accounts()), "no orphan, no duplicate"
    assert not stack.export().get("pending_operations")

    settled = stack.cli("up", "--yes")
    assert change_summary(settled) == {"same": 5}
    assert "pending operations" not in settled
    assert change_summary(stack.cli("preview", "--expect-no-changes")) == {"same": 5}
    assert not [r for r in emulator.requests() if r["method"] == "DELETE"]
    stack.assert_no_token_leaked()


def test_an_up_without_the_refresh_warns_and_keeps_the_pending_creates(stack, emulator, traffic):
    kill_up_mid_create(stack, emulator, traffic)
    stack.cli("cancel", "--yes")
    warned = stack.cli("up", "--yes")
    assert PENDING in warned
    assert "Note that `pulumi refresh` will need to be run interactively to clear pending CREATE" in warned
    assert change_summary(warned) == {"create": 4, "same": 1}
    assert emulator.accounts() == {a["channel"]: wire(a) for a in ACCOUNTS}
    assert len(pending_operations(stack)) == 4, "the up made the accounts but kept the pending creates"
    assert PENDING in stack.cli("up", "--yes"), "and every up warns again"

    stack.cli("refresh", "--yes", "--clear-pending-creates")
    assert pending_operations(stack) == []
    assert set(stack.accounts_in_state()) == NAMES, "the refresh drops the pending creates only"
    quiet = stack.cli("up", "--yes")
    assert change_summary(quiet) == {"same": 5}
    assert "pending operations" not in quiet
    stack.assert_no_token_leaked()


DELETE = "DELETE /v1/pixverse/account/{channel}"


def test_a_killed_up_without_checkpoints_is_repaired_by_the_next_up(stack, emulator, traffic):
    """docs/contributing/performance.md "Large pools on a self-managed backend": with
    PULUMI_SKIP_CHECKPOINTS=true the killed run's edits never reach the state, and the next `pulumi up`
    repairs that: no POST, the one DELETE again."""
    kept, gone, added = ACCOUNTS[0], ACCOUNTS[1], ACCOUNTS[2:]
    stack.set_accounts([kept, gone])
    stack.cli("up", "--yes")
    stack.set_accounts([kept, *added])  # `gone` leaves the program, two accounts join it
    before, answered = len(emulator.requests()), len(traffic.answered)

    # The engine deletes what left the program once the creates are done: kill it while the
    # service holds that DELETE (which the service carries out after the client died).
    emulator.fault(delay=HOLD, count=1, route=DELETE)
    stack.env["PULUMI_SKIP_CHECKPOINTS"] = "true"
    try:
        kill_up_once_held(stack, traffic, DELETE, 1)
    finally:
        del stack.env["PULUMI_SKIP_CHECKPOINTS"]
    traffic.wait_answered(answered + 4, timeout=HOLD + 30)
    assert calls(emulator.requests()[before:]) == sorted(
        ["GET account 200", f"DELETE {gone['channel']} 204"] + [f"POST {a['channel']} 204" for a in added]
    )
    assert emulator.accounts() == {a["channel"]: wire(a) for a in (kept, *added)}

    # What the user is left with: the state as it was before the run, with no pending operation
    # saying what was under way, and the lock of the killed CLI.
    assert set(stack.accounts_in_state()) == {kept["name"], gone["name"]}
    assert pending_operations(stack) == []
    assert len(lock_files(stack)) == 1

    # The repair: cancel, then up. The creates find their accounts there and identical (no POST);
    # the delete of the account already gone counts as done.
    stack.cli("cancel", "--yes")
    mark = len(emulator.requests())
    repaired = stack.cli("up", "--yes")
    assert change_summary(repaired) == {"create": 2, "delete": 1, "same": 2}
    assert calls(emulator.requests()[mark:]) == sorted(["GET account 200", f"DELETE {gone['channel']} 404"])
    state = stack.accounts_in_state()
    assert set(state) == {a["name"] for a in (kept, *added)}
    assert sorted(r["id"] for r in state.values()) == sorted(emulator.accounts()), "state = service"
    assert change_summary(stack.cli("preview", "--expect-no-changes")) == {"same": 4}
    stack.assert_no_token_leaked()
