"""The pipelines' commands (.github/workflows), run against the emulator as the workflows run them.

Each `pulumi` command is read from its workflow step (so a change there is tested here) and run as a
plain CLI command through the harness, with the environment the step gives it: the pull request
preview without an API token, the deploy and the drift check with one (USEAPI_TOKEN, from their GitHub
Environments there, the emulator's token here). The glue scripts around them (the preview job's report,
the comment job's post-or-update of one comment per stack, the drift check's step summary) run as
GitHub runs a `run:` step, `bash --noprofile --norc -eo pipefail`, with `gh` replaced by a stub that
records what it would send. The steps share one stack and run in file order; after each one no token
may appear anywhere.
"""

from __future__ import annotations

import re
import secrets
import shlex
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from harness import PULUMI, REPO_ROOT, StackUnderTest, Step, change_summary, new_discord_token
from pulumi_pixverse.core.settings import PREVIEW_WITHOUT_TOKEN_MESSAGE

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
SERVER = "930000000000000001"
ALPHA = {
    "name": "alpha",
    "discord": new_discord_token(),
    "server": SERVER,
    "channel": "931000000000000001",
    "maxJobs": 2,
}
BETA = {
    "name": "beta",
    "discord": new_discord_token(),
    "server": SERVER,
    "channel": "931000000000000002",
    "maxJobs": 5,
}
ALPHA_7 = {**ALPHA, "maxJobs": 7}
GH_TOKEN = f"ghs_fake{secrets.token_hex(12)}"
PR_NUMBER = "42"
# What a `${{ ... }}` expression of the workflows stands for here; secrets and vars are filled per stack.
GITHUB_CONTEXT = {
    "github.token": GH_TOKEN,
    "github.event.pull_request.number": PR_NUMBER,
    "github.server_url": "https://github.example",
    "github.repository": "example/pulumi-pixverse",
    "github.run_id": "7",
}
REDIRECTIONS = {"2>&1", "|", ">", ">>", "&&", "||", ";"}


def wire(account: dict[str, Any]) -> dict[str, Any]:
    """The record the service should hold for a config entry."""
    return {k: account[k] for k in ("discord", "server", "channel", "maxJobs")}


def workflow(name: str) -> dict[str, Any]:
    return dict(yaml.safe_load((WORKFLOWS / name).read_text()))


def step_of(name: str, job: str, step_name: str) -> dict[str, Any]:
    steps = workflow(name)["jobs"][job]["steps"]
    found = [step for step in steps if step.get("name") == step_name]
    assert len(found) == 1, f"{name}: job {job} has no single step named {step_name!r}"
    return dict(found[0])


def pulumi_command(step: dict[str, Any]) -> list[str]:
    """The step's `pulumi` command as arguments, without `--stack "$STACK"` and `--non-interactive`,
    which the harness adds (and which the step must give)."""
    script = step["run"].replace("\\\n", " ")
    lines = [line for line in script.splitlines() if line.strip().startswith("pulumi ")]
    assert len(lines) == 1, f"one `pulumi` command per step, got {lines}"
    words = shlex.split(lines[0])
    words = words[: next((i for i, w in enumerate(words) if w in REDIRECTIONS), len(words))]
    assert words[0] == "pulumi" and "--non-interactive" in words, words
    assert words[words.index("--stack") + 1] == "$STACK", "the step must run the matrix's stack"
    at = words.index("--stack")
    return [w for w in words[1:at] + words[at + 2 :] if w != "--non-interactive"]


