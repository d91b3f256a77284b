"""What a user reads when an account operation fails: one line, not a traceback.

Each failed create/read/update/delete raises `OperationFailed`, whose message says which account,
what failed, the service's own message, and what to do. The SDK's dynamic provider server
(`python -m pulumi.dynamic`) reports every exception with `traceback.format_exc()`, a dozen lines of
frames around the message; `show_operation_failures_plainly()` makes that server show an
`OperationFailed` as its message alone. Every other exception, including those of other dynamic
providers served by the same process, is reported exactly as before.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from typing import Any

from ..client import (
    ApiValidationError,
    AuthenticationError,
    DeadlineExceededError,
    GarbledAnswerError,
    LoginRefusedError,
    NotTheApiError,
    RedirectError,
    RetriesExhaustedError,
    UnreadableRecordError,
)
from ..client.sanitize import redact

ROTATED_TOKEN_HINT = (
    "`pulumi refresh` and `pulumi destroy` use the API token saved by the last `pulumi up`: "
    "if you rotated it, run `pulumi up` first, or add --run-program to use the stack's current config"
)


OVERWRITE_SETTING = "pixverse:allowOverwrite"
"""The provider setting that lets a create write over a live account that differs (default false)."""

TakeOver = Callable[[Any, str, str], str]
"""(account kind, key, resource name) -> how a user takes over a live account of that key."""


class OperationFailed(Exception):
    """An account operation failed; str() is the one line to show the user."""


def adopt_instead(kind: Any, key: str, resource: str) -> str:
    """The dynamic provider's way to take over a live account: `adopt` (v1) or declaring it as it is."""
    if kind.KEY == "channel":
        return (
            "to take it over as it is, remove its entry from pixverse:accounts and run "
            "`python -m pulumi_pixverse adopt --stack <stack>`"
        )
    return "to take it over as it is, declare it with the service's values (then the create writes nothing)"


def not_ours(account: str, differing: list[str], take_over: str) -> OperationFailed:
    """A create found a live account that differs from the declaration: nothing was written."""
    return OperationFailed(
        redact(
            f"creating {account} failed: the service already holds it, made outside this stack, and it "
            f"differs from the declaration in {', '.join(differing)}; nothing was written. "
            f"{take_over[0].upper()}{take_over[1:]}; or, to write the declared values over it, set "
            f"{OVERWRITE_SETTING} to true"
        )
    )


def overwrite_on(source: str) -> str:
    """The warning, once per provider process, that a create or update runs with allowOverwrite on
    (`source`: the stack config key or the environment variable it came from)."""
    return (
        f"{OVERWRITE_SETTING} is on (from {source}): a create writes the declared values over a live account "
        f"of its channel or email that this stack did not make; turn it off again with {_turn_off(source)}"
    )


def overwritten(account: str, differing: list[str], source: str) -> str:
    """The warning after a create wrote the declared values over a live account it did not make."""
    return redact(
        f"wrote the declared values over {account}, made outside this stack, which differed from the "
        f"declaration in {', '.join(differing)}, since {OVERWRITE_SETTING} is on (from {source}); turn it "
        f"off again with {_turn_off(source)}"
    )


def _turn_off(source: str) -> str:
    if source == OVERWRITE_SETTING:
        return f"`pulumi config rm {OVERWRITE_SETTING}` (an explicit provider: remove its allowOverwrite)"
    return f"`unset {source}`"


def session_unreadable(done: str, account: str, reason: str) -> str:
    """The warning after a write whose answer's session (`jwt`, information only) could not be read."""
    return redact(
        f"{done} {account}, but the service's answer has {reason}, which the provider cannot read: "
        "accountId and username are empty until a refresh reads them"
    )


def explain(verb: str, account: str, error: Exception) -> OperationFailed:
    """The one-line failure for `error` raised while `verb`ing (creating, reading, ...) `account`;
    every credential the process knows is redacted from it."""
    return OperationFailed(redact(_explained(f"{verb} {account} failed", verb, error)))


def _explained(what: str, verb: str, error: Exception) -> str:
    if isinstance(error, AuthenticationError):
        if verb in ("reading", "deleting"):
            return f"{what}: the service refused the API token. {ROTATED_TOKEN_HINT}"
        return (
            f"{what}: the service refused the API token: set the current one with "
            "`pulumi config set --secret pixverse:apiToken < token-file` (or USEAPI_TOKEN)"
        )
    if isinstance(error, LoginRefusedError):
        return f"{what}: {error.detail}"
    if isinstance(error, ApiValidationError):
        return f"{what}: the service refused it: {error.detail}"
    if isinstance(error, (NotTheApiError, RedirectError)):
        return f"{what}: {error.method} {error.path}: {error.detail}. Nothing was changed in the state"
    if isinstance(error, UnreadableRecordError):
        return (
            f"{what}: the service's record has {error.reason} in `{error.field}`, which the provider "
            "cannot read; the state keeps what it had. Run the command again; if it persists, the "
            "service's answers have changed: report it"
        )
    if isinstance(error, GarbledAnswerError):
        return (
            f"{what}: {error.method} {error.path}: {error.detail}: the answer was cut short or garbled on "
            "the way. Run the command again"
        )
    if isinstance(error, DeadlineExceededError):
        return (
            f"{what}: {error.method} {error.path}: {error.detail}. Run the command again later, or "
            "allow more time with pixverse:requestTimeout"
        )
    if isinstance(error, RetriesExhaustedError):
        return (
            f"{what}: {error.method} {error.path}: {error.detail}. The service is busy or unreachable: "
            "run the command again later (pixverse:maxRetries and pixverse:readTimeout allow more patience)"
        )
    return f"{what}: {error}"


class _PlainFailureTraceback:
    """Stands in for the `traceback` module inside the dynamic provider server: `format_exc()` of an
    OperationFailed is its message, of anything else the traceback, redacted; everything else is the
    real module's."""

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)

    @staticmethod
    def format_exc(*args: Any, **kwargs: Any) -> str:
        """OperationFailed as its message; anything else as the real traceback, with every credential
        the process knows redacted."""
        error = sys.exc_info()[1]
        if isinstance(error, OperationFailed):
            return str(error)
        return redact(traceback.format_exc(*args, **kwargs))


def show_operation_failures_plainly() -> None:
    """In the SDK's dynamic provider server process, report OperationFailed as its message alone.

    A no-op anywhere else (the program, tests) and when the SDK's server no longer formats errors
    through a module-level `traceback` (then the traceback shows, and our message is its last line).
    """
    server = sys.modules.get("__main__")
    if server is None or not hasattr(server, "DynamicResourceProviderServicer"):
        return
    if getattr(server, "traceback", None) is traceback:
        server.traceback = _PlainFailureTraceback()  # type: ignore[attr-defined]
