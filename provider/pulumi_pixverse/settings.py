"""Where the provider's API settings come from: stack config first, then the environment.

| setting          | stack config               | environment               | default                 |
| ---------------- | -------------------------- | ------------------------- | ----------------------- |
| API token        | pixverse:apiToken (secret) | USEAPI_TOKEN              | none: required to write |
| base URL         | pixverse:apiUrl            | USEAPI_API_URL            | https://api.useapi.net  |
| connect timeout  | pixverse:connectTimeout    | USEAPI_CONNECT_TIMEOUT    | 5 seconds               |
| read timeout     | pixverse:readTimeout       | USEAPI_READ_TIMEOUT       | 30 seconds              |
| request timeout  | pixverse:requestTimeout    | USEAPI_REQUEST_TIMEOUT    | 120 seconds, all attempts |
| retries          | pixverse:maxRetries        | USEAPI_MAX_RETRIES        | 4                       |
| overwrite        | pixverse:allowOverwrite    | USEAPI_ALLOW_OVERWRITE    | false                   |

`allowOverwrite` lets a create write its declared values over a live account that differs (one this
stack did not make); off, such a create fails (see `accounts.py`).
An `http://` base URL is refused unless its host is a loopback address: the token would cross the
network in clear text.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

from .client import DEFAULT_BASE_URL, ClientSettings
from .client.sanitize import one_line

CONFIG_NAMESPACE = "pixverse"
MISSING_TOKEN_MESSAGE = (
    "no PixVerse API token: set it with `pulumi config set --secret pixverse:apiToken < token-file` "
    "or export USEAPI_TOKEN"
)
_LOOPBACK_NAMES = ("localhost", "localhost.")

_SOURCES = {
    "token": ("apiToken", "USEAPI_TOKEN"),
    "base_url": ("apiUrl", "USEAPI_API_URL"),
    "connect_timeout": ("connectTimeout", "USEAPI_CONNECT_TIMEOUT"),
    "read_timeout": ("readTimeout", "USEAPI_READ_TIMEOUT"),
    "request_timeout": ("requestTimeout", "USEAPI_REQUEST_TIMEOUT"),
    "max_retries": ("maxRetries", "USEAPI_MAX_RETRIES"),
    "allow_overwrite": ("allowOverwrite", "USEAPI_ALLOW_OVERWRITE"),
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

    token = _lookup(config, environ, "token", str, "")
    if not token:
        return None

    def lookup(name: str, convert: Callable[[str], T], default: T) -> T:
        return _lookup(config, environ, name, convert, default)

    return ClientSettings(
        token=token,
        base_url=_checked_url(*_lookup_with_source(config, environ, "base_url", DEFAULT_BASE_URL)),
        connect_timeout=lookup("connect_timeout", float, ClientSettings.connect_timeout),
        read_timeout=lookup("read_timeout", float, ClientSettings.read_timeout),
        request_timeout=lookup("request_timeout", float, ClientSettings.request_timeout),
        max_retries=lookup("max_retries", int, ClientSettings.max_retries),
    )


def resolve_allow_overwrite(config: Callable[[str], Any], environ: Mapping[str, str] = os.environ) -> bool:
    """pixverse:allowOverwrite (or USEAPI_ALLOW_OVERWRITE): true or false, default false; ValueError
    naming the setting for anything else."""
    raw, source = _lookup_with_source(config, environ, "allow_overwrite", "false")
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word not in ("true", "false"):
        raise ValueError(f"{source} must be true or false, got {one_line(str(raw), 40)!r}")
    return word == "true"


def _lookup_with_source(
    config: Callable[[str], Any], environ: Mapping[str, str], name: str, default: Any
) -> tuple[Any, str]:
    """The raw value of setting `name` and where it came from (config key or environment variable)."""
    key, env = _SOURCES[name]
    full_key = f"{CONFIG_NAMESPACE}:{key}"
    raw = config(full_key)
    if raw not in (None, ""):
        return raw, full_key
    raw = environ.get(env)
    return (default, full_key) if raw in (None, "") else (raw, env)


def _lookup(
    config: Callable[[str], Any],
    environ: Mapping[str, str],
    name: str,
    convert: Callable[[str], T],
    default: T,
) -> T:
    raw, source = _lookup_with_source(config, environ, name, None)
    if raw is None:
        return default
    try:
        return convert(str(raw))
    except ValueError:
        raise ValueError(f"{source} must be a number, got {one_line(str(raw), 40)!r}") from None


def _checked_url(url: str, source: str) -> str:
    """`url` unless it is `http://` to a host that is not loopback; ValueError naming `source` then."""
    parts = urlsplit(url)
    if parts.scheme.lower() == "http" and not _is_loopback(parts.hostname or ""):
        raise ValueError(
            f"{source} is {one_line(url, 80)}: plain http:// would send the API token in clear text; "
            "use https:// (http:// is accepted for a loopback address only, such as http://127.0.0.1:8080)"
        )
    return url


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
