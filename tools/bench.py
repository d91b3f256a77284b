"""tools/bench: what each verb costs with this provider, next to a no-op dynamic provider.

For each size N, each repeat, and each of two projects, a fresh stack in a `file://` backend (PULUMI_HOME
in the same temporary folder) goes through the verbs below with the plain `pulumi` CLI:

    preview-new   `pulumi preview` of N accounts not created yet
    up            `pulumi up --yes` creating them
    preview       `pulumi preview` with nothing to do
    up-same       `pulumi up --yes` with nothing to do
    refresh       `pulumi refresh --yes` of N unchanged accounts
    up-change     `pulumi up --yes` after changing every account (maxJobs)
    destroy       `pulumi destroy --yes`

The projects: this one (its Pulumi.yaml and stacks/__main__.py, the accounts in the stack's config,
the API token as USEAPI_TOKEN) against the emulator, started in its own process on a free port; and a
no-op project whose provider's create/read/update/delete do nothing, declared N times by a tiny program.
`--verbs` times a subset; verbs a later one needs (up before refresh) run untimed.

Pulumi hands the whole stack config to the program (and to the provider process) in one environment
variable, PULUMI_CONFIG, and Linux refuses an environment string over 128 KiB ("argument list too
long"): `pixverse:accounts` holds about 800 of the bench's accounts (about 600 with real Discord
tokens). For a size beyond that the bench declares the accounts from a file instead, with the same
`declare_pool` (FILE_PROGRAM); `--program` forces one or the other.

Printed per size: the median wall time of the repeats per verb and project, the median of the
repeats' ratios (each verb runs for both projects back to back, in alternating order), the API
requests by route and the TCP connections the emulator saw (from /_emulator/requests and
/_emulator/connections), and the peak resident memory (VmHWM) of the dynamic provider process
(`python -u -m pulumi.dynamic`). Then import times in fresh processes, and one summary line. It
reports; it never fails on a ratio (the machine is shared and timing is noisy: read medians).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

REPO_ROOT = Path(__file__).resolve().parent.parent
VERBS: dict[str, tuple[str, list[str]]] = {
    "preview-new": ("preview (new)", ["preview"]),
    "up": ("up (create)", ["up", "--yes"]),
    "preview": ("preview (unchanged)", ["preview"]),
    "up-same": ("up (unchanged)", ["up", "--yes"]),
    "refresh": ("refresh", ["refresh", "--yes"]),
    "up-change": ("up (change all)", ["up", "--yes"]),
    "destroy": ("destroy", ["destroy", "--yes"]),
}
NEEDS_STACK = ("preview", "up-same", "refresh", "up-change", "destroy")
"""Verbs that need the accounts created first: `up` runs (untimed) before them when not chosen."""
PYTHON_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
"""The environment of every process the bench starts: Python's default bytecode cache on (some
sandboxes turn it off, which makes every import of this package compile its source again, while the
installed SDK's bytecode is already cached)."""
TARGET_RATIO = 1.10
TARGET_SIZES = (10, 100)
KINDS = ("pixverse", "noop")
DATA_FLOOR = "noop+data"
"""With --data-floor: the no-op declared with what the engine must do for our resources' data, to show
what of the gap is the engine's: four fields of which one is a secret input and output (as the Discord
token is), and the same accounts in its stack config (ignored by its program) as this project's stack,
since the engine keeps a copy of the whole stack config in the state's entry for the dynamic provider
(`pulumi:providers:pulumi-python`) and writes it again with the state at every step."""
PASSPHRASE = "bench"

NOOP_PROVIDER = '''"""A dynamic provider that does nothing: the engine's floor."""

from typing import Any

from pulumi.dynamic import CreateResult, ReadResult, ResourceProvider, UpdateResult


class NoopProvider(ResourceProvider):
    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(props["name"], props)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, props)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(news)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        pass
'''

