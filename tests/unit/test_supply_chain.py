"""The review's findings about what surrounds the provider: the workflows' secrets, the commands the
project prints or runs, and what its set-up downloads and installs. Each reads the files a user or a
runner executes, as they are."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO_ROOT / ".github" / "workflows"
SERVICE_SECRET = "secrets.USEAPI_TOKEN"

# `pulumi config set --secret [--path] [--stack STACK] [--] KEY VALUE`: a VALUE on the command line
# (`ps` and the shell's history keep it; `<token>` is a placeholder for one); `< file`, a pipe into it,
# or nothing (the CLI prompts) keep it off. A KEY never starts with `-` (that is an option).
_SECRET_ON_COMMAND_LINE = re.compile(
    r"config set --secret(?: --path| --stack (?:'[^']*'|[^\s`']+)| --)* "
    r"(?:'[^']*'|\"[^\"]*\"|[\w:.\[\]][\w:.\[\]-]*) +"
    r"(?P<value>(?:<\S|[^<#\s`|&;)'\"])[^\s`]*)"
)


def _texts() -> dict[Path, str]:
    """Every file whose text reaches a user or a runner: code, scripts, docs, workflows, examples."""
    roots = ["provider/pulumi_pixverse", "stacks", "tools", "docs", ".github", "examples"]
    paths = [REPO_ROOT / "README.md"]
    for root in roots:
        paths += [
            path
            for path in (REPO_ROOT / root).rglob("*")
            if path.is_file()
            and "node_modules" not in path.parts
            and path.suffix in {"", ".py", ".sh", ".md", ".yml", ".yaml", ".ts", ".go"}
        ]
    return {path: path.read_text(errors="replace") for path in paths}


def _jobs() -> dict[str, dict[str, Any]]:
    jobs = {}
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for name, job in (yaml.safe_load(path.read_text())["jobs"] or {}).items():
            jobs[f"{path.name}:{name}"] = job
    return jobs


def test_every_job_given_the_api_token_runs_in_a_protected_environment() -> None:
    given = {name: job for name, job in _jobs().items() if SERVICE_SECRET in yaml.safe_dump(job)}
    assert {name.split(":")[0] for name in given} >= {"deploy.yml", "drift.yml"}
    for name, job in given.items():
        environment = job.get("environment")
        environment = environment.get("name") if isinstance(environment, dict) else environment
        assert isinstance(environment, str) and environment.startswith(("deploy-", "drift-")), (
            f"{name} reads the API token without a GitHub Environment"
        )


def test_every_secret_reaches_a_job_only_through_an_environment() -> None:
    """No repository-wide secret: a workflow a branch adds could read one. The pull request's preview,
    which runs the branch's code with the stack's passphrase, runs in `preview-<stack>` (a reviewer
    approves each run: docs/pipelines.md, "Previews")."""
    for name, job in _jobs().items():
        secrets_read = set(re.findall(r"secrets\.(\w+)", yaml.safe_dump(job))) - {"GITHUB_TOKEN"}
        environment = job.get("environment")
        environment = environment.get("name") if isinstance(environment, dict) else environment
        assert not secrets_read or isinstance(environment, str), (
            f"{name} reads {secrets_read} outside an environment"
        )
    preview = _jobs()["preview.yml:preview"]
    assert preview["environment"] == "preview-${{ matrix.stack }}"
    assert "secrets.PULUMI_CONFIG_PASSPHRASE" in yaml.safe_dump(preview)


@pytest.mark.parametrize("path", ["README.md", "stacks/Pulumi.example-prod.yaml", "docs/pipelines.md"])
def test_the_set_up_a_user_copies_keeps_the_api_token_out_of_stack_config(path: str) -> None:
    """Stack config is decrypted at every preview, and would shadow USEAPI_TOKEN: the quickstart, the
    example stack and the pipelines' set-up put the token in USEAPI_TOKEN, and only there."""
    text = (REPO_ROOT / path).read_text()
    assert "config set --secret pixverse:apiToken" not in text
    assert "pixverse:apiToken:" not in text  # a stack file's key
    assert "USEAPI_TOKEN" in text


def test_every_job_that_runs_the_program_installs_the_package_and_the_python_sdk() -> None:
    """A stack moved to the plugin (`python -m pulumi_pixverse migrate`) runs a program that imports
    pulumi_pixverse_sdk: the preview, deploy and drift jobs each make .venv with one command that
    installs the package and sdk/python, the one docs/pipelines.md gives (tests/e2e/test_migrate.py
    previews a migrated program in a virtualenv that command made)."""
    jobs = _jobs()
    commands = {
        name: [s["run"].strip() for s in jobs[name]["steps"] if "-m venv .venv" in s.get("run", "")]
        for name in ("preview.yml:preview", "deploy.yml:deploy", "drift.yml:drift")
    }
    assert all(len(found) == 1 for found in commands.values()), commands
    (command,) = {found[0] for found in commands.values()}
    assert command.split(" && ")[-1].split() == [".venv/bin/pip", "install", "-e", ".", "-e", "sdk/python"]
    page = (REPO_ROOT / "docs" / "pipelines.md").read_text()
    assert f"```sh\n{command}\n# the Pulumi CLI" in page


