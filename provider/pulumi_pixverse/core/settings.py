"""Where the provider's settings come from: stack config (`pixverse:<key>`) first, then the
environment, then the default; each setting is described once, in `client.config.SETTINGS`.

The base URL is judged by the parse the transport makes of it (urllib3's `parse_url`, as requests
uses it), so the host judged is the host connected to: a URL with user@, a backslash, whitespace, a
control character, a query or a fragment is refused (parsers disagree on where its host is), and an
`http://` URL is refused unless its host is a loopback address (the token would cross the network in
clear text). Both front-ends, USEAPI_API_URL and `adopt` read it here."""

from __future__ import annotations

import ipaddress
import os
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import TYPE_CHECKING, Any

from ..client import ClientSettings
from ..client.config import SETTINGS, Setting
from ..client.sanitize import one_line
from .failures import OperationFailed

if TYPE_CHECKING:
    from urllib3.util import Url

CONFIG_NAMESPACE = "pixverse"
MISSING_TOKEN_MESSAGE = (
    "no PixVerse API token: export USEAPI_TOKEN (in a pipeline, a secret of the deploy's environment), "
    "or set it with `pulumi config set --secret pixverse:apiToken < token-file`"
)
PREVIEW_WITHOUT_TOKEN_MESSAGE = (
    "no PixVerse API token at this preview: what the functions read is unknown until `pulumi up`, "
    "which needs one (USEAPI_TOKEN)"
)
"""Said once by a program on the dynamic provider whose functions are read at a preview with no token
(a pull request's preview, for one): their results are then unknown, as for an account still to be
created, instead of a failed preview."""
TOKENS_DIFFER_MESSAGE = (
    "pixverse:apiToken and USEAPI_TOKEN hold different API tokens: pixverse:apiToken's is used (config "
    "comes before the environment); to use USEAPI_TOKEN, remove the other: "
    "`pulumi config rm pixverse:apiToken`"
)
"""Said once per process when both hold a token and they differ (`token_sources_differ`): a token
rotated in USEAPI_TOKEN is otherwise ignored without a word."""
PLAIN_TEXT_TOKEN_MESSAGE = (
    "pixverse:apiToken is stored in plain text: set it again with "
    "`pulumi config set --secret pixverse:apiToken < token-file`, and rotate it if the file was shared"
)
"""The refusal, at preview, of an API token stored unencrypted in the stack's config (the program of
this repository for the dynamic provider, the plugin's default provider)."""
_LOOPBACK_NAMES = ("localhost", "localhost.")
_CLIENT_ATTRIBUTES = {field.name for field in fields(ClientSettings)}
_SETTING = {setting.key: setting for setting in SETTINGS}
_OVERWRITE = _SETTING["allowOverwrite"]


class SettingError(OperationFailed, ValueError):
    """A setting that cannot be used: a malformed value, or an `http://` URL to a host that is not
    loopback. str() is the one line to show (both front-ends show it without a stack)."""


class MissingTokenError(RuntimeError):
    """No API token was configured; the message says how to set one."""

    def __init__(self) -> None:
        super().__init__(MISSING_TOKEN_MESSAGE)


def resolve_settings(
    config: Callable[[str], Any], environ: Mapping[str, str] = os.environ
) -> ClientSettings | None:
    """Client settings from `config` (looked up by full key, e.g. "pixverse:apiUrl") and `environ`.

    Returns None when no token is set, so operations that need none (check, diff) still work.
    A malformed value, or an `http://` URL to a host that is not loopback, raises SettingError naming
    where it came from.
    """
    given: dict[str, Any] = {}
    for setting in SETTINGS:
        if setting.attribute in _CLIENT_ATTRIBUTES:
            value, source = _lookup(setting, config, environ)
            if value is not None:
                given[setting.attribute] = _checked_url(value, source) if setting.key == "apiUrl" else value
    return ClientSettings(**given) if given.get("token") else None


