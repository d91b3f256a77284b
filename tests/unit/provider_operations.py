"""The provider operations that talk to the service, on one v1 and one v2 account, and what a test
expects of their failures; shared by the tests of a misbehaving service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pulumi_pixverse.core.failures import OperationFailed
from pulumi_pixverse.dynamic.provider import PixverseAccountV2Provider

ACCOUNT = {
    "discord": "discord-token-misbehaving",
    "server": "111111111111111111",
    "channel": "222222222222222222",
    "maxJobs": 3,
}
ACCOUNT_V2 = {"email": "maya@pixverse.example", "password": "pixverse-password-misbehaving", "maxJobs": 2}
NOT_CONFIGURED = "Configuration not found. To create configuration use pixverse/account/channel."


def operations(provider: Any) -> dict[str, Callable[[], Any]]:
    """Each operation that talks to the service, on the module's v1 or v2 account."""
    if isinstance(provider, PixverseAccountV2Provider):
        key, props = ACCOUNT_V2["email"], ACCOUNT_V2
        changed = {**props, "maxJobs": 3}
    else:
        key, props = ACCOUNT["channel"], ACCOUNT
        changed = {**props, "maxJobs": 4}
    return {
        "create": lambda: provider.create(props),
        "read": lambda: provider.read(key, props),
        "update": lambda: provider.update(key, props, changed),
        "delete": lambda: provider.delete(key, props),
    }


def one_line_failure(operation: Callable[[], Any]) -> str:
    """The message of the OperationFailed `operation` raises: one printable line."""
    with pytest.raises(OperationFailed) as failed:
        operation()
    message = str(failed.value)
    assert message.isprintable(), message
    return message
