"""Adopting live accounts with `python -m pulumi_pixverse adopt`, through plain `pulumi` commands.

`pulumi import` and the `import_` option cannot serve a dynamic provider (the engine's Read for an
import carries neither the pickled provider nor inputs: pulumi/pulumi#16175), so adoption declares
the live accounts in the stack's config and the next `pulumi up` takes them over without a write.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest
import yaml
from harness import StackUnderTest, change_summary, new_discord_token, new_stack
from pulumi_pixverse.commands.adopt import PLACEHOLDER
from stand_in import PulumiCalls, pulumi_calls

SERVER = "930000000000000001"
LIVE = [
    {"discord": new_discord_token(), "server": SERVER, "channel": f"93000000000000001{n}", "maxJobs": n}
    for n in (1, 2, 3)
]
LATE = {"discord": new_discord_token(), "server": SERVER, "channel": "930000000000000014", "maxJobs": 4}
"""An account made on the service after the first adoption."""


@pytest.fixture(scope="module")
def adopt_stack(pulumi_cli, service, api_token, tmp_path_factory) -> StackUnderTest:
    stack = new_stack("adopt", service, tmp_path_factory)
    stack.set_api_token(api_token)
    stack.tokens.extend(a["discord"] for a in [*LIVE, LATE])
    yield stack
    stack.destroy()


@pytest.fixture(scope="module")
def calls(adopt_stack, tmp_path_factory) -> PulumiCalls:
    """The `pulumi` commands adopt runs."""
    return pulumi_calls(adopt_stack, tmp_path_factory.mktemp("pulumi-calls"))


def adopt(stack: StackUnderTest, *flags: str) -> Any:
    """Run the adopt command in the stack's project folder, as docs/import-and-adopt.md shows it."""
    return stack.run([sys.executable, "-m", "pulumi_pixverse", "adopt", "--stack", stack.name, *flags])


def config_file(stack: StackUnderTest) -> bytes:
    path = stack.work_dir / "stacks" / f"Pulumi.{stack.name}.yaml"
    return path.read_bytes() if path.exists() else b""


@pytest.fixture(autouse=True)
def no_leak_after_each_step(adopt_stack: StackUnderTest):
    yield
    adopt_stack.assert_no_token_leaked()


def test_01_an_empty_service_has_nothing_to_adopt(adopt_stack, service):
    before = config_file(adopt_stack)
    done = adopt(adopt_stack)
    assert done.returncode == 0, done.stderr
    assert "nothing to adopt" in done.stdout
    assert config_file(adopt_stack) == before


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("pixverse:apiToken", None, "no PixVerse API token"),
        ("pixverse:apiToken", "a-token-the-service-refuses", "refused the API token"),
        ("pixverse:apiUrl", "http://127.0.0.1:9", "cannot reach the service at http://127.0.0.1:9"),
    ],
)
def test_02_a_missing_or_refused_token_or_no_service_stops_with_one_line_and_writes_nothing(
    adopt_stack, service, api_token, setting, value, message
):
    for account in LIVE:
        service.seed(account)
    if value is None:
        adopt_stack.cli("config", "rm", setting)
    else:
        adopt_stack.cli("config", "set", "--secret", setting, stdin=value)
    before = config_file(adopt_stack)
    try:
        done = adopt(adopt_stack)
        after = config_file(adopt_stack)
    finally:
        adopt_stack.cli("config", "set", "--secret", "pixverse:apiToken", stdin=api_token)
        adopt_stack.cli("config", "set", "pixverse:apiUrl", service.url)
    assert done.returncode == 1
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stdout == ""
    assert after == before


def test_03_a_dry_run_lists_the_live_accounts_and_changes_nothing(adopt_stack, service):
    before = config_file(adopt_stack)
    mark = len(service.requests())
    done = adopt(adopt_stack, "--dry-run")
    assert done.returncode == 0, done.stderr
    for account in LIVE:
        assert (
            f"would add {account['channel']}: channel {account['channel']}, maxJobs {account['maxJobs']}"
            in (done.stdout)
        )
    assert "config is unchanged" in done.stdout
    assert config_file(adopt_stack) == before
    assert [r["route"] for r in service.requests()[mark:]] == ["GET /v1/pixverse/account"]


