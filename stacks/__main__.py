"""Declares one PixVerse account per entry of the stack config `pixverse:accounts`.

Each entry is an object: `discord` (the Discord token, set it as a secret), `server`, `channel`,
`maxJobs`, and an optional `name`, the account's stable name in the stack (default: its channel).
Keep `name` when you move an account to another channel: the move is then a replacement of one
resource. The provider checks every value; this program only shapes the config into resources.
"""

from typing import Any

import pulumi
from pulumi_pixverse import PixverseAccount


def declare_accounts(entries: Any) -> list[PixverseAccount]:
    """One PixverseAccount per config entry; names must be unique within the stack."""
    if not isinstance(entries, list):
        raise pulumi.RunError("pixverse:accounts must be a list of objects")
    accounts, seen = [], set()
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise pulumi.RunError(f"pixverse:accounts[{index}] must be an object")
        name = str(entry.get("name") or entry.get("channel") or f"account-{index}")
        if name in seen:
            raise pulumi.RunError(f"pixverse:accounts[{index}]: name {name!r} is used twice")
        seen.add(name)
        accounts.append(
            PixverseAccount(
                name,
                discord=entry.get("discord"),
                server=entry.get("server"),
                channel=entry.get("channel"),
                max_jobs=entry.get("maxJobs"),
            )
        )
    return accounts


managed = declare_accounts(pulumi.Config("pixverse").require_object("accounts"))
pulumi.export("channels", [account.channel for account in managed])
