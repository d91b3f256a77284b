"""Typed errors of the PixVerse client.

Each error carries the HTTP method and path of the call and, where the service answered, its status
and message. None of them ever carries a credential or a body that is not the API's own words: the
transport (answers.py) builds every message from cleaned, redacted text (sanitize.py).
"""

from __future__ import annotations

from .sanitize import redact


class PixverseError(Exception):
    """Base class: a call to the PixVerse API did not succeed."""

    def __init__(self, method: str, path: str, detail: str, status: int | None = None) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.detail = detail = redact(detail)
        where = f"{method} {path}"
        super().__init__(f"{where}: HTTP {status}: {detail}" if status else f"{where}: {detail}")


class ApiValidationError(PixverseError):
    """HTTP 400: the service refused the request; `detail` is its message, verbatim."""


class AuthenticationError(PixverseError):
    """HTTP 401 `Unauthorized`: the service refused the API token."""


class LoginRefusedError(PixverseError):
    """HTTP 401 with another message on a call that logs in (the v2 POST): PixVerse refused the
    account's own login. The API token was accepted; the account's email or password is wrong.
    `email` names the account; the message never carries the password."""

    def __init__(self, method: str, path: str, email: str, reason: str, status: int = 401) -> None:
        self.email = email
        detail = f"PixVerse refused the login of {email}"
        detail += f" ({reason})" if reason else ""
        super().__init__(
            method, path, f"{detail}: check the account's email and password, not the API token", status
        )


class NotFoundError(PixverseError):
    """HTTP 404: the account (or, for the list call, any account) is not configured; `detail` is the
    service's message, from a JSON error body or a plain-text one."""


class RetriesExhaustedError(PixverseError):
    """A transient failure (408, 429, 5xx, a CDN's 520-524, timeout, refused or dropped connection)
    outlasted every attempt, or a network failure another attempt would meet again (TLS, a proxy's
    refusal) ended the call; the message names the attempts made and the last cause."""


class DeadlineExceededError(PixverseError):
    """The call (every attempt, answer and body included) did not finish within the configured total
    time (`pixverse:requestTimeout`)."""


class NotTheApiError(PixverseError):
    """The answer is not one the useapi.net API gives (an HTML page, another content type, a 404 that
    is not the service's own): the base URL is most likely wrong. The body is never repeated."""


class GarbledAnswerError(PixverseError):
    """A JSON answer whose body does not parse, or a body cut short: garbled or truncated on the way
    (the URL is right). Asked again (every route is safe to repeat); the body is never repeated."""


class RedirectError(PixverseError):
    """The answer is a redirect (3xx): never success, never followed (the token would go along)."""


class UnexpectedResponseError(PixverseError):
    """The service answered with a status or body the contract does not describe."""


class UnreadableRecordError(PixverseError):
    """An account record from the service that cannot be read in the declared types: `field` names
    the field (missing, or of a type that cannot be converted)."""

    def __init__(self, method: str, path: str, key: str, field: str, reason: str) -> None:
        self.key = key
        self.field = field
        self.reason = reason
        super().__init__(method, path, f"the service's record of {key} has {reason} in `{field}`")
