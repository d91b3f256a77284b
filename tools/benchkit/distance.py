"""The bench against a distant service (`--latency S`): each verb of this provider at N accounts, at each
`--parallel P`, with the emulator answering every API request after S seconds, next to the same verb
with no delay at the same P (each repeat runs both, in alternating order), and the ideal:

    ideal = time at no delay + N x S / P   (one request per account, P of them in flight)

for the verbs that send a request per account (up, up-change, destroy). A refresh sends one list call
from each of its two provider processes (its preview's and its own), one after the other: its ideal is
the time at no delay + 2 x S. A preview sends nothing: its ideal is the time at no delay.

Printed per size: the median times and the median of the repeats' ratios to the ideal, the most API
requests in flight at once (the emulator's peak) and the API requests by route, then one summary line
against the targets: up, up-change and destroy at N=100 within 1.3x of the ideal at every P; a create
of N accounts sends N + at most 2 requests, a refresh at most 2. With `--plugin`, the plugin
(a Pulumi YAML program declaring the same accounts) is timed the same way, after the dynamic provider.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

from .processes import Emulator, routes_text
from .projects import NEEDS_STACK, PLUGIN, VERBS, Project, Run

PER_ACCOUNT = ("up", "up-change", "destroy")
"""Verbs that send one request per account."""
DEFAULT_VERBS = ("up", "refresh", "up-change", "destroy")
TARGET_RATIO = 1.3
TARGET_SIZE = 100
Results = dict[int, dict[int, dict[float, dict[str, list[Run]]]]]
"""results[size][parallel][delay][verb]: one Run per repeat; delay 0 or the latency."""


def ideal(verb: str, size: int, latency: float, parallel: int, no_delay: float) -> float:
    """The time `verb` would take if latency cost only its unavoidable round trips (see the module)."""
    if verb in PER_ACCOUNT:
        return no_delay + size * latency / parallel
    if verb == "refresh":
        return no_delay + 2 * latency
    return no_delay


def run_distant(
    kind: str,
    sizes: list[int],
    repeat: int,
    verbs: list[str],
    parallels: list[int],
    latency: float,
    jitter: float,
    root: Path,
    emulator: Emulator,
    token: str,
    program: str,
) -> Results:
    """Each verb of `kind` (the dynamic provider "pixverse", or PLUGIN) at each size, repeat and
    parallelism, with no delay and with `latency`."""
    project = Project(kind, root, emulator, token, program)
    order = [v for v in VERBS if v in verbs or (v == "up" and any(n in NEEDS_STACK for n in verbs))]
    results: Results = {}
    for size in sizes:
        results[size] = {p: {d: {v: [] for v in verbs} for d in (0.0, latency)} for p in parallels}
        for rep in range(repeat):
            for parallel in parallels:
                # which goes first alternates, so that a burst of load elsewhere hits both alike
                for delay in (0.0, latency) if rep % 2 == 0 else (latency, 0.0):
                    emulator.reset()
                    if delay:
                        emulator.set_latency(delay, jitter, seed=rep)
                    project.new_stack(f"n{size}-r{rep}-p{parallel}-{'far' if delay else 'near'}", size)
                    for verb in order:
                        run = project.timed(verb, size, parallel)
                        if verb in verbs:
                            results[size][parallel][delay][verb].append(run)
                        label = (
                            f"{kind:8} N={size} repeat {rep + 1}/{repeat} --parallel {parallel:<3} "
                            f"{int(delay * 1000):4} ms {VERBS[verb][0]:18}"
                        )
                        print(f"  {label} {run.seconds:7.2f}s", file=sys.stderr, flush=True)
                    if "destroy" not in order:
                        project.pulumi("destroy", "--yes")
                    project.pulumi("stack", "rm", "--yes", "--force")
    return results


def report(results: Results, verbs: list[str], latency: float, jitter: float, kind: str) -> list[str]:
    """Print the tables of `kind`; return the targets missed (empty when all are met)."""
    missed: list[str] = []
    delay = f"{latency * 1000:g} ms a request" + (f" (+/- {jitter * 1000:g} ms)" if jitter else "")
    for size, by_parallel in results.items():
        print(f"\nN={size}, {'the plugin' if kind == PLUGIN else 'the dynamic provider'}, {delay}")
        print(
            f"  {'verb':18} {'--parallel':>10} {'no delay':>9} {'delayed':>9} {'ideal':>8} {'ratio':>6} "
            f"{'in flight':>9}  API requests by route (delayed, last repeat)"
        )
        for verb in verbs:
            for parallel, by_delay in by_parallel.items():
                near, far = by_delay[0.0][verb], by_delay[latency][verb]
                ideals = [ideal(verb, size, latency, parallel, run.seconds) for run in near]
                ratio = statistics.median(f.seconds / i for f, i in zip(far, ideals, strict=True))
                last = far[-1]
                print(
                    f"  {VERBS[verb][0]:18} {parallel:>10} {_median(near):8.2f}s {_median(far):8.2f}s "
                    f"{statistics.median(ideals):7.2f}s {ratio:5.2f}x {last.peak_in_flight:>9}  "
                    f"{routes_text(last.requests)}"
                )
                missed += [f"{kind}: {what}" for what in _missed(verb, size, parallel, ratio, last)]
    print(
        "  (seconds: median of the repeats; ideal: the time at no delay + N x latency / parallel for verbs"
        " that send a request per account, + 2 x latency for a refresh; ratio: median of each repeat's"
        " delayed time / its ideal; in flight: the most API requests the emulator answered at once)"
    )
    return missed


def _median(runs: list[Run]) -> float:
    return statistics.median(run.seconds for run in runs)


def _missed(verb: str, size: int, parallel: int, ratio: float, last: Run) -> list[str]:
    """The targets this verb misses (see the module)."""
    missed = []
    where = f"{VERBS[verb][0]} at N={size} --parallel {parallel}"
    if verb in PER_ACCOUNT and size == TARGET_SIZE and ratio > TARGET_RATIO:
        missed.append(f"{where}: {ratio:.2f}x the ideal")
    sent = sum(last.requests.values())
    if verb == "up" and sent > size + 2:
        missed.append(f"{where}: {sent} requests for {size} new accounts")
    if verb == "refresh" and sent > 2:
        missed.append(f"{where}: {sent} requests")
    return missed


def summarize(missed: list[str], sizes: list[int]) -> None:
    """The summary line against the targets."""
    scope = "" if TARGET_SIZE in sizes else f" (no N={TARGET_SIZE} in this run: request counts only)"
    verdict = "all met" if not missed else f"{len(missed)} missed ({'; '.join(missed)})"
    print(
        f"\nsummary: up (create), up (change all) and destroy within {TARGET_RATIO:.1f}x of the ideal at "
        f"N={TARGET_SIZE} at every --parallel; a create of N sends <= N + 2 requests, a refresh <= 2"
        f"{scope}: {verdict}"
    )