NOOP_PROGRAM = '''"""Declares noop:count no-op resources; noop:generation changes them all."""

import pickle

import pulumi
from noop_provider import NoopProvider  # beside this file: pickled by reference, like pulumi_pixverse's
from pulumi import dynamic


class Noop(dynamic.Resource, module="noop", name="Thing"):
    def __init__(self, name: str, props: dict, opts: pulumi.ResourceOptions | None = None) -> None:
        # The SDK's serialize_provider wraps pickle._Pickler._batch_setitems once more at every call and
        # never restores it (RecursionError after ~985 declarations): restore it, as pulumi_pixverse does.
        saved = {n: pickle._Pickler.__dict__[n] for n in ("_batch_setitems", "save_dict")}
        try:
            super().__init__(NoopProvider(), name, props, opts)
        finally:
            for n, value in saved.items():
                setattr(pickle._Pickler, n, value)


config = pulumi.Config("noop")
generation = config.get_int("generation") or 0
with_secret = config.get_bool("secret") or False  # tools/bench --data-floor
for index in range(config.require_int("count")):
    props = {"name": f"thing-{index}", "value": generation}
    opts = None
    if with_secret:
        props["token"] = pulumi.Output.secret(f"bench-token-{index}")
        props["server"], props["channel"] = "100000000000000001", str(200000000000000000 + index)
        opts = pulumi.ResourceOptions(additional_secret_outputs=["token"])
    Noop(f"thing-{index}", props, opts)
'''

FILE_PROGRAM = '''"""Declares the accounts of accounts.json (beside this file) with declare_pool, as
stacks/__main__.py does from pixverse:accounts, which PULUMI_CONFIG cannot carry beyond ~128 KiB."""

import json
from pathlib import Path

import pulumi
from pulumi_pixverse import AccountSpec, declare_pool

entries = json.loads((Path(__file__).parent / "accounts.json").read_text())
specs = [
    AccountSpec(
        e["name"],
        discord=e["discord"],
        server=e["server"],
        channel=e["channel"],
        max_jobs=e["maxJobs"],
        label=f"accounts.json[{i}] ({e['name']})",
    )
    for i, e in enumerate(entries)
]
pool = declare_pool(specs)
pulumi.export("channels", [account.channel for account in pool])
'''
CONFIG_LIMIT = 100 * 1024
"""Beyond this many bytes of accounts (JSON) in the stack config, the bench uses FILE_PROGRAM: PULUMI_CONFIG
carries them JSON-quoted again, with the rest of the config, under Linux's 128 KiB."""

NOOP_PROJECT = """name: noop
description: a no-op dynamic provider, the floor tools/bench compares against
runtime:
  name: python
  options:
    toolchain: pip
    virtualenv: .venv
main: stacks/
stackConfigDir: stacks
"""


@dataclass
class Run:
    """One timed verb of one project."""

    seconds: float
    cpu: dict[str, float] = field(default_factory=dict)
    requests: Counter[str] = field(default_factory=Counter)
    connections: int = 0
    peak_kib: int = 0


class Emulator:
    """The emulator in a process of its own (`python -m pulumi_pixverse.emulator --port 0`)."""

    def __init__(self, token: str, log: Path) -> None:
        self._log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pulumi_pixverse.emulator", "--port", "0", "--token", token],
            stdout=subprocess.PIPE,
            stderr=self._log,
            stdin=subprocess.DEVNULL,
            text=True,
            env=PYTHON_ENV,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if "listening on " not in line:
            self.stop()
            sys.exit(f"bench: the emulator did not start: {line or 'no output'} (see {log})")
        self.url = line.rsplit(" ", 1)[1]

    def _admin(self, method: str, route: str) -> Any:
        response = requests.request(method, f"{self.url}/_emulator/{route}", timeout=30)
        response.raise_for_status()
        return response.json() if response.content else None

    def reset(self) -> None:
        self._admin("POST", "reset")

    def totals(self) -> tuple[Counter[str], int]:
        """Requests by route and connections since the last reset."""
        counts = Counter(self._admin("GET", "requests")["counts"])
        return counts, int(self._admin("GET", "connections")["connections"])

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


ROLES = ("engine", "program", "provider", "pip", "emulator")
"""Where CPU time goes: the Go CLI and language host, the Python program, the dynamic provider process
(`python -m pulumi.dynamic`), the `pip list` the language host runs at each start, and the emulator."""


def _role(command: bytes) -> str:
    argv = command.decode(errors="replace").split("\0")
    if "pulumi.dynamic" in argv:
        return "provider"
    if any(arg.endswith("pulumi-language-python-exec") for arg in argv):
        return "program"
    if "pip" in argv:
        return "pip"
    if Path(argv[0]).name.startswith("pulumi"):
        return "engine"
    return "other"


