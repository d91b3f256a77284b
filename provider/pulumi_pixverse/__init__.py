"""Pulumi dynamic provider for useapi.net PixVerse accounts, v1 (Discord) and v2 (PixVerse login).

Declare accounts with `PixverseAccount` and `PixverseAccountV2`, or a pool of them checked together
with `declare_pool`; read the subscription with `get_accounts`, `get_accounts_v2`, `get_features` and
`get_capacity` (Outputs, read at preview too). The API token comes from stack config
`pixverse:apiToken` (secret) or the environment `USEAPI_TOKEN` (see `pulumi_pixverse.core.settings`).
"""

from .dynamic.functions import get_accounts, get_accounts_v2, get_capacity, get_features
from .dynamic.pool import AccountSpec, AccountV2Spec, declare_pool
from .dynamic.resource import PixverseAccount, PixverseAccountV2

__all__ = [
    "AccountSpec",
    "AccountV2Spec",
    "PixverseAccount",
    "PixverseAccountV2",
    "declare_pool",
    "get_accounts",
    "get_accounts_v2",
    "get_capacity",
    "get_features",
]
