"""The dynamic provider that manages one PixVerse account per resource.

The state refers to `pulumi_pixverse.provider.PixverseAccountProvider` by name: keep this module path
and class name forever, or refresh and destroy of existing stacks break. The pickled instance holds
nothing: settings (with the API token) are read in `configure()`, in the provider process only.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

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

from .client import ClientSettings, NotFoundError, PixverseClient, PixverseError
from .failures import explain, show_operation_failures_plainly
from .models import FIELDS, Account, InvalidAccountError, find_problems, parse_account
from .settings import MissingTokenError, resolve_settings

show_operation_failures_plainly()


def _is_unknown(value: Any) -> bool:
    """True for a value that is not known yet (a preview of an output from another resource)."""
    return bool(value == rpc.UNKNOWN)


def _same(old: Any, new: Any) -> bool:
    """Equality as the service sees it: 5 and 5.0 are the same maxJobs."""
    if isinstance(old, (int, float)) and isinstance(new, (int, float)) and not isinstance(new, bool):
        return float(old) == float(new)
    return bool(old == new)


class PixverseAccountProvider(ResourceProvider):
    """check / diff / create / read / update / delete for PixVerse v1 accounts; the id is the channel."""

    serialize_as_secret_always = False

    def __init__(self) -> None:
        super().__init__()
        self._settings: ClientSettings | None = None

    def __getstate__(self) -> dict[str, Any]:
        """Pickle nothing: settings belong to the provider process, never to the state."""
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._settings = None

    def configure(self, req: ConfigureRequest) -> None:
        """Read the API token and client settings from stack config or the environment."""
        self._settings = resolve_settings(req.config.get)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate the inputs without calling the API; values unknown in a preview are not judged."""
        failures = [CheckFailure(p.field, p.reason) for p in find_problems(news, _is_unknown)]
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Update in place for discord, server, maxJobs; replace for channel, deleting the old account
        first when the Discord token stays (the service keeps one token on one channel)."""
        changed = [
            name
            for name in FIELDS
            if _is_unknown(news.get(name)) or not _same(olds.get(name), news.get(name))
        ]
        if "channel" not in changed:
            return DiffResult(changes=bool(changed), replaces=[], delete_before_replace=False)
        token_may_stay = "discord" not in changed or _is_unknown(news.get("discord"))
        return DiffResult(changes=True, replaces=["channel"], delete_before_replace=token_may_stay)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """POST the account; an identical live account is adopted without a write."""
        with _reported("creating", props.get("channel")), self._client() as client:
            account = parse_account(props)
            try:
                live = client.get_account(account.channel)
            except NotFoundError:
                live = None
            if live is None or not _matches(live, account):
                client.upsert_account(account.wire())
        return CreateResult(account.channel, account.wire())

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """GET the live account; when it is gone, return no id so the engine drops it from the state.
        The live fields are returned as outputs and as inputs, so a refresh ends with a clean state."""
        try:
            with _reported("reading", id_), self._client() as client:
                live = client.get_account(id_)
        except NotFoundError:
            return ReadResult("", {})
        record = {name: live.get(name) for name in FIELDS}
        record["channel"] = record["channel"] or id_
        return ReadResult(id_, record, dict(record))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """POST the new settings (an upsert) and return every output."""
        with _reported("updating", news.get("channel")), self._client() as client:
            account = parse_account(news)
            client.upsert_account(account.wire())
        return UpdateResult(account.wire())

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        """DELETE the account; one that is already gone counts as deleted."""
        with _reported("deleting", id_), self._client() as client, contextlib.suppress(NotFoundError):
            client.delete_account(id_)

    def _client(self) -> PixverseClient:
        if self._settings is None:
            raise MissingTokenError()
        return PixverseClient(self._settings)


@contextlib.contextmanager
def _reported(verb: str, channel: Any) -> Iterator[None]:
    """Turn a failure of the operation into OperationFailed, one line naming the account; a 404
    passes through for the caller to interpret."""
    try:
        yield
    except NotFoundError:
        raise
    except (PixverseError, MissingTokenError, InvalidAccountError) as error:
        raise explain(verb, f"the account on channel {channel}", error) from None


def _matches(live: dict[str, Any], account: Account) -> bool:
    return all(_same(live.get(name), value) for name, value in account.wire().items())
