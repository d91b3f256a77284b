"""Moving a stack of the dynamic providers (3 v1 and 2 v2 accounts) to the plugin's types with
`python -m pulumi_pixverse migrate`: nothing but reads reach the service at any step, a run killed
after its import is finished by the next, whose one `pulumi state delete` removes every dynamic
resource, and the program it prints previews with no change, in a virtualenv
made by the pipelines' own install step (the program imports the Python SDK)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from harness import (
    ACCOUNT_TYPE,
    REPO_ROOT,
    SECRET_SIG,
    V1_TYPE,
    V2_TYPE,
    StackUnderTest,
    Step,
    new_discord_token,
    new_stack,
)
from stand_in import pulumi_calls
from test_wheel import tracked_sources

V1 = [
    {
        "name": f"studio-{n}",
        "discord": new_discord_token(),
        "server": "960000000000000001",
        "channel": f"96100000000000000{n}",
        "maxJobs": n,
    }
    for n in (1, 2, 3)
]
V2 = [{"email": f"creator-{n}@studio.example", "password": f"pw-migrate-{n}", "maxJobs": n} for n in (1, 2)]
V2_DYNAMIC = "pulumi-python:dynamic/pixverse:AccountV2"


@pytest.fixture(scope="module")
def stack(pulumi_cli, service, api_token, tmp_path_factory) -> StackUnderTest:
    under_test = new_stack("migrate", service, tmp_path_factory)
    under_test.set_api_token(api_token)
    under_test.set_accounts(V1)
    under_test.set_accounts(V2, "pixverse:accountsV2")
    under_test.up()
    return under_test


def migrate(stack: StackUnderTest, *flags: str) -> str:
    done = stack.run([sys.executable, "-m", "pulumi_pixverse", "migrate", "--stack", stack.name, *flags])
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == "", "a pipe (a pipeline's log) gets no progress line"
    return done.stdout


def pipeline_virtualenv(checkout: Path) -> Path:
    """The virtualenv the preview job makes: its install step, run as GitHub runs a `run:` step in a
    copy of the repository as a clone has it (the deploy and drift jobs run the same command:
    tests/unit/test_supply_chain.py)."""
    workflow = yaml.safe_load((REPO_ROOT / ".github" / "workflows" / "preview.yml").read_text())
    (install,) = [
        s["run"] for s in workflow["jobs"]["preview"]["steps"] if "-m venv .venv" in s.get("run", "")
    ]
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", install],
        cwd=tracked_sources(checkout),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, f"{install}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
    return checkout / ".venv"


def use_virtualenv(stack: StackUnderTest, venv: Path) -> None:
    """Run the stack's program, and the plugin, from `venv`: the project's .venv, active."""
    (stack.work_dir / ".venv").unlink()
    (stack.work_dir / ".venv").symlink_to(venv)
    stack.env |= {"VIRTUAL_ENV": str(venv), "PATH": f"{venv / 'bin'}{os.pathsep}{stack.env['PATH']}"}


def kinds(stack: StackUnderTest) -> dict[str, int]:
    return {t: len(stack.accounts_in_state(t)) for t in (ACCOUNT_TYPE, V2_DYNAMIC, V1_TYPE, V2_TYPE)}


def test_migrating_reads_only_resumes_and_leaves_a_program_that_previews_clean(stack, service, tmp_path):
    step = Step(service)
    printed = migrate(stack, "--dry-run")
    assert printed.count("would import") == 5 and kinds(stack)[ACCOUNT_TYPE] == 3
    assert kinds(stack) == {ACCOUNT_TYPE: 3, V2_DYNAMIC: 2, V1_TYPE: 0, V2_TYPE: 0}

    (tmp_path / "calls").mkdir()
    calls = pulumi_calls(stack, tmp_path / "calls")
    running = stack.spawn([sys.executable, "-m", "pulumi_pixverse", "migrate", "--stack", stack.name])
    # the five lines print once the import is done, as the state delete starts: killed there
    running.wait_until(lambda: running.output().count("(read only)") == 5, "printing the five imports")
    first = running.kill_tree()
    assert "imported studio-1 as pixverse:index:Account 961000000000000001 (read only)" in first
    assert calls.commands()[:2] == ["stack export", "import --file"]
    halfway = kinds(stack)
    assert halfway[V1_TYPE] == 3 and halfway[V2_TYPE] == 2
    left = halfway[ACCOUNT_TYPE] + halfway[V2_DYNAMIC]
    assert left in (0, 5), halfway  # one rewrite of the state removes them all, or none yet

    mark = len(calls.commands())
    printed = migrate(stack)
    print(f"migrate, killed after its import:\n{first}\nmigrate, run again:\n{printed}")
    assert kinds(stack) == {ACCOUNT_TYPE: 0, V2_DYNAMIC: 0, V1_TYPE: 3, V2_TYPE: 2}
    assert "pulumi:providers:pulumi-python" not in str(stack.export())
    assert "import --file" not in calls.commands()[mark:]
    remover = calls.commands()[mark:] if left else calls.commands()[:mark]
    assert remover.count("state delete") == 1  # the five accounts and their provider resource at once
    assert stack.accounts_in_state(V1_TYPE)["studio-1"]["outputs"]["discord"][SECRET_SIG]

    program = printed.split("`pip install ./sdk/python`; the stack's config stays as it is):\n", 1)[1]
    program = textwrap.dedent(
        "".join(line + "\n" for line in program.splitlines() if line.startswith("    "))
    )
    (stack.work_dir / "stacks" / "__main__.py").write_text(program)
    use_virtualenv(stack, pipeline_virtualenv(tmp_path / "checkout"))
    stack.preview("--expect-no-changes")
    stack.up("--expect-no-changes")
    assert stack.outputs() == {"channels": [a["channel"] for a in V1], "emails": [a["email"] for a in V2]}
    assert {r["method"] for r in step.requests()} == {"GET"}
    stack.assert_no_token_leaked()

    main = stack.work_dir / "stacks" / "__main__.py"
    main.write_text(
        main.read_text().replace("'961000000000000001', max_jobs=1)", "'961000000000000001', max_jobs=5)")
    )
    step = Step(service)
    stack.up()  # the plugin now manages the accounts: a change in the program is one POST
    assert [r for r in step.routes() if not r.startswith("GET")] == ["POST /v1/pixverse/account/{channel}"]
    assert service.accounts()["961000000000000001"]["maxJobs"] == 5
    stack.destroy()
