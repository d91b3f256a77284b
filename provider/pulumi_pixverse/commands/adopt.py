"""`python -m pulumi_pixverse adopt --stack NAME [--dry-run]`: bring live accounts under management.

Pulumi's own import cannot serve a dynamic provider (the engine's Read for an import carries neither
the pickled provider nor inputs; pulumi/pulumi#16175), so adoption happens in the stack's config:
every account the service holds that `pixverse:accounts` does not declare is appended to it with
`pulumi config set --path`, the Discord token as a secret passed on stdin, never on a command line.
The next `pulumi up` then creates each one, finds the live account identical, and writes nothing.
Each field of a v1 account (`fields.ACCOUNT`) is written under its name, as its type says.

Run it from the project folder with the `pulumi` CLI on PATH. The API token and URL come from the
stack's config or the environment, as the provider takes them.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..client import AuthenticationError, NotFoundError, PixverseClient, PixverseError, RetriesExhaustedError
from ..client.sanitize import service_words
from ..core.accounts import differences
from ..core.fields import ACCOUNT, DISCORD_ID_DIGITS
from ..core.settings import MISSING_TOKEN_MESSAGE, resolve_settings
from .pulumi_cli import CommandError as AdoptError
from .pulumi_cli import pulumi

ACCOUNTS_KEY = "pixverse:accounts"
_CONFIG_TYPES = {"integer": "int", "string": "string"}
"""`pulumi config set --type` of a field's schema type."""


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
    lines, fields, credentials = [], ACCOUNT.names, ACCOUNT.credentials
    for channel, entry in sorted(declared.items()):
        if channel in live and (changed := differences(fields, entry, live[channel], credentials)):
            name, shown = service_words(str(entry.get("name") or channel)), service_words(channel)
            lines.append(f"declared {name} (channel {shown}) differs from the service: {', '.join(changed)}")
    new = [checked(account) for channel, account in sorted(live.items()) if channel not in declared]
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
    """Append one account at `index` of pixverse:accounts: its name, then each field the service holds
    (`fields.ACCOUNT`, an optional one only when it has a value) as its type says, a credential last,
    as a secret on stdin; every value checked first and passed after `--` (see `checked`)."""
    account = checked(account)
    key = f"{ACCOUNTS_KEY}[{index}]"
    pulumi(stack, "config", "set", "--path", "--type", "string", values=(f"{key}.name", name))
    given = [field for field in ACCOUNT.inputs if account.get(field.name) is not None]
    for field in sorted(given, key=lambda field: field.secret):
        path, value = f"{key}.{field.name}", str(account[field.name])
        if field.secret:
            pulumi(stack, "config", "set", "--path", "--secret", values=(path,), stdin=value)
        else:
            kind = _CONFIG_TYPES[field.type]
            pulumi(stack, "config", "set", "--path", "--type", kind, values=(path, value))


def checked(account: dict[str, Any]) -> dict[str, Any]:
    """The service's record as adopt writes it: its ids Discord ids, its whole numbers within their
    bounds (`fields.ACCOUNT`); AdoptError naming the field (its value cleaned of escapes) otherwise."""
    listed = service_words(str(account.get(ACCOUNT.key)))
    for field in ACCOUNT.inputs:
        value = account.get(field.name)
        if value is None and not field.required:
            continue
        if field.identifier and not re.fullmatch(field.pattern, str(value)):
            raise AdoptError(
                f"cannot adopt the service's account {listed}: its {field.name} {service_words(str(value))} "
                f"is not a Discord id ({DISCORD_ID_DIGITS[0]} to {DISCORD_ID_DIGITS[1]} digits); nothing was "
                "written"
            )
        if field.type == "integer" and not _within(value, field.bounds):
            bounds = " from {} to {}".format(*field.bounds) if field.bounds else ""
            raise AdoptError(
                f"cannot adopt the service's account {listed}: its {field.name} is not a whole number"
                f"{bounds}; nothing was written"
            )
    return account


def _within(value: Any, bounds: tuple[int, int] | None) -> bool:
    """A whole number (a JSON integer, as the record reads it), within `bounds` when there are some."""
    return type(value) is int and (bounds is None or bounds[0] <= value <= bounds[1])