def test_the_preview_job_never_gets_the_api_token() -> None:
    preview = yaml.safe_dump(yaml.safe_load((WORKFLOWS / "preview.yml").read_text()))
    assert SERVICE_SECRET not in preview


@pytest.mark.parametrize(
    ("line", "leaks"),
    [
        ("pulumi config set --secret pixverse:apiToken <token>", True),
        ("pulumi config set --secret pixverse:apiToken < token-file", False),
        ("pulumi config set --secret pixverse:apiToken abc123", True),
        ("pulumi config set --secret --path 'pixverse:accounts[0].discord' MTIz.x", True),
        ("pulumi config set --secret --path 'pixverse:accounts[0].discord' < discord.txt", False),
        ("pulumi config set --secret --stack prod -- studio-1-discord", False),
        ("pulumi config set --secret --stack prod -- studio-1-discord s3cr3t-value", True),
        ('printf %s "$T" | pulumi config set --secret pixverse:apiToken', False),
        ("pulumi config set --secret pixverse:apiToken    # then paste it", False),
    ],
)
def test_the_command_line_rule_tells_a_value_from_stdin(line: str, leaks: bool) -> None:
    assert bool(_SECRET_ON_COMMAND_LINE.search(line)) is leaks


def test_no_message_script_or_page_puts_a_credential_on_a_command_line() -> None:
    found = [
        f"{path.relative_to(REPO_ROOT)}: {match.group(0)}"
        for path, text in _texts().items()
        for match in _SECRET_ON_COMMAND_LINE.finditer(text)
    ]
    found += [
        f"{path.relative_to(REPO_ROOT)}: the emulator's --token"
        for path, text in _texts().items()
        if re.search(r"pulumi_pixverse\.emulator[^\n]*--token", text)
    ]
    assert found == []


def test_the_cli_bootstrap_checks_its_download_and_runs_none_of_it() -> None:
    script = (REPO_ROOT / "tools" / "ensure-pulumi.sh").read_text()
    assert not re.search(r"\|\s*(sudo\s+)?(ba|z)?sh\b", script), "a download piped into a shell"
    assert "sha256sum --check" in script


def test_npm_installs_only_from_lock_files() -> None:
    """What the project's scripts and workflows run: `npm ci` installs exactly the lock file; `npm
    install` may only write one (gen-sdk's --package-lock-only), never install packages."""
    for path, text in _texts().items():
        if path.relative_to(REPO_ROOT).parts[0] not in ("tools", ".github"):
            continue
        for command in re.findall(r"npm (?:install|i)\b[^\n]*", text):
            assert "--package-lock-only" in command, f"{path.relative_to(REPO_ROOT)}: {command}"
    for folder in ("sdk/nodejs", "examples/typescript"):
        assert (REPO_ROOT / folder / "package-lock.json").is_file(), folder


# Counts each run of tools/pulumi (BASH_ENV is read by every bash script at start) and stops the
# fourth, so a wrapper that runs itself ends rather than filling the process table (root, as the
# tests may run, is not held by a process limit).
_COUNT_WRAPPER_RUNS = """\
case "$0" in
  */tools/pulumi)
    echo "$$" >>"$WRAPPER_RUNS"
    [ "$(wc -l <"$WRAPPER_RUNS")" -le 3 ] || { echo "tools/pulumi runs itself" >&2; exit 99; }
    ;;
esac
"""