def token_sources_differ(config: Callable[[str], Any], environ: Mapping[str, str] = os.environ) -> bool:
    """True when pixverse:apiToken (stack config, or an explicit provider's input) and USEAPI_TOKEN both
    hold a token and they are not the same: the config's is the one used."""
    token = _SETTING["apiToken"]
    configured, exported = config(f"{CONFIG_NAMESPACE}:{token.key}"), environ.get(token.env)
    return bool(configured) and bool(exported) and str(configured) != exported


def resolve_allow_overwrite(
    config: Callable[[str], Any], environ: Mapping[str, str] = os.environ
) -> tuple[bool, str]:
    """pixverse:allowOverwrite (or USEAPI_ALLOW_OVERWRITE): true or false, default false; SettingError
    naming the setting for anything else. With where it came from: "pixverse:allowOverwrite" (stack
    config, or an explicit provider's input), "USEAPI_ALLOW_OVERWRITE", or the config key for the
    default."""
    value, source = _lookup(_OVERWRITE, config, environ)
    return (bool(value) if value is not None else bool(_OVERWRITE.default)), source


def _lookup(setting: Setting, config: Callable[[str], Any], environ: Mapping[str, str]) -> tuple[Any, str]:
    """The setting's value from the stack's config, else the environment (None when neither has one),
    and where it came from."""
    full_key = f"{CONFIG_NAMESPACE}:{setting.key}"
    raw, source = config(full_key), full_key
    if raw in (None, ""):
        raw, source = environ.get(setting.env), setting.env
    if raw in (None, ""):
        return None, full_key
    if isinstance(raw, bool) and setting.type == "boolean":
        return raw, source
    convert, wanted = _CONVERT[setting.type]
    try:
        return convert(str(raw)), source
    except ValueError:
        raise SettingError(f"{source} must be {wanted}, got {one_line(str(raw), 40)!r}") from None


def _boolean(text: str) -> bool:
    word = text.strip().lower()
    if word not in ("true", "false"):
        raise ValueError(text)
    return word == "true"


_CONVERT: dict[str, tuple[Callable[[str], Any], str]] = {
    "string": (str, "a string"),
    "number": (float, "a number"),
    "integer": (int, "a number"),
    "boolean": (_boolean, "true or false"),
}


def _checked_url(url: str, source: str) -> str:
    """`url` if the transport can use it safely (see the module's docstring); SettingError naming
    `source` and the rule otherwise. The URL is shown only when it is plain http:// to another host
    (a URL with user@ may hold a password)."""
    parts, problem = _parsed(url)
    if parts is None:
        raise SettingError(
            f"{source} has {problem}: the API URL must be https://host[:port][/path] (http:// for a "
            "loopback address only), without user@, backslash, whitespace, control character, ? or #"
        )
    if parts.scheme == "http" and not _is_loopback((parts.host or "").strip("[]")):
        raise SettingError(
            f"{source} is {one_line(url, 80)}: plain http:// would send the API token in clear text; "
            "use https:// (http:// is accepted for a loopback address only, such as http://127.0.0.1:8080)"
        )
    return url


def _parsed(url: str) -> tuple[Url | None, str]:
    """`url` as the transport parses it (urllib3), and ""; or None and what breaks the rule."""
    from urllib3.exceptions import LocationParseError
    from urllib3.util import parse_url

    if "\\" in url:
        return None, "a backslash"
    if any(char.isspace() for char in url):
        return None, "whitespace"
    if any(unicodedata.category(char) == "Cc" for char in url):
        return None, "a control character"
    try:
        parts = parse_url(url)
    except LocationParseError:
        return None, "a form that cannot be parsed"
    if parts.scheme not in ("http", "https") or not parts.host:
        return None, "no http:// or https:// host"
    if parts.auth is not None:
        return None, "user@ before its host"
    if parts.query is not None or parts.fragment is not None:
        return None, "a ? or #"
    return parts, ""


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