def test_04_adopt_declares_each_live_account_with_its_token_as_a_secret(adopt_stack, service, calls):
    mark = len(calls.commands())
    done = adopt(adopt_stack)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("added ") == 3
    assert f"pulumi preview --stack {adopt_stack.name}" in done.stdout
    assert done.stderr == "", "a pipe (a pipeline's log) gets no progress line"
    # the fields of all three in two commands, then each token encrypted on its own (from stdin)
    expected = ["config --json", "config set-all", "config set-all", *["config set"] * 3]
    assert calls.commands()[mark:] == expected
    declared = yaml.safe_load(config_file(adopt_stack))["config"]["pixverse:accounts"]
    assert declared == [
        {
            "name": a["channel"],
            "server": SERVER,
            "channel": a["channel"],
            "maxJobs": a["maxJobs"],
            "discord": {"secure": declared[index]["discord"]["secure"]},
        }
        for index, a in enumerate(LIVE)
    ]


def test_05_preview_lists_three_creates_and_sends_nothing(adopt_stack, service):
    mark = len(service.requests())
    printed = adopt_stack.preview()
    assert change_summary(printed) == {"create": 4}
    assert service.requests()[mark:] == []


def test_06_up_takes_the_accounts_over_without_a_write(adopt_stack, service):
    mark = len(service.requests())
    assert change_summary(adopt_stack.up()) == {"create": 4}
    methods = {r["method"] for r in service.requests()[mark:]}
    assert methods == {"GET"}
    assert service.accounts() == {a["channel"]: a for a in LIVE}
    state = adopt_stack.accounts_in_state()
    assert {name: r["outputs"]["maxJobs"] for name, r in state.items()} == {
        a["channel"]: a["maxJobs"] for a in LIVE
    }


def test_07_the_stack_then_matches_the_service(adopt_stack, service):
    assert change_summary(adopt_stack.preview("--expect-no-changes")) == {"same": 4}


def test_08_adopt_again_adds_nothing_and_reports_a_declared_account_that_differs(adopt_stack, service):
    service.seed({**LIVE[0], "maxJobs": 6})
    before = config_file(adopt_stack)
    done = adopt(adopt_stack)
    assert done.returncode == 0, done.stderr
    assert (
        f"channel {LIVE[0]['channel']}) differs from the service: maxJobs (declared 1, live 6)" in done.stdout
    )
    assert "nothing to adopt" in done.stdout
    assert config_file(adopt_stack) == before
    service.seed(LIVE[0])


def test_09_a_run_interrupted_while_writing_is_finished_by_the_next(adopt_stack, service, calls):
    service.seed(LATE)
    # the config as a run killed while writing leaves it: slots made at the end of the list for
    # accounts whose fields were not written yet, and an account whose token was not written yet
    slots = [f"pixverse:accounts[{index}]={PLACEHOLDER}" for index in (3, 4)]
    adopt_stack.cli("config", "set-all", "--path", *(a for slot in slots for a in ("--plaintext", slot)))
    adopt_stack.cli("config", "rm", "--path", "pixverse:accounts[1].discord")
    before = config_file(adopt_stack)

    planned = adopt(adopt_stack, "--dry-run")
    assert planned.returncode == 0, planned.stderr
    assert config_file(adopt_stack) == before
    mark = len(calls.commands())
    done = adopt(adopt_stack)
    assert done.returncode == 0, done.stderr

    finished = f"{LIVE[1]['channel']}: its Discord token, from the service (an interrupted adopt left it out)"
    added = f"{LATE['channel']}: channel {LATE['channel']}, maxJobs 4"
    slot = "1 slot(s) an interrupted adopt left"
    assert planned.stdout.splitlines()[:3] == [
        f"would finish {finished}",
        f"would add {added}",
        f"would remove {slot}",
    ]
    assert done.stdout.splitlines()[:3] == [f"finished {finished}", f"added {added}", f"removed {slot}"]
    expected = ["config --json", "config set-all", "config set-all", "config rm", "config set", "config set"]
    assert calls.commands()[mark:] == expected
    declared = yaml.safe_load(config_file(adopt_stack))["config"]["pixverse:accounts"]
    assert [{k: v for k, v in e.items() if k != "discord"} for e in declared] == [
        {"name": a["channel"], "server": SERVER, "channel": a["channel"], "maxJobs": a["maxJobs"]}
        for a in [*LIVE, LATE]
    ]
    assert all(set(e["discord"]) == {"secure"} for e in declared)
    # the token written back is the service's: the new account is the one change
    assert change_summary(adopt_stack.preview()) == {"create": 1, "same": 4}
