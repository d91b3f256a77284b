"""From the release alone: `tools/release.py` builds every artifact into a folder, a loopback server
serves that folder as the project's releases, and three users' projects, each in a temporary folder of
its own with nothing of this repository (no virtualenv of ours on PATH, no `plugins:` block, no
`pulumi-resource-pixverse` anywhere), run with a fresh PULUMI_HOME and automatic plugin acquisition on:

- TypeScript with only the SDK's npm tarball and `@pulumi/pulumi`;
- Python whose virtualenv holds only the SDK's wheel (and what it requires);
- Pulumi YAML, after `pulumi plugin install resource pixverse VERSION --server URL`.

The engine finds the plugin the way it finds any third-party plugin: the schema's and SDKs'
`pluginDownloadURL` (the project's GitHub releases) rewritten to the loopback server with
PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES, the way Pulumi documents for mirrors.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import tomllib
from emulator_admin import EmulatorAdmin
from harness import REPO_ROOT, SECRET_SIG, StackUnderTest, Step, change_summary, new_discord_token

PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
VERSION = PYPROJECT["project"]["version"]
ARCHIVE = f"pulumi-resource-pixverse-v{VERSION}-linux-amd64.tar.gz"
RELEASES = "github://api.github.com/" + PYPROJECT["project"]["urls"]["Repository"].removeprefix(
    "https://github.com/"
)
"""The schema's pluginDownloadURL."""
SERVER = "1300000000000000001"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The release, as tools/release builds it (the plugin for this machine, the packages, checksums)."""
    out = tmp_path_factory.mktemp("dist")
    argv = [sys.executable, str(REPO_ROOT / "tools" / "release.py"), "--dist", str(out)]
    subprocess.run([*argv, "plugin", "packages", "checksums"], check=True, timeout=1800)
    return out


class Releases:
    """The release folder served over HTTP on loopback, as the project's releases page serves it; every
    path asked for is logged."""

    def __init__(self, folder: Path) -> None:
        self.log: list[str] = []
        releases = self

        class Handler(SimpleHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                releases.log.append(self.path)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(folder)))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def downloads(self, since: int = 0) -> list[str]:
        return [p for p in self.log[since:] if p.endswith(".tar.gz")]


@pytest.fixture(scope="module")
def releases(dist: Path) -> Iterator[Releases]:
    served = Releases(dist)
    yield served
    served.server.shutdown()


# the artifacts ------------------------------------------------------------------------------------


def test_every_artifact_is_named_by_the_one_version_and_its_checksum_verifies(dist: Path) -> None:
    names = sorted(p.name for p in dist.iterdir())
    assert names == sorted(
        [
            "SHA256SUMS",
            ARCHIVE,
            f"pulumi-pixverse-{VERSION}.tgz",
            f"pulumi_pixverse-{VERSION}-py3-none-any.whl",
            f"pulumi_pixverse-{VERSION}.tar.gz",
            f"pulumi_pixverse_sdk-{VERSION}-py3-none-any.whl",
            f"pulumi_pixverse_sdk-{VERSION}.tar.gz",
            "schema.json",
        ]
    )
    done = subprocess.run(["sha256sum", "--check", "SHA256SUMS"], cwd=dist, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.count(": OK") == len(names) - 1, done.stdout
    schema = json.loads((dist / "schema.json").read_text())
    assert schema["version"] == VERSION and schema["pluginDownloadURL"] == RELEASES
    assert {"kind/native", "category/utility"} <= set(schema["keywords"])
    assert schema["publisher"] and schema["repository"] and schema["homepage"] and schema["license"]


def test_the_npm_tarball_holds_the_compiled_package_with_readme_and_license(dist: Path) -> None:
    with tarfile.open(dist / f"pulumi-pixverse-{VERSION}.tgz") as packed:
        names = set(packed.getnames())
        manifest = json.load(packed.extractfile("package/package.json"))  # type: ignore[arg-type]
    assert {"package/package.json", "package/README.md", "package/LICENSE", "package/bin/index.js"} <= names
    assert not {n for n in names if n.endswith(".ts") and not n.endswith(".d.ts")}
    assert manifest["main"] == "bin/index.js" and manifest["version"] == VERSION
    assert manifest["pulumi"] == {
        "name": "pixverse",
        "resource": True,
        "server": RELEASES,
        "version": VERSION,
    }


def test_each_python_distribution_carries_the_license_and_the_python_sdk_names_its_plugin(dist: Path) -> None:
    for wheel in dist.glob("*.whl"):
        with zipfile.ZipFile(wheel) as archive:
            assert any(n.endswith(".dist-info/licenses/LICENSE") for n in archive.namelist()), wheel.name
    for sdist in dist.glob("pulumi_pixverse*.tar.gz"):
        with tarfile.open(sdist) as archive:
            assert f"{sdist.name.removesuffix('.tar.gz')}/LICENSE" in archive.getnames(), sdist.name
    with zipfile.ZipFile(dist / f"pulumi_pixverse_sdk-{VERSION}-py3-none-any.whl") as archive:
        plugin = json.loads(archive.read("pulumi_pixverse_sdk/pulumi-plugin.json"))
    assert plugin == {"resource": True, "name": "pixverse", "version": VERSION, "server": RELEASES}


def test_the_plugin_archive_runs_with_nothing_but_itself(dist: Path, tmp_path: Path) -> None:
    with tarfile.open(dist / ARCHIVE) as archive:
        archive.extractall(tmp_path, filter="tar")
    assert (tmp_path / "LICENSE").read_text() == (REPO_ROOT / "LICENSE").read_text()
    plugin = subprocess.Popen(
        [str(tmp_path / "pulumi-resource-pixverse"), "127.0.0.1:1"],
        stdout=subprocess.PIPE,
        text=True,
        env={"PATH": ""},  # no Python, no virtualenv, no pip
    )
    try:
        assert plugin.stdout is not None and plugin.stdout.readline().strip().isdigit()
    finally:
        plugin.kill()
        plugin.wait()


# users' projects ----------------------------------------------------------------------------------

TYPESCRIPT = """\
import * as pulumi from "@pulumi/pulumi";
import * as pixverse from "pulumi-pixverse";

