"""HTTP transport: one requests Session with bearer auth, timeouts, bounded retries and a deadline.

Retries come from urllib3's Retry (mounted on the session): the statuses of
`answers.RETRYABLE_STATUSES` (408, 429, 5xx, a CDN's 520-524), timeouts and dropped connections are
retried with exponential backoff, Retry-After is honoured (capped; an unparseable one counts as
absent). Every method is retried, POST included: the service's POST is an upsert, so sending it twice
is safe. Redirects are never followed. What an answer means is decided in `answers.py`, route by route.

Each call has a total deadline (`ClientSettings.request_timeout`, or what is left of its operation's
bound when less: `deadline.py`): connection, answer and body of every attempt, and the waits between
them, together. A service that trickles its answer (each read within the read timeout) or never
answers is cut off when it passes: a timer shuts the call's connection down.

A Transport keeps its connections open between calls (HTTP keep-alive, a pool of up to POOL_SIZE per
host) and may be used by several threads at once, each call on its own connection.
`shared_transport(settings)` is the process's one Transport for those settings: the provider process
sends every call of every account through it, never opening a connection per operation.
"""

from __future__ import annotations

import os
import re
import threading
import time
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import InvalidHeader, MaxRetryError
from urllib3.response import BaseHTTPResponse
from urllib3.util import parse_url
from urllib3.util.retry import Retry

from .answers import RETRYABLE_STATUSES, Route, meaning, retries_exhausted
from .config import DEFAULT_BASE_URL, ClientSettings
from .deadline import Deadline, DeadlinePassed, call_deadline, current_call
from .errors import DeadlineExceededError, GarbledAnswerError, RetriesExhaustedError
from .sanitize import one_line, remember_secret

__all__ = ["DEFAULT_BASE_URL", "ClientSettings", "Route", "Transport", "shared_transport"]

RETRY_AFTER_CEILING_SECONDS = 60.0
"""A Retry-After longer than this is shortened to it, so one answer cannot stall a deployment."""
CREDENTIAL_FIELDS = ("discord", "password", "token")
"""Request body fields holding credentials: redacted from every message once sent."""
POOL_SIZE = 64
"""Connections kept open per host: as many as the provider server runs calls at once, v1 and v2
together (pulumi_pixverse.concurrency.CALLS_AT_ONCE; a unit test keeps the two equal). A connection
is opened only when every open one is busy."""


