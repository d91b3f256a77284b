"""`python -m pulumi_pixverse migrate --stack NAME [--dry-run]`: move a stack's accounts from the
dynamic providers to the plugin's types without a write to the service.

1. `pulumi import --file`: each dynamic account whose twin (the same name under the plugin's type,
   pixverse:index:Account by channel, pixverse:index:AccountV2 by email) is not in the state yet is
   imported; the plugin only reads (GET).
2. `pulumi state delete`: every dynamic account whose twin is in the state leaves the state (no
   provider is called), and with them the dynamic providers' provider resource when nothing else uses
   it: one rewrite of the state for all (`remove_from_state`).
3. It prints the program that declares the accounts with the generated Python SDK (sdk/python), the
   credentials read from the stack's config as before.

Every step looks at the state first, so a run interrupted anywhere is finished by the next one. Until
the program is changed, `pulumi up` would delete the moved accounts: change it first. Needs `pulumi`
and the plugin `pulumi-resource-pixverse` (`pip install pulumi-pixverse`) on PATH.

A resource name is written into the program as a Python literal (`repr`) and into a shell line quoted
(`shlex.quote`); a stack with a name that is not printable (a line break, an escape, a control or
format character), which no terminal line can show as it is, is refused before any change. Every other
value of the state a message quotes is one printable line (`service_words`).
"""

from __future__ import annotations

import json
import shlex
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..client.sanitize import service_words
from ..core import accounts
from ..core.fields import FieldTable
from .adopt import read_stack_config
from .progress import TerminalProgress
from .pulumi_cli import COMMAND_LINE_LIMIT, CommandError, batches, pulumi

KINDS = {kind.KIND.token: kind.KIND for kind in accounts.KINDS}
"""Each kind of account by its plugin type."""
TWINS = {f"pulumi-python:dynamic/pixverse:{kind.name}": kind.token for kind in KINDS.values()}
"""The dynamic providers' type of each kind, and the plugin's."""
DYNAMIC_PROVIDER = "pulumi:providers:pulumi-python"
SETTINGS = {"pixverse:index:Account": "pixverse:accounts", "pixverse:index:AccountV2": "pixverse:accountsV2"}
"""Where the project's program (stacks/__main__.py) keeps each kind's accounts."""


@dataclass(frozen=True)
class Account:
    """One dynamic account in the state: its name, its plugin type, and its non-secret outputs."""

    urn: str
    name: str
    type: str
    outputs: dict[str, Any]
    protect: bool

    @property
    def key(self) -> str:
        """Its id under the plugin's type: the channel (v1) or the email (v2)."""
        return str(self.outputs[KINDS[self.type].key])


def migrate(stack: str, dry_run: bool) -> Iterator[str]:
    """Move the stack's dynamic accounts under the plugin's types; yield the lines to print.
    CommandError, before any change, when an account's resource name is not printable."""
    resources = state(stack)
    for resource in resources:
        name = resource["urn"].rsplit("::", 1)[1]
        if (resource["type"] in TWINS or resource["type"] in SETTINGS) and not name.isprintable():
            raise CommandError(
                f"cannot migrate stack {stack}: the resource name {name!r} holds a line break, an escape "
                "or another character a terminal does not show; rename it (`pulumi state rename`), then "
                "run migrate again; nothing was changed"
            )
    accounts = [
        Account(
            r["urn"],
            r["urn"].rsplit("::", 1)[1],
            TWINS[r["type"]],
            r.get("outputs", {}),
            r.get("protect", False),
        )
        for r in resources
        if r["type"] in TWINS
    ]
    twins = {(r["type"], r["urn"].rsplit("::", 1)[1]) for r in resources if r["type"] in SETTINGS}
    missing = [a for a in accounts if (a.type, a.name) not in twins]
    yield (
        f"stack {stack}: {len(accounts)} account(s) of the dynamic providers, "
        f"{len(accounts) - len(missing)} of them already imported"
    )
    if not accounts and not twins:
        yield "nothing to migrate: the stack holds no PixVerse account"
        return
    if dry_run:
        yield from (f"would import {_shown(a)}" for a in missing)
        yield from (
            f"would remove the dynamic resource {service_words(a.name)} from the state" for a in accounts
        )
        yield "dry run: nothing changed; run again without --dry-run to migrate"
        return
    if missing:
        with TerminalProgress("migrate: importing the accounts under the plugin's types") as progress:
            progress(0, len(missing))
            import_twins(stack, missing)
        yield from (f"imported {_shown(a)} (read only)" for a in missing)
    yield from remove_from_state(stack, accounts, unused_dynamic_providers(resources, accounts))
    yield from program(stack)


def _shown(account: Account) -> str:
    """`NAME as TYPE KEY`, the name and key each one printable line."""
    return f"{service_words(account.name)} as {account.type} {service_words(account.key)}"


def state(stack: str) -> list[dict[str, Any]]:
    """The resources of `pulumi stack export`."""
    return list(json.loads(pulumi(stack, "stack", "export"))["deployment"].get("resources") or [])


