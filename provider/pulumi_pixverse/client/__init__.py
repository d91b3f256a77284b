"""REST client for the useapi.net PixVerse account APIs, v1 and v2. It never imports pulumi.

The settings and the errors import with the standard library alone; `PixverseClient` (with requests
under it) is imported on first use, so a process that only declares resources or checks inputs never
loads requests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .config import DEFAULT_BASE_URL, ClientSettings
from .errors import (
    ApiValidationError,
    AuthenticationError,
    DeadlineExceededError,
    GarbledAnswerError,
    LoginRefusedError,
    NotFoundError,
    NotTheApiError,
    PixverseError,
    RedirectError,
    RetriesExhaustedError,
    UnexpectedResponseError,
    UnreadableRecordError,
)

if TYPE_CHECKING:
    from .api import PixverseClient

__all__ = [
    "DEFAULT_BASE_URL",
    "ApiValidationError",
    "AuthenticationError",
    "ClientSettings",
    "DeadlineExceededError",
    "GarbledAnswerError",
    "LoginRefusedError",
    "NotFoundError",
    "NotTheApiError",
    "PixverseClient",
    "PixverseError",
    "RedirectError",
    "RetriesExhaustedError",
    "UnexpectedResponseError",
    "UnreadableRecordError",
]


def __getattr__(name: str) -> Any:
    """`PixverseClient`, imported (with requests) when first asked for."""
    if name == "PixverseClient":
        from .api import PixverseClient

        return PixverseClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
