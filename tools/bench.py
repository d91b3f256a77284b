"""tools/bench: what each verb costs with this provider, with the plain `pulumi` CLI against the emulator
(in its own process, on a free port), each run in a fresh stack of a `file://` backend:

    preview-new   `pulumi preview` of N accounts not created yet
    up            `pulumi up --yes` creating them
    preview       `pulumi preview` with nothing to do
    up-same       `pulumi up --yes` with nothing to do
    refresh       `pulumi refresh --yes` of N unchanged accounts
    up-change     `pulumi up --yes` after changing every account (maxJobs)
    destroy       `pulumi destroy --yes`

Four benches (benchkit/):
- against the engine's floor (the default; benchkit/floor.py): each verb next to a no-op dynamic
  provider, their ratio, API requests, connections, memory, CPU by process, import times;
- against a distant service (`--latency S`; benchkit/distance.py): each verb with every API request
  answered after S seconds, at each `--parallel P` (default 8 and 32), next to the time at no delay and
  the ideal (time at no delay + N x S / P); with `--plugin`, the plugin beside the dynamic provider;
- at scale (`--scale`; benchkit/scale.py): a large pool (default N=1000, 250 ms, --parallel 32, one
  repeat) on each backend of `--backends` (file, postgres), with the engine's checkpoints and without,
  next to the no-op given our resources' data waiting as an ideal provider of the same service would;
- of the package's commands (`--commands`; benchkit/commands.py): `python -m pulumi_pixverse audit`,
  `migrate` and `adopt` of a large pool at a distance (default N=1000, 250 ms, one repeat), each timed
  from its start to its exit, with the `pulumi` commands it ran, the API requests and its floor.

`--verbs` times a subset; verbs a later one needs (up before refresh) run untimed. It reports; it never
fails on a ratio (the machine is shared and timing is noisy: read medians).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from benchkit import commands, distance, floor, scale
from benchkit.processes import PYTHON_ENV, Emulator
from benchkit.projects import DATA_FLOOR, KINDS, PLUGIN, VERBS


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="tools/bench", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", help="comma-separated N (default 1,10,100; --scale: 1000)")
    parser.add_argument(
        "--repeat", type=int, help="repeats per size; the median is shown (default 3; --scale: 1)"
    )
    parser.add_argument(
        "--verbs",
        help=f"a subset of {','.join(VERBS)} (default all; --latency: {','.join(distance.DEFAULT_VERBS)})",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, states)")
    parser.add_argument(
        "--program",
        choices=("auto", "stacks", "file"),
        default="auto",
        help="this project's stacks/__main__.py with the accounts in stack config, or a program reading them"
        " from a file; auto: stacks while they fit in PULUMI_CONFIG",
    )
    parser.add_argument(
        "--data-floor",
        action="store_true",
        help="also time the no-op with our resources' data: a secret field, the accounts in its stack config",
    )
    parser.add_argument(
        "--latency", type=float, help="seconds the emulator waits before each answer: a distant service"
    )
    parser.add_argument("--jitter", type=float, default=0.0, help="with --latency: each wait +/- up to this")
    parser.add_argument(
        "--parallel", help="with --latency: comma-separated pulumi --parallel (default 8,32; --scale: 32)"
    )
    parser.add_argument(
        "--plugin",
        action="store_true",
        help="with --latency: also the plugin pulumi-resource-pixverse (a Pulumi YAML program)",
    )
    parser.add_argument(
        "--scale",
        action="store_true",
        help="a large pool at a distance on each backend, with and without checkpoints, next to the no-op"
        " at the same distance (default --sizes 1000 --latency 0.25 --parallel 32 --repeat 1)",
    )
    parser.add_argument(
        "--commands",
        action="store_true",
        help="time audit, migrate and adopt of a large pool at a distance"
        " (default --sizes 1000 --latency 0.25 --repeat 1)",
    )
    parser.add_argument(
        "--backends", default=",".join(scale.BACKENDS), help="with --scale: file, postgres or both (default)"
    )
    args = parser.parse_args()
    if args.commands:
        others = (args.scale, args.plugin, args.data_floor, args.verbs, args.parallel, args.jitter)
        if any(others) or args.program != "auto":
            parser.error("--commands takes --sizes, --latency, --repeat and --keep only")
        args.sizes, args.repeat = args.sizes or "1000", args.repeat or 1
        args.latency = 0.25 if args.latency is None else args.latency
    if args.scale:
        args.sizes, args.repeat = args.sizes or "1000", args.repeat or 1
        args.latency, args.parallel = 0.25 if args.latency is None else args.latency, args.parallel or "32"
    args.sizes, args.repeat = args.sizes or "1,10,100", args.repeat or 3
    args.parallel = args.parallel or "8,32"
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    try:
        args.sizes = _numbers(args.sizes)
        args.parallel = _numbers(args.parallel)
    except ValueError as error:
        parser.error(f"--sizes and --parallel take comma-separated whole numbers: {error}")
    default_verbs = distance.DEFAULT_VERBS if args.latency is not None else tuple(VERBS)
    args.verbs = [v.strip() for v in (args.verbs or ",".join(default_verbs)).split(",") if v.strip()]
    unknown = [v for v in args.verbs if v not in VERBS]
    if unknown or not args.verbs or not args.sizes or args.repeat < 1 or min(args.sizes) < 1:
        parser.error(f"sizes >= 1, repeat >= 1, verbs among {','.join(VERBS)} (got {','.join(unknown)})")
    if args.latency is not None and (args.latency <= 0 or args.jitter < 0 or not args.parallel):
        parser.error("--latency takes seconds > 0, --jitter seconds >= 0, --parallel at least one number")
    unknown_backends = set(args.backends) - set(scale.BACKENDS)
    if args.scale and (len(args.parallel) != 1 or args.plugin or unknown_backends or not args.backends):
        parser.error(
            f"--scale takes one --parallel, --backends among {','.join(scale.BACKENDS)}, no --plugin"
        )
    if args.plugin and args.latency is None:
        parser.error("--plugin goes with --latency (the floor bench compares dynamic providers)")
    if args.latency is not None and args.data_floor:
        parser.error("--data-floor compares with the no-op provider, which sends nothing: not with --latency")
    return args


def main() -> int:
    args = parse_arguments()
    version = subprocess.run(["pulumi", "version"], capture_output=True, text=True, check=True).stdout.strip()
    mode = (
        f"every API request answered after {args.latency:g} s, --parallel {','.join(map(str, args.parallel))}"
        if args.latency is not None
        else "against a no-op dynamic provider"
    )
    if args.commands:
        mode = f"audit, migrate and adopt, every API request answered after {args.latency:g} s"
    if args.scale:
        mode += f", on the {' and '.join(args.backends)} backends, with checkpoints and without"
    print(
        f"tools/bench: pulumi {version}, N in {','.join(map(str, args.sizes))}, {args.repeat} repeat(s), "
        f"{os.cpu_count()} cores, {mode}; wall time is the median of the repeats (a shared machine is noisy)",
        flush=True,
    )
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)  # also when started in the background (SIGINT ignored)
    warm = (
        "import pulumi.dynamic, pulumi_pixverse, pulumi_pixverse.dynamic.provider, "
        "pulumi_pixverse.core.models, requests"
    )
    subprocess.run([sys.executable, "-c", warm], check=True, env=PYTHON_ENV)  # the bytecode cache, once
    root = Path(tempfile.mkdtemp(prefix="pixverse-bench-"))
    token = f"bench-{secrets.token_hex(8)}"
    emulator = Emulator(token, root / "emulator.log")
    try:
        if args.commands:
            timed = commands.run_commands(args.sizes, args.repeat, args.latency, root, emulator, token)
        elif args.scale:
            at_scale = scale.run_scale(
                args.backends,
                args.sizes,
                args.repeat,
                args.verbs,
                args.parallel[0],
                args.latency,
                root,
                emulator,
                token,
                args.program,
            )
        elif args.latency is not None:
            distant = {
                kind: distance.run_distant(
                    kind,
                    args.sizes,
                    args.repeat,
                    args.verbs,
                    args.parallel,
                    args.latency,
                    args.jitter,
                    root,
                    emulator,
                    token,
                    args.program,
                )
                for kind in ("pixverse", PLUGIN)
                if args.plugin or kind == "pixverse"
            }
        else:
            kinds = (*KINDS, DATA_FLOOR) if args.data_floor else KINDS
            results, from_file = floor.run_sizes(
                args.sizes, args.repeat, args.verbs, kinds, root, emulator, token, args.program
            )
    finally:
        emulator.stop()
        if args.keep:
            print(f"kept {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)
    if args.commands:
        commands.report(timed, args.latency)
    elif args.scale:
        scale.summarize(scale.report(at_scale, args.verbs, args.latency, args.parallel[0]))
    elif args.latency is not None:
        missed = [
            what
            for kind, results in distant.items()
            for what in distance.report(results, args.verbs, args.latency, args.jitter, kind)
        ]
        distance.summarize(missed, args.sizes)
    else:
        imports = floor.import_times(max(15, 5 * args.repeat))  # ~0.2 s each: many rounds, or medians wander
        checked = floor.report(results, args.verbs, imports, from_file)
        floor.summarize(checked, args.sizes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
