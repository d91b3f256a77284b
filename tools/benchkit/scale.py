"""The bench at scale (`--scale`): a large pool against a distant service, on each backend a team may
keep its state in, with the engine's checkpoints and without, next to the no-op provider given our
resources' data at the same distance.

For each backend (`file`: a folder; `postgres`: a throwaway PostgreSQL cluster on loopback,
tools/postgres_cluster.py) and each checkpoint setting (the default, then
PULUMI_SKIP_CHECKPOINTS=true), N v1 accounts go through up (create), refresh, up (change all) and
destroy at one `--parallel P`, with the emulator answering every API request after S seconds. The
no-op (noop/, with our resources' data: a secret field, four more) waits as an ideal provider of a
service that far would: S per create, update and delete, S once per process for its reads, as many
calls at once as the engine sends. Each verb runs for both projects back to back, in alternating order.

So a ratio is what this provider costs beyond the unavoidable waits and the engine's work on the same
data; the no-op's own time beyond the waits (N x S / P for the verbs that send a request per account)
is the engine's. Printed per backend and setting: each verb's times, the ratio, the waits, the
engine's CPU seconds (the CLI and its language host) for each, the most API requests in flight and
the requests by route; then one summary line against the goal: each verb within 1.05x of the no-op.
It reports; it never fails on a ratio.
"""

from __future__ import annotations

import contextlib
import shutil
import statistics
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from postgres_cluster import Cluster

from .distance import ideal
from .processes import Emulator, routes_text
from .projects import DATA_FLOOR, VERBS, Project, Run

BACKENDS = ("file", "postgres")
CHECKPOINTS = {"on": {}, "off": {"PULUMI_SKIP_CHECKPOINTS": "true"}}
"""Each checkpoint setting: the environment that makes it ("on" is the engine's default)."""
KINDS = ("pixverse", DATA_FLOOR)
GOAL = 1.05
Results = dict[str, dict[str, dict[int, dict[str, dict[str, list[Run]]]]]]
"""results[backend][checkpoints][size][kind][verb]: one Run per repeat."""


@contextlib.contextmanager
def backend_url(backend: str) -> Iterator[str | None]:
    """The URL of `backend` while it is up: None for `file` (each project keeps a folder of its own), a
    throwaway cluster's for `postgres`, stopped and removed at the end."""
    if backend == "file":
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="pixverse-bench-pg-"))  # short: the server's socket is in it
    cluster = Cluster(folder)
    try:
        yield cluster.start()
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


def run_scale(
    backends: list[str],
    sizes: list[int],
    repeat: int,
    verbs: list[str],
    parallel: int,
    latency: float,
    root: Path,
    emulator: Emulator,
    token: str,
    program: str,
) -> Results:
    """Each verb of this project and of the no-op, per backend, checkpoint setting, size and repeat."""
    order = [v for v in VERBS if v in verbs or v == "up"]
    results: Results = {}
    for backend in backends:
        results[backend] = {}
        with backend_url(backend) as url:
            for setting, env in CHECKPOINTS.items():
                projects = {
                    kind: Project(
                        kind,
                        root,
                        emulator,
                        token,
                        program,
                        backend=url,
                        env={**env, **({"NOOP_DELAY": str(latency)} if kind == DATA_FLOOR else {})},
                        folder=f"{kind}-{backend}-checkpoints-{setting}",
                    )
                    for kind in KINDS
                }
                by_size = results[backend][setting] = {}
                for size in sizes:
                    by_size[size] = {kind: {v: [] for v in verbs} for kind in KINDS}
                    for rep in range(repeat):
                        emulator.reset()
                        emulator.set_latency(latency, seed=rep)
                        for project in projects.values():
                            project.new_stack(f"n{size}-r{rep}", size)
                        for step, verb in enumerate(order):
                            for kind in KINDS if (rep + step) % 2 == 0 else KINDS[::-1]:
                                run = projects[kind].timed(verb, size, parallel)
                                if verb in verbs:
                                    by_size[size][kind][verb].append(run)
                                label = (
                                    f"{backend:8} checkpoints {setting:3} N={size} repeat {rep + 1}/{repeat} "
                                    f"{kind:9} {VERBS[verb][0]:16}"
                                )
                                print(f"  {label} {run.seconds:7.2f}s", file=sys.stderr, flush=True)
                        for project in projects.values():
                            if "destroy" not in order:
                                project.pulumi("destroy", "--yes", "--parallel", str(parallel))
                            project.pulumi("stack", "rm", "--yes", "--force")
    return results


def report(results: Results, verbs: list[str], latency: float, parallel: int) -> list[str]:
    """Print the tables; return the verbs over the goal (empty when all are within it)."""
    missed = []
    for backend, by_setting in results.items():
        for setting, by_size in by_setting.items():
            for size, by_kind in by_size.items():
                how = " (the default)" if setting == "on" else " (PULUMI_SKIP_CHECKPOINTS)"
                print(
                    f"\nN={size}, {latency * 1000:g} ms a request, --parallel {parallel}, {backend} backend, "
                    f"checkpoints {setting}{how}"
                )
                print(
                    f"  {'verb':16} {'pixverse':>9} {'no-op':>9} {'ratio':>6} {'waits':>7} "
                    f"{'engine CPU':>16} {'in flight':>9}  API requests by route (last repeat)"
                )
                for verb in verbs:
                    ours, floor = by_kind["pixverse"][verb], by_kind[DATA_FLOOR][verb]
                    ratio = statistics.median(a.seconds / b.seconds for a, b in zip(ours, floor, strict=True))
                    engine = "/".join(f"{_median(runs, 'engine'):.1f}" for runs in (ours, floor))
                    print(
                        f"  {VERBS[verb][0]:16} {_median(ours):8.1f}s {_median(floor):8.1f}s {ratio:5.2f}x "
                        f"{ideal(verb, size, latency, parallel, 0.0):6.1f}s {engine + ' s':>16} "
                        f"{ours[-1].peak_in_flight:>9}  {routes_text(ours[-1].requests)}"
                    )
                    if ratio > GOAL:
                        where = f"{VERBS[verb][0]} at N={size} on {backend}, checkpoints {setting}"
                        missed.append(f"{where}: {ratio:.2f}x")
    print(
        "  (seconds: median of the repeats; no-op: the no-op given our resources' data, waiting as an ideal"
        " provider of the same service would; ratio: median of each repeat's pixverse / no-op; waits: the"
        " unavoidable waits, N x latency / parallel for a verb that sends a request per account, 2 x latency"
        " for a refresh; engine CPU: the CLI and its language host, pixverse/no-op)"
    )
    return missed


def _median(runs: list[Run], cpu_of: str = "") -> float:
    """The median wall time of `runs`, or of their CPU seconds in the role `cpu_of`."""
    return statistics.median(run.cpu.get(cpu_of, 0.0) if cpu_of else run.seconds for run in runs)


def summarize(missed: list[str]) -> None:
    verdict = "all within" if not missed else f"{len(missed)} over ({'; '.join(missed)})"
    goal = f"each verb within {GOAL:.2f}x of the no-op at the same distance on each backend"
    print(f"\nsummary: {goal}: {verdict}")
