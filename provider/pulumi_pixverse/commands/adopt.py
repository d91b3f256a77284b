"""`python -m pulumi_pixverse adopt --stack NAME [--dry-run]`: bring live accounts under management.

Pulumi's own import cannot serve a dynamic provider (the engine's Read for an import carries neither
the pickled provider nor inputs; pulumi/pulumi#16175), so adoption happens in the stack's config:
every account the service holds that `pixverse:accounts` does not declare is appended to it, its
fields (`fields.ACCOUNT`) under their names as their types say, the Discord token as a secret passed
on stdin, never on a command line (see `write`: two `pulumi config set-all` per few hundred
accounts, then one `pulumi config set --secret` per account). The next `pulumi up` then creates each
one, finds the live account identical, and writes nothing.

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
from .progress import TerminalProgress
from .pulumi_cli import ARGUMENT_LIMIT, batches, pulumi
from .pulumi_cli import CommandError as AdoptError

ACCOUNTS_KEY = "pixverse:accounts"
PLACEHOLDER = "(being adopted: run adopt again)"
"""What a slot of pixverse:accounts holds between the two commands that write an account's fields: a
run interrupted there leaves it (the program then refuses the setting), and the next run writes there."""


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


def live_accounts(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The service's v1 accounts by channel (one list call), with the stack's API token and URL;
    AdoptError in one line when there is no token, or the service refuses it or cannot be reached."""
    settings = resolve_settings(config.get)
    if settings is None:
        raise AdoptError(MISSING_TOKEN_MESSAGE)
    try:
        with PixverseClient(settings) as client:
            return client.list_accounts()
    except NotFoundError:
        return {}
    except AuthenticationError:
        raise AdoptError(
            f"the service at {settings.base_url} refused the API token: check pixverse:apiToken "
            "in the stack's config or USEAPI_TOKEN"
        ) from None
    except RetriesExhaustedError as error:
        raise AdoptError(f"cannot reach the service at {settings.base_url}: {error.detail}") from None
    except PixverseError as error:
        raise AdoptError(f"listing the accounts failed: {error}") from None


def adopt(stack: str, dry_run: bool) -> list[str]:
    """Append each undeclared live account to the stack's config, and finish what an interrupted run
    left (a declared live account without its Discord token gets the service's; PLACEHOLDERs at the
    end of the list are written over or removed); return the lines to print. Every check runs before
    anything is written."""
    config = read_stack_config(stack)
    live = live_accounts(config)
    entries = config.get(ACCOUNTS_KEY) or []
    if not isinstance(entries, list):
        raise AdoptError(f"{ACCOUNTS_KEY} must be a list")
    slots = len(entries)
    while entries and entries[-1] == PLACEHOLDER:
        entries = entries[:-1]
    lines, unfinished = [], []
    for index, entry in enumerate(entries):
        channel = str(entry.get("channel")) if isinstance(entry, dict) else None
        if channel not in live:
            continue
        if not all(entry.get(name) for name in ACCOUNT.credentials):
            unfinished.append((index, checked(live[channel])))
        elif changed := differences(ACCOUNT.names, entry, live[channel], ACCOUNT.credentials):
            name, shown = service_words(str(entry.get("name") or channel)), service_words(channel)
            lines.append(f"declared {name} (channel {shown}) differs from the service: {', '.join(changed)}")
    declared = {str(e.get("channel")) for e in entries if isinstance(e, dict)}
    names = {str(e.get("name") or e.get("channel")) for e in entries if isinstance(e, dict)}
    new = [checked(account) for channel, account in sorted(live.items()) if channel not in declared]
    for account in new:
        if str(account["channel"]) in names:
            raise AdoptError(
                f"cannot adopt channel {account['channel']}: an entry of {ACCOUNTS_KEY} already uses that "
                "name; nothing was written"
            )
    if not new and not unfinished and slots == len(entries):
        return [*lines, "nothing to adopt: every live account is declared in the stack"]

    if not dry_run:
        write(stack, len(entries), slots, new, unfinished)
    finish, add = ("would finish", "would add") if dry_run else ("finished", "added")
    lines += [
        f"{finish} {service_words(str(entries[index]['channel']))}: its Discord token, from the service "
        "(an interrupted adopt left it out)"
        for index, _ in unfinished
    ]
    lines += [f"{add} {a['channel']}: channel {a['channel']}, maxJobs {a['maxJobs']}" for a in new]
    if slots > len(entries) + len(new):
        removed = "would remove" if dry_run else "removed"
        lines.append(f"{removed} {slots - len(entries) - len(new)} slot(s) an interrupted adopt left")
    if dry_run:
        lines.append("dry run: the stack's config is unchanged; run again without --dry-run to write it")
    else:
        lines.append(
            f"next: `pulumi preview --stack {stack}` shows {len(new)} create(s); "
            "`pulumi up` adopts them without writing to the service"
        )
    return lines


