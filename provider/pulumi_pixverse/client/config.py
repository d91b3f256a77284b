"""How to reach the API: each setting described once (`SETTINGS`: the provider's config keys, their
environment variables, defaults and descriptions, from which `settings.py`, the plugin's schema and the
configuration reference are made), and the settings a client is built from. Standard library only, so
the program side (which declares resources and never calls the API) imports it without requests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One setting: `pixverse:<key>` in a stack's config (and an explicit provider's input), else the
    environment variable `env`, else `default`; `attribute` is its name on ClientSettings (or, for
    allowOverwrite, which is not about reaching the API, on the provider's `ApiAccess`)."""

    key: str
    env: str
    attribute: str
    type: str
    """Its schema type: string, number, integer or boolean."""
    description: str
    default: str | float | int | bool | None = None
    secret: bool = False

    @property
    def shown_default(self) -> str | None:
        """The default as the documentation writes it (5, not 5.0; false, not False); None if none."""
        if isinstance(self.default, bool):
            return str(self.default).lower()
        if isinstance(self.default, float):
            return f"{self.default:g}"
        return None if self.default is None else str(self.default)

    def describe(self) -> str:
        """The whole description: what it is, where else it comes from, its default."""
        default = "" if self.shown_default is None else f", else {self.shown_default}"
        return f"{self.description} Default: the environment variable {self.env}{default}."


SETTINGS = (
    Setting(
        "apiToken",
        "USEAPI_TOKEN",
        "token",
        "string",
        "The useapi.net API token, a secret. Needed by create, read, update, delete and the functions; "
        "a preview of resources works without it. In a pipeline keep it in USEAPI_TOKEN only: stack "
        "config is decrypted at every preview.",
        secret=True,
    ),
    Setting("apiUrl", "USEAPI_API_URL", "base_url", "string", "The API's base URL.", "https://api.useapi.net"),
    Setting("connectTimeout", "USEAPI_CONNECT_TIMEOUT", "connect_timeout", "number",
            "Seconds to wait for a connection.", 5.0),
    Setting("readTimeout", "USEAPI_READ_TIMEOUT", "read_timeout", "number",
            "Seconds to wait for an answer.", 30.0),
    Setting("requestTimeout", "USEAPI_REQUEST_TIMEOUT", "request_timeout", "number",
            "Seconds one operation (a create, read, update, delete or function) may wait on the service in "
            "all: every call it makes, each attempt's connection, answer and body, and the waits between.",
            120.0),
    Setting("maxRetries", "USEAPI_MAX_RETRIES", "max_retries", "integer",
            "Retries after the first attempt, for 408, 429, 5xx, CDN errors, timeouts and dropped "
            "connections.", 4),
    Setting("allowOverwrite", "USEAPI_ALLOW_OVERWRITE", "allow_overwrite", "boolean",
            "Let a create write the declared values over a live account of the same channel or email that "
            "differs from them (an account this stack did not make), each time with a warning; turn it off "
            "again once that `pulumi up` is done. Off, such a create fails, naming the fields that differ; "
            "an identical account is taken over either way (a v2 one through the POST whose login proves "
            "its password).", False),
)  # fmt: skip


def _default(key: str) -> Any:
    return next(setting.default for setting in SETTINGS if setting.key == key)


DEFAULT_BASE_URL: str = _default("apiUrl")


@dataclass(frozen=True)
class ClientSettings:
    """How to reach the API (defaults: `SETTINGS`). `repr` never shows the token. Hashable: a process
    keeps one transport (one connection pool) per distinct settings."""

    token: str
    base_url: str = DEFAULT_BASE_URL
    connect_timeout: float = _default("connectTimeout")
    read_timeout: float = _default("readTimeout")
    request_timeout: float = _default("requestTimeout")
    max_retries: int = _default("maxRetries")
    backoff_factor: float = 0.5
    backoff_max: float = 20.0

    def __repr__(self) -> str:
        return (
            f"ClientSettings(base_url={self.base_url!r}, token=<hidden>, "
            f"connect_timeout={self.connect_timeout}, read_timeout={self.read_timeout}, "
            f"request_timeout={self.request_timeout}, "
            f"max_retries={self.max_retries}, backoff_factor={self.backoff_factor})"
        )
