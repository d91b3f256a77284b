"""HTTP transport: one requests Session with bearer auth, timeouts and bounded retries.

Retries come from urllib3's Retry (mounted on the session), so 429, 500, 502, 503 and 504, timeouts
and dropped connections are retried with exponential backoff and Retry-After is honoured. Every
method is retried, POST included: the service's POST is an upsert, so sending it twice is safe.

A Transport keeps its connections open between calls (HTTP keep-alive, a pool of up to POOL_SIZE per
host) and may be used by several threads at once, each call on its own connection.
`shared_transport(settings)` is the process's one Transport for those settings: the provider process
sends every call of every account through it, never opening a connection per operation.
"""

from __future__ import annotations

import os
import re
import threading
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError
from urllib3.util.retry import Retry

from .config import DEFAULT_BASE_URL, ClientSettings
from .errors import (
    ApiValidationError,
    AuthenticationError,
    LoginRefusedError,
    NotFoundError,
    PixverseError,
    RetriesExhaustedError,
    UnexpectedResponseError,
)

__all__ = ["DEFAULT_BASE_URL", "ClientSettings", "Transport", "shared_transport"]

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_AFTER_CEILING_SECONDS = 60.0
"""A Retry-After longer than this is shortened to it, so one answer cannot stall a deployment."""
TOKEN_REFUSED = "Unauthorized"
"""The service's message for a refused API token; any other 401 message is a refused account login."""
CREDENTIAL_FIELDS = ("discord", "password", "token")
"""Request body fields holding credentials: an error never repeats their values, even when the
service's message does."""
HIDDEN = "<hidden>"
POOL_SIZE = 64
"""Connections kept open per host: as many as the provider server runs calls at once, v1 and v2
together (pulumi_pixverse.concurrency.CALLS_AT_ONCE; a unit test keeps the two equal). A connection
is opened only when every open one is busy."""


class _CappedRetry(Retry):
    """urllib3 Retry whose Retry-After wait is bounded by RETRY_AFTER_CEILING_SECONDS."""

    def parse_retry_after(self, retry_after: str) -> float:
        return min(super().parse_retry_after(retry_after), RETRY_AFTER_CEILING_SECONDS)


def _retry_policy(settings: ClientSettings) -> Retry:
    return _CappedRetry(
        total=settings.max_retries,
        connect=settings.max_retries,
        read=settings.max_retries,
        status=settings.max_retries,
        other=0,
        allowed_methods=frozenset({"GET", "POST", "DELETE"}),
        status_forcelist=RETRYABLE_STATUSES,
        backoff_factor=settings.backoff_factor,
        backoff_max=settings.backoff_max,
        respect_retry_after_header=True,
        raise_on_status=False,
    )