class Pipeline:
    """The three pipelines' steps on one stack, with the environment their steps give them."""

    def __init__(self, stack: StackUnderTest, api_token: str, temp: Path) -> None:
        self.stack = stack
        self.api_token = api_token
        self.temp = temp
        self.preview_step = step_of("preview.yml", "preview", "pulumi preview --diff")
        self.comment_step = step_of("preview.yml", "comment", "Post or update one comment per stack")
        self.deploy_step = step_of("deploy.yml", "deploy", "pulumi up --yes")
        self.drift_step = step_of("drift.yml", "drift", "pulumi preview --refresh --expect-no-changes")
        stack.tokens.extend([api_token, GH_TOKEN])

    def expression(self, expr: str) -> str:
        """The value of one `${{ expr }}` of a step's env, as GitHub would give it to this stack."""
        kind, _, name = expr.partition(".")
        if kind == "secrets":
            secret_values = {
                "USEAPI_TOKEN": self.api_token,
                "PULUMI_ACCESS_TOKEN": "",  # a file:// backend needs none
                "PULUMI_CONFIG_PASSPHRASE": self.stack.env["PULUMI_CONFIG_PASSPHRASE"],
            }
            return secret_values[name]
        if kind == "vars":
            return {"PULUMI_BACKEND_URL": self.stack.env["PULUMI_BACKEND_URL"]}[name]
        if expr == "matrix.stack":
            return self.stack.name
        if expr == "runner.temp":
            return str(self.temp)
        return GITHUB_CONTEXT[expr]

    def step_env(self, step: dict[str, Any]) -> dict[str, str]:
        """The step's `env:` with every expression filled in (an unknown one fails the test)."""
        return {
            key: re.sub(r"\$\{\{\s*(.+?)\s*\}\}", lambda m: self.expression(m.group(1)), str(value))
            for key, value in (step.get("env") or {}).items()
        }

    def command(self, step: dict[str, Any]) -> subprocess.CompletedProcess[str]:
        """Run the step's `pulumi` command on the stack through the harness, the API token set only
        when the step sets it; return the finished process (output in the stack's transcript)."""
        env = self.step_env(step)
        self.stack.env["USEAPI_TOKEN"] = env.get("USEAPI_TOKEN", "")
        try:
            argv = [PULUMI, *pulumi_command(step), "--stack", self.stack.name, "--non-interactive"]
            return self.stack.run(argv)
        finally:
            self.stack.env["USEAPI_TOKEN"] = ""

    def script(self, step: dict[str, Any], extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
        """Run the step's `run:` script as GitHub does (bash --noprofile --norc -eo pipefail, in the
        checkout, with the step's env and the runner's variables), through the harness."""
        path = self.temp / "step.sh"
        path.write_text(step["run"])
        saved = dict(self.stack.env)
        self.stack.env.update(
            {
                "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",  # offline here (a runner is not)
                "RUNNER_TEMP": str(self.temp),
                "GITHUB_REPOSITORY": GITHUB_CONTEXT["github.repository"],
                "GITHUB_STEP_SUMMARY": str(self.temp / "summary.md"),
                **self.step_env(step),
                **extra,
            }
        )
        try:
            return self.stack.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(path)])
        finally:
            self.stack.env.clear()
            self.stack.env.update(saved)


@pytest.fixture(scope="module")
def pipeline(
    pulumi_cli: str, service: Any, api_token: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    """A stack of this project on its own file:// backend, aimed at the emulator, driven by the
    workflows' steps; destroyed at the end."""
    root = tmp_path_factory.mktemp("pipeline")
    temp = tmp_path_factory.mktemp("runner-temp")
    under_test = Pipeline(StackUnderTest("pipeline", root, service.url), api_token, temp)
    yield under_test
    under_test.stack.env["USEAPI_TOKEN"] = api_token
    under_test.stack.destroy()


@pytest.fixture(autouse=True)
def no_leak_after_each_step(pipeline: Pipeline) -> Iterator[None]:
    yield
    pipeline.stack.assert_no_token_leaked()


def assert_no_token_in(text: str, pipeline: Pipeline, where: str) -> None:
    for token in pipeline.stack.tokens:
        assert token not in text, f"a token appears in plain text in {where}"


def test_01_each_pipeline_runs_the_stacks_for_a_real_backend_and_not_the_emulators() -> None:
    declared = {
        p.name.removeprefix("Pulumi.").removesuffix(".yaml")
        for p in (REPO_ROOT / "stacks").glob("Pulumi.*.yaml")
    }
    for name, job in (("preview.yml", "preview"), ("deploy.yml", "deploy"), ("drift.yml", "drift")):
        stacks = workflow(name)["jobs"][job]["strategy"]["matrix"]["stack"]
        assert "example-prod" in stacks and "local" not in stacks, name
        assert set(stacks) <= declared, f"{name} names a stack with no stacks/Pulumi.<stack>.yaml"
    deploy = workflow("deploy.yml")["jobs"]["deploy"]["concurrency"]
    assert deploy == {"group": "deploy-${{ matrix.stack }}", "cancel-in-progress": False}


def test_02_the_first_deploy_creates_the_accounts_and_converges(pipeline, service):
    assert pulumi_command(pipeline.deploy_step) == ["up", "--yes", "--refresh", "--diff"]
    pipeline.stack.set_accounts([ALPHA, BETA])
    done = pipeline.command(pipeline.deploy_step)
    assert done.returncode == 0, done.stdout + done.stderr
    assert change_summary(done.stdout) == {"create": 3}
    assert service.accounts() == {ALPHA["channel"]: wire(ALPHA), BETA["channel"]: wire(BETA)}
    assert change_summary(pipeline.stack.preview("--expect-no-changes")) == {"same": 3}


def test_03_the_pull_request_preview_of_a_max_jobs_change_shows_both_values_and_sends_nothing(
    pipeline, service
):
    assert pulumi_command(pipeline.preview_step) == ["preview", "--diff"]
    assert "USEAPI_TOKEN" not in pipeline.step_env(pipeline.preview_step), "a preview needs no API token"
    pipeline.stack.set_accounts([ALPHA_7, BETA])
    sent = Step(service)
    done = pipeline.command(pipeline.preview_step)
    assert done.returncode == 0, done.stdout + done.stderr
    printed = done.stdout
    assert change_summary(printed) == {"update": 1, "same": 2}
    assert re.search(r"~ maxJobs\s*: 2 => 7", printed), printed
    assert "alpha" in printed and "discord" in printed and "[secret]" in printed
    assert sent.requests() == []
    assert pipeline.stack.accounts_in_state()["alpha"]["outputs"]["maxJobs"] == 2, "a preview writes nothing"
    assert service.accounts()[ALPHA["channel"]]["maxJobs"] == 2


def test_03b_a_pull_request_preview_of_a_program_that_reads_the_service_previews_without_a_token(
    pipeline, service
):
    """docs/pipelines.md, "Previews": the preview job holds no API token, and a program that calls a
    function still previews, its result unknown, with one warning."""
    program = pipeline.stack.work_dir / "stacks" / "__main__.py"
    declared = program.read_text()
    program.write_text(
        declared + "\nfrom pulumi_pixverse import get_capacity\n"
        'pulumi.export("jobsExecuting", get_capacity().apply(lambda now: now["jobsExecuting"]))\n'
    )
    sent = Step(service)
    try:
        done = pipeline.command(pipeline.preview_step)
    finally:
        program.write_text(declared)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"jobsExecuting\s*: \[unknown\]", done.stdout), done.stdout
    assert (done.stdout + done.stderr).count(PREVIEW_WITHOUT_TOKEN_MESSAGE) == 1
    assert sent.requests() == []


