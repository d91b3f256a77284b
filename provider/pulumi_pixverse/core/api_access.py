"""Configured access to the API, one per provider configuration (`ApiAccess`): the settings from
`configure`, the client built on first use, the operation's bound and its one-line failures, and the
warnings a provider process says once. The account lifecycle (`accounts.py`) runs over it; the
functions (`lookups.py`) and the commands ask their questions through it.

Importing it loads neither pydantic nor requests: the client comes with the first call to the API.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ..client import ClientSettings, PixverseError
from ..client.deadline import operation_bound
from ..client.sanitize import remember_secret
from .failures import TakeOver, adopt_instead, explain, overwrite_on
from .fields import ACCOUNT, ACCOUNT_V2
from .settings import (
    TOKENS_DIFFER_MESSAGE,
    MissingTokenError,
    resolve_allow_overwrite,
    resolve_settings,
    token_sources_differ,
)

if TYPE_CHECKING:
    from ..client.api import PixverseClient

CREDENTIALS = (*ACCOUNT.credentials, *ACCOUNT_V2.credentials)
"""Fields of either version that hold a credential: redacted from every message of the process."""

_SAID: set[str] = set()
"""The warnings said once per process (`ApiAccess.warn_once`) that have been said."""
_SAID_LOCK = threading.Lock()


class ApiAccess:
    """One provider configuration's way to the API: the settings from `configure`, and the client
    built on first use over the process's one connection pool for those settings
    (`shared_transport`). Thread-safe. Holds nothing a state may keep.

    `take_over`: how a failure tells the user to take over a live account a create will not
    overwrite (the front-end's way: `adopt` for the dynamic provider, `pulumi import` for the plugin);
    `warn`: how a warning reaches the engine's log. `allow_overwrite` and where it came from
    (`overwrite_source`) are pixverse:allowOverwrite's (`settings.resolve_allow_overwrite`)."""

    def __init__(
        self, take_over: TakeOver = adopt_instead, warn: Callable[[str], None] | None = None
    ) -> None:
        self.settings: ClientSettings | None = None
        self.client: PixverseClient | None = None
        self.allow_overwrite = False
        self.overwrite_source = ""
        self.tokens_differ = False
        self.take_over = take_over
        self._warn = warn
        self._lock = threading.Lock()

    def configure(self, config: Callable[[str], Any], environ: Mapping[str, str] = os.environ) -> None:
        """Read the API token, client settings and pixverse:allowOverwrite from `config` (looked up by
        full key, e.g. "pixverse:apiUrl") or the environment; the client is built when first needed.
        When pixverse:apiToken and USEAPI_TOKEN differ, the first call to the API says which is used."""
        settings = resolve_settings(config, environ)
        allow_overwrite, source = resolve_allow_overwrite(config, environ)
        with self._lock:
            self.settings, self.client = settings, None
            self.allow_overwrite, self.overwrite_source = allow_overwrite, source
            self.tokens_differ = token_sources_differ(config, environ)

    def warn(self, message: str) -> None:
        """A warning in the engine's log (never a failure)."""
        if self._warn is not None:
            self._warn(message)
            return
        from .engine_log import warn

        warn(message)

    def before_write(self) -> None:
        """Called by every create and update: with allowOverwrite on, the engine's log says so
        (`overwrite_on`), once per provider process, whether or not anything is overwritten."""
        if self.allow_overwrite:
            self.warn_once(overwrite_on(self.overwrite_source))

    def warn_once(self, message: str) -> None:
        """`warn(message)` unless this process has said it already."""
        with _SAID_LOCK:
            if message in _SAID:
                return
            _SAID.add(message)
        self.warn(message)

    def api(self) -> PixverseClient:
        """The client, built on first use from the configured settings (MissingTokenError without a
        token) over the process's connection pool for them; then, if pixverse:apiToken and USEAPI_TOKEN
        differ, the engine's log says which is used (once per process: a preview, then an update)."""
        with self._lock:
            built = self.client is None
            if self.client is None:
                if self.settings is None:
                    raise MissingTokenError()
                from ..client.api import PixverseClient
                from ..client.transport import shared_transport

                self.client = PixverseClient(self.settings, shared_transport(self.settings))
            client = self.client
        if built and self.tokens_differ:
            self.warn_once(TOKENS_DIFFER_MESSAGE)
        return client

    @contextlib.contextmanager
    def operation(
        self, verb: str, account: str, *records: Mapping[str, Any] | None
    ) -> Iterator[PixverseClient]:
        """The client for one operation on `account`, its calls bounded together by
        pixverse:requestTimeout (`client.deadline`); any failure the caller does not handle inside
        (a 404 it interprets) becomes OperationFailed, one line naming the account. The credentials
        in `records` (the operation's inputs and state) are redacted from every message."""
        for record in records:
            for name in CREDENTIALS:
                remember_secret((record or {}).get(name))
        bound = self.settings.request_timeout if self.settings is not None else None
        try:
            with operation_bound(bound):
                yield self.api()
        except (PixverseError, MissingTokenError) as error:
            raise explain(verb, account, error) from None
        except ValueError as error:
            from .models import InvalidAccountError

            if not isinstance(error, InvalidAccountError):
                raise
            raise explain(verb, account, error) from None
