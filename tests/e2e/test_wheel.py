"""From a project of your own: the built wheel, installed alone in the project's own virtualenv, as
docs/dynamic-provider.md's "Use it in your own project" shows, driven by plain `pulumi` commands
(tools/pulumi with the project's virtualenv active).

The project is not this repository: its own Pulumi.yaml (runtime python, `virtualenv: venv`), its own
program declaring accounts one by one and through `declare_pool`, exporting every attribute the two
resource classes declare. The steps share one stack and run in file order, twice: with the oldest
`pulumi` SDK the package allows (its lower bound in pyproject.toml) and with the newest pip finds.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomllib
from emulator_admin import EmulatorAdmin
from harness import REPO_ROOT, SECRET_SIG, StackUnderTest, Step, change_summary, new_discord_token

(PULUMI_REQUIREMENT,) = [
    r for r in tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    if r.startswith("pulumi")
]  # fmt: skip
OLDEST_PULUMI = re.fullmatch(r"pulumi>=([\d.]+),<4", PULUMI_REQUIREMENT).group(1)  # type: ignore[union-attr]
SDK_ENDS = {"oldest": f"pulumi=={OLDEST_PULUMI}", "newest": PULUMI_REQUIREMENT}
"""The `pulumi` SDK installed beside the wheel, at each end of the range the package allows."""
SERVER = "940000000000000100"
SOLO_CHANNEL, POOL_CHANNEL = "940000000000000001", "940000000000000002"
LOGIN_EMAIL, POOL_EMAIL = "login@studio.example", "pool@studio.example"
V1_ATTRIBUTES = ("discord", "server", "channel", "max_jobs")
V2_ATTRIBUTES = ("email", "password", "max_jobs", "token", "account_id", "username")
CREDENTIALS = {"discord", "password", "token"}

PULUMI_YAML = """\
name: studio-infra
runtime:
  name: python
  options:
    toolchain: pip
    virtualenv: venv
"""

PROGRAM = '''\
"""A platform team's program: PixVerse accounts beside the rest of its cloud."""

from typing import Any

import pulumi
import pulumi_pixverse
from pulumi_pixverse import AccountSpec, AccountV2Spec, PixverseAccount, PixverseAccountV2, declare_pool

config = pulumi.Config()
SERVER = "940000000000000100"

solo = PixverseAccount(
    "solo",
    discord=config.require_secret("soloDiscord"),
    server=SERVER,
    channel="940000000000000001",
    max_jobs=config.require_int("soloMaxJobs"),
)
login = PixverseAccountV2(
    "login", email="login@studio.example", password=config.require_secret("loginPassword"), max_jobs=2
)
pool_v1, pool_v2 = declare_pool([
    AccountSpec("pool-v1", discord=config.require_secret("poolDiscord"), server=SERVER,
                channel="940000000000000002", max_jobs=4),
    AccountV2Spec("pool-v2", email="pool@studio.example", password=config.require_secret("poolPassword"),
                  max_jobs=3, token=config.require_secret("poolToken")),
])


def v1_attributes(account: PixverseAccount) -> dict[str, pulumi.Output[Any]]:
    max_jobs: pulumi.Output[int] = account.max_jobs
    return {"discord": account.discord, "server": account.server, "channel": account.channel,
            "max_jobs": max_jobs}


def v2_attributes(account: PixverseAccountV2) -> dict[str, pulumi.Output[Any]]:
    max_jobs: pulumi.Output[int] = account.max_jobs
    account_id: pulumi.Output[int] = account.account_id
    token: pulumi.Output[str | None] = account.token
    return {"email": account.email, "password": account.password, "max_jobs": max_jobs, "token": token,
            "account_id": account_id, "username": account.username}


for name, v1 in {"solo": solo, "pool-v1": pool_v1}.items():
    for attribute, value in v1_attributes(v1).items():
        pulumi.export(f"{name}.{attribute}", value)
for name, v2 in {"login": login, "pool-v2": pool_v2}.items():
    for attribute, value in v2_attributes(v2).items():
        pulumi.export(f"{name}.{attribute}", value)