def test_04_the_preview_job_keeps_its_report_and_the_comment_job_posts_then_updates_one_comment(
    pipeline, service
):
    sent = Step(service)
    report = pipeline.temp / "report"
    done = pipeline.script(pipeline.preview_step, {})
    assert done.returncode == 0, done.stdout + done.stderr
    assert (report / "stack").read_text().strip() == pipeline.stack.name
    assert (report / "exit-code").read_text().strip() == "0"
    assert re.search(r"~ maxJobs\s*: 2 => 7", (report / "preview.txt").read_text())
    assert sent.requests() == []

    # The comment job: the artifact of matrix entry 0, downloaded by pattern, and a stub `gh`.
    reports = pipeline.temp / "reports"
    (reports / "preview-0").mkdir(parents=True)
    for part in ("stack", "exit-code", "preview.txt"):
        (reports / "preview-0" / part).write_bytes((report / part).read_bytes())
    stub = pipeline.temp / "gh-stub"
    (stub / "bin").mkdir(parents=True)
    (stub / "bin" / "gh").write_text(
        "#!/usr/bin/env bash\n"
        "set -euo pipefail\n"
        '[ -n "${GH_TOKEN:-}" ] || { echo "gh: no GH_TOKEN" >&2; exit 4; }\n'
        'printf "%s\\n" "$*" >> "$GH_STUB/calls"\n'
        'for arg in "$@"; do\n'
        '  case "$arg" in body=@*) cp "${arg#body=@}" "$GH_STUB/body-$(wc -l < "$GH_STUB/calls")";; esac\n'
        "done\n"
        'if [[ " $* " == *" --jq "* ]]; then cat "$GH_STUB/existing" 2>/dev/null || true; fi\n'
    )
    (stub / "bin" / "gh").chmod(0o755)
    extra = {"GH_STUB": str(stub), "PATH": f"{stub / 'bin'}:{pipeline.stack.env['PATH']}"}

    posted = pipeline.script(pipeline.comment_step, extra)
    assert posted.returncode == 0, posted.stdout + posted.stderr
    (stub / "existing").write_text("1234\n")
    updated = pipeline.script(pipeline.comment_step, extra)
    assert updated.returncode == 0, updated.stdout + updated.stderr

    calls = (stub / "calls").read_text().splitlines()
    comments = f"repos/{GITHUB_CONTEXT['github.repository']}/issues/{PR_NUMBER}/comments"
    marker = f"<!-- pixverse-preview:{pipeline.stack.name} -->"
    assert len(calls) == 4, calls
    assert calls[0].startswith(f"api --paginate {comments} --jq ") and marker in calls[0]
    assert calls[1].startswith(f"api --method POST {comments} -F body=@")
    assert calls[3].startswith(
        f"api --method PATCH repos/{GITHUB_CONTEXT['github.repository']}/issues/comments/1234 -F body=@"
    )
    for body_file in (stub / "body-2", stub / "body-4"):
        body = body_file.read_text()
        assert body.startswith(marker + "\n")
        assert f"`pulumi preview --diff --stack {pipeline.stack.name}` succeeded" in body
        assert re.search(r"~ maxJobs\s*: 2 =&gt; 7", body), body
        assert "[secret]" in body and "\x1b[" not in body
        assert_no_token_in(body, pipeline, "the pull request comment")
    assert sent.requests() == []


