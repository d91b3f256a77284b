"""Where the provider's API settings come from: stack config (`pixverse:<key>`) first, then the
environment, then the default; each setting is described once, in `client.config.SETTINGS`."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from .client import ClientSettings
from .client.config import SETTINGS, Setting

CONFIG_NAMESPACE = "pixverse"
MISSING_TOKEN_MESSAGE = (
    "no PixVerse API token: set it with `pulumi config set --secret pixverse:apiToken <token>` "
    "or export USEAPI_TOKEN"
)
_CONVERT: dict[str, Callable[[str], Any]] = {"string": str, "number": float, "integer": int}


class MissingTokenError(RuntimeError):
    """No API token was configured; the message says how to set one."""

    def __init__(self) -> None:
        super().__init__(MISSING_TOKEN_MESSAGE)


def resolve_settings(
    config: Callable[[str], Any], environ: Mapping[str, str] = os.environ
) -> ClientSettings | None:
    """Client settings from `config` (looked up by full key, e.g. "pixverse:apiUrl") and `environ`.

    Returns None when no token is set, so operations that need none (check, diff) still work.
    A malformed number raises ValueError naming the key.
    """
    values = {setting.attribute: _lookup(setting, config, environ) for setting in SETTINGS}
    given = {attribute: value for attribute, value in values.items() if value is not None}
    return ClientSettings(**given) if given.get("token") else None


def _lookup(setting: Setting, config: Callable[[str], Any], environ: Mapping[str, str]) -> Any:
    """The setting's value from the stack's config, else the environment; None when neither has one."""
    full_key = f"{CONFIG_NAMESPACE}:{setting.key}"
    raw, source = config(full_key), full_key
    if raw in (None, ""):
        raw, source = environ.get(setting.env), setting.env
    if raw in (None, ""):
        return None
    try:
        return _CONVERT[setting.type](str(raw))
    except ValueError:
        raise ValueError(f"{source} must be a number, got {raw!r}") from None
