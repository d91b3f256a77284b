"""The bench against the engine's floor: each verb with this provider, next to a no-op dynamic
provider run seconds apart (and with --data-floor, the no-op given our resources' data), at N accounts.

Printed per size: the median wall time of the repeats per verb and project, the median of the
repeats' ratios (each verb runs for both projects back to back, in alternating order), the API
requests by route and the TCP connections the emulator saw, the peak resident memory (VmHWM) of the
dynamic provider process (`python -u -m pulumi.dynamic`), and CPU seconds by process role. Then import
times in fresh processes, and one summary line.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

from .processes import PYTHON_ENV, ROLES, Emulator, routes_text
from .projects import DATA_FLOOR, NEEDS_STACK, VERBS, Project, Run

TARGET_RATIO = 1.10
TARGET_SIZES = (10, 100)
Results = dict[int, dict[str, dict[str, list[Run]]]]
"""results[size][kind][verb]: one Run per repeat."""


def run_sizes(
    sizes: list[int],
    repeat: int,
    verbs: list[str],
    kinds: tuple[str, ...],
    root: Path,
    emulator: Emulator,
    token: str,
    program: str,
) -> tuple[Results, set[int]]:
    """results[size][kind][verb] = one Run per repeat; and the sizes whose accounts came from a file."""
    projects = {kind: Project(kind, root, emulator, token, program) for kind in kinds}
    from_file: set[int] = set()
    results: Results = {}
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
    "provider process: pulumi_pixverse.dynamic.provider + one check": (
        "import pulumi.dynamic, pulumi_pixverse.dynamic.provider as p\n"
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
    results: Results,
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
                f"{last.connections:5}  {peak:>11}  {routes_text(last.requests)}"
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


def summarize(checked: list[tuple[str, float]], sizes: list[int]) -> None:
    """The summary line: the worst ratio, and the verbs over the target."""
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
