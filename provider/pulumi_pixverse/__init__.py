"""Pulumi dynamic provider for useapi.net PixVerse v1 accounts.

Declare accounts with `PixverseAccount`; the API token comes from stack config `pixverse:apiToken`
(secret) or the environment `USEAPI_TOKEN` (see `pulumi_pixverse.settings`).
"""

from .resource import PixverseAccount

__all__ = ["PixverseAccount"]