class TreeSampler:
    """Samples, every 0.1 s in a thread, the processes below one CLI process: the CPU seconds of each
    (utime + stime, by role) and the peak resident memory (VmHWM) of the provider processes. A
    process's last 0.1 s is missed, and one that lives shorter may be missed entirely: the CLI's
    rusage (exact, every descendant included) gives the total, and what sampling missed shows as
    "other"."""

    def __init__(self, root_pid: int) -> None:
        self.root_pid = root_pid
        self.peak_kib = 0
        self._seen: dict[int, tuple[str, float]] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> dict[str, float]:
        """CPU seconds by role, as sampled."""
        self._done.set()
        self._thread.join()
        cpu = dict.fromkeys(ROLES, 0.0)
        for role, seconds in self._seen.values():
            cpu[role] = cpu.get(role, 0.0) + seconds
        return cpu

    def _run(self) -> None:
        while not self._done.wait(0.1):  # a scan of /proc takes ~2 ms: ~2% of a core
            for pid, seconds in self._tree().items():
                role = self._seen[pid][0] if pid in self._seen else _role(_cmdline(pid))
                self._seen[pid] = (role, seconds)
                if role == "provider":
                    self.peak_kib = max(self.peak_kib, _vm_hwm_kib(pid))

    def _tree(self) -> dict[int, float]:
        """CPU seconds of each live descendant of the root process, by pid."""
        children: dict[int, list[int]] = {}
        cpu: dict[int, float] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except (OSError, IndexError):
                    continue
                children.setdefault(int(fields[1]), []).append(int(entry.name))
                cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        tree, index = [self.root_pid], 0
        while index < len(tree):
            tree.extend(children.get(tree[index], []))
            index += 1
        return {pid: cpu[pid] for pid in tree if pid in cpu}


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    except (OSError, IndexError):
        return 0.0


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _vm_hwm_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


class Project:
    """A project folder with its own backend; one stack per repeat."""

    def __init__(self, kind: str, root: Path, emulator: Emulator, token: str, program: str = "auto") -> None:
        self.kind = kind
        self.emulator = emulator
        self.dir = root / kind
        stacks = self.dir / "stacks"
        stacks.mkdir(parents=True)
        backend = root / f"backend-{kind}"
        backend.mkdir()
        self.program = program
        self.from_file = False
        if kind == "pixverse":
            shutil.copy(REPO_ROOT / "Pulumi.yaml", self.dir)
        else:
            (self.dir / "Pulumi.yaml").write_text(NOOP_PROJECT)
            (stacks / "__main__.py").write_text(NOOP_PROGRAM)
            (stacks / "noop_provider.py").write_text(NOOP_PROVIDER)
        (self.dir / ".venv").symlink_to(REPO_ROOT / ".venv")
        (stacks / ".venv").symlink_to(Path("..") / ".venv")
        self.env = {
            **PYTHON_ENV,
            "PULUMI_BACKEND_URL": backend.as_uri(),
            "PULUMI_HOME": str(root / "pulumi-home"),
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "USEAPI_TOKEN": token,
        }
        self.logs = root / "logs"
        self.logs.mkdir(exist_ok=True)
        self.stack = ""

    def new_stack(self, name: str, size: int) -> None:
        self.stack = name
        if self.kind == "pixverse":
            self.from_file = self.accounts_from_file(size)
            program = FILE_PROGRAM if self.from_file else (REPO_ROOT / "stacks" / "__main__.py").read_text()
            (self.dir / "stacks" / "__main__.py").write_text(program)
        self.pulumi("stack", "init")
        self.configure(size, generation=0)

    def accounts_from_file(self, size: int) -> bool:
        """Whether this project's accounts come from a file (FILE_PROGRAM) at this size."""
        too_big = len(json.dumps(_accounts(size, 0))) > CONFIG_LIMIT
        return self.program == "file" or (self.program == "auto" and too_big)

    def configure(self, size: int, generation: int) -> None:
        """Write the stack's config file (JSON is YAML): N accounts, or the no-op count."""
        path = self.dir / "stacks" / f"Pulumi.{self.stack}.yaml"
        text = path.read_text() if path.exists() else ""
        salt = next((line for line in text.splitlines() if line.startswith("encryptionsalt:")), "")
        config: dict[str, Any]
        if self.kind == "pixverse" and self.from_file:
            accounts = json.dumps(_accounts(size, generation))
            (self.dir / "stacks" / "accounts.json").write_text(accounts)
            config = {"pixverse:apiUrl": self.emulator.url}
        elif self.kind == "pixverse":
            config = {"pixverse:apiUrl": self.emulator.url, "pixverse:accounts": _accounts(size, generation)}
        else:
            config = {
                "noop:count": size,
                "noop:generation": generation,
                "noop:secret": self.kind == DATA_FLOOR,
            }
            if self.kind == DATA_FLOOR and not self.accounts_from_file(size):
                config["noop:accounts"] = _accounts(size, generation)
        document: dict[str, Any] = {"config": config}
        if salt:
            document["encryptionsalt"] = salt.split(":", 1)[1].strip()
        path.write_text(json.dumps(document, indent=1) + "\n")

    def pulumi(self, *args: str) -> Run:
        """Run `pulumi ARGS --stack S --non-interactive`: its wall time, CPU by role, provider memory."""
        argv = ["pulumi", *args, "--stack", self.stack, "--non-interactive"]
        log = self.logs / f"{self.kind}-{self.stack}-{args[0]}-{secrets.token_hex(3)}.log"
        emulator_cpu = _cpu_seconds(self.emulator.process.pid)
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
        cpu["emulator"] = _cpu_seconds(self.emulator.process.pid) - emulator_cpu
        return Run(seconds, cpu=cpu, peak_kib=sampler.peak_kib)

    def timed(self, verb: str, size: int) -> Run:
        if verb == "up-change":
            self.configure(size, generation=1)
        before, conns_before = self.emulator.totals()
        run = self.pulumi(*VERBS[verb][1])
        after, conns_after = self.emulator.totals()
        if self.kind == "pixverse":  # the no-op provider sends nothing: whatever the emulator saw is not its
            run.requests, run.connections = after - before, conns_after - conns_before
        else:
            run.cpu["emulator"] = 0.0
        return run