def write(
    stack: str,
    start: int,
    slots: int,
    new: list[dict[str, Any]],
    unfinished: list[tuple[int, dict[str, Any]]],
) -> None:
    """Write the accounts `new` into pixverse:accounts from index `start` on (the list holds `slots`
    entries: from `start` on PLACEHOLDERs, written over, and the ones left over removed), then the
    credentials of those and of the `unfinished` entries (each its index and the service's record).

    Per run of accounts one command line can carry (`batches`): one `config set-all --path` makes the
    list long enough, a PLACEHOLDER per account in order (an index past the list's end is refused, and
    `--json` keys come in no order); then one `config set-all --json` writes each account's fields but
    its credentials as one object at its index, so a string stays a string and a number a number (a
    `--path` value that reads as a number is written as one: a Discord id would be). Then one `config
    set --secret --path` per credential, its value on stdin: no credential is ever on a command line
    (these take most of the time: each `pulumi` process derives the stack's key again). One command
    after another, as each rewrites the stack's config file. A terminal shows how many accounts are
    done."""
    indexed = list(enumerate(new, start))
    written = [(f"{ACCOUNTS_KEY}[{index}]", _entry(account)) for index, account in indexed]
    total = len(unfinished) + len(indexed)
    with TerminalProgress("adopt: writing the accounts to the stack's config") as progress:
        progress(0, total)
        for run in batches(
            written, lambda item: len(json.dumps({item[0]: _setting(item[1])})), ARGUMENT_LIMIT
        ):
            made = (a for key, _ in run for a in ("--plaintext", f"{key}={PLACEHOLDER}"))
            pulumi(stack, "config", "set-all", "--path", *made)
            given = {key: _setting(entry) for key, entry in run}
            pulumi(stack, "config", "set-all", "--json", json.dumps(given))
        for index in reversed(range(start + len(new), slots)):
            pulumi(stack, "config", "rm", "--path", values=(f"{ACCOUNTS_KEY}[{index}]",))
        for done, (index, account) in enumerate([*unfinished, *indexed], start=1):
            for field in (f for f in ACCOUNT.inputs if f.secret and account.get(f.name) is not None):
                key, value = f"{ACCOUNTS_KEY}[{index}].{field.name}", str(account[field.name])
                pulumi(stack, "config", "set", "--path", "--secret", values=(key,), stdin=value)
            progress(done, total)


def _setting(value: dict[str, Any]) -> dict[str, Any]:
    """An object value as `pulumi config --json` prints it, and `pulumi config set-all --json` takes it."""
    return {"value": json.dumps(value), "objectValue": value, "secret": False}


def _entry(account: dict[str, Any]) -> dict[str, Any]:
    """An account's entry in pixverse:accounts but its credentials: its name (its channel), then each
    field the service holds (`fields.ACCOUNT`, an optional one only when it has a value) as its type says."""
    given = [f for f in ACCOUNT.inputs if not f.secret and account.get(f.name) is not None]
    return {"name": str(account["channel"])} | {
        f.name: int(account[f.name]) if f.type == "integer" else str(account[f.name]) for f in given
    }


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
