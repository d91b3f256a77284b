"""Where the provider's API settings come from: stack config first, then the environment.

| setting          | stack config               | environment               | default                 |
| ---------------- | -------------------------- | ------------------------- | ----------------------- |
| API token        | pixverse:apiToken (secret) | USEAPI_TOKEN              | none: required to write |
| base URL         | pixverse:apiUrl            | USEAPI_API_URL            | https://api.useapi.net  |
| connect timeout  | pixverse:connectTimeout    | USEAPI_CONNECT_TIMEOUT    | 5 seconds               |
| read timeout     | pixverse:readTimeout       | USEAPI_READ_TIMEOUT       | 30 seconds              |
| request timeout  | pixverse:requestTimeout    | USEAPI_REQUEST_TIMEOUT    | 120 seconds, all attempts |
| retries          | pixverse:maxRetries        | USEAPI_MAX_RETRIES        | 4                       |
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from .client import DEFAULT_BASE_URL, ClientSettings

CONFIG_NAMESPACE = "pixverse"
MISSING_TOKEN_MESSAGE = (
    "no PixVerse API token: set it with `pulumi config set --secret pixverse:apiToken <token>` "
    "or export USEAPI_TOKEN"
)

_SOURCES = {
    "token": ("apiToken", "USEAPI_TOKEN"),
    "base_url": ("apiUrl", "USEAPI_API_URL"),
    "connect_timeout": ("connectTimeout", "USEAPI_CONNECT_TIMEOUT"),
    "read_timeout": ("readTimeout", "USEAPI_READ_TIMEOUT"),
    "request_timeout": ("requestTimeout", "USEAPI_REQUEST_TIMEOUT"),
    "max_retries": ("maxRetries", "USEAPI_MAX_RETRIES"),
}

T = TypeVar("T")


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

    def lookup(name: str, convert: Callable[[str], T], default: T) -> T:
        key, env = _SOURCES[name]
        full_key = f"{CONFIG_NAMESPACE}:{key}"
        raw = config(full_key)
        source = full_key
        if raw in (None, ""):
            raw, source = environ.get(env), env
        if raw in (None, ""):
            return default
        try:
            return convert(str(raw))
        except ValueError:
            raise ValueError(f"{source} must be a number, got {raw!r}") from None

    token = lookup("token", str, "")
    if not token:
        return None
    return ClientSettings(
        token=token,
        base_url=lookup("base_url", str, DEFAULT_BASE_URL),
        connect_timeout=lookup("connect_timeout", float, ClientSettings.connect_timeout),
        read_timeout=lookup("read_timeout", float, ClientSettings.read_timeout),
        request_timeout=lookup("request_timeout", float, ClientSettings.request_timeout),
        max_retries=lookup("max_retries", int, ClientSettings.max_retries),
    )
