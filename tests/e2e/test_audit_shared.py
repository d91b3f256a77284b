"""`python -m pulumi_pixverse audit` on a subscription two stacks share (issue 32): team-a and team-b,
stacks of one project on one backend, each with its own folder and passphrase, declare 1 v1 and 1 v2
account each. Alone, each audit reports the other's accounts as `unmanaged`; with `--also-managed-by`
or `--all-stacks` it lists them as `managed elsewhere`, naming the stack, reads no plan of theirs, and
still reports an account no stack declares. The drift workflow's audit step (read from drift.yml and
run as GitHub runs it, with one stack's secrets only) then passes for both."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from harness import StackUnderTest, Step, change_summary, new_discord_token, new_stack
from test_pipeline import Pipeline, step_of

SERVER = "960000000000000001"


def declared(team: str, n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The v1 and the v2 account `team`'s stack declares (pixverse:accounts, pixverse:accountsV2)."""
    v1 = {
        "name": f"{team}-studio",
        "discord": new_discord_token(),
        "server": SERVER,
        "channel": f"96000000000000001{n}",
        "maxJobs": 2,
    }
    v2 = {
        "name": f"{team}-creator",
        "email": f"{team}@shared.example",
        "password": f"pw-{team}-7f3",
        "maxJobs": 1,
    }
    return v1, v2


TEAMS = {"team-a": declared("team-a", 1), "team-b": declared("team-b", 2)}
STRAY = {"discord": new_discord_token(), "server": SERVER, "channel": "960000000000000019", "maxJobs": 1}
FEATURES = "GET /v2/pixverse/features/"


class TeamStack(StackUnderTest):
    """A stack of the same project on another stack's backend, in a folder of its own with its own
    passphrase: another team's stack, deployed from elsewhere."""

    def __init__(self, name: str, root: Path, api_url: str, backend: Path) -> None:
        self.shared_backend = backend
        super().__init__(name, root, api_url)
        self.backend_dir = backend  # where the leak scan looks

    def environment(self, root: Path, passphrase: str) -> dict[str, str]:
        return {**super().environment(root, passphrase), "PULUMI_BACKEND_URL": self.shared_backend.as_uri()}


@pytest.fixture(scope="module")
def teams(pulumi_cli, service, api_token, tmp_path_factory) -> Iterator[dict[str, StackUnderTest]]:
    """team-a and team-b up on the emulator, the API token in the environment only (as the pipelines
    give it); every credential of both is one neither stack may show."""
    a = new_stack("team-a", service, tmp_path_factory)
    b = TeamStack("team-b", tmp_path_factory.mktemp("team-b"), service.url, a.backend_dir)
    stacks = {"team-a": a, "team-b": b}
    credentials = [
        api_token,
        STRAY["discord"],
        *(c for v1, v2 in TEAMS.values() for c in (v1["discord"], v2["password"])),
    ]
    for name, stack in stacks.items():
        stack.env["USEAPI_TOKEN"] = api_token
        stack.tokens.extend(credentials)
        v1, v2 = TEAMS[name]
        stack.set_accounts([v1])
        stack.set_accounts([v2], "pixverse:accountsV2")
        assert change_summary(stack.up())["create"] == 3
    yield stacks
    for stack in stacks.values():
        stack.destroy()


def audit(stack: StackUnderTest, *options: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    report = stack.work_dir / "audit.json"
    done = stack.run(
        [
            sys.executable,
            "-m",
            "pulumi_pixverse",
            "audit",
            "--stack",
            stack.name,
            *options,
            "--json",
            str(report),
        ]
    )
    stack.transcript.append(report.read_text())
    return done, json.loads(report.read_text())


def on_a_terminal(stack: StackUnderTest, *options: str) -> tuple[int, str]:
    """The audit with its stderr a (pseudo-)terminal: its exit status and what the terminal showed."""
    main, side = os.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pulumi_pixverse", "audit", "--stack", stack.name, *options],
            cwd=stack.work_dir,
            env=stack.env,
            stdout=subprocess.DEVNULL,
            stderr=side,
            timeout=240,
            check=False,
        )
    finally:
        os.close(side)
    shown = b""
    try:
        while chunk := os.read(main, 4096):
            shown += chunk
    except OSError:  # EIO: the terminal's other side is closed and everything was read
        pass
    os.close(main)
    stack.transcript.append(shown.decode(errors="replace"))
    return done.returncode, shown.decode(errors="replace")


