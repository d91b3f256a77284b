"""Declares one PixVerse account per entry of the stack config `pixverse:accounts`.

Each entry is an object: `discord` (the Discord token, set it as a secret), `server`, `channel`,
`maxJobs`, and an optional `name`, the account's stable name in the stack (default: its channel).
Keep `name` when you move an account to another channel: the move is then a replacement of one
resource. The provider checks every value; this program only shapes the config into resources.
"""

from typing import Any

import pulumi
from pulumi.runtime.config import is_config_secret
from pulumi_pixverse import AccountSpec, PixverseAccount, declare_pool


def declare_accounts(entries: Any) -> list[PixverseAccount]:
    """One PixverseAccount per config entry, checked together first (see pulumi_pixverse.pool):
    no name, channel or Discord token twice."""
    if not isinstance(entries, list):
        raise pulumi.RunError("pixverse:accounts must be a list of objects")
    specs = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise pulumi.RunError(f"pixverse:accounts[{index}] must be an object")
        name = str(entry.get("name") or entry.get("channel") or f"account-{index}")
        specs.append(
            AccountSpec(
                name,
                discord=entry.get("discord"),
                server=entry.get("server"),
                channel=entry.get("channel"),
                max_jobs=entry.get("maxJobs"),
                label=f"pixverse:accounts[{index}] ({name})",
            )
        )
    return declare_pool(specs)


def refuse_a_plain_text_api_token() -> None:
    """The API token is a credential: stack config must hold it encrypted (Pulumi.yaml cannot say so
    for an optional setting)."""
    if pulumi.Config("pixverse").get("apiToken") and not is_config_secret("pixverse:apiToken"):
        raise pulumi.RunError(
            "pixverse:apiToken is stored in plain text: set it again with "
            "`pulumi config set --secret pixverse:apiToken <token>`, and rotate it if the file was shared"
        )


refuse_a_plain_text_api_token()
managed = declare_accounts(pulumi.Config("pixverse").require_object("accounts"))
pulumi.export("channels", [account.channel for account in managed])
