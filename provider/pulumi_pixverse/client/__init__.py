"""REST client for the useapi.net PixVerse account APIs, v1 and v2. It never imports pulumi."""

from .api import PixverseClient
from .errors import (
    ApiValidationError,
    AuthenticationError,
    LoginRefusedError,
    NotFoundError,
    PixverseError,
    RetriesExhaustedError,
    UnexpectedResponseError,
)
from .transport import DEFAULT_BASE_URL, ClientSettings

__all__ = [
    "DEFAULT_BASE_URL",
    "ApiValidationError",
    "AuthenticationError",
    "ClientSettings",
    "LoginRefusedError",
    "NotFoundError",
    "PixverseClient",
    "PixverseError",
    "RetriesExhaustedError",
    "UnexpectedResponseError",
]
