"""The projects a bench run drives with the plain `pulumi` CLI: this one (its Pulumi.yaml and
stacks/__main__.py, the accounts in the stack's config, the API token as USEAPI_TOKEN) against the
emulator, and a no-op project (noop/) whose provider's create/read/update/delete do nothing, declared N
times by a tiny program. Each has a folder and a `file://` backend of its own; one stack per run.

Pulumi hands the whole stack config to the program (and to the provider process) in one environment
variable, PULUMI_CONFIG, and Linux refuses an environment string over 128 KiB ("argument list too
long"): `pixverse:accounts` holds about 800 of the bench's accounts (about 600 with real Discord
tokens). For a size beyond that the bench declares the accounts from a file instead, with the same
`declare_pool` (accounts_from_file.py); `--program` forces one or the other.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .processes import PYTHON_ENV, Emulator, TreeSampler, cpu_seconds

REPO_ROOT = Path(__file__).resolve().parents[2]
NOOP = Path(__file__).resolve().parent / "noop"
"""The no-op project: Pulumi.yaml, its program (__main__.py) and its provider (noop_provider.py)."""
FILE_PROGRAM = Path(__file__).resolve().parent / "accounts_from_file.py"
VERBS: dict[str, tuple[str, list[str]]] = {
    "preview-new": ("preview (new)", ["preview"]),
    "up": ("up (create)", ["up", "--yes"]),
    "preview": ("preview (unchanged)", ["preview"]),
    "up-same": ("up (unchanged)", ["up", "--yes"]),
    "refresh": ("refresh", ["refresh", "--yes"]),
    "up-change": ("up (change all)", ["up", "--yes"]),
    "destroy": ("destroy", ["destroy", "--yes"]),
}
"""Each verb a bench times: its label and the CLI's arguments. up-change changes every account's
maxJobs first."""
NEEDS_STACK = ("preview", "up-same", "refresh", "up-change", "destroy")
"""Verbs that need the accounts created first: `up` runs (untimed) before them when not chosen."""
KINDS = ("pixverse", "noop")
PLUGIN = "plugin"
"""With --plugin (and --latency): the same accounts through the plugin pulumi-resource-pixverse, declared
by a Pulumi YAML program (the plugin found in this repository's virtualenv, as examples/yaml finds it)."""
SENDS_REQUESTS = ("pixverse", PLUGIN)
"""The kinds whose provider talks to the emulator."""
DATA_FLOOR = "noop+data"
"""With --data-floor: the no-op declared with what the engine must do for our resources' data, to show
what of the gap is the engine's: four fields of which one is a secret input and output (as the Discord
token is), and the same accounts in its stack config (ignored by its program) as this project's stack,
since the engine keeps a copy of the whole stack config in the state's entry for the dynamic provider
(`pulumi:providers:pulumi-python`) and writes it again with the state at every step."""
PASSPHRASE = "bench"
CONFIG_LIMIT = 100 * 1024
"""Beyond this many bytes of accounts (JSON) in the stack config, the bench uses FILE_PROGRAM: PULUMI_CONFIG
carries them JSON-quoted again, with the rest of the config, under Linux's 128 KiB."""


@dataclass
class Run:
    """One timed verb of one project."""

    seconds: float
    cpu: dict[str, float] = field(default_factory=dict)
    requests: Counter[str] = field(default_factory=Counter)
    connections: int = 0
    peak_kib: int = 0
    peak_in_flight: int = 0


class Project:
    """A project folder with its own backend; one stack per repeat."""

    def __init__(
        self,
        kind: str,
        root: Path,
        emulator: Emulator,
        token: str,
        program: str = "auto",
        backend: str | None = None,
        env: dict[str, str] | None = None,
        folder: str | None = None,
    ) -> None:
        """`backend`: the backend URL (default a `file://` folder of its own); `env`: more environment
        for every `pulumi` it runs; `folder`: its folder's name under `root` (default `kind`)."""
        self.kind = kind
        self.emulator = emulator
        self.dir = root / (folder or kind)
        stacks = self.dir / "stacks"
        stacks.mkdir(parents=True)
        if backend is None:
            (root / f"backend-{folder or kind}").mkdir()
            backend = (root / f"backend-{folder or kind}").as_uri()
        self.program = program
        self.from_file = False
        if kind == "pixverse":
            shutil.copy(REPO_ROOT / "Pulumi.yaml", self.dir)
        elif kind == PLUGIN:  # its Pulumi.yaml holds the accounts: written again by configure
            (self.dir / "Pulumi.yaml").write_text(yaml_program([]))
        else:
            shutil.copy(NOOP / "Pulumi.yaml", self.dir)
            shutil.copy(NOOP / "__main__.py", stacks)
            shutil.copy(NOOP / "noop_provider.py", stacks)
        (self.dir / ".venv").symlink_to(REPO_ROOT / ".venv")
        (stacks / ".venv").symlink_to(Path("..") / ".venv")
        self.env = {
            **PYTHON_ENV,
            "PULUMI_BACKEND_URL": backend,
            "PULUMI_HOME": str(root / "pulumi-home"),
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "USEAPI_TOKEN": token,
            **(env or {}),
        }
        self.logs = root / "logs"
        self.logs.mkdir(exist_ok=True)
        self.stack = ""

    def new_stack(self, name: str, size: int) -> None:
        self.stack = name
        if self.kind == "pixverse":
            self.from_file = self.accounts_from_file(size)
            program = FILE_PROGRAM if self.from_file else REPO_ROOT / "stacks" / "__main__.py"
            shutil.copy(program, self.dir / "stacks" / "__main__.py")
        self.pulumi("stack", "init")
        self.configure(size, generation=0)

    def accounts_from_file(self, size: int) -> bool:
        """Whether this project's accounts come from a file (FILE_PROGRAM) at this size."""
        too_big = len(json.dumps(accounts(size, 0))) > CONFIG_LIMIT
        return self.program == "file" or (self.program == "auto" and too_big)

    def configure(self, size: int, generation: int) -> None:
        """Write the stack's config file (JSON is YAML): N accounts, or the no-op count."""
        path = self.dir / "stacks" / f"Pulumi.{self.stack}.yaml"
        text = path.read_text() if path.exists() else ""
        salt = next((line for line in text.splitlines() if line.startswith("encryptionsalt:")), "")
        config: dict[str, Any]
        if self.kind == PLUGIN:
            (self.dir / "Pulumi.yaml").write_text(yaml_program(accounts(size, generation)))
            config = {"pixverse:apiUrl": self.emulator.url}
        elif self.kind == "pixverse" and self.from_file:
            (self.dir / "stacks" / "accounts.json").write_text(json.dumps(accounts(size, generation)))
            config = {"pixverse:apiUrl": self.emulator.url}
        elif self.kind == "pixverse":
            config = {"pixverse:apiUrl": self.emulator.url, "pixverse:accounts": accounts(size, generation)}
        else:
            config = {
                "noop:count": size,
                "noop:generation": generation,
                "noop:secret": self.kind == DATA_FLOOR,
            }
            if self.kind == DATA_FLOOR and not self.accounts_from_file(size):
                config["noop:accounts"] = accounts(size, generation)
        document: dict[str, Any] = {"config": config}
        if salt:
            document["encryptionsalt"] = salt.split(":", 1)[1].strip()
        path.write_text(json.dumps(document, indent=1) + "\n")
        if "pixverse:accounts" in config:
            self.encrypt_discord_tokens(size)

    def encrypt_discord_tokens(self, size: int) -> None:
        """Store each account's Discord token encrypted, as a real stack must (the program refuses one in
        plain text), in one `pulumi config set-all`. On its command line: the bench's own made-up
        tokens (`accounts`), never a credential; a real stack's go on stdin (docs/pipelines.md)."""
        pairs = [
            arg
            for index, account in enumerate(accounts(size, 0))
            for arg in ("--secret", f"pixverse:accounts[{index}].discord={account['discord']}")
        ]
        self.pulumi("config", "set-all", "--path", *pairs)

    def pulumi(self, *args: str) -> Run:
        """Run `pulumi ARGS --stack S --non-interactive`: its wall time, CPU by role, provider memory."""
        argv = ["pulumi", *args, "--stack", self.stack, "--non-interactive"]
        log = self.logs / f"{self.kind}-{self.stack}-{args[0]}-{secrets.token_hex(3)}.log"
        emulator_cpu = cpu_seconds(self.emulator.process.pid)
        with log.open("w") as out:
            started = time.perf_counter()
            process = subprocess.Popen(
                argv,
                cwd=self.dir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            sampler = TreeSampler(process.pid)
            try:
                _, status, usage = os.wait4(process.pid, 0)  # its rusage covers every descendant
            except BaseException:  # interrupted: stop the CLI too (it stops its plugins)
                process.terminate()
                process.wait()
                raise
            process.returncode = os.waitstatus_to_exitcode(status)
            seconds = time.perf_counter() - started
            cpu = sampler.stop()
        if process.returncode != 0:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
            sys.exit(f"bench: `{' '.join(argv)}` failed in {self.dir} (exit {process.returncode}):\n{tail}")
        total = usage.ru_utime + usage.ru_stime
        cpu["other"] = max(0.0, total - sum(cpu.values()))
        cpu["emulator"] = cpu_seconds(self.emulator.process.pid) - emulator_cpu
        return Run(seconds, cpu=cpu, peak_kib=sampler.peak_kib)

    def timed(self, verb: str, size: int, parallel: int | None = None) -> Run:
        """Run one verb (with `--parallel P` when given): its Run, with what the emulator saw."""
        if verb == "up-change":
            self.configure(size, generation=1)
        before, conns_before = self.emulator.totals()
        self.emulator.peak_in_flight(restart=True)
        parallelism = ["--parallel", str(parallel)] if parallel else []
        run = self.pulumi(*VERBS[verb][1], *parallelism)
        after, conns_after = self.emulator.totals()
        if self.kind in SENDS_REQUESTS:  # the no-op sends nothing: whatever the emulator saw is not its
            run.requests, run.connections = after - before, conns_after - conns_before
            run.peak_in_flight = self.emulator.peak_in_flight()
        else:
            run.cpu["emulator"] = 0.0
        return run


def accounts(size: int, generation: int) -> list[dict[str, Any]]:
    """The bench's N v1 accounts; each generation changes every account's maxJobs."""
    return [
        {
            "name": f"account-{index}",
            "discord": f"bench-discord-token-{index}",
            "server": "100000000000000001",
            "channel": str(200000000000000000 + index),
            "maxJobs": 3 + generation,
        }
        for index in range(size)
    ]


def yaml_program(declared: list[dict[str, Any]]) -> str:
    """A Pulumi YAML project declaring `declared` as pixverse:index:Account resources (JSON is YAML)."""
    resources = {
        account["name"]: {
            "type": "pixverse:index:Account",
            "properties": {key: value for key, value in account.items() if key != "name"},
        }
        for account in declared
    }
    project = {
        "name": "bench-plugin",
        "runtime": "yaml",
        "stackConfigDir": "stacks",
        "plugins": {"providers": [{"name": "pixverse", "path": str(REPO_ROOT / ".venv" / "bin")}]},
        "resources": resources,
    }
    return json.dumps(project, indent=1) + "\n"