def _accounts(size: int, generation: int) -> list[dict[str, Any]]:
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


def run_sizes(
    sizes: list[int],
    repeat: int,
    verbs: list[str],
    kinds: tuple[str, ...],
    root: Path,
    emulator: Emulator,
    token: str,
    program: str,
) -> tuple[dict[int, dict[str, dict[str, list[Run]]]], set[int]]:
    """results[size][kind][verb] = one Run per repeat; and the sizes whose accounts came from a file."""
    projects = {kind: Project(kind, root, emulator, token, program) for kind in kinds}
    from_file: set[int] = set()
    results: dict[int, dict[str, dict[str, list[Run]]]] = {}
    to_run = list(verbs)
    if "up" not in to_run and any(v in NEEDS_STACK for v in verbs):
        to_run.append("up")
    order = [v for v in VERBS if v in to_run]
    for size in sizes:
        results[size] = {kind: {v: [] for v in verbs} for kind in kinds}
        for rep in range(repeat):
            emulator.reset()
            for kind in kinds:
                projects[kind].new_stack(f"n{size}-r{rep}", size)
                if projects[kind].from_file:
                    from_file.add(size)
            # Each verb runs for every project back to back, in an order that alternates: the runs
            # compared are seconds apart, so a burst of load elsewhere on the machine hits them alike.
            for step, verb in enumerate(order):
                for kind in kinds if (rep + step) % 2 == 0 else kinds[::-1]:
                    run = projects[kind].timed(verb, size)
                    if verb in verbs:
                        results[size][kind][verb].append(run)
                    label = f"N={size} repeat {rep + 1}/{repeat} {kind:8} {VERBS[verb][0]:20}"
                    print(f"  {label} {run.seconds:7.2f}s", file=sys.stderr, flush=True)
            for kind in kinds:
                if "destroy" not in order:
                    projects[kind].pulumi("destroy", "--yes")
                projects[kind].pulumi("stack", "rm", "--yes", "--force")
    return results, from_file