def import_twins(stack: str, accounts: list[Account]) -> None:
    """`pulumi import --file` of each account under its plugin type, protected as it was, the state
    written once, when the import ends (PULUMI_SKIP_CHECKPOINTS: the engine otherwise writes the whole
    state again after each of its steps, 223 s of 229 s for 1,000 accounts). An import only reads, so
    an interrupted one loses nothing but itself: the next run imports what the state does not hold."""
    if shutil.which("pulumi-resource-pixverse") is None:
        raise CommandError(
            "the plugin pulumi-resource-pixverse is not on PATH: activate the virtualenv where "
            "pulumi-pixverse is installed"
        )
    spec = {
        "resources": [{"type": a.type, "name": a.name, "id": a.key, "protect": a.protect} for a in accounts]
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "import.json"
        path.write_text(json.dumps(spec))
        # no code printed: the language hosts we can build lack GenerateProgram (docs/plugin.md)
        pulumi(
            stack,
            "import",
            "--file",
            str(path),
            "--yes",
            "--generate-code=false",
            env={"PULUMI_SKIP_CHECKPOINTS": "true"},
        )


def unused_dynamic_providers(resources: list[dict[str, Any]], leaving: list[Account]) -> list[str]:
    """The URNs of the dynamic providers' provider resources in `resources` that no resource but the
    accounts `leaving` the state uses."""
    gone = {account.urn for account in leaving}
    used = {r.get("provider", "").rsplit("::", 1)[0] for r in resources if r["urn"] not in gone}
    return [r["urn"] for r in resources if r["type"] == DYNAMIC_PROVIDER and r["urn"] not in used]


def remove_from_state(stack: str, accounts: list[Account], providers: list[str]) -> Iterator[str]:
    """`pulumi state delete` of the dynamic `accounts` (no provider is called), then of the unused
    dynamic `providers`, in one rewrite of the state per run of URNs one command line can carry
    (`batches`: one for ten thousand accounts), the providers last; `--force` for a run that holds a
    protected account. A terminal shows how many are removed; the lines say what each run removed."""
    urns = [*((a.urn, a) for a in accounts), *((urn, None) for urn in providers)]
    with TerminalProgress("migrate: removing the dynamic resources from the state") as progress:
        done = 0
        for run in batches(urns, lambda item: len(item[0].encode()) + 1, COMMAND_LINE_LIMIT):
            progress(done, len(urns))
            force = ["--force"] if any(a is not None and a.protect for _, a in run) else []
            pulumi(stack, "state", "delete", "--yes", *force, values=tuple(urn for urn, _ in run))
            done += len(run)
            progress.clear()
            for _, account in run:
                yield (
                    f"removed the dynamic resource {service_words(account.name)} from the state"
                    if account is not None
                    else "removed the dynamic providers' provider resource from the state"
                )


_HEADER = """\
    import pulumi
    import pulumi_pixverse_sdk as pixverse

    config = pulumi.Config("pixverse")
    accounts = config.get_secret_object("accounts")  # the Discord tokens stay in pixverse:accounts
    accounts_v2 = config.get_secret_object("accountsV2")  # the passwords stay in pixverse:accountsV2
"""


def program(stack: str) -> Iterator[str]:
    """The lines that tell what to change in the program: the whole program, indented, declaring
    every account in the state under the plugin's types with each of its kind's fields (`fields.py`),
    each credential read from where the stack's config holds it (never its value). Every value of the
    state is a Python literal (`repr`: one printable line, whatever it holds) and a shell line's words
    are quoted (`shlex.quote`)."""
    config = read_stack_config(stack)
    entries = {kind: config.get(setting) or [] for kind, setting in SETTINGS.items()}
    exports: dict[str, list[tuple[int, str]]] = {"channels": [], "emails": []}
    declarations: list[tuple[str, int, str]] = []
    missing = []
    for resource in state(stack):
        kind = resource["type"]
        if kind not in SETTINGS:
            continue
        name, outputs, table = resource["urn"].rsplit("::", 1)[1], resource.get("outputs", {}), KINDS[kind]
        key = str(outputs[table.key])
        index = next((i for i, e in enumerate(entries[kind]) if str(e.get(table.key)) == key), None)
        args = [repr(name)]
        for field in (f for f in table.inputs if f.secret):
            if index is not None and entries[kind][index].get(field.name):
                source = "accounts" if kind == "pixverse:index:Account" else "accounts_v2"
                args.append(f'{field.python_name}={source}.apply(lambda a: a[{index}]["{field.name}"])')
            elif field.required:
                secret = f"{name}-{field.name}"
                args.append(f"{field.python_name}=pulumi.Config().require_secret({secret!r})")
                missing.append(secret)
        args += _arguments(table, outputs)
        resource_type = table.name
        place = len(entries[kind]) if index is None else index
        declarations.append((kind, place, f"    pixverse.{resource_type}({', '.join(args)})"))
        exports["channels" if kind == "pixverse:index:Account" else "emails"].append((place, key))
    yield (
        "done, and nothing was written to the service. Before the next `pulumi up`, which would delete "
        "the moved accounts, replace the program with this one (Python, the generated SDK: "
        "`pip install ./sdk/python`; the stack's config stays as it is):"
    )
    yield _HEADER.rstrip()
    yield from (line for *_, line in sorted(declarations))
    for output, keys in exports.items():
        yield f"    pulumi.export({output!r}, {[key for _, key in sorted(keys)]!r})"
    yield from (
        f"then: `pulumi config set --secret --stack {shlex.quote(stack)} -- {shlex.quote(key)}` "
        "(not in the stack's config)"
        for key in missing
    )
    preview = f"pulumi preview --stack {shlex.quote(stack)} --expect-no-changes"
    yield f"then `{preview}` shows that nothing changes."


def _arguments(kind: FieldTable, outputs: dict[str, Any]) -> list[str]:
    """The keyword arguments of the fields that are not credentials, from the state's outputs: a
    string as a Python literal, an integer as a number; an optional field without a value left out."""
    arguments = []
    for field in kind.inputs:
        value: Any = outputs.get(field.name)
        if field.secret or (value is None and not field.required):
            continue
        literal = str(int(value)) if field.type == "integer" else repr(str(value))
        arguments.append(f"{field.python_name}={literal}")
    return arguments
