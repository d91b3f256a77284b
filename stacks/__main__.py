"""Declares the stack's pool of PixVerse accounts from its config, v1 and v2 side by side.

`pixverse:accounts` (v1): objects with `discord` (the Discord token, a secret), `server`, `channel`,
`maxJobs`, and an optional `name`, the account's stable name in the stack (default: its channel).
Keep `name` when you move an account to another channel: the move is then a replacement of one
resource.

`pixverse:accountsV2` (v2): objects with `email`, `password` (a secret), `maxJobs`, an optional
`token` (a secret) and an optional `name` (default: the email).

Each entry's fields are its kind's (docs/resources/, from `pulumi_pixverse.core.fields`), under their
names in the state (`maxJobs`). The pool is checked together before anything is sent (no name,
channel, Discord token or email twice), and the provider checks every value; this program only
shapes the config into resources.
"""

from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime.config import is_config_secret
from pulumi_pixverse import AccountSpec, AccountV2Spec, declare_pool
from pulumi_pixverse.core.fields import ACCOUNT, ACCOUNT_V2, FieldTable
from pulumi_pixverse.core.settings import PLAIN_TEXT_TOKEN_MESSAGE

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def entries_of(key: str, value: Any) -> list[dict[str, Any]]:
    """The entries of the list-of-objects setting `pixverse:<key>`."""
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise pulumi.RunError(f"pixverse:{key} must be a list of objects")
    return value


def arguments(kind: FieldTable, entry: dict[str, Any]) -> dict[str, Any]:
    """The resource's arguments an entry gives: each field of the kind, under its Python name."""
    return {field.python_name: entry.get(field.name) for field in kind.inputs}


def v1_spec(index: int, entry: dict[str, Any]) -> AccountSpec:
    name = str(entry.get("name") or entry.get("channel") or f"account-{index}")
    return AccountSpec(name, **arguments(ACCOUNT, entry), label=f"pixverse:accounts[{index}] ({name})")


def v2_spec(index: int, entry: dict[str, Any]) -> AccountV2Spec:
    name = str(entry.get("name") or entry.get("email") or f"account-v2-{index}")
    return AccountV2Spec(name, **arguments(ACCOUNT_V2, entry), label=f"pixverse:accountsV2[{index}] ({name})")


def refuse_a_plain_text_api_token() -> None:
    """The API token is a credential: stack config must hold it encrypted (Pulumi.yaml cannot say so
    for an optional setting)."""
    if pulumi.Config("pixverse").get("apiToken") and not is_config_secret("pixverse:apiToken"):
        raise pulumi.RunError(PLAIN_TEXT_TOKEN_MESSAGE)


def refuse_plain_text_credentials(key: str, fields: tuple[str, ...], entries: list[dict[str, Any]]) -> None:
    """Each credential in `pixverse:<key>` must be stored encrypted (`--secret`): judged from the stack's
    config file where the program finds it (per field), else from the setting as a whole."""
    stored = Path(f"Pulumi.{pulumi.get_stack()}.yaml")
    # libyaml's parser where PyYAML has it (its wheels do): the pure-Python one takes ~3 ms an account
    raw = yaml.load(stored.read_text(), Loader=SAFE_LOADER) if stored.is_file() else None
    listed = ((raw or {}).get("config") or {}).get(f"pixverse:{key}") if isinstance(raw, dict) else None
    for index, entry in enumerate(entries):
        written = listed[index] if isinstance(listed, list) and index < len(listed) else None
        for field in fields:
            if entry.get(field) in (None, ""):
                continue
            plain = (
                isinstance(written, dict) and isinstance(written.get(field), str)
                if written is not None
                else not is_config_secret(f"pixverse:{key}")
            )
            if plain:
                raise pulumi.RunError(
                    f"pixverse:{key}[{index}].{field} is stored in plain text: set it again with "
                    f"`pulumi config set --secret --path 'pixverse:{key}[{index}].{field}' < secret-file`, "
                    "and rotate it if the file was shared"
                )


config = pulumi.Config("pixverse")
refuse_a_plain_text_api_token()
v1_entries = entries_of("accounts", config.get_object("accounts") or [])
v2_entries = entries_of("accountsV2", config.get_object("accountsV2") or [])
refuse_plain_text_credentials("accounts", ACCOUNT.credentials, v1_entries)
refuse_plain_text_credentials("accountsV2", ACCOUNT_V2.credentials, v2_entries)
pool = declare_pool(
    [v1_spec(i, e) for i, e in enumerate(v1_entries)] + [v2_spec(i, e) for i, e in enumerate(v2_entries)]
)
pulumi.export("channels", [account.channel for account in pool[: len(v1_entries)]])
pulumi.export("emails", [account.email for account in pool[len(v1_entries) :]])
