"""The bench of this package's commands (`--commands`): `python -m pulumi_pixverse audit`, `migrate`
and `adopt` on a large pool at a distance (default N=1000, every API request answered after 250 ms,
one repeat), each run as a user runs it, from the project folder, with the engine's default
checkpoints, and timed from its start to its exit. Each repeat, on an emulator emptied first:
- set-up, untimed, with no delay: a stack of this project declaring N v2 accounts (from a file:
  accounts_from_file.py), made by one `pulumi up --parallel 32` with PULUMI_SKIP_CHECKPOINTS=true;
  v2, as the audit's only calls per account are the v2 plan reads (a v1 account costs it nothing
  beyond the one list call for all);
- audit: `audit --stack S`, which must find the stack clean (exit 0);
- migrate: `migrate --stack S`, the same stack, whose state must then hold N pixverse:index:AccountV2
  and nothing of the dynamic providers;
- adopt: N v1 accounts stored on the service as another owner would have made them (an admin route:
  no API request), then `adopt --stack A` into a new stack, whose config must then hold the N of
  them, each with its Discord token encrypted.

A stand-in `pulumi` first on their PATH (tools/pulumi_calls.py) logs each `pulumi` command they run
and its wall time. Printed per command and size: its median seconds, how many `pulumi` commands it ran, the
most API requests in flight and the API requests by route (the last repeat); then its floor, from the
same run: the time inside its `pulumi` commands (run one after another), by command, plus the API
waits outside them its design cannot avoid (audit: two list calls, then the plan reads
FEATURES_AT_ONCE at a time; adopt: one list call; migrate: none, its reads are `pulumi import`'s).
"""

from __future__ import annotations

import json
import math
import os
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pulumi_calls import PulumiCalls
from pulumi_pixverse.commands.audit import FEATURES_AT_ONCE

from .processes import Emulator, routes_text
from .projects import Project, accounts

COMMANDS = ("audit", "migrate", "adopt")
"""In the order each repeat runs them: migrate moves the stack the audit read."""
SET_UP_PARALLEL = 32
SET_UP_ENV = {"PULUMI_SKIP_CHECKPOINTS": "true"}
"""The set-up's environment beyond the project's (a shorter set-up); the timed commands run without."""
PLUGIN_V2 = "pixverse:index:AccountV2"


@dataclass
class Timed:
    """One timed command: its wall time, the API requests by route and the most in flight at once, and
    each `pulumi` command it ran (its first two words, its seconds), in order."""

    seconds: float
    requests: Counter[str]
    peak_in_flight: int
    calls: list[tuple[str, float]]


Results = dict[int, dict[str, list[Timed]]]
"""results[size][command]: one Timed per repeat."""


def v2_accounts(size: int) -> list[dict[str, Any]]:
    """The bench's N v2 accounts (made-up emails and passwords)."""
    emails = [f"bench-{i}@bench.example" for i in range(size)]
    return [{"name": e, "email": e, "password": f"bench-pw-{i}", "maxJobs": 3} for i, e in enumerate(emails)]


def run_commands(
    sizes: list[int], repeat: int, latency: float, root: Path, emulator: Emulator, token: str
) -> Results:
    """audit, migrate and adopt at each size and repeat (see the module)."""
    pool, adopting = (
        Project("pixverse", root, emulator, token, "file", env=SET_UP_ENV, folder=f"commands-{role}")
        for role in ("pool", "adopt")
    )
    real = shutil.which("pulumi")
    if real is None:
        sys.exit("bench: no pulumi on PATH")
    (root / "pulumi-calls").mkdir()
    calls = PulumiCalls(root / "pulumi-calls", real)
    results: Results = {}
    for size in sizes:
        results[size] = {command: [] for command in COMMANDS}
        for rep in range(repeat):
            where = f"commands N={size} repeat {rep + 1}/{repeat}"
            emulator.reset()
            pool.new_stack(f"n{size}-r{rep}", 0)
            (pool.dir / "stacks" / "accounts.json").write_text(json.dumps(v2_accounts(size)))
            made = pool.pulumi("up", "--yes", "--parallel", str(SET_UP_PARALLEL))
            _progress(f"{where} set-up: up of {size} v2 accounts (untimed)", made.seconds)
            emulator.set_latency(latency, seed=rep)
            for command in ("audit", "migrate"):
                results[size][command].append(timed(pool, command, calls))
                _progress(f"{where} {command}", results[size][command][-1].seconds)
            check_migrated(pool, size)
            emulator.seed(accounts(size, 0))
            adopting.new_stack(f"n{size}-r{rep}", 0)
            results[size]["adopt"].append(timed(adopting, "adopt", calls))
            _progress(f"{where} adopt", results[size]["adopt"][-1].seconds)
            check_adopted(adopting, size)
            for project in (pool, adopting):
                project.pulumi("stack", "rm", "--yes", "--force")
    return results


