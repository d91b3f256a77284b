"""`python -m pulumi_pixverse adopt|migrate --stack NAME [--dry-run]` (see pulumi_pixverse.adopt and
pulumi_pixverse.migrate): run from the project folder, with `pulumi` on PATH."""

from __future__ import annotations

import argparse
import sys

from .adopt import adopt
from .migrate import migrate
from .pulumi_cli import CommandError

COMMANDS = {
    "adopt": (adopt, "declare the service's undeclared accounts in a stack's pixverse:accounts"),
    "migrate": (migrate, "move a stack's accounts from the dynamic provider to the plugin's types"),
}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m pulumi_pixverse")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, (_, description) in COMMANDS.items():
        command = commands.add_parser(name, help=description, description=description)
        command.add_argument("--stack", required=True, help="the stack to work on")
        command.add_argument(
            "--dry-run", action="store_true", help="print what would be done; change nothing"
        )
    args = parser.parse_args()
    try:
        for line in COMMANDS[args.command][0](args.stack, args.dry_run):
            print(line, flush=True)  # as each step ends: an interrupted run shows how far it got
    except (CommandError, ValueError) as error:
        print(f"{args.command}: {error}", file=sys.stderr)
        return 1
    return 0


sys.exit(main())
