"""The dynamic providers: one PixVerse account per resource, v1 (keyed by channel) and v2 (by email).

States refer to `pulumi_pixverse.provider.PixverseAccountProvider` and
`pulumi_pixverse.provider.PixverseAccountV2Provider` by name: keep this module path and these class
names forever, or refresh and destroy of existing stacks break. A pickled instance holds nothing:
settings (with the API token) are read in `configure()`, in the provider process only.

Each method is a thin adapter over the account lifecycle in `accounts.py`, which the plugin shares.
In the provider process (`python -m pulumi.dynamic`, one per command) each provider keeps one
`accounts.ApiAccess` (settings, and one client built on first use over the process's connection pool);
the server's concurrent calls (as many as the engine sends: see `concurrency`) share it. Reads and
creates of a command share one list call (see `PixverseClient.listed_account`), made stale for an
account by a write of that account.

Importing this module (as the program does, to declare resources) loads neither pydantic nor
requests (see `accounts.py`), and a preview never loads requests.
"""

from __future__ import annotations

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

from ..core.accounts import V1, V2, AccountLifecycle, ApiAccess
from ..core.failures import show_operation_failures_plainly
from .concurrency import serve_calls_side_by_side

if TYPE_CHECKING:
    from ..core.accounts import Read

show_operation_failures_plainly()


STORED_MODULE = "pulumi_pixverse.provider"
"""The module path states store for the providers (the module docstring): a shim there re-exports them."""


class _AccountProvider(ResourceProvider):
    """What both versions share: settings from `configure()`, one `ApiAccess` per provider built in the
    provider process, nothing pickled, validation in `check`, and failures reported as one line."""

    serialize_as_secret_always = False
    _kind: AccountLifecycle
    _service: ApiAccess

    def __init__(self) -> None:
        super().__init__()
        self._forget()

    def __getstate__(self) -> dict[str, Any]:
        """Pickle nothing: settings and the client belong to the provider process, never to the state."""
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._forget()

    def _forget(self) -> None:
        self._service = ApiAccess()

    def configure(self, req: ConfigureRequest) -> None:
        """Read the API token and client settings from stack config or the environment. The client
        is built when first needed, with these settings."""
        self._service.configure(req.config.get)

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate the inputs without calling the API (`AccountLifecycle.problems`)."""
        return CheckResult(news, [CheckFailure(p.field, p.reason) for p in self._kind.problems(olds, news)])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Update in place or replace, as the account's kind plans it (`V1.plan`, `V2.plan`)."""
        plan = self._kind.plan(olds, news)
        return DiffResult(
            changes=bool(plan.changed),
            replaces=plan.replaces,
            delete_before_replace=plan.delete_before_replace,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        id_, outputs = self._kind.create(self._service, props)
        return CreateResult(id_, outputs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """The live account; when it is gone, no id, so the engine drops it from the state."""
        read: Read | None = self._kind.read(self._service, id_, props)
        if read is None:
            return ReadResult("", {})
        return ReadResult(read.id, read.outputs, read.inputs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self._kind.update(self._service, olds, news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        self._kind.delete(self._service, id_, props)


class PixverseAccountProvider(_AccountProvider):
    """check / diff / create / read / update / delete for PixVerse v1 accounts; the id is the channel
    (`accounts.V1`)."""

    __module__ = STORED_MODULE
    _kind = V1()


class PixverseAccountV2Provider(_AccountProvider):
    """check / diff / create / read / update / delete for PixVerse v2 accounts; the id is the email
    (`accounts.V2`)."""

    __module__ = STORED_MODULE
    _kind = V2()


serve_calls_side_by_side(_AccountProvider)