const config = new pulumi.Config();
const main = new pixverse.Account("main", {
    discord: config.requireSecret("discord"),
    server: "%(server)s",
    channel: "%(channel)s",
    maxJobs: config.requireNumber("maxJobs"),
});
const login = new pixverse.AccountV2("login", {
    email: "%(email)s",
    password: config.requireSecret("password"),
    maxJobs: 2,
});

export const channel = main.channel;
export const maxJobs = main.maxJobs;
export const accountId = login.accountId;
"""

PYTHON = """\
import pulumi
import pulumi_pixverse_sdk as pixverse

config = pulumi.Config()
main = pixverse.Account(
    "main",
    discord=config.require_secret("discord"),
    server="%(server)s",
    channel="%(channel)s",
    max_jobs=config.require_int("maxJobs"),
)
login = pixverse.AccountV2("login", email="%(email)s", password=config.require_secret("password"), max_jobs=2)

pulumi.export("channel", main.channel)
pulumi.export("maxJobs", main.max_jobs)
pulumi.export("accountId", login.account_id)
"""

YAML = """\
config:
  discord: {type: string, secret: true}
  password: {type: string, secret: true}
  maxJobs: {type: integer}
resources:
  main:
    type: pixverse:index:Account
    properties: {discord: "${discord}", server: "%(server)s", channel: "%(channel)s", maxJobs: "${maxJobs}"}
  login:
    type: pixverse:index:AccountV2
    properties: {email: "%(email)s", password: "${password}", maxJobs: 2}
outputs:
  channel: ${main.channel}
  maxJobs: ${main.maxJobs}
  accountId: ${login.accountId}
