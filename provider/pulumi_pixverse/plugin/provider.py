"""The plugin's provider: the engine's requests translated to the account lifecycle (`accounts.py`).

One provider process serves one provider configuration (the default provider of a stack, or one
explicit `pulumi:providers:pixverse`): settings from its inputs (`apiToken`, `apiUrl`, ...; for the
default provider the engine fills them from the stack's `pixverse:*` config), else from the same
environment variables as the dynamic provider. Calls run on threads, as many at once as the engine
sends (up to MAX_CALLS), all through the process's one connection pool.

Preview sends nothing: `configure` does not claim preview support, so the engine never calls create or
update at preview. Credentials are secret in the inputs it stores and in every output.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from typing import Any, TypeVar

from pulumi.provider.experimental.provider import (
    CheckFailure,
    CheckRequest,
    CheckResponse,
    ConfigureRequest,
    ConfigureResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    GetSchemaRequest,
    GetSchemaResponse,
    InvokeRequest,
    InvokeResponse,
    PropertyDiff,
    PropertyDiffKind,
    Provider,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)

from ..client.config import SETTINGS
from ..core import lookups
from ..core.accounts import KINDS, AccountLifecycle, ApiAccess, Plan
from ..core.failures import OperationFailed
from ..core.settings import PLAIN_TEXT_TOKEN_MESSAGE, SettingError
from .schema import (
    GET_ACCOUNTS,
    GET_ACCOUNTS_V2,
    GET_CAPACITY,
    GET_FEATURES,
    schema_json,
)
from .values import plain, property_values, secret_names

MAX_CALLS = 64
"""Threads for calls at once: more than the engine's default parallelism asks of one provider."""
_CONFIG_SECRETS = tuple(setting.key for setting in SETTINGS if setting.secret)
_KINDS: dict[str, AccountLifecycle] = {kind.KIND.token: kind for kind in KINDS}
_FUNCTIONS: dict[str, Callable[..., dict[str, Any]]] = {
    GET_ACCOUNTS: lookups.accounts,
    GET_ACCOUNTS_V2: lookups.accounts_v2,
    GET_FEATURES: lookups.features,
    GET_CAPACITY: lookups.capacity,
}
T = TypeVar("T")
AT_PREVIEW: ContextVar[bool] = ContextVar("AT_PREVIEW", default=False)
"""Whether the engine runs a preview, for the function being invoked: set by the server from the
engine's InvokeRequest.preview, which the SDK's InvokeRequest drops."""


