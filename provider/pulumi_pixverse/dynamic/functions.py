"""The plugin's functions for programs on the dynamic provider: `get_accounts`, `get_accounts_v2`,
`get_features(email)`, `get_capacity()`, each an Output of the same plain values (`lookups`), read at
preview and at `up` with the stack's `pixverse:*` config (else the environment), as the dynamic
provider reads it. Each is one GET on a thread of its own, never a write; a failure is the
resources' one line (`OperationFailed`). At a preview with no API token (a pull request's, which holds
none), each result is unknown, with one warning, rather than a failed preview; `up` needs the token.

Each takes an optional `opts=pulumi.InvokeOutputOptions(depends_on=[...])`, honoured as the Pulumi
SDKs honour it for a provider's function: the read waits until every resource it depends on exists
(its id is known: at `up`, once the create is done); while one is still to be created (a preview of
its create), no request is sent and the result is unknown. A resource that already exists does not
hold the read back, so a later preview reads as before. Only `depends_on` is read from `opts`. As in
the SDKs, the resources an argument comes from count too: `get_features(creator.email)` waits for
`creator` without naming it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypedDict, TypeVar, cast

import pulumi

from ..core import lookups
from ..core.accounts import ApiAccess
from ..core.settings import PREVIEW_WITHOUT_TOKEN_MESSAGE


class AccountInfo(TypedDict):
    channel: str
    server: str
    maxJobs: int


class AccountV2Info(TypedDict):
    email: str
    maxJobs: int
    accountId: int | None
    username: str | None
    sessionExpires: str | None
    """ISO 8601, UTC."""


class Accounts(TypedDict):
    accounts: list[AccountInfo]


class AccountsV2(TypedDict):
    accounts: list[AccountV2Info]


class Features(TypedDict):
    email: str
    planName: str | None
    concurrentGenerations: int | None
    """The plan's concurrent generations: the account's maxJobs should not exceed it."""
    creditDaily: int | None
    creditMonthly: int | None
    creditPackage: int | None
    planExpires: str | None
    """When the plan's current period ends (ISO 8601, UTC); None when the service sets none."""
    planRenews: bool


class CapacityAccount(TypedDict):
    email: str
    maxJobs: int | None
    executing: int | None
    available: int | None


class ExecutingJob(TypedDict):
    id: str | None
    type: str | None
    started: str | None
    elapsed: str | None
    """As the service writes it: minutes and seconds, `03:57`."""
    elapsedSeconds: int | None


class Capacity(TypedDict):
    accounts: list[CapacityAccount]
    executing: list[ExecutingJob]
    jobsExecuting: int


T = TypeVar("T")


def get_accounts(*, opts: pulumi.InvokeOutputOptions | None = None) -> pulumi.Output[Accounts]:
    """The v1 accounts the subscription holds (Discord tokens left out: see `lookups`); read once
    `opts.depends_on` exist (see the module)."""
    return _after(opts, lambda: _read(lambda service: cast(Accounts, lookups.accounts(service))))


def get_accounts_v2(*, opts: pulumi.InvokeOutputOptions | None = None) -> pulumi.Output[AccountsV2]:
    """The v2 accounts the subscription holds, with their PixVerse sessions' facts; read once
    `opts.depends_on` exist (see the module)."""
    return _after(opts, lambda: _read(lambda service: cast(AccountsV2, lookups.accounts_v2(service))))


def get_features(
    email: pulumi.Input[str], *, opts: pulumi.InvokeOutputOptions | None = None
) -> pulumi.Output[Features]:
    """The PixVerse plan and credits of the v2 account `email`; read once `email` is known and the
    resources it comes from and `opts.depends_on` exist (see the module)."""
    address = pulumi.Output.from_input(email)
    return _after(
        opts,
        lambda: address.apply(
            lambda known: _read(lambda service: cast(Features, lookups.features(service, known)))
        ),
        address,
    )


def get_capacity(*, opts: pulumi.InvokeOutputOptions | None = None) -> pulumi.Output[Capacity]:
    """The scheduler's view of the v2 pool now; read once `opts.depends_on` exist (see the module)."""
    return _after(opts, lambda: _read(lambda service: cast(Capacity, lookups.capacity(service))))


def _after(
    opts: pulumi.InvokeOutputOptions | None,
    read: Callable[[], pulumi.Output[T]],
    argument: pulumi.Output[Any] | None = None,
) -> pulumi.Output[T]:
    """`read()` once every resource of `opts.depends_on` and every resource `argument` comes from
    exists: a custom resource's id is known (a component's URN is); unknown, with no read, when one
    is not (the preview of its create). The result depends on those resources, as an SDK's invoke
    result does."""
    declared = None if opts is None else opts.depends_on
    if declared is None and argument is None:
        return read()

    def settled(resources: list[Any]) -> pulumi.Output[list[Any]]:
        return pulumi.Output.all(
            *(r.id if isinstance(r, pulumi.CustomResource) else r.urn for r in resources)
        )

    depends_on = pulumi.Output.all(
        pulumi.Output.from_input(cast(Any, declared or [])),
        pulumi.Output.from_input(cast(Any, _resources_of(argument))),
    ).apply(lambda both: [*_listed(both[0]), *both[1]])
    return depends_on.apply(lambda resources: settled(resources).apply(lambda _: read()))


def _listed(resources: Any) -> list[Any]:
    """`depends_on` as a list: it may name one resource."""
    return [resources] if isinstance(resources, pulumi.Resource) else list(resources or [])


async def _resources_of(argument: pulumi.Output[Any] | None) -> list[pulumi.Resource]:
    """The resources an argument's value comes from (none for a plain value)."""
    return [] if argument is None else list(await argument.resources())


def _read(question: Callable[[ApiAccess], T]) -> pulumi.Output[T]:
    """`question` asked on a thread with the stack's settings; its answer as an Output. At a preview
    with no API token, unknown instead, and one warning (PREVIEW_WITHOUT_TOKEN_MESSAGE)."""
    service = ApiAccess(warn=pulumi.log.warn)
    service.configure(lambda key: cast(Any, pulumi.runtime.get_config(key)))
    if service.settings is None and pulumi.runtime.is_dry_run():
        service.warn_once(PREVIEW_WITHOUT_TOKEN_MESSAGE)
        return pulumi.Output(set(), _answer(None), _answer(False))
    future = asyncio.get_event_loop().run_in_executor(None, question, service)
    return pulumi.Output.from_input(future)


async def _answer(value: Any) -> Any:
    return value
