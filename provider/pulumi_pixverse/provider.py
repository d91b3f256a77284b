"""The dynamic providers: one PixVerse account per resource, v1 (keyed by channel) and v2 (by email).

States refer to `pulumi_pixverse.provider.PixverseAccountProvider` and
`pulumi_pixverse.provider.PixverseAccountV2Provider` by name: keep this module path and these class
names forever, or refresh and destroy of existing stacks break. A pickled instance holds nothing:
settings (with the API token) are read in `configure()`, in the provider process only.

In the provider process (`python -m pulumi.dynamic`, one per command) each provider keeps one client
for the process, built on first use after `configure()`, over the process's one connection pool for
those settings (`shared_transport`); the server's concurrent calls (as many as the engine sends: see
`concurrency`) share both. Reads and creates of a command share one list call (see
`PixverseClient.listed_account`), made stale for an account by a write of that account.

What a process loads is what it needs: importing this module (as the program does, to declare
resources) loads neither pydantic nor requests; the models come with the first check of changed
inputs, create or update, the HTTP client with the first call to the API. So a refresh, a destroy
or a preview of an unchanged stack never builds the models, and a preview never loads requests.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.runtime import rpc

from .client import ClientSettings, NotFoundError, PixverseError
from .client.sanitize import remember_secret
from .concurrency import serve_calls_side_by_side
from .failures import explain, show_operation_failures_plainly
from .settings import MissingTokenError, resolve_settings

if TYPE_CHECKING:
    from .client.api import PixverseClient
    from .models import Account, FieldProblem

show_operation_failures_plainly()

FIELDS = ("discord", "server", "channel", "maxJobs")
"""v1 wire and state names (`models.FIELDS`, repeated so that refresh and destroy never load the
models; a unit test keeps the two equal)."""
FIELDS_V2 = ("email", "password", "maxJobs", "token")
"""v2 wire and state names (`models.FIELDS_V2`, repeated likewise)."""
V2_CREDENTIALS = ("password", "token")
"""v2 fields the service never returns (GET masks them): kept as declared, drift in them unseen."""
CREDENTIALS = ("discord", *V2_CREDENTIALS)
"""Fields of either version that hold a credential: redacted from every message of the process."""


def _is_unknown(value: Any) -> bool:
    """True for a value that is not known yet (a preview of an output from another resource)."""
    return bool(value == rpc.UNKNOWN)


def _same(old: Any, new: Any) -> bool:
    """Equality as the service sees it: 5 and 5.0 are the same maxJobs."""
    if isinstance(old, (int, float)) and isinstance(new, (int, float)) and not isinstance(new, bool):
        return float(old) == float(new)
    return bool(old == new)


def _identical(olds: dict[str, Any], news: dict[str, Any]) -> bool:
    """The same inputs, each of the same type and value (the pickled provider aside)."""
    names = (olds.keys() | news.keys()) - {"__provider"}
    return all(type(olds.get(n)) is type(news.get(n)) and olds.get(n) == news.get(n) for n in names)


def _changed(fields: tuple[str, ...], olds: dict[str, Any], news: dict[str, Any]) -> list[str]:
    return [
        name for name in fields if _is_unknown(news.get(name)) or not _same(olds.get(name), news.get(name))
    ]


class _AccountProvider(ResourceProvider):
    """What both versions share: settings from `configure()`, one client per process built on first
    use, nothing pickled, validation in `check`, and failures reported as one line."""

    serialize_as_secret_always = False
    _settings: ClientSettings | None
    _client: PixverseClient | None
    _client_lock: threading.Lock

    def __init__(self) -> None:
        super().__init__()
        self._forget()

    def __getstate__(self) -> dict[str, Any]:
        """Pickle nothing: settings and the client belong to the provider process, never to the state."""
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._forget()

    def _forget(self) -> None:
        self._settings = None
        self._client = None
        self._client_lock = threading.Lock()

    def configure(self, req: ConfigureRequest) -> None:
        """Read the API token and client settings from stack config or the environment. The client
        is built when first needed, with these settings."""
        settings = resolve_settings(req.config.get)
        with self._client_lock:
            self._settings, self._client = settings, None

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate the inputs without calling the API; values unknown in a preview are not judged.
        Inputs identical to the ones in the state were judged when they were stored, and nothing is
        sent for them: they are not judged again (so an unchanged stack never loads the models)."""
        if olds and _identical(olds, news):
            return CheckResult(news, [])
        failures = [CheckFailure(p.field, p.reason) for p in self._problems(news)]
        return CheckResult(news, failures)

    def _problems(self, news: dict[str, Any]) -> list[FieldProblem]:
        raise NotImplementedError

    def _api(self) -> PixverseClient:
        """The process's client, built on first use from the configured settings (MissingTokenError
        without a token) over the process's connection pool for them; thread-safe."""
        with self._client_lock:
            if self._client is None:
                if self._settings is None:
                    raise MissingTokenError()
                from .client.api import PixverseClient
                from .client.transport import shared_transport

                self._client = PixverseClient(self._settings, shared_transport(self._settings))
            return self._client

    @contextlib.contextmanager
    def _operation(self, verb: str, account: str, *records: dict[str, Any]) -> Iterator[PixverseClient]:
        """The client for one operation on `account`; any failure the caller does not handle inside
        (a 404 it interprets) becomes OperationFailed, one line naming the account. The credentials
        in `records` (the operation's inputs and state) are redacted from every message."""
        for record in records:
            for name in CREDENTIALS:
                remember_secret(record.get(name))
        try:
            yield self._api()
        except (PixverseError, MissingTokenError) as error:
            raise explain(verb, account, error) from None
        except ValueError as error:
            from .models import InvalidAccountError

            if not isinstance(error, InvalidAccountError):
                raise
            raise explain(verb, account, error) from None


