"""The e2e harness: a stack of this project driven by plain `pulumi` commands, as a person types them.

Each stack lives in its own copy of the project (Pulumi.yaml and stacks/__main__.py, the virtualenv
linked in as a user's project has its own; or another project, see `make_project`: for `YamlStack`,
a Pulumi YAML program that uses the plugin) with a `file://` backend of its own, or a `postgres://` one
that stacks share (tests/e2e/postgres.py), and every command goes through `tools/pulumi`, the CLI with
its language hosts. Everything the CLI printed is kept, so each step can check that no token appears in
plain text in the output, `pulumi stack export`, or any file or database row of the state.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import os
import re
import secrets
import select
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from postgres import stored_texts
from pulumi_pixverse.core.accounts import KINDS

if TYPE_CHECKING:
    import pytest
    from emulator_admin import EmulatorAdmin

REPO_ROOT = Path(__file__).resolve().parents[2]
PULUMI = str(REPO_ROOT / "tools" / "pulumi")
ACCOUNT_TYPE = "pulumi-python:dynamic/pixverse:Account"
_FIELD_TYPES = {
    "name": "string",
    **{f.name: "int" if f.type == "integer" else "string" for k in KINDS for f in k.KIND.inputs},
}
"""`pulumi config set --type` of each field a config entry may hold (`fields.py`; credentials are secrets)."""
_SECRET_FIELDS = tuple(name for kind in KINDS for name in kind.CREDENTIALS)
_SUMMARY_LINE = re.compile(
    r"^\s+[-+~]*\s*(?:\d+ changes?\. )?(\d+) (?:to )?(create|update|delete|replace|unchanged)"
)
"""A line of the "Resources:" block: "+ 2 created", "~ 1 to update", "3 changes. 2 unchanged"."""


SECRET_SIG = "4dabf18193072939515e22adb298388d"
"""The key Pulumi marks a secret value with in `pulumi stack export`."""


def wire(account: dict[str, Any]) -> dict[str, Any]:
    """The record the service holds for a v1 config entry."""
    return {k: account[k] for k in ("discord", "server", "channel", "maxJobs")}


class Step:
    """What the API received since this step began (the emulator's request log)."""

    def __init__(self, service: Any) -> None:
        self.service = service
        self.mark = len(service.requests())

    def requests(self) -> list[dict[str, Any]]:
        return list(self.service.requests()[self.mark :])

    def calls(self) -> list[str]:
        """Each request as "METHOD key", the key being the path's last segment (channel or email)."""
        return [f"{r['method']} {r['path'].rsplit('/', 1)[-1]}" for r in self.requests()]

    def routes(self) -> list[str]:
        """Each request's route template, e.g. "POST /v2/pixverse/accounts/{email}"."""
        return [r["route"] for r in self.requests()]


def new_discord_token() -> str:
    return f"discord-e2e-{secrets.token_hex(10)}"


def change_summary(output: str) -> dict[str, int]:
    """The "Resources:" block the CLI prints, as {"create": n, "update": n, ..., "same": n}."""
    summary: dict[str, int] = {}
    for line in output.split("Resources:", 1)[-1].splitlines():
        if match := _SUMMARY_LINE.match(line):
            word = match.group(2)
            summary["same" if word == "unchanged" else word] = int(match.group(1))
    return summary


class CommandFailed(Exception):
    """A pulumi command exited non-zero; `output` holds what it printed."""

    def __init__(self, args: list[str], output: str) -> None:
        super().__init__(f"`pulumi {' '.join(args)}` failed:\n{output}")
        self.output = output


class StackUnderTest:
    """One stack of the project in a project folder of its own, and everything the CLI printed."""

    project_dir = "project"
    """The project folder, under the stack's own folder."""
    pulumi_command = PULUMI
    """The CLI each command runs: tools/pulumi, or the CLI itself where nothing of this repository may
    be used."""

    def __init__(
        self,
        name: str,
        root: Path,
        api_url: str,
        passphrase: str | None = None,
        backend_url: str | None = None,
    ) -> None:
        """`passphrase`: the stack's secrets passphrase (default: a fresh random one), e.g. the one
        that encrypted a state this stack is to import. `backend_url`: the stack's backend (default: a
        file:// one of its own, `backend_dir`), e.g. a PostgreSQL one other stacks share."""
        self.name = name
        self.work_dir = root / self.project_dir
        self.backend_dir = root / "backend"
        self.backend_url = backend_url or self.backend_dir.as_uri()
        self.work_dir.mkdir(parents=True)
        if backend_url is None:
            self.backend_dir.mkdir()
        self.make_project()
        self.env = self.environment(root, passphrase or secrets.token_hex(8))
        self.tokens: list[str] = []
        self.transcript: list[str] = []
        self.cli("stack", "init")
        self.cli("config", "set", "pixverse:apiUrl", api_url)
        self.cli("config", "set", "pixverse:maxRetries", "2")

    def environment(self, root: Path, passphrase: str) -> dict[str, str]:
        """What every command of this stack runs with: the caller's environment, the stack's backend,
        passphrase and Pulumi home, and no API token."""
        return {
            **os.environ,
            "PULUMI_BACKEND_URL": self.backend_url,
            "PULUMI_CONFIG_PASSPHRASE": passphrase,
            "PULUMI_HOME": str(root / "pulumi-home"),
            "USEAPI_TOKEN": "",
        }

    def make_project(self) -> None:
        """This repository's project (the Python program) in the project folder."""
        (self.work_dir / "stacks").mkdir()
        shutil.copy(REPO_ROOT / "Pulumi.yaml", self.work_dir)
        shutil.copy(REPO_ROOT / "stacks" / "__main__.py", self.work_dir / "stacks")
        (self.work_dir / ".venv").symlink_to(REPO_ROOT / ".venv")
        (self.work_dir / "stacks" / ".venv").symlink_to(Path("..") / ".venv")  # as in the repository

    def cli(self, *args: str, stdin: str | None = None, timeout: float = 240) -> str:
        """Run `pulumi ARGS` on this stack (as tools/pulumi); return stdout, raise CommandFailed."""
        argv = [*args, "--stack", self.name, "--non-interactive"]
        done = self.run([self.pulumi_command, *argv], stdin=stdin, timeout=timeout)
        if done.returncode != 0:
            raise CommandFailed(argv, done.stdout + done.stderr)
        return done.stdout

    def run(
        self, argv: list[str], stdin: str | None = None, timeout: float = 240
    ) -> subprocess.CompletedProcess[str]:
        """Run any command in the project folder with this stack's environment; keep its output."""
        done = subprocess.run(
            argv,
            cwd=self.work_dir,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        self.transcript.extend([done.stdout, done.stderr])
        return done

    def set_api_token(self, token: str) -> None:
        """Set pixverse:apiToken as a secret, the value passed on stdin (never on a command line)."""
        self.tokens.append(token)
        self.cli("config", "set", "--secret", "pixverse:apiToken", stdin=token)

    def set_secret(self, name: str, value: str) -> None:
        """Set the stack's config `name` (e.g. one a program reads) as a secret, the value passed on stdin."""
        self.tokens.append(value)
        self.cli("config", "set", "--secret", name, stdin=value)

    def set_accounts(self, accounts: list[dict[str, Any]], setting: str = "pixverse:accounts") -> None:
        """Write `setting` (pixverse:accounts or pixverse:accountsV2) as docs/dynamic-provider.md shows:
        ids as strings, each credential (Discord token, password, token) a secret passed on stdin."""
        self.tokens.extend(
            a[f] for a in accounts for f in _SECRET_FIELDS if a.get(f) and a[f] not in self.tokens
        )
        typed = {"int": int, "string": str}
        plain = [
            {f: typed[_FIELD_TYPES[f]](v) for f, v in a.items() if f not in _SECRET_FIELDS} for a in accounts
        ]  # one command for every value that is not a credential (set-all replaces the whole setting)
        whole = {setting: {"value": json.dumps(plain), "objectValue": plain, "secret": False}}
        self.cli("config", "set-all", "--json", json.dumps(whole))
        for index, account in enumerate(accounts):
            for field, value in account.items():
                if field in _SECRET_FIELDS:
                    key = f"{setting}[{index}].{field}"
                    self.cli("config", "set", "--path", "--secret", key, stdin=value)

    def config(self) -> dict[str, Any]:
        """`pulumi config --json` (secrets stay hidden)."""
        return dict(json.loads(self.cli("config", "--json")))

    def preview(self, *flags: str) -> str:
        return self.cli("preview", "--diff", *flags)

    def up(self, *flags: str) -> str:
        return self.cli("up", "--yes", "--diff", *flags)

    def refresh(self, *flags: str) -> str:
        return self.cli("refresh", "--yes", "--diff", *flags)

    def destroy(self, *flags: str) -> str:
        return self.cli("destroy", "--yes", *flags)

    def outputs(self) -> dict[str, Any]:
        return dict(json.loads(self.cli("stack", "output", "--json")))

    def export(self) -> dict[str, Any]:
        """The deployment as `pulumi stack export` prints it to a user (secrets stay encrypted)."""
        return dict(json.loads(self.cli("stack", "export"))["deployment"])

    def accounts_in_state(self, type_: str = ACCOUNT_TYPE) -> dict[str, dict[str, Any]]:
        """Resources of the account type in `pulumi stack export`, keyed by resource name."""
        resources = self.export().get("resources", [])
        return {r["urn"].rsplit("::", 1)[1]: r for r in resources if r["type"] == type_}

    def assert_no_token_leaked(self) -> None:
        """No Discord token nor the API token in the CLI's output, the export, or any state file or, on a
        PostgreSQL backend, any row of the database (each decoded) or its dump."""
        places = {"CLI output": "\n".join(self.transcript), "stack export": json.dumps(self.export())}
        if self.backend_url.startswith("postgres://"):
            places.update(stored_texts(self.backend_url))
        for path in [*self.backend_dir.rglob("*"), *self.work_dir.rglob("Pulumi*.yaml")]:
            if path.is_file():
                places[str(path)] = path.read_bytes().decode("utf-8", "replace")
        for where, text in places.items():
            for token in self.tokens:
                assert token not in text, f"a token appears in plain text in {where}"

    def start(self, *args: str, watch: Watch | None = None) -> Background:
        """Start `pulumi ARGS` on this stack in the background, in a session of its own, as a
        pipeline runner would; what it prints joins the transcript when it ends. `watch` (default: a
        new one) is told of each chunk it prints and of its end."""
        return self.spawn([self.pulumi_command, *args, "--stack", self.name, "--non-interactive"], watch)

    def spawn(self, argv: list[str], watch: Watch | None = None) -> Background:
        """Start any command as `start` does, in the project folder with this stack's environment."""
        process = subprocess.Popen(
            argv,
            cwd=self.work_dir,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return Background(process, self.transcript, watch or Watch())


class Watch:
    """Something a test waits on while other threads and processes work: whoever changes it calls
    `changed()`, and `wait_until` wakes at each change to check its condition (no polling clock)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()

    def changed(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def wait_until(self, holds: Callable[[], bool], timeout: float) -> bool:
        """Whether `holds()` came true within `timeout` seconds; it is checked now and at each change."""
        with self._changed:
            return self._changed.wait_for(holds, timeout)


def _children_by_parent() -> dict[int, list[int]]:
    """Every live process by its parent's pid, from /proc/<pid>/stat (zombies left out)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # it ended meanwhile
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if state != "Z":
            children.setdefault(int(ppid), []).append(int(entry.name))
    return children


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def _ended(pidfds: list[int], timeout: float) -> list[int]:
    """The processes of `pidfds` that end within `timeout` seconds (a pidfd turns readable when its
    process ends); returns at once when all have."""
    deadline = time.monotonic() + timeout
    ended: list[int] = []
    while len(ended) < len(pidfds):
        waiting = [fd for fd in pidfds if fd not in ended]
        readable, _, _ = select.select(waiting, [], [], max(0.0, deadline - time.monotonic()))
        if not readable:
            break
        ended.extend(readable)
    return ended


class Background:
    """A command started by StackUnderTest.start: the CLI and, once it runs, its descendants (the
    language host, the Python program, the provider plugins, each plugin in a process group of its
    own, so only the parent links in /proc tie them to the CLI). Two threads follow it: one reads what
    it prints, one waits for its end; each tells `watch`."""

    def __init__(self, process: subprocess.Popen[bytes], transcript: list[str], watch: Watch) -> None:
        self.process = process
        self.command = " ".join(map(str, process.args))
        self.transcript = transcript
        self.watch = watch
        self.killed: dict[int, str] = {}
        self._survivors: list[int] = []
        self._printed: list[str] = []
        self._ended = threading.Event()
        self._output: str | None = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        threading.Thread(target=self._wait, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        while chunk := self.process.stdout.read1(65536):
            self._printed.append(decoder.decode(chunk))
            self.watch.changed()
        self._printed.append(decoder.decode(b"", final=True))
        self.watch.changed()

    def _wait(self) -> None:
        self.process.wait()
        self._ended.set()
        self.watch.changed()

    def running(self) -> bool:
        return not self._ended.is_set()

    def tree(self) -> list[int]:
        """The CLI's pid and every live descendant's, parents first."""
        children = _children_by_parent()
        tree, index = [self.process.pid], 0
        while index < len(tree):
            tree.extend(children.get(tree[index], []))
            index += 1
        return tree

    def output(self) -> str:
        """What it printed so far."""
        return "".join(self._printed)

    def wait_until(self, holds: Callable[[], bool], what: str, timeout: float = 240) -> None:
        """Return once `holds()`, checked at each change `watch` is told of (what it prints, its end,
        whatever else the caller tells the watch); fail, with its output, when it ends first or
        `timeout` seconds pass. `what` says what was awaited."""
        self.watch.wait_until(lambda: holds() or not self.running(), timeout)
        if not holds():
            why = "ended" if not self.running() else f"ran {timeout} s"
            raise AssertionError(f"`{self.command}` {why} before {what}:\n{self.output()}")

    def wait_for_output(self, text: str, timeout: float = 240) -> None:
        """Return once it has printed `text` (see wait_until)."""
        self.wait_until(lambda: text in self.output(), f"printing {text!r}", timeout)

    def survivors(self) -> list[int]:
        """The killed processes that had not ended when kill_tree returned (none unless it timed out)."""
        return list(self._survivors)

    def kill_tree(self, timeout: float = 30) -> str:
        """SIGKILL the CLI and all its descendants at once, as when the runner dies; return what the
        CLI printed once all of them have ended. Each process is stopped first, until no new
        descendant appears, so none is missed by forking or by being re-parented when its parent
        dies; each is held by a pidfd from then on, so no signal reaches a process that took a freed
        pid. Kills only this tree."""
        stopped: dict[int, int] = {}
        for _ in range(50):
            fresh = [pid for pid in self.tree() if pid not in stopped]
            if not fresh or not self.running():
                break
            for pid in fresh:
                with contextlib.suppress(ProcessLookupError):
                    stopped[pid] = os.pidfd_open(pid)
                    self.killed[pid] = _command_line(pid)
                    signal.pidfd_send_signal(stopped[pid], signal.SIGSTOP)
        try:
            for pidfd in stopped.values():
                with contextlib.suppress(ProcessLookupError):
                    signal.pidfd_send_signal(pidfd, signal.SIGKILL)
            ended = _ended(list(stopped.values()), timeout)
            self._survivors = [pid for pid, pidfd in stopped.items() if pidfd not in ended]
        finally:
            for pidfd in stopped.values():
                os.close(pidfd)
        return self.wait(timeout)

    def wait(self, timeout: float = 240) -> str:
        """Wait for the CLI to end and its output to be read to the end; return what it printed,
        which joins the stack's transcript once."""
        if not self._ended.wait(timeout):
            raise TimeoutError(f"`{self.command}` still runs after {timeout} s")
        self._reader.join(timeout)
        if self._output is None:
            self._output = self.output()
            self.transcript.append(self._output)
        return self._output


def new_stack(
    name: str,
    service: EmulatorAdmin,
    tmp_path_factory: pytest.TempPathFactory,
    backend_url: str | None = None,
) -> StackUnderTest:
    """A fresh stack in a project folder of its own with its own file:// backend (or `backend_url`),
    aimed at the emulator; neither its config nor the environment holds an API token yet."""
    return StackUnderTest(name, tmp_path_factory.mktemp(name), service.url, backend_url=backend_url)


V1_TYPE = "pixverse:index:Account"
V2_TYPE = "pixverse:index:AccountV2"
PLUGIN_DIR = REPO_ROOT / ".venv" / "bin"
"""Where `pip install` put the plugin `pulumi-resource-pixverse`."""


class YamlStack(StackUnderTest):
    """A stack of a Pulumi YAML project that uses the plugin, declared in its Pulumi.yaml
    (`plugins: providers:`, the folder of the virtualenv's scripts). Steps rewrite the program."""

    def make_project(self) -> None:
        self.write_program({})

    def write_program(
        self, resources: dict[str, Any], outputs: dict[str, Any] | None = None, secrets: tuple[str, ...] = ()
    ) -> None:
        """Pulumi.yaml with these `resources` and `outputs`; each name in `secrets` is a secret in the
        stack's config (see set_secret), which the resources use as `${name}`."""
        project = {
            "name": "pixverse-yaml-e2e",
            "runtime": "yaml",
            "plugins": {"providers": [{"name": "pixverse", "path": str(PLUGIN_DIR)}]},
            "config": {name: {"type": "string", "secret": True} for name in secrets},
            "resources": resources,
            "outputs": outputs or {},
        }
        fresh = json.loads(json.dumps(project))  # no shared objects: Pulumi YAML refuses YAML aliases
        (self.work_dir / "Pulumi.yaml").write_text(yaml.safe_dump(fresh, sort_keys=False))


def new_yaml_stack(
    name: str,
    service: EmulatorAdmin,
    tmp_path_factory: pytest.TempPathFactory,
    backend_url: str | None = None,
) -> YamlStack:
    """A fresh YAML stack in a project folder of its own with its own file:// backend (or `backend_url`),
    aimed at the emulator (pixverse:apiUrl); no API token in its config nor the environment yet."""
    return YamlStack(name, tmp_path_factory.mktemp(name), service.url, backend_url=backend_url)


class SdkExampleStack(StackUnderTest):
    """A stack of examples/<language> (a program using the generated SDK, sdk/<language>) as written, in
    a copy of the repository's layout: the example beside a .venv and sdk/ (where examples/go/go.mod's
    replace points), its installed packages linked."""

    def __init__(self, language: str, root: Path, api_url: str) -> None:
        self.language = language
        self.project_dir = f"repository/examples/{language}"
        super().__init__(language, root, api_url)

    def make_project(self) -> None:
        source = REPO_ROOT / "examples" / self.language
        shutil.copytree(
            source, self.work_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns("node_modules")
        )
        if (source / "node_modules").is_dir():
            (self.work_dir / "node_modules").symlink_to(source / "node_modules")
        for shared in (".venv", "sdk"):
            (self.work_dir.parents[1] / shared).symlink_to(REPO_ROOT / shared)