def test_05_the_deploy_applies_the_change_and_converges(pipeline, service):
    sent = Step(service)
    done = pipeline.command(pipeline.deploy_step)
    assert done.returncode == 0, done.stdout + done.stderr
    assert change_summary(done.stdout) == {"update": 1, "same": 2}
    posts = [r for r in sent.requests() if r["method"] == "POST"]
    assert [r["path"].rsplit("/", 1)[-1] for r in posts] == [ALPHA["channel"]]
    assert service.accounts()[ALPHA["channel"]] == wire(ALPHA_7)
    assert change_summary(pipeline.stack.preview("--expect-no-changes")) == {"same": 3}
    clean = pipeline.command(pipeline.drift_step)
    assert clean.returncode == 0, clean.stdout + clean.stderr


def test_06_the_drift_check_fails_on_a_change_behind_pulumis_back_naming_account_and_field(pipeline, service):
    assert pulumi_command(pipeline.drift_step) == ["preview", "--refresh", "--expect-no-changes", "--diff"]
    service.seed(wire({**ALPHA, "maxJobs": 9}))
    sent = Step(service)
    done = pipeline.command(pipeline.drift_step)
    printed = done.stdout + done.stderr
    assert done.returncode == 7, printed  # the CLI's exit code for "changes were proposed"
    assert "no changes were expected" in printed
    assert "alpha" in printed and re.search(r"~ maxJobs\s*: 9 => 7", printed), printed
    assert {r["method"] for r in sent.requests()} == {"GET"}, "a drift check only reads"
    assert pipeline.stack.accounts_in_state()["alpha"]["outputs"]["maxJobs"] == 7, "nor writes the state"
    assert service.accounts()[ALPHA["channel"]]["maxJobs"] == 9

    # The step itself: its exit code fails the job, its summary names the account and the field.
    step = pipeline.script(pipeline.drift_step, {})
    assert step.returncode == 7
    assert f"::error title=drift check of {pipeline.stack.name}::" in step.stdout
    summary = (pipeline.temp / "summary.md").read_text()
    assert f"`{pipeline.stack.name}`: the service differs from the code" in summary
    assert "alpha" in summary and re.search(r"~ maxJobs\s*: 9 => 7", summary), summary
    assert_no_token_in(summary, pipeline, "the step summary")
    assert {r["method"] for r in sent.requests()} == {"GET"}


def test_07_the_next_deploy_restores_the_declared_values_and_the_drift_check_passes(pipeline, service):
    done = pipeline.command(pipeline.deploy_step)
    assert done.returncode == 0, done.stdout + done.stderr
    assert service.accounts()[ALPHA["channel"]] == wire(ALPHA_7)
    (pipeline.temp / "summary.md").unlink()
    step = pipeline.script(pipeline.drift_step, {})
    assert step.returncode == 0, step.stdout + step.stderr
    assert (pipeline.temp / "summary.md").read_text().strip() == f"### `{pipeline.stack.name}`: no drift"


def test_08_a_drift_check_that_cannot_read_the_service_fails_as_an_error_not_as_drift(pipeline, service):
    sent = Step(service)
    (pipeline.temp / "summary.md").unlink()
    step = pipeline.script(pipeline.drift_step, {"USEAPI_TOKEN": ""})  # the secret is missing
    assert step.returncode not in (0, 7), step.stdout + step.stderr
    summary = (pipeline.temp / "summary.md").read_text()
    assert f"`{pipeline.stack.name}`: the check failed (exit code {step.returncode})" in summary
    assert "no PixVerse API token" in summary
    assert_no_token_in(summary, pipeline, "the step summary")
    assert sent.requests() == []
