"""Command line: `python -m pulumi_pixverse.emulator --port PORT [--state FILE] [--verbose]
[--latency SECONDS [--jitter SECONDS] [--seed N]] [--route-latency 'ROUTE=SECONDS' ...]`.

Prints one line to stdout when ready, `pixverse emulator listening on http://127.0.0.1:<port>`,
serves until SIGTERM or SIGINT, then exits 0. The token it accepts comes from $USEAPI_EMULATOR_TOKEN
(never a command line, which `ps` shows); without it, the emulator makes a random token for this run
and writes it to a file only the user can read (mode 0600, in a new folder of mode 0700 under the
temporary folder, removed when it stops), whose path it prints on a second line. The token itself is
never printed.

`--latency` makes it a distant service: every API request waits that long before it is answered,
give or take `--jitter` (drawn from a generator seeded with `--seed`); `--route-latency` sets one
route's own wait, e.g. `--route-latency 'POST /v2/pixverse/accounts/{email}=2'` for a slow login.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from types import FrameType

from .backend import AccountStore, ServiceError
from .latency import parse_latency, parse_route_latency
from .server import EmulatorServer

TOKEN_ENV = "USEAPI_EMULATOR_TOKEN"


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _token_file(token: str) -> Path:
    """A new file holding `token`, readable by the user only, in a new folder of its own."""
    path = Path(tempfile.mkdtemp(prefix="pixverse-emulator-")) / "token"  # mode 0700
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
        file.write(token)
    return path


def main(argv: list[str] | None = None) -> int:
    """Run the emulator in the foreground; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m pulumi_pixverse.emulator", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0 picks a free one)")
    parser.add_argument("--state", type=Path, help="JSON file the accounts are loaded from and saved to")
    parser.add_argument("--verbose", action="store_true", help="log method, path and status to stderr")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds each API request waits")
    parser.add_argument("--jitter", type=float, default=0.0, help="each wait varies by up to this, +/-")
    parser.add_argument("--seed", type=int, default=0, help="seed of the jitter's draws (default 0)")
    parser.add_argument(
        "--route-latency",
        action="append",
        default=[],
        metavar="ROUTE=SECONDS",
        help="a route's own wait, e.g. 'POST /v2/pixverse/accounts/{email}=2' (repeatable)",
    )
    args = parser.parse_args(argv)
    try:
        routes = dict(parse_route_latency(text) for text in args.route_latency)
        latency = parse_latency(
            {"seconds": args.latency, "jitter": args.jitter, "seed": args.seed, "routes": routes}
        )
    except (ValueError, ServiceError) as error:
        parser.error(str(error))
    token = os.environ.get(TOKEN_ENV) or None
    try:
        server = EmulatorServer(
            port=args.port, token=token, store=AccountStore(args.state), verbose=args.verbose, latency=latency
        )
    except (OSError, ValueError) as error:
        print(f"pixverse emulator: cannot start: {error}", file=sys.stderr)
        return 1
    token_file = None if token else _token_file(server.token)
    try:
        signal.signal(signal.SIGTERM, _interrupt)
        signal.signal(signal.SIGINT, _interrupt)  # also when started with SIGINT ignored (`cmd &`)
        print(f"pixverse emulator listening on {server.url}", flush=True)
        if token_file is not None:
            print(
                f"pixverse emulator: {TOKEN_ENV} is not set, so its token is a new random one, in "
                f"{token_file} (readable by you only; removed when it stops)",
                flush=True,
            )
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if token_file is not None:
            shutil.rmtree(token_file.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
