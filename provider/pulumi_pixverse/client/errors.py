"""Typed errors of the PixVerse client.

Each error carries the HTTP method and path of the call and, where the service answered, its status
and message. None of them ever carries the API token or a request body.
"""

from __future__ import annotations


class PixverseError(Exception):
    """Base class: a call to the PixVerse API did not succeed."""

    def __init__(self, method: str, path: str, detail: str, status: int | None = None) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.detail = detail
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
    """A transient failure (429, 5xx, timeout, dropped connection) outlasted every retry."""


class UnexpectedResponseError(PixverseError):
    """The service answered with a status or body the contract does not describe."""
