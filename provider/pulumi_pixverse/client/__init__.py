"""REST client for the useapi.net PixVerse v1 account API. It never imports pulumi."""

from .api import PixverseClient
from .errors import (
    ApiValidationError,
    AuthenticationError,
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
    "NotFoundError",
    "PixverseClient",
    "PixverseError",
    "RetriesExhaustedError",
    "UnexpectedResponseError",
]