def _run_pulumi_version(first_on_path: Path, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], int]:
    """`pulumi version` with `first_on_path` first on PATH and nothing else of this repository's; the
    answer, and how many times tools/pulumi ran."""
    hook, runs = tmp_path / "count-wrapper-runs.sh", tmp_path / "wrapper-runs"
    hook.write_text(_COUNT_WRAPPER_RUNS)
    runs.touch()
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PIXVERSE_PULUMI_BOOTSTRAP")}
    env |= {"PATH": f"{first_on_path}:/usr/local/bin:/usr/bin:/bin", "BASH_ENV": str(hook)}
    env["WRAPPER_RUNS"] = str(runs)
    process = subprocess.Popen(
        ["pulumi", "version"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    done = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    return done, len(runs.read_text().split())


def test_the_wrapper_first_on_path_runs_the_cli_not_itself(tmp_path: Path) -> None:
    """tools/ first on PATH, to type `pulumi`: the bootstrap skips the wrapper and finds the real CLI."""
    done, runs = _run_pulumi_version(REPO_ROOT / "tools", tmp_path)
    assert done.returncode == 0 and re.fullmatch(r"v3\.\d+\.\d+\n", done.stdout), done.stderr
    assert runs == 1, done.stderr


def test_a_pulumi_on_path_that_runs_the_wrapper_is_not_taken_for_the_cli(tmp_path: Path) -> None:
    """A script of the user's that runs tools/pulumi, first on PATH: asked its version by the bootstrap,
    the wrapper it runs fails at once in one line, and the bootstrap uses its own CLI instead."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "pulumi").write_text(f'#!/bin/sh\nexec "{REPO_ROOT}/tools/pulumi" "$@"\n')
    (bin_dir / "pulumi").chmod(0o755)
    done, runs = _run_pulumi_version(bin_dir, tmp_path)
    assert done.returncode == 0 and re.fullmatch(r"v3\.\d+\.\d+\n", done.stdout), done.stderr
    assert runs == 2, done.stderr  # the user's call, and the bootstrap's question, answered at once


def _release_jobs() -> dict[str, dict[str, Any]]:
    jobs: dict[str, dict[str, Any]] = yaml.safe_load((WORKFLOWS / "release.yml").read_text())["jobs"]
    return jobs


def _runs_after(jobs: dict[str, dict[str, Any]], name: str) -> set[str]:
    """The jobs `name` waits for, directly or through others."""
    needs = jobs[name].get("needs", [])
    direct = {needs} if isinstance(needs, str) else set(needs)
    return direct.union(*(_runs_after(jobs, n) for n in direct))


def test_the_release_builds_nothing_for_a_tag_whose_commit_is_not_on_main() -> None:
    jobs = _release_jobs()
    gates = [
        name
        for name, job in jobs.items()
        if any(
            'git merge-base --is-ancestor "$GITHUB_SHA" origin/main' in s.get("run", "") for s in job["steps"]
        )
    ]
    assert len(gates) == 1, gates
    (gate,) = gates
    assert jobs[gate]["steps"][0]["with"]["fetch-depth"] == 0  # origin/main's history is there
    assert all(gate in _runs_after(jobs, name) for name in jobs if name != gate)


def test_the_publish_job_installs_only_what_is_pinned_by_hash() -> None:
    publish = _release_jobs()["publish"]
    for step in publish["steps"]:
        assert "uses" not in step or re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step
        for command in re.findall(r"pip install[^\n]*", step.get("run", "")):
            assert "--require-hashes -r tools/publish-requirements.txt" in command, command
    requirements = (REPO_ROOT / "tools" / "publish-requirements.txt").read_text()
    requirements = re.sub(r"(?m)^#.*\n", "", requirements)
    pinned = re.findall(r"(?m)^([\w.-]+)==[\w.]+((?: \\\n    --hash=sha256:[0-9a-f]{64})+)$", requirements)
    assert len(pinned) == len(re.findall(r"(?m)^\S", requirements)) and "twine" in dict(pinned)


def test_every_artifact_of_a_release_gets_a_build_provenance_attestation_before_it_is_published() -> None:
    jobs = _release_jobs()
    attesting = {
        name
        for name, job in jobs.items()
        if any(s.get("uses", "").startswith("actions/attest-build-provenance@") for s in job["steps"])
    }
    assert len(attesting) == 1, attesting
    (job,) = attesting
    assert jobs[job]["permissions"] == {"id-token": "write", "attestations": "write"}
    assert not [
        n for n, j in jobs.items() if n != job and j.get("permissions", {}).get("attestations") == "write"
    ]
    download, *_, attest = [s for s in jobs[job]["steps"] if "uses" in s]
    assert download["with"] == {"name": "release", "path": "dist"} and attest["with"] == {
        "subject-path": "dist/*"
    }
    assert job in _runs_after(jobs, "publish") and "packages" in _runs_after(jobs, job)
    releasing = (REPO_ROOT / "docs" / "contributing" / "releasing.md").read_text()
    assert "sha256sum -c SHA256SUMS" in releasing
    assert re.search(
        r"gh attestation verify \S+ --repo pulumi-pixverse/pulumi-pixverse \\\n +--signer-workflow "
        r"pulumi-pixverse/pulumi-pixverse/\.github/workflows/release\.yml",
        releasing,
    )


def test_the_publish_job_verifies_every_artifacts_provenance_before_it_publishes_anything() -> None:
    steps = _release_jobs()["publish"]["steps"]
    runs = [step.get("run", "") for step in steps]
    verify = next(i for i, run in enumerate(runs) if "gh attestation verify" in run)
    assert "for artifact in dist/*; do" in runs[verify] and "--signer-workflow" in runs[verify]
    assert '--source-ref "$GITHUB_REF"' in runs[verify] and "--deny-self-hosted-runners" in runs[verify]
    publishing = [
        i for i, run in enumerate(runs) if re.search(r"gh release create|twine upload|npm publish", run)
    ]
    assert len(publishing) == 3 and verify < min(publishing)