class PixverseAccountProvider(_AccountProvider):
    """check / diff / create / read / update / delete for PixVerse v1 accounts; the id is the channel."""

    def _problems(self, news: dict[str, Any]) -> list[FieldProblem]:
        from .models import find_problems

        return find_problems(news, _is_unknown)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Update in place for discord, server, maxJobs; replace for channel, deleting the old account
        first when the Discord token stays (the service keeps one token on one channel)."""
        changed = _changed(FIELDS, olds, news)
        if "channel" not in changed:
            return DiffResult(changes=bool(changed), replaces=[], delete_before_replace=False)
        token_may_stay = "discord" not in changed or _is_unknown(news.get("discord"))
        return DiffResult(changes=True, replaces=["channel"], delete_before_replace=token_may_stay)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """POST the account, or adopt an identical live account without a write: one request, since
        the process's shared list call tells whether the channel is there and how (a GET only where
        it cannot: see `PixverseClient.known_account`)."""
        from .models import parse_account

        with self._operation("creating", _v1_name(props.get("channel")), props) as client:
            account = parse_account(props)
            live = client.known_account(account.channel)
            if live is None or not _matches(live, account):
                client.upsert_account(account.wire())
        return CreateResult(account.channel, account.wire())

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """The live account, from the list call the process's reads share; when it is gone, no id, so
        the engine drops it from the state. The live fields are returned as outputs and as inputs, so
        a refresh ends with a clean state."""
        with self._operation("reading", _v1_name(id_), props) as client:
            live = client.listed_account(id_)
        if live is None:
            return ReadResult("", {})
        record = {name: live[name] for name in FIELDS}
        return ReadResult(id_, record, dict(record))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """POST the new settings (an upsert) and return every output."""
        from .models import parse_account

        with self._operation("updating", _v1_name(news.get("channel")), news, olds) as client:
            account = parse_account(news)
            client.upsert_account(account.wire())
        return UpdateResult(account.wire())

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """DELETE the account; one that the service itself says is not configured counts as deleted."""
        with self._operation("deleting", _v1_name(id_), props) as client, contextlib.suppress(NotFoundError):
            client.delete_account(id_)


class PixverseAccountV2Provider(_AccountProvider):
    """check / diff / create / read / update / delete for PixVerse v2 accounts; the id is the email.

    Outputs: email, maxJobs, password and token (as declared: the service masks them), accountId and
    username from the service's session (`jwt`), which is never stored whole and never diffed.
    """

    def _problems(self, news: dict[str, Any]) -> list[FieldProblem]:
        from .models import find_problems_v2

        return find_problems_v2(news, _is_unknown)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Update in place for password, token, maxJobs; replace for email (a new account, created
        before the old one is deleted)."""
        changed = _changed(FIELDS_V2, olds, news)
        replaces = ["email"] if "email" in changed else []
        return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """POST the account (the service logs in to PixVerse with it); an upsert, so a live account
        of the same email is taken over."""
        from .models import parse_account_v2

        with self._operation("creating", _v2_name(props.get("email")), props) as client:
            account = parse_account_v2(props)
            stored = client.upsert_account_v2(account.wire())
        return CreateResult(account.email, _v2_outputs(account.wire(), stored))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """The live account, from the list call the process's reads share (no id when it is gone).
        email and maxJobs come from the service; password and token keep their declared values, since
        the service never returns them."""
        with self._operation("reading", _v2_name(id_), props) as client:
            live = client.listed_account_v2(id_)
        if live is None:
            return ReadResult("", {})
        declared = {name: props[name] for name in V2_CREDENTIALS if props.get(name) is not None}
        inputs = {"email": live["email"], "maxJobs": live["maxJobs"], **declared}
        return ReadResult(id_, _v2_outputs(inputs, live), inputs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """POST the new settings (an upsert, one request) and return every output."""
        from .models import parse_account_v2

        with self._operation("updating", _v2_name(news.get("email")), news, olds) as client:
            account = parse_account_v2(news)
            stored = client.upsert_account_v2(account.wire())
        return UpdateResult(_v2_outputs(account.wire(), stored))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """DELETE the account; one that the service itself says is not configured counts as deleted."""
        with self._operation("deleting", _v2_name(id_), props) as client, contextlib.suppress(NotFoundError):
            client.delete_account_v2(id_)


def _v1_name(channel: Any) -> str:
    return f"the account on channel {channel}"


def _v2_name(email: Any) -> str:
    return f"the v2 account {email}"


def _matches(live: dict[str, Any], account: Account) -> bool:
    return all(_same(live.get(name), value) for name, value in account.wire().items())


def _v2_outputs(record: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    """The declared record plus the non-secret facts of the service's session (never `jwt` itself,
    whose expiry moves on its own)."""
    session = stored["jwt"]
    return {**record, "accountId": session.get("AccountId"), "username": session.get("Username")}


serve_calls_side_by_side(_AccountProvider)
