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
from typing import Any

from .client import (
    ApiValidationError,
    AuthenticationError,
    LoginRefusedError,
    RetriesExhaustedError,
)

ROTATED_TOKEN_HINT = (
    "`pulumi refresh` and `pulumi destroy` use the API token saved by the last `pulumi up`: "
    "if you rotated it, run `pulumi up` first, or add --run-program to use the stack's current config"
)


class OperationFailed(Exception):
    """An account operation failed; str() is the one line to show the user."""


def explain(verb: str, account: str, error: Exception) -> OperationFailed:
    """The one-line failure for `error` raised while `verb`ing (creating, reading, ...) `account`."""
    what = f"{verb} {account} failed"
    if isinstance(error, AuthenticationError):
        if verb in ("reading", "deleting"):
            return OperationFailed(f"{what}: the service refused the API token. {ROTATED_TOKEN_HINT}")
        return OperationFailed(
            f"{what}: the service refused the API token: set the current one with "
            "`pulumi config set --secret pixverse:apiToken <token>` (or USEAPI_TOKEN)"
        )
    if isinstance(error, LoginRefusedError):
        return OperationFailed(f"{what}: {error.detail}")
    if isinstance(error, ApiValidationError):
        return OperationFailed(f"{what}: the service refused it: {error.detail}")
    if isinstance(error, RetriesExhaustedError):
        return OperationFailed(
            f"{what}: {error.method} {error.path}: {error.detail}. The service is busy or unreachable: "
            "run the command again later (pixverse:maxRetries and pixverse:readTimeout allow more patience)"
        )
    return OperationFailed(f"{what}: {error}")


class _PlainFailureTraceback:
    """Stands in for the `traceback` module inside the dynamic provider server: `format_exc()` of an
    OperationFailed is its message; everything else is the real module's."""

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)

    @staticmethod
    def format_exc(*args: Any, **kwargs: Any) -> str:
        error = sys.exc_info()[1]
        if isinstance(error, OperationFailed):
            return str(error)
        return traceback.format_exc(*args, **kwargs)


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