IMPORTS = {
    "import pulumi": "import pulumi",
    "import pulumi_pixverse": "import pulumi_pixverse",
    "provider process: pulumi_pixverse.provider + one check": (
        "import pulumi.dynamic, pulumi_pixverse.provider as p\n"
        "p.PixverseAccountProvider().check({}, {'discord': 'd', 'server': '100000000000000001', "
        "'channel': '200000000000000001', 'maxJobs': 3})"
    ),
}


def import_times(rounds: int) -> dict[str, float]:
    """Median milliseconds of each statement in fresh processes, interleaved."""
    samples: dict[str, list[float]] = {name: [] for name in IMPORTS}
    for _ in range(rounds):
        for name, statement in IMPORTS.items():
            code = (
                "import time\nt = time.perf_counter()\n"
                + statement
                + "\nprint((time.perf_counter() - t) * 1000)"
            )
            done = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=PYTHON_ENV
            )
            samples[name].append(float(done.stdout.strip()))
    return {name: statistics.median(values) for name, values in samples.items()}


def _routes(counts: Counter[str]) -> str:
    short = {"/v1/pixverse/account": "v1", "/v2/pixverse/accounts": "v2"}
    parts = []
    for route, number in sorted(counts.items()):
        for long, name in short.items():
            route = route.replace(long, name)
        parts.append(f"{route} {number}")
    return ", ".join(parts) or "none"


def _profile(by_kind: dict[str, dict[str, list[Run]]], verbs: list[str]) -> None:
    """CPU seconds by process role per verb (median of the repeats), pixverse then no-op: where a gap
    in wall time comes from."""
    roles = (*ROLES, "other")
    names = " ".join(f"{role[:8]:>8}" for role in roles)
    print(f"  {'CPU seconds':20} pixverse: {names}  | no-op: {names}")
    for verb in verbs:
        cells = []
        for kind in ("pixverse", "noop"):
            runs = by_kind[kind][verb]
            if not runs:
                return
            cells.append(
                " ".join(f"{statistics.median(r.cpu.get(role, 0.0) for r in runs):8.2f}" for role in roles)
            )
        print(f"  {VERBS[verb][0]:20}           {cells[0]}  |        {cells[1]}")


def _paired_ratio(ours: list[Run], floor: list[Run]) -> float:
    """The median of the repeats' ratios: each pair ran seconds apart, so a burst of load elsewhere on the
    machine weighs on both of a pair, where a ratio of medians would compare different moments."""
    return statistics.median(mine.seconds / base.seconds for mine, base in zip(ours, floor, strict=True))


def _mib(runs: list[Run]) -> str:
    peak = max(run.peak_kib for run in runs)
    return f"{peak / 1024:.0f}" if peak else "-"