class Transport:
    """Sends JSON requests to the API and turns failures into typed PixverseErrors."""

    def __init__(self, settings: ClientSettings) -> None:
        self._settings = settings
        self._session = requests.Session()
        self._session.headers.update(
            {
                "Authorization": f"Bearer {settings.token}",
                "Accept": "application/json",
                "User-Agent": "pulumi-pixverse",
            }
        )
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=POOL_SIZE, max_retries=_retry_policy(settings))
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        _read_environment_once(self._session, settings.base_url)

    def __repr__(self) -> str:
        return f"Transport({self._settings!r})"

    def close(self) -> None:
        self._session.close()

    def request(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, login: str | None = None
    ) -> requests.Response:
        """Send one call (retries included); return the 2xx response or raise a PixverseError.

        `login` is the email of the account whose PixVerse login the call makes: a 401 whose message
        is not `Unauthorized` then raises LoginRefusedError naming it. Without it, every 401 is
        AuthenticationError.
        """
        url = self._settings.base_url.rstrip("/") + path
        try:
            response = self._session.request(
                method,
                url,
                json=body,
                timeout=(self._settings.connect_timeout, self._settings.read_timeout),
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise RetriesExhaustedError(
                method, path, f"no answer after {self._attempts()}: last cause {_describe(exc)}"
            ) from None
        if response.ok:
            return response
        raise self._error_for(method, path, response, _service_message(response, body), login)

    def _attempts(self) -> str:
        attempts = self._settings.max_retries + 1
        return f"{attempts} attempt" + ("s" if attempts > 1 else "")

    def _error_for(
        self, method: str, path: str, response: requests.Response, message: str, login: str | None
    ) -> PixverseError:
        status = response.status_code
        if status == 400:
            return ApiValidationError(method, path, message, status)
        if status == 401 and login is not None and message not in ("", TOKEN_REFUSED):
            return LoginRefusedError(method, path, login, message, status)
        if status == 401:
            return AuthenticationError(
                method, path, "API token refused (check pixverse:apiToken or USEAPI_TOKEN)", status
            )
        if status == 404:
            return NotFoundError(method, path, message or "not found", status)
        if status in RETRYABLE_STATUSES:
            return RetriesExhaustedError(
                method, path, f"still failing after {self._attempts()}: last cause HTTP {status}", status
            )
        return UnexpectedResponseError(
            method, path, message or response.reason or "unexpected answer", status
        )


def _read_environment_once(session: requests.Session, base_url: str) -> None:
    """What requests takes from the environment, read here once rather than at every call (where it
    costs about a millisecond of CPU: proxy variables scanned, ~/.netrc looked for): the proxies for the
    API's URL (HTTP_PROXY, HTTPS_PROXY, NO_PROXY...) and a CA bundle (REQUESTS_CA_BUNDLE or
    CURL_CA_BUNDLE), as requests would use them. Never ~/.netrc: its Basic credentials would replace
    the bearer token."""
    session.trust_env = False
    session.proxies.update(requests.utils.get_environ_proxies(base_url))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle


_SHARED: dict[ClientSettings, Transport] = {}
_SHARED_LOCK = threading.Lock()


def shared_transport(settings: ClientSettings) -> Transport:
    """The process's one Transport for `settings`, made on first use and kept for the process's life
    (its connections close when the process ends): every client built with the same settings shares
    its session and connection pool. Thread-safe."""
    with _SHARED_LOCK:
        transport = _SHARED.get(settings)
        if transport is None:
            transport = _SHARED[settings] = Transport(settings)
        return transport


def _service_message(response: requests.Response, body: dict[str, Any] | None) -> str:
    """The service's `error` text (with `errorDetails` when present) or, for a plain-text answer such
    as the GET routes' 404s, the body's start; never a credential that `body` carried."""
    try:
        payload = response.json()
    except ValueError:
        return _redacted(response.text, body).strip()[:200]
    if not isinstance(payload, dict):
        return _redacted(str(payload), body)[:200]
    message = str(payload.get("error") or "")
    details = payload.get("errorDetails")
    return _redacted(f"{message} ({details})" if details else message, body)


def _redacted(text: str, body: dict[str, Any] | None) -> str:
    """`text` with the value of each of `body`'s CREDENTIAL_FIELDS replaced by HIDDEN."""
    for field in CREDENTIAL_FIELDS:
        secret = (body or {}).get(field)
        if isinstance(secret, str) and secret:
            text = text.replace(secret, HIDDEN)
    return text


def _describe(exc: requests.RequestException) -> str:
    """Name the underlying network failure (timeout, refused or dropped connection) without the URL."""
    reason: BaseException = exc
    if exc.args and isinstance(exc.args[0], MaxRetryError) and exc.args[0].reason is not None:
        reason = exc.args[0].reason
    if isinstance(reason, requests.Timeout) or "timed out" in str(reason).lower():
        return f"timeout ({type(reason).__name__})"
    return f"{type(reason).__name__}: {_OBJECT_REPR.sub('', str(reason))}"


_OBJECT_REPR = re.compile(r"<[^<>]* object at 0x[0-9a-fA-F]+>:?\s*")
"""urllib3 messages embed reprs such as '<urllib3.connection.HTTPConnection object at 0x7f..>: '."""
