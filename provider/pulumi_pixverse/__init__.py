"""Pulumi dynamic provider for useapi.net PixVerse v1 accounts.

Declare accounts with `PixverseAccount`, or a pool of them checked together with `declare_pool`.
The API token comes from stack config `pixverse:apiToken` (secret) or the environment
`USEAPI_TOKEN` (see `pulumi_pixverse.settings`).
"""

from .pool import AccountSpec, declare_pool
from .resource import PixverseAccount

__all__ = ["AccountSpec", "PixverseAccount", "declare_pool"]