class PixverseProvider(Provider):
    """check / diff / create / read / update / delete of `pixverse:index:Account` (v1, id: the
    channel) and `pixverse:index:AccountV2` (v2, id: the email), the provider's config, and the
    read-only functions (`lookups`)."""

    def __init__(self) -> None:
        self._service = ApiAccess(take_over=_import_instead)
        self._threads = ThreadPoolExecutor(MAX_CALLS, thread_name_prefix="pixverse")

    async def get_schema(self, request: GetSchemaRequest) -> GetSchemaResponse:
        return GetSchemaResponse(schema_json())

    async def check_config(self, request: CheckRequest) -> CheckResponse:
        """The config as given, the API token of an explicit provider marked secret (so the state keeps
        it encrypted). The default provider's comes from the stack's config, `pixverse:apiToken`: the
        engine strips secrecy from what this receives and restores it afterwards, so it is left
        unmarked here, arrives at `configure` secret exactly when the stack's config holds it
        encrypted, and is refused there otherwise."""
        secrets = () if _is_default_provider(request.urn) else _CONFIG_SECRETS
        return CheckResponse(inputs=_with_secrets(request.new_inputs, secrets))

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        """Settings from the provider's inputs, else the environment; an API token that is not secret
        (stored in plain text in the stack's config: see `check_config`) is refused in one line.
        Output values are not accepted: the SDK cannot read them (unknowns arrive as the engine's
        marker instead)."""
        token = request.args.get("apiToken")
        if token is not None and not token.is_secret and isinstance(token.value, str) and token.value:
            raise SettingError(PLAIN_TEXT_TOKEN_MESSAGE)
        config = plain(request.args)
        self._service.configure(lambda key: config.get(key.partition(":")[2]))
        return ConfigureResponse(accept_secrets=True, supports_preview=False, accept_outputs=False)

    async def check(self, request: CheckRequest) -> CheckResponse:
        """Every rule the inputs break, without calling the API; credentials marked secret."""
        kind = _kind(request.type)
        problems = kind.problems(plain(request.old_inputs), plain(request.new_inputs))
        return CheckResponse(
            inputs=_with_secrets(request.new_inputs, kind.CREDENTIALS),
            failures=[CheckFailure(p.field, p.reason) for p in problems],
        )

    async def diff(self, request: DiffRequest) -> DiffResponse:
        """The kind's plan, field by field (shown as `~ maxJobs: 3 => 7`). `old_state` is the old
        outputs, completed with the old inputs by the server (see `server.py`)."""
        olds, news = plain(request.old_state), plain(request.new_inputs)
        plan = _kind(request.type).plan(olds, news)
        return DiffResponse(
            changes=bool(plan.changed),
            replaces=plan.replaces,
            delete_before_replace=plan.delete_before_replace,
            diffs=plan.changed,
            detailed_diff={name: _property_diff(name, olds, news, plan) for name in plan.changed},
        )

    async def create(self, request: CreateRequest) -> CreateResponse:
        kind, props = _kind(request.type), plain(request.properties)
        id_, outputs = await self._run(kind.create, self._service, props, request.urn.rsplit("::", 1)[-1])
        return CreateResponse(id_, _outputs(kind, outputs, request.properties))

    async def read(self, request: ReadRequest) -> ReadResponse:
        """The live account. What the state holds is its outputs, completed with its inputs; an
        import has neither. A gone account answers no id (the server then sends a bare answer)."""
        kind = _kind(request.type)
        declared = {**plain(request.inputs), **plain(request.properties)} or None
        read = await self._run(kind.read, self._service, request.resource_id, declared)
        if read is None:
            return ReadResponse()
        known = {**request.inputs, **request.properties}
        return ReadResponse(read.id, _outputs(kind, read.outputs, known), _outputs(kind, read.inputs, known))

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        kind = _kind(request.type)
        outputs = await self._run(kind.update, self._service, plain(request.olds), plain(request.news))
        return UpdateResponse(_outputs(kind, outputs, request.news))

    async def delete(self, request: DeleteRequest) -> None:
        await self._run(
            _kind(request.type).delete, self._service, request.resource_id, plain(request.properties)
        )

    async def invoke(self, request: InvokeRequest) -> InvokeResponse:
        """A read-only function (`lookups`): its GETs, at preview too; its arguments are the schema's
        (`email` for getFeatures). A failure is its one line; at a preview with no API token, one
        that says the preview needs it (the engine refuses an unknown result from a provider's
        function, so the result cannot be left unknown as the dynamic provider's is)."""
        function = _FUNCTIONS.get(request.tok)
        if function is None:
            raise ValueError(f"unknown function {request.tok}: this provider serves {', '.join(_FUNCTIONS)}")
        email = plain(request.args).get("email")
        if request.tok == GET_FEATURES and not (isinstance(email, str) and email):
            return InvokeResponse(failures=[CheckFailure("email", "the v2 account's email is required")])
        if AT_PREVIEW.get() and self._service.settings is None:
            raise OperationFailed(_preview_needs_token(request.tok))
        result = await self._run(function, self._service, *([email] if request.tok == GET_FEATURES else []))
        return InvokeResponse(property_values(result, ()))

    async def _run(self, call: Callable[..., T], *args: Any) -> T:
        """`call(*args)` on one of the provider's threads (the lifecycle blocks on HTTP)."""
        return await asyncio.get_running_loop().run_in_executor(self._threads, functools.partial(call, *args))


def _import_instead(kind: AccountLifecycle, key: str, resource: str) -> str:
    """The plugin's way to take over a live account: `pulumi import` of it under its resource's name."""
    token = next(token for token, known in _KINDS.items() if known is kind)
    return (
        f"to take it over, run `pulumi import {token} {resource} {key}` (the next `pulumi up` then writes "
        "the declared values)"
    )


def _preview_needs_token(token: str) -> str:
    name = token.rsplit(":", 1)[-1]
    return (
        f"{name} reads the service, at preview too, and there is no PixVerse API token: export "
        "USEAPI_TOKEN for this preview (in a pipeline, a secret of the preview's environment: "
        'docs/pipelines.md, "Previews")'
    )


def _is_default_provider(urn: str) -> bool:
    """The engine's default provider (named `default`, or `default_<version>...`), whose inputs are
    the stack's `pixverse:*` config; any other is an explicit provider the program declares."""
    name = urn.rsplit("::", 1)[-1]
    return name == "default" or name.startswith("default_")


def _kind(type_: str) -> AccountLifecycle:
    kind = _KINDS.get(type_)
    if kind is None:
        raise ValueError(f"unknown resource type {type_}: this provider serves {', '.join(_KINDS)}")
    return kind


def _with_secrets(values: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: value.with_secret(True) if name in names else value for name, value in values.items()}


def _outputs(kind: AccountLifecycle, record: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """`record` for the engine: credentials secret, and whatever was secret in what was `given`."""
    return property_values(record, {*kind.CREDENTIALS, *secret_names(given)})


def _property_diff(name: str, olds: dict[str, Any], news: dict[str, Any], plan: Plan) -> PropertyDiff:
    replaces = name in plan.replaces
    if olds.get(name) is None:
        kind = PropertyDiffKind.ADD_REPLACE if replaces else PropertyDiffKind.ADD
    elif news.get(name) is None:
        kind = PropertyDiffKind.DELETE_REPLACE if replaces else PropertyDiffKind.DELETE
    else:
        kind = PropertyDiffKind.UPDATE_REPLACE if replaces else PropertyDiffKind.UPDATE
    return PropertyDiff(kind, input_diff=True)
