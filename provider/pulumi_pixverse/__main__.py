"""`python -m pulumi_pixverse adopt|migrate --stack NAME [--dry-run]` (see pulumi_pixverse.commands.adopt and
pulumi_pixverse.commands.migrate) and `python -m pulumi_pixverse audit --stack NAME [--also-managed-by
STACK]... [--all-stacks] [--json FILE] [--days N]` (pulumi_pixverse.commands.audit; exit 0 clean, 2
findings, 1 incomplete or could not check): run from the project folder, with `pulumi` on PATH. A failure
is one printable line on stderr (`service_words`: it may quote the service, the state or `pulumi`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .client.sanitize import LINE_LIMIT, service_words
from .commands.adopt import adopt
from .commands.migrate import migrate
from .commands.pulumi_cli import CommandError
from .core.failures import OperationFailed

COMMANDS = {
    "adopt": (adopt, "declare the service's undeclared accounts in a stack's pixverse:accounts"),
    "migrate": (migrate, "move a stack's accounts from the dynamic provider to the plugin's types"),
}
AUDIT = (
    "check a stack's accounts against the service (GETs only): exit 0 clean, 2 findings, 1 could not check"
)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m pulumi_pixverse")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, (_, description) in COMMANDS.items():
        command = commands.add_parser(name, help=description, description=description)
        command.add_argument("--stack", required=True, help="the stack to work on")
        command.add_argument(
            "--dry-run", action="store_true", help="print what would be done; change nothing"
        )
    command = commands.add_parser("audit", help=AUDIT, description=AUDIT)
    command.add_argument("--stack", required=True, help="the stack to check")
    command.add_argument("--json", type=Path, help="also write the findings to this file, as JSON")
    command.add_argument("--days", type=int, default=7, help="warn of a plan or session ending this soon")
    command.add_argument(
        "--also-managed-by",
        action="append",
        default=[],
        metavar="STACK",
        help="another stack on the same subscription (repeat for each): its accounts are managed elsewhere, "
        "not unmanaged",
    )
    command.add_argument(
        "--all-stacks",
        action="store_true",
        help="as --also-managed-by, for every other stack of the project (`pulumi stack ls`)",
    )
    args = parser.parse_args()
    if args.command == "audit":
        return run_audit(args.stack, args.json, args.days, args.also_managed_by, args.all_stacks)
    try:
        for line in COMMANDS[args.command][0](args.stack, args.dry_run):
            print(line, flush=True)  # as each step ends: an interrupted run shows how far it got
    except (CommandError, ValueError) as error:
        print(service_words(f"{args.command}: {error}", LINE_LIMIT), file=sys.stderr)
        return 1
    return 0


def run_audit(stack: str, json_file: Path | None, days: int, others: list[str], all_stacks: bool) -> int:
    from .commands.audit import audit, exit_status, report, table

    try:
        result = audit(stack, days, others, all_stacks)
    except (CommandError, OperationFailed) as error:
        print(service_words(f"audit: {error}", LINE_LIMIT), file=sys.stderr)
        return 1
    for line in table(stack, result):
        print(line)
    if json_file is not None:
        json_file.write_text(report(stack, days, result) + "\n")
    return exit_status(result.findings)


sys.exit(main())