def timed(project: Project, command: str, calls: PulumiCalls) -> Timed:
    """Run `python -m pulumi_pixverse COMMAND --stack S` from the project's folder, with the stand-in
    `pulumi` first on its PATH; exit the bench with its output's end when it fails."""
    emulator = project.emulator
    before, _ = emulator.totals()
    emulator.peak_in_flight(restart=True)
    mark = len(calls.timed())
    env = {key: value for key, value in project.env.items() if key not in SET_UP_ENV}
    env["PATH"] = f"{calls.folder}{os.pathsep}{env['PATH']}"
    argv = [sys.executable, "-m", "pulumi_pixverse", command, "--stack", project.stack]
    log = project.logs / f"{command}-{project.stack}.log"
    with log.open("w") as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            argv,
            cwd=project.dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: an interrupted bench stops its pulumi and plugins too
        )
        try:
            process.wait()
        except BaseException:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait()
            raise
        seconds = time.perf_counter() - started
    if process.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        sys.exit(
            f"bench: `{shlex.join(argv[1:])}` failed in {project.dir} (exit {process.returncode}):\n{tail}"
        )
    after, _ = emulator.totals()
    return Timed(seconds, after - before, emulator.peak_in_flight(), calls.timed()[mark:])


def check_migrated(project: Project, size: int) -> None:
    """The stack's state holds `size` accounts of the plugin's v2 type and nothing of the dynamic
    providers; else the bench exits saying what it holds."""
    path = project.logs / f"state-{project.stack}.json"
    project.pulumi("stack", "export", "--file", str(path))
    resources = json.loads(path.read_text())["deployment"].get("resources") or []
    types = Counter(str(resource["type"]) for resource in resources)
    dynamic = sum(n for kind, n in types.items() if "pulumi-python" in kind)
    if types[PLUGIN_V2] != size or dynamic:
        sys.exit(
            f"bench: after migrate the state of {project.stack} holds {dict(types)}, not {size} {PLUGIN_V2}"
        )


def check_adopted(project: Project, size: int) -> None:
    """The stack's config holds the `size` seeded accounts' channels in pixverse:accounts, each with
    its Discord token encrypted; else the bench exits saying what it holds."""
    stored = yaml.safe_load((project.dir / "stacks" / f"Pulumi.{project.stack}.yaml").read_text())
    entries = ((stored or {}).get("config") or {}).get("pixverse:accounts") or []
    channels = sorted(str(entry.get("channel")) for entry in entries)
    encrypted = sum(
        isinstance(entry.get("discord"), dict) and "secure" in entry["discord"] for entry in entries
    )
    if channels != sorted(account["channel"] for account in accounts(size, 0)) or encrypted != size:
        sys.exit(
            f"bench: after adopt the config of {project.stack} holds {len(entries)} accounts, "
            f"{encrypted} with an encrypted Discord token, not the {size} seeded"
        )


def report(results: Results, latency: float) -> None:
    """The table, then each command's floor (see the module)."""
    delay = f"{latency * 1000:g} ms"
    print(f"\naudit, migrate and adopt, every API request answered after {delay}")
    print(
        f"  {'command':8} {'N':>6} {'latency':>8} {'seconds':>9} {'pulumi':>6} {'in flight':>9}  "
        "API requests by route (last repeat)"
    )
    for size, by_command in results.items():
        for command, runs in by_command.items():
            last, seconds = runs[-1], statistics.median(run.seconds for run in runs)
            print(
                f"  {command:8} {size:>6} {delay:>8} {seconds:8.1f}s {len(last.calls):>6} "
                f"{last.peak_in_flight:>9}  {routes_text(last.requests)}"
            )
    print("  (seconds: median of the repeats; pulumi: the `pulumi` commands it ran; in flight: most at once)")
    print("\nfloor (last repeat): the time inside its `pulumi` commands + the API waits outside them")
    for size, by_command in results.items():
        for command, runs in by_command.items():
            print(f"  {command:8} N={size}: {floor_text(command, size, latency, runs[-1])}")


def floor_text(command: str, size: int, latency: float, run: Timed) -> str:
    """One command's floor, measured (see the module), and what it is made of."""
    count, spent = Counter(name for name, _ in run.calls), Counter[str]()
    for name, seconds in run.calls:
        spent[name] += seconds
    inside = sum(spent.values())
    parts = ", ".join(f"{name} x{count[name]} {spent[name]:.1f}s" for name, _ in spent.most_common())
    plans = f"2 lists, {size} plans {FEATURES_AT_ONCE} at once"
    rounds, why = {
        "audit": (2 + math.ceil(size / FEATURES_AT_ONCE), plans),
        "adopt": (1, "1 list"),
        "migrate": (0, "none: its reads are the import's"),
    }[command]
    waits = rounds * latency
    text = (
        f"{inside + waits:.1f}s of its {run.seconds:.1f}s = pulumi {inside:.1f}s ({parts}) "
        f"+ waits {waits:.1f}s ({why})"
    )
    sent = sum(run.requests.values())
    if command == "migrate" and run.peak_in_flight:
        at_least = math.ceil(sent / run.peak_in_flight) * latency
        text += (
            f"; the import's {sent} requests, at most {run.peak_in_flight} at once, wait >= {at_least:.1f}s"
            f" of its {spent['import --file']:.1f}s"
        )
    return text


def _progress(what: str, seconds: float) -> None:
    print(f"  {what:58} {seconds:7.2f}s", file=sys.stderr, flush=True)