def names(team: str) -> list[str]:
    """The accounts of `team` as the audit names them."""
    v1, v2 = TEAMS[team]
    return [f"v1 channel {v1['channel']}", f"v2 {v2['email']}"]


def test_alone_each_audit_reports_the_others_accounts_as_unmanaged(teams):
    done, report = audit(teams["team-a"])
    assert done.returncode == 2, done.stdout + done.stderr
    unmanaged = [f["account"] for f in report["findings"] if f["kind"] == "unmanaged"]
    assert unmanaged == names("team-b")


@pytest.mark.parametrize(
    ("name", "other", "option"),
    [("team-a", "team-b", ["--also-managed-by", "team-b"]), ("team-b", "team-a", ["--all-stacks"])],
)
def test_with_the_other_stack_named_its_accounts_are_managed_elsewhere_and_a_stray_is_still_unmanaged(
    teams, service, name, other, option
):
    service.seed(STRAY)  # added in the dashboard: no stack's
    stack = teams[name]
    step = Step(service)
    done, report = audit(stack, *option)
    printed = done.stdout
    assert done.returncode == 2, printed + done.stderr
    assert done.stderr == "", "a pipe (a pipeline's log) gets no progress line"
    assert report["findings"] == [
        {
            "kind": "unmanaged",
            "account": f"v1 channel {STRAY['channel']}",
            "detail": "not declared in the stack",
        }
    ]
    assert report["also_managed_by"] == [other]
    assert report["managed_elsewhere"] == [{"account": a, "stacks": [other]} for a in names(other)]
    assert f"audit of stack {name}: 1 finding(s); 2 account(s) managed by other stacks" in printed
    for account in names(other):
        [row] = [line for line in printed.splitlines() if account in line]
        assert row.startswith("managed elsewhere ") and row.endswith(f"by stack {other}"), printed
    asked = [parse_qs(r["query"])["email"][0] for r in step.requests() if r["route"] == FEATURES]
    assert asked == [f"{name}@shared.example"], "the other stack's plans are its own audit's"
    assert {r["method"] for r in step.requests()} == {"GET"}
    stack.assert_no_token_leaked()


def test_on_a_terminal_the_audit_shows_how_far_it_got_on_one_line(teams):
    status, shown = on_a_terminal(teams["team-a"], "--all-stacks")
    assert status == 2, shown
    assert "\raudit: reading the plans of the v2 accounts, 1 of 1" in shown, repr(shown)
    assert "\n" not in shown, repr(shown)  # no line of its own: the table goes to stdout


def test_the_drift_workflows_audit_step_passes_for_both_stacks_once_the_stray_is_gone(
    teams, service, api_token, tmp_path_factory
):
    """Each stack's run of the step has only its own secrets (its passphrase, the API token)."""
    service.remove(STRAY["channel"])
    step = step_of("drift.yml", "drift", "python -m pulumi_pixverse audit")
    for name, other in (("team-a", "team-b"), ("team-b", "team-a")):
        pipeline = Pipeline(teams[name], api_token, tmp_path_factory.mktemp(f"runner-{name}"))
        done = pipeline.script(step, {})
        assert done.returncode == 0, done.stdout + done.stderr
        summary = (pipeline.temp / "summary.md").read_text()
        assert f"### `{name}`: audit (exit 0: 0 clean, 2 findings, 1 could not check)" in summary
        assert f"audit of stack {name}: clean (the service holds what the stack declares)" in summary
        assert summary.count(f"by stack {other}") == 2, summary
        report = json.loads((pipeline.temp / "audit.json").read_text())
        assert (report["findings"], report["also_managed_by"]) == ([], [other])
        teams[name].assert_no_token_leaked()