class _Watched:
    """Mixin for urllib3 connections: each request and connect puts the connection under the current
    call's deadline."""

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        deadline = current_call()
        if deadline is not None:
            deadline.watch(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        deadline = current_call()
        if deadline is not None:
            deadline.watch(self)
        super().request(*args, **kwargs)  # type: ignore[misc]


class _WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter whose connections (direct or through a proxy) are watched by deadlines."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _WATCHED_POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = _WATCHED_POOLS
        return manager


class _Retry(Retry):
    """urllib3 Retry whose Retry-After is capped (RETRY_AFTER_CEILING_SECONDS) or, unparseable, absent,
    and whose waits end the call when they would outlast its deadline."""

    def parse_retry_after(self, retry_after: str) -> float:
        return min(super().parse_retry_after(retry_after), RETRY_AFTER_CEILING_SECONDS)

    def get_retry_after(self, response: BaseHTTPResponse) -> float | None:
        try:
            return super().get_retry_after(response)
        except InvalidHeader:
            return None

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        wait = self.get_retry_after(response) if response is not None else None
        if not wait:
            wait = self.get_backoff_time()
        deadline = current_call()
        if deadline is not None and wait >= deadline.remaining():
            raise DeadlinePassed()
        if wait > 0:
            time.sleep(wait)


def _retry_policy(settings: ClientSettings) -> Retry:
    return _Retry(
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
    """Sends JSON requests to the API and turns every answer into its meaning (answers.py)."""

    def __init__(self, settings: ClientSettings) -> None:
        remember_secret(settings.token)
        self._settings = settings
        self._session = requests.Session()
        self._session.headers.update(
            {
                "Authorization": f"Bearer {settings.token}",
                "Accept": "application/json",
                "User-Agent": "pulumi-pixverse",
            }
        )
        adapter = _WatchedAdapter(
            pool_connections=2, pool_maxsize=POOL_SIZE, max_retries=_retry_policy(settings)
        )
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        _read_environment_once(self._session, settings.base_url)

    def __repr__(self) -> str:
        return f"Transport({self._settings!r})"

    def close(self) -> None:
        self._session.close()

    def request(
        self, route: Route, path: str, body: dict[str, Any] | None = None, *, login: str | None = None
    ) -> dict[str, Any]:
        """Send one call (retries included) within its deadline; return the JSON object of a
        successful answer ({} where the route documents none), or raise the PixverseError the
        answer means.

        `login` is the email of the account whose PixVerse login the call makes (a `logs_in` route):
        a 401 that is not about the API token then raises LoginRefusedError naming it.
        """
        for field in CREDENTIAL_FIELDS:
            remember_secret((body or {}).get(field))
        url = self._settings.base_url.rstrip("/") + path
        with call_deadline(self._settings.request_timeout) as deadline:
            if deadline.passed:  # the operation's bound is spent: no call is sent
                raise self._deadline_error(route, path)
            for retry in range(self._settings.max_retries + 1):  # every route is safe to repeat
                try:
                    return self._send(route, path, url, body, login, deadline)
                except GarbledAnswerError as garbled:
                    last = garbled
                wait = min(self._settings.backoff_factor * 2**retry, self._settings.backoff_max)
                if wait >= deadline.remaining():
                    break
                time.sleep(wait)
            raise GarbledAnswerError(route.method, path, f"{last.detail} ({self._attempts()})", last.status)

    def _send(
        self,
        route: Route,
        path: str,
        url: str,
        body: dict[str, Any] | None,
        login: str | None,
        deadline: Deadline,
    ) -> dict[str, Any]:
        """One call, its transient failures retried (urllib3), within `deadline`: the JSON object of a
        successful answer, or the PixverseError the answer means (GarbledAnswerError for a JSON answer
        that does not parse or a body cut short, which `request` retries)."""
        try:
            response = self._session.request(
                route.method,
                url,
                json=body,
                timeout=(self._settings.connect_timeout, self._settings.read_timeout),
                allow_redirects=False,
            )
            deadline.watch(None)  # the connection went back to the pool: another call may take it
            if deadline.passed:  # what was read before the connection was shut down is cut short
                raise DeadlinePassed()
        except DeadlinePassed:
            raise self._deadline_error(route, path) from None
        except requests.RequestException as exc:
            if deadline.passed:
                raise self._deadline_error(route, path) from None
            if isinstance(
                exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)
            ):
                raise GarbledAnswerError(route.method, path, "the answer's body was cut short") from None
            raise RetriesExhaustedError(
                route.method, path, f"no answer after {self._attempts()}: last cause {_describe(exc)}"
            ) from None
        if response.status_code in RETRYABLE_STATUSES:
            raise retries_exhausted(route, path, response, self._attempts())
        return meaning(route, path, response, login)

    def _attempts(self) -> str:
        attempts = self._settings.max_retries + 1
        return f"{attempts} attempt" + ("s" if attempts > 1 else "")

    def _deadline_error(self, route: Route, path: str) -> DeadlineExceededError:
        return DeadlineExceededError(
            route.method,
            path,
            f"no complete answer within {self._settings.request_timeout:g} s (pixverse:requestTimeout, for "
            "the whole operation: every call, retry and wait): the service is slow, trickles its answer "
            "or never answers",
        )


def _read_environment_once(session: requests.Session, base_url: str) -> None:
    """What requests takes from the environment, read here once rather than at every call (where it
    costs about a millisecond of CPU: proxy variables scanned, ~/.netrc looked for): the proxies for the
    API's URL (HTTP_PROXY, HTTPS_PROXY, NO_PROXY...) and a CA bundle (REQUESTS_CA_BUNDLE or
    CURL_CA_BUNDLE), as requests would use them. Never ~/.netrc: its Basic credentials would replace
    the bearer token. Never a proxy for an `http://` URL (one to a loopback address, the only http://
    the settings accept): the token would reach the proxy in clear text."""
    session.trust_env = False
    if parse_url(base_url).scheme != "http":
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


def _describe(exc: requests.RequestException) -> str:
    """Name the underlying network failure (timeout, refused or dropped connection) without the URL."""
    reason: BaseException = exc
    if exc.args and isinstance(exc.args[0], MaxRetryError) and exc.args[0].reason is not None:
        reason = exc.args[0].reason
    if isinstance(reason, requests.Timeout) or "timed out" in str(reason).lower():
        return f"timeout ({type(reason).__name__})"
    return one_line(f"{type(reason).__name__}: {_OBJECT_REPR.sub('', str(reason))}")


_OBJECT_REPR = re.compile(r"<[^<>]* object at 0x[0-9a-fA-F]+>:?\s*")
"""urllib3 messages embed reprs such as '<urllib3.connection.HTTPConnection object at 0x7f..>: '."""