"""

CHANNELS = {
    "typescript": "1300000000000000011",
    "python": "1300000000000000012",
    "yaml": "1300000000000000013",
}


class ReleaseProject(StackUnderTest):
    """A user's project holding only what the release gives it, run by the Pulumi CLI itself (not
    tools/pulumi) with automatic plugin acquisition on and the releases' URL pointed at `releases`."""

    def __init__(self, language: str, root: Path, api_url: str, dist: Path, releases: Releases) -> None:
        self.language, self.dist, self.releases = language, dist, releases
        self.channel, self.email = CHANNELS[language], f"{language}@release.example"
        self.pulumi_command = str(shutil.which("pulumi"))
        super().__init__(language, root, api_url)

    def environment(self, root: Path, passphrase: str) -> dict[str, str]:
        tools = {str(Path(self.pulumi_command).parent), str(Path(str(shutil.which("node"))).parent)}
        path = os.pathsep.join([*sorted(tools), "/usr/bin", "/bin"])
        if self.language == "python":
            path = f"{self.work_dir / 'venv' / 'bin'}{os.pathsep}{path}"  # the project's virtualenv, active
        env = {k: v for k, v in super().environment(root, passphrase).items() if k != "VIRTUAL_ENV"}
        overrides = f"^{re.escape(RELEASES)}$={self.releases.url}"
        return env | {
            "PATH": path,
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "false",
            "PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES": overrides,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
        }

    def make_project(self) -> None:
        values = {"server": SERVER, "channel": self.channel, "email": self.email}
        name = f"release-{self.language}"
        project = {"typescript": "nodejs", "python": "python"}.get(self.language, "yaml")
        program = {"typescript": TYPESCRIPT, "python": PYTHON, "yaml": YAML}[self.language] % values
        if self.language == "yaml":
            (self.work_dir / "Pulumi.yaml").write_text(f"name: {name}\nruntime: yaml\n{program}")
        else:
            (self.work_dir / "Pulumi.yaml").write_text(f"name: {name}\nruntime: {project}\n")
        if self.language == "typescript":
            (self.work_dir / "index.ts").write_text(program)
            package = {
                "name": name,
                "private": True,
                "main": "index.ts",
                "dependencies": {
                    "@pulumi/pulumi": "3.276.0",
                    "pulumi-pixverse": f"file:{self.dist / f'pulumi-pixverse-{VERSION}.tgz'}",
                },
                "devDependencies": {"@types/node": "^20"},
            }
            (self.work_dir / "package.json").write_text(json.dumps(package, indent=2))
            npm = [str(shutil.which("npm")), "install", "--no-audit", "--no-fund", "--loglevel=error"]
            subprocess.run(npm, cwd=self.work_dir, check=True, timeout=600, capture_output=True)
        elif self.language == "python":
            (self.work_dir / "__main__.py").write_text(program)
            venv = self.work_dir / "venv"
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
            wheel = self.dist / f"pulumi_pixverse_sdk-{VERSION}-py3-none-any.whl"
            pip = [
                str(venv / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ]
            subprocess.run([*pip, str(wheel)], check=True, timeout=900)


@pytest.mark.parametrize("language", ["typescript", "python", "yaml"])
def test_a_users_project_runs_from_the_release_alone(
    language: str,
    pulumi_cli: str,
    dist: Path,
    releases: Releases,
    service: EmulatorAdmin,
    api_token: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    mark = len(releases.log)
    stack = ReleaseProject(
        language, tmp_path_factory.mktemp(f"release-{language}"), service.url, dist, releases
    )
    assert shutil.which("pulumi-resource-pixverse", path=stack.env["PATH"]) is None
    assert str(REPO_ROOT) not in stack.env["PATH"]
    if language == "yaml":
        stack.run([stack.pulumi_command, "plugin", "install", "resource", "pixverse", VERSION,
                   "--server", releases.url])  # fmt: skip
    stack.set_api_token(api_token)
    discord, password = new_discord_token(), f"pw-{os.urandom(6).hex()}"
    stack.set_secret("discord", discord)
    stack.set_secret("password", password)
    stack.cli("config", "set", "maxJobs", "3")

    step = Step(service)
    assert change_summary(stack.up()) == {"create": 3}  # the stack and the two accounts
    assert service.accounts()[stack.channel] == {
        "discord": discord, "server": SERVER, "channel": stack.channel, "maxJobs": 3,
    }  # fmt: skip
    assert service.accounts_v2()[stack.email]["password"] == password
    assert all(r["authorized"] for r in step.requests())
    outputs = stack.outputs()
    assert outputs["channel"] == stack.channel and outputs["maxJobs"] == 3
    assert isinstance(outputs["accountId"], int)
    assert stack.accounts_in_state("pixverse:index:Account")["main"]["outputs"]["discord"][SECRET_SIG]
    plugins = stack.run([stack.pulumi_command, "plugin", "ls", "--json"]).stdout
    assert [(p["name"], p["version"]) for p in json.loads(plugins)] == [("pixverse", VERSION)]

    stack.cli("config", "set", "maxJobs", "5")
    step = Step(service)
    assert change_summary(stack.up())["update"] == 1
    assert step.routes() == ["POST /v1/pixverse/account/{channel}"]
    assert service.accounts()[stack.channel]["maxJobs"] == 5

    step = Step(service)
    assert "update" not in change_summary(stack.refresh())
    stack.preview("--expect-no-changes")
    assert {r["method"] for r in step.requests()} == {"GET"}

    step = Step(service)
    assert change_summary(stack.destroy()) == {"delete": 3}
    assert stack.channel not in service.accounts() and stack.email not in service.accounts_v2()
    assert sorted(r["method"] for r in step.requests()) == ["DELETE", "DELETE"]

    assert releases.downloads(mark) == [f"/{ARCHIVE}"]  # downloaded once, by the engine or the install
    stack.assert_no_token_leaked()


def test_without_a_reachable_release_the_cli_says_which_plugin_to_install(
    pulumi_cli: str, dist: Path, releases: Releases, service: EmulatorAdmin, tmp_path: Path
) -> None:
    """The official CLI's own message when it cannot download the plugin (docs/troubleshooting.md)."""
    stack = ReleaseProject("yaml", tmp_path, service.url, dist, releases)
    stack.env["PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES"] = f"^{re.escape(RELEASES)}$={releases.url}missing/"
    (stack.work_dir / "Pulumi.yaml").write_text(
        "name: release-yaml\nruntime: yaml\n"
        "resources:\n  subscription:\n    type: pulumi:providers:pixverse\n"
        f"    options: {{pluginDownloadURL: '{RELEASES}', version: {VERSION}}}\n"
    )
    done = stack.run([stack.pulumi_command, "preview", "--stack", stack.name, "--non-interactive"])
    assert done.returncode != 0
    assert (
        "Could not automatically download and install resource plugin 'pulumi-resource-pixverse' at "
        f"version v{VERSION}, install the plugin using `pulumi plugin install resource pixverse v{VERSION} "
        f"--server {RELEASES}`"
    ) in done.stdout + done.stderr