def report(
    results: dict[int, dict[str, dict[str, list[Run]]]],
    verbs: list[str],
    imports: dict[str, float],
    from_file: set[int],
) -> list[tuple[str, float]]:
    """Print the tables; return (what, ratio) for each verb at the target sizes and the import."""
    checked: list[tuple[str, float]] = []
    data_floor = any(DATA_FLOOR in by_kind for by_kind in results.values())
    extra = f" {'+data':>8} {'ratio':>6}" if data_floor else ""
    for size, by_kind in results.items():
        how = (
            "accounts from a file (too many for PULUMI_CONFIG)"
            if size in from_file
            else "accounts in stack config"
        )
        print(f"\nN={size}: {how}")
        print(
            f"  {'verb':20} {'pixverse':>9} {'no-op':>8} {'ratio':>6}{extra}  {'conns':>5}  "
            f"{'peak MiB':>11}  API requests by route (pixverse)"
        )
        for verb in verbs:
            ours, floor = by_kind["pixverse"][verb], by_kind["noop"][verb]
            if not ours or not floor:
                continue
            mine = statistics.median(r.seconds for r in ours)
            base = statistics.median(r.seconds for r in floor)
            ratio = _paired_ratio(ours, floor)
            versus_secret = ""
            if data_floor:
                with_secret = by_kind[DATA_FLOOR][verb]
                median = statistics.median(r.seconds for r in with_secret)
                versus_secret = f" {median:7.2f}s {_paired_ratio(ours, with_secret):5.2f}x"
            last = ours[-1]
            peak = f"{_mib(ours)}/{_mib(floor)}"
            print(
                f"  {VERBS[verb][0]:20} {mine:8.2f}s {base:7.2f}s {ratio:5.2f}x{versus_secret}  "
                f"{last.connections:5}  {peak:>11}  {_routes(last.requests)}"
            )
            if size in TARGET_SIZES:
                checked.append((f"{VERBS[verb][0]} at N={size}", ratio))
        _profile(by_kind, verbs)
    print(
        "  (seconds: median of the repeats; ratio: median of each repeat's pixverse / no-op, run seconds"
        " apart"
        + (
            ", then the no-op with our resources' data (a secret field, the accounts in config) and its ratio"
            if data_floor
            else ""
        )
        + "; peak MiB: VmHWM of the provider process, pixverse/no-op, sampled every 0.1 s, '-' when it"
        " lived shorter; conns and requests: the last repeat; CPU: sampled from /proc every 0.1 s, 'other'"
        " what sampling missed of the CLI's exact rusage total)"
    )
    print("\nimport times (median of fresh processes, interleaved)")
    base = imports["import pulumi"]
    for name, ms in imports.items():
        print(f"  {name:55} {ms:7.1f} ms  {ms / base:5.2f}x import pulumi")
    checked.append(("import pulumi_pixverse", imports["import pulumi_pixverse"] / base))
    return checked


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(prog="tools/bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,100", help="comma-separated N (default 1,10,100)")
    parser.add_argument("--repeat", type=int, default=3, help="repeats per size; the median is shown")
    parser.add_argument("--verbs", default=",".join(VERBS), help=f"a subset of {','.join(VERBS)}")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, states)")
    parser.add_argument(
        "--program",
        choices=("auto", "stacks", "file"),
        default="auto",
        help="this project's stacks/__main__.py with the accounts in stack config, or FILE_PROGRAM with them"
        " in a file; auto: stacks while they fit in PULUMI_CONFIG",
    )
    parser.add_argument(
        "--data-floor",
        action="store_true",
        help="also time the no-op with our resources' data: a secret field, the accounts in its stack config",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    verbs = [v.strip() for v in args.verbs.split(",") if v.strip()]
    unknown = [v for v in verbs if v not in VERBS]
    if unknown or not verbs or not sizes or args.repeat < 1 or min(sizes) < 1:
        parser.error(f"sizes >= 1, repeat >= 1, verbs among {','.join(VERBS)} (got {','.join(unknown)})")
    version = subprocess.run(["pulumi", "version"], capture_output=True, text=True, check=True).stdout.strip()
    print(
        f"tools/bench: pulumi {version}, N in {args.sizes}, {args.repeat} repeat(s), {os.cpu_count()} cores, "
        "bytecode cache on; wall time is the median of the repeats (a shared machine is noisy)",
        flush=True,
    )
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)  # also when started in the background (SIGINT ignored)
    warm = (
        "import pulumi.dynamic, pulumi_pixverse, pulumi_pixverse.provider, pulumi_pixverse.models, requests"
    )
    subprocess.run([sys.executable, "-c", warm], check=True, env=PYTHON_ENV)  # the bytecode cache, once
    root = Path(tempfile.mkdtemp(prefix="pixverse-bench-"))
    token = f"bench-{secrets.token_hex(8)}"
    emulator = Emulator(token, root / "emulator.log")
    try:
        kinds = (*KINDS, DATA_FLOOR) if args.data_floor else KINDS
        results, from_file = run_sizes(sizes, args.repeat, verbs, kinds, root, emulator, token, args.program)
    finally:
        emulator.stop()
        if args.keep:
            print(f"kept {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)
    imports = import_times(max(15, 5 * args.repeat))  # ~0.2 s each: many rounds, or the medians wander
    checked = report(results, verbs, imports, from_file)
    worst_what, worst = max(checked, key=lambda item: item[1])
    over = [what for what, ratio in checked if ratio > TARGET_RATIO]
    verdict = "all within" if not over else f"{len(over)} over ({'; '.join(over)})"
    sized = (
        "" if any(size in TARGET_SIZES for size in sizes) else " (no target size in this run: import only)"
    )
    print(
        f"\nsummary: worst ratio {worst:.2f}x ({worst_what}); target <={TARGET_RATIO:.2f}x for every verb at "
        f"N={' and '.join(map(str, TARGET_SIZES))} and for the import{sized}: {verdict}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
