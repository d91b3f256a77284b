"""`python -m pulumi_pixverse adopt --stack NAME [--dry-run]`: bring live accounts under management.

Pulumi's own import cannot serve a dynamic provider (the engine's Read for an import carries neither
the pickled provider nor inputs; pulumi/pulumi#16175), so adoption happens in the stack's config:
every account the service holds that `pixverse:accounts` does not declare is appended to it with
`pulumi config set --path`, the Discord token as a secret passed on stdin, never on a command line.
The next `pulumi up` then creates each one, finds the live account identical, and writes nothing.

Run it from the project folder with the `pulumi` CLI on PATH. The API token and URL come from the
stack's config or the environment, as the provider takes them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

from .client import AuthenticationError, NotFoundError, PixverseClient, PixverseError, RetriesExhaustedError
from .models import FIELDS
from .settings import MISSING_TOKEN_MESSAGE, resolve_settings

ACCOUNTS_KEY = "pixverse:accounts"


class AdoptError(Exception):
    """A failure that stops adoption before the stack config is changed; the message is one line."""


def pulumi(stack: str, *args: str, stdin: str | None = None) -> str:
    """Run `pulumi ARGS --stack STACK` and return its stdout; AdoptError with its last error line."""
    try:
        done = subprocess.run(
            ["pulumi", *args, "--stack", stack, "--non-interactive"],
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        raise AdoptError("the pulumi CLI is not on PATH") from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()] or ["(no message)"]
        raise AdoptError(f"`pulumi {args[0]} {args[1] if len(args) > 1 else ''}` failed: {lines[-1].strip()}")
    return done.stdout


def read_stack_config(stack: str) -> dict[str, Any]:
    """The stack's config, secrets decrypted (kept in this process only), keyed by full key."""
    raw = json.loads(pulumi(stack, "config", "--json", "--show-secrets") or "{}")
    config: dict[str, Any] = {}
    for key, entry in raw.items():
        if "objectValue" in entry:
            config[key] = entry["objectValue"]
        elif entry.get("value") is not None:
            config[key] = entry["value"]
    return config


def differences(declared: dict[str, Any], live: dict[str, Any]) -> list[str]:
    """The fields where a declared entry and its live account differ; the token's value never shown."""
    found = []
    for field in FIELDS:
        want, have = declared.get(field), live.get(field)
        if str(want) == str(have):
            continue
        found.append(field if field == "discord" else f"{field} (declared {want}, live {have})")
    return found


def adopt(stack: str, dry_run: bool) -> list[str]:
    """Append each undeclared live account to the stack's config; return the lines to print."""
    config = read_stack_config(stack)
    settings = resolve_settings(config.get)
    if settings is None:
        raise AdoptError(MISSING_TOKEN_MESSAGE)
    try:
        with PixverseClient(settings) as client:
            live = client.list_accounts()
    except NotFoundError:
        live = {}
    except AuthenticationError:
        raise AdoptError(
            f"the service at {settings.base_url} refused the API token: check pixverse:apiToken "
            "in the stack's config or USEAPI_TOKEN"
        ) from None
    except RetriesExhaustedError as error:
        raise AdoptError(f"cannot reach the service at {settings.base_url}: {error.detail}") from None
    except PixverseError as error:
        raise AdoptError(f"listing the accounts failed: {error}") from None

    entries = config.get(ACCOUNTS_KEY) or []
    if not isinstance(entries, list):
        raise AdoptError(f"{ACCOUNTS_KEY} must be a list")
    declared = {str(e.get("channel")): e for e in entries if isinstance(e, dict)}
    names = {str(e.get("name") or e.get("channel")) for e in entries if isinstance(e, dict)}
    lines = []
    for channel, entry in sorted(declared.items()):
        if channel in live and (changed := differences(entry, live[channel])):
            name = entry.get("name") or channel
            lines.append(
                f"declared {name} (channel {channel}) differs from the service: {', '.join(changed)}"
            )
    new = [account for channel, account in sorted(live.items()) if channel not in declared]
    if not new:
        return [*lines, "nothing to adopt: every live account is declared in the stack"]

    verb = "would add" if dry_run else "added"
    for offset, account in enumerate(new):
        name = str(account["channel"])
        if name in names:
            raise AdoptError(
                f"cannot adopt channel {name}: an entry of {ACCOUNTS_KEY} already uses that name"
            )
        if not dry_run:
            write_entry(stack, len(entries) + offset, name, account)
        lines.append(f"{verb} {name}: channel {account['channel']}, maxJobs {account['maxJobs']}")
    if dry_run:
        lines.append("dry run: the stack's config is unchanged; run again without --dry-run to write it")
    else:
        lines.append(
            f"next: `pulumi preview --stack {stack}` shows {len(new)} create(s); "
            "`pulumi up` adopts them without writing to the service"
        )
    return lines


def write_entry(stack: str, index: int, name: str, account: dict[str, Any]) -> None:
    """Append one account at `index` of pixverse:accounts; ids as strings, the token as a secret."""
    key = f"{ACCOUNTS_KEY}[{index}]"
    pulumi(stack, "config", "set", "--path", f"{key}.name", name, "--type", "string")
    for field in ("server", "channel"):
        pulumi(stack, "config", "set", "--path", f"{key}.{field}", str(account[field]), "--type", "string")
    pulumi(stack, "config", "set", "--path", f"{key}.maxJobs", str(account["maxJobs"]), "--type", "int")
    pulumi(stack, "config", "set", "--path", "--secret", f"{key}.discord", stdin=str(account["discord"]))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pulumi_pixverse", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    adopt_parser = commands.add_parser("adopt", help="declare the service's undeclared accounts in a stack")
    adopt_parser.add_argument("--stack", required=True, help="the stack whose pixverse:accounts to extend")
    adopt_parser.add_argument(
        "--dry-run", action="store_true", help="print what would be added; write nothing"
    )
    args = parser.parse_args(argv)
    try:
        lines = adopt(args.stack, args.dry_run)
    except (AdoptError, ValueError) as error:
        print(f"adopt: {error}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0