pulumi.export("package", pulumi_pixverse.__file__)
'''


class WheelProject(StackUnderTest):
    """A stack of a user's own project: PULUMI_YAML, PROGRAM, and a virtualenv `venv` holding the
    wheel (and what it requires) only, active for every command."""

    credentials: dict[str, str]

    def __init__(self, name: str, root: Path, api_url: str, wheel: Path, sdk: str) -> None:
        self.wheel, self.sdk = wheel, sdk
        super().__init__(name, root, api_url)
        venv = self.work_dir / "venv"
        self.env |= {"VIRTUAL_ENV": str(venv), "PATH": f"{venv / 'bin'}{os.pathsep}{self.env['PATH']}"}

    def make_project(self) -> None:
        (self.work_dir / "Pulumi.yaml").write_text(PULUMI_YAML)
        (self.work_dir / "__main__.py").write_text(PROGRAM)
        venv = self.work_dir / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, str(self.wheel), self.sdk], check=True, timeout=900)

    def secret_outputs(self) -> dict[str, Any]:
        """`pulumi stack output --json --show-secrets`, kept out of the transcript (the leak scan's
        haystack): a user asking for the values."""
        argv = [str(REPO_ROOT / "tools" / "pulumi"), "stack", "output", "--json", "--show-secrets"]
        done = subprocess.run(
            [*argv, "--stack", self.name], cwd=self.work_dir, env=self.env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return dict(json.loads(done.stdout))


def tracked_sources(destination: Path) -> Path:
    """A copy of the repository as a fresh clone has it: the files git tracks (as they are now in
    the work tree), nothing it ignores."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO_ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = REPO_ROOT / name
        if source.is_file() and not source.is_symlink():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel `pip wheel` builds from a fresh copy of the sources."""
    sources = tracked_sources(tmp_path_factory.mktemp("sources"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "-w",
            str(out),
            str(sources),
        ],
        check=True,
        timeout=600,
    )
    (built,) = out.glob("pulumi_pixverse-*.whl")
    return built


@pytest.fixture(scope="module", params=list(SDK_ENDS))
def project(
    request: pytest.FixtureRequest,
    pulumi_cli: str,
    wheel: Path,
    service: EmulatorAdmin,
    api_token: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> WheelProject:
    root = tmp_path_factory.mktemp(f"own-project-{request.param}")
    stack = WheelProject("dev", root, service.url, wheel, SDK_ENDS[request.param])
    stack.set_api_token(api_token)
    stack.credentials = {
        "soloDiscord": new_discord_token(),
        "poolDiscord": new_discord_token(),
        "loginPassword": f"login-pw-{os.urandom(6).hex()}",
        "poolPassword": f"pool-pw-{os.urandom(6).hex()}",
        "poolToken": f"pool-token-{os.urandom(6).hex()}",
    }
    for key, value in stack.credentials.items():
        stack.tokens.append(value)
        stack.cli("config", "set", "--secret", key, stdin=value)
    stack.cli("config", "set", "--type", "int", "soloMaxJobs", "3")
    return stack


@pytest.fixture(autouse=True)
def no_leak_after_each_step(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "project" in request.fixturenames:
        request.getfixturevalue("project").assert_no_token_leaked()


def expected(stack: WheelProject, solo_max_jobs: int) -> dict[str, Any]:
    """Every exported attribute's value but the service's account ids, credentials included."""
    given = stack.credentials
    values: dict[str, Any] = {}
    for name, discord, channel, max_jobs in (
        ("solo", given["soloDiscord"], SOLO_CHANNEL, solo_max_jobs),
        ("pool-v1", given["poolDiscord"], POOL_CHANNEL, 4),
    ):
        values |= {
            f"{name}.discord": discord,
            f"{name}.server": SERVER,
            f"{name}.channel": channel,
            f"{name}.max_jobs": max_jobs,
        }
    for name, email, password, max_jobs, token in (
        ("login", LOGIN_EMAIL, given["loginPassword"], 2, None),
        ("pool-v2", POOL_EMAIL, given["poolPassword"], 3, given["poolToken"]),
    ):
        values |= {
            f"{name}.email": email,
            f"{name}.password": password,
            f"{name}.max_jobs": max_jobs,
            f"{name}.username": email.partition("@")[0],
        }
        if token is not None:
            values[f"{name}.token"] = token
    return values


def resource_state(stack: WheelProject, name: str) -> dict[str, Any]:
    """The resource `name` in `pulumi stack export`."""
    (found,) = [r for r in stack.export()["resources"] if r["urn"].endswith(f"::{name}")]
    return dict(found)


def test_01_the_wheel_holds_the_package_and_metadata_that_is_true(wheel):
    with zipfile.ZipFile(wheel) as built:
        names = built.namelist()
        (metadata_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = built.read(metadata_name).decode()
    assert {n.split("/", 1)[0] for n in names} == {"pulumi_pixverse", metadata_name.split("/", 1)[0]}
    assert "pulumi_pixverse/py.typed" in names and "pulumi_pixverse/dynamic/resource.py" in names
    headers = metadata.split("\n\n", 1)[0].splitlines()
    summary = next(line for line in headers if line.startswith("Summary: "))
    assert "v1" in summary and "v2" in summary
    assert any(line.startswith("Keywords: ") and "pulumi" in line for line in headers)
    assert "Classifier: Typing :: Typed" in headers
    # The user's project gets the runtime requirements only; no tool of this repository's.
    requires = [line.split(": ", 1)[1] for line in headers if line.startswith("Requires-Dist: ")]
    assert sorted(re.split(r"[<>=!~ ;]", r, maxsplit=1)[0] for r in requires) == [
        "pulumi",
        "pydantic",
        "requests",
    ]
    assert not [line for line in headers if line.startswith("Provides-Extra")]


def test_02_the_program_type_checks_against_the_installed_wheel(project):
    python = str(project.work_dir / "venv" / "bin" / "python")
    cache = str(project.work_dir.parent / "mypy-cache")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--python-executable",
            python,
            "--cache-dir",
            cache,
            "__main__.py",
        ],
        cwd=project.work_dir,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    installed = subprocess.run(
        [python, "-m", "pip", "list", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    versions = {package["name"].lower(): package["version"] for package in json.loads(installed)}
    assert "pulumi-pixverse" in versions and not versions.keys() & {"pytest", "ruff", "mypy", "zizmor"}
    if project.sdk == SDK_ENDS["oldest"]:
        assert versions["pulumi"] == OLDEST_PULUMI
    else:  # the newest, as this repository's virtualenv resolved it too
        assert versions["pulumi"] == importlib.metadata.version("pulumi") != OLDEST_PULUMI


def preview_outputs(output: str) -> dict[str, str]:
    """The stack outputs a preview shows (its `--outputs:--` block), each value as printed."""
    block = output.split("--outputs:--", 1)[1].split("Resources:", 1)[0]
    pairs = (line.split(":", 1) for line in block.splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def test_03_preview_shows_the_declared_values_and_the_services_as_unknown(project, service):
    step = Step(service)
    out = project.preview()
    assert change_summary(out) == {"create": 5}
    assert step.requests() == []
    shown = preview_outputs(out)
    assert shown["solo.max_jobs"] == "3" and shown["pool-v2.max_jobs"] == "3"
    assert shown["solo.channel"] == f'"{SOLO_CHANNEL}"' and shown["login.email"] == f'"{LOGIN_EMAIL}"'
    for name in ("login", "pool-v2"):
        assert shown[f"{name}.account_id"] == shown[f"{name}.username"] == "[unknown]"
    assert {key for key, value in shown.items() if value == "[secret]"} == {
        "solo.discord",
        "pool-v1.discord",
        "login.password",
        "pool-v2.password",
        "pool-v2.token",
    }


def test_04_up_resolves_every_attribute_credentials_as_secrets(project, service):
    printed = project.up()
    assert change_summary(printed) == {"create": 5}
    # The wheel's pulumi-plugin.json tells the language host this package needs no plugin: the
    # console script pulumi-resource-pixverse, on the virtualenv's PATH, is not loaded.
    assert "pulumi-resource-pixverse" not in printed and "warning" not in printed
    shown = project.outputs()
    # The program ran on the wheel installed in the project's own virtualenv.
    assert str(shown.pop("package")).startswith(str(project.work_dir / "venv" / "lib"))
    every = {f"{n}.{a}" for n in ("solo", "pool-v1") for a in V1_ATTRIBUTES}
    every |= {f"{n}.{a}" for n in ("login", "pool-v2") for a in V2_ATTRIBUTES}
    # login declares no token: its attribute resolves to None, which a stack output does not keep.
    assert set(shown) == every - {"login.token"}
    assert {key for key, value in shown.items() if value == "[secret]"} == {
        "solo.discord",
        "pool-v1.discord",
        "login.password",
        "pool-v2.password",
        "pool-v2.token",
    }
    values = project.secret_outputs()
    values.pop("package")
    account_ids = {name: values.pop(f"{name}.account_id") for name in ("login", "pool-v2")}
    assert values == expected(project, solo_max_jobs=3)
    live = service.accounts_v2()
    assert set(live) == {LOGIN_EMAIL, POOL_EMAIL}
    for name in ("login", "pool-v2"):
        assert isinstance(account_ids[name], int) and account_ids[name] > 0
        assert resource_state(project, name)["outputs"]["accountId"] == account_ids[name]
    for resource in project.export()["resources"]:
        outputs = resource.get("outputs", {})
        for name in CREDENTIALS & outputs.keys():
            assert outputs[name] is None or SECRET_SIG in outputs[name], (resource["urn"], name)
    assert set(service.accounts()) == {SOLO_CHANNEL, POOL_CHANNEL}


def test_05_a_max_jobs_change_is_one_post_and_the_output_follows(project, service):
    project.cli("config", "set", "--type", "int", "soloMaxJobs", "5")
    step = Step(service)
    assert change_summary(project.up()) == {"update": 1, "same": 4}
    assert step.routes() == ["POST /v1/pixverse/account/{channel}"]
    assert step.calls() == [f"POST {SOLO_CHANNEL}"]
    assert step.requests()[0]["body"]["maxJobs"] == 5
    assert project.outputs()["solo.max_jobs"] == 5
    assert service.accounts()[SOLO_CHANNEL]["maxJobs"] == 5


def test_06_refresh_finds_nothing_changed(project, service):
    before = project.secret_outputs()
    step = Step(service)
    assert change_summary(project.refresh()) == {"same": 5}
    # Each kind's accounts are read from one list call per provider process: the refresh's preview's
    # and its own.
    assert sorted(step.routes()) == ["GET /v1/pixverse/account"] * 2 + ["GET /v2/pixverse/accounts"] * 2
    assert project.secret_outputs() == before
    assert change_summary(project.preview("--expect-no-changes")) == {"same": 5}


def test_07_destroy_removes_every_account(project, service):
    step = Step(service)
    assert change_summary(project.destroy()) == {"delete": 5}
    assert sorted(r["method"] for r in step.requests()) == ["DELETE"] * 4
    assert service.accounts() == {} and service.accounts_v2() == {}
