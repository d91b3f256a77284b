"""HTTP transport: one requests Session with bearer auth, timeouts, one retry layer and a deadline.

One retry layer, this module's (`Transport.request`): urllib3 and requests never retry (the adapter
has `max_retries=0`). It is ours rather than urllib3's Retry because some failures worth another
attempt only show once requests has read the body, after urllib3 is done with the call: a body cut
short, JSON that does not parse. One loop sees every cause, so a call makes at most
`pixverse:maxRetries` + 1 attempts whatever their mix, and every wait is weighed against its deadline
without hooks inside urllib3.

Worth another attempt: the statuses of `answers.RETRYABLE_STATUSES` (408, 429, 5xx, a CDN's 520-524),
a connection refused or not made in time, a read timeout, a connection dropped before the answer, a
body cut short, a JSON answer that does not parse. Not: anything else the service answered (what it
means is decided in `answers.py`, route by route), nor a failure another attempt would meet again
(TLS, a proxy's refusal). Before the next attempt: the answer's Retry-After where it asks for a wait
(capped at RETRY_AFTER_CEILING_SECONDS; one that does not parse counts as absent), else exponential
backoff: none before the first retry, then `backoff_factor` * 2**(n-1) before the n-th, at most
`backoff_max`. Every method is retried, POST included: the service's POST is an upsert, so sending it
twice is safe. Redirects are never followed.

Each call has a total deadline (`ClientSettings.request_timeout`, or what is left of its operation's
bound when less: `deadline.py`): connection, answer and body of every attempt, and the waits between
them, together. A wait that would outlast it is not begun. A service that trickles its answer (each
read within the read timeout) or never answers is cut off when it passes: the connections of the
transport hand their socket to the call's deadline as they connect and send (through urllib3's
public `ConnectionCls` and `pool_classes_by_scheme`), and a timer shuts it down.

A Transport keeps its connections open between calls (HTTP keep-alive, a pool of up to POOL_SIZE per
host) and may be used by several threads at once, each call on its own connection.
`shared_transport(settings)` is the process's one Transport for those settings: the provider process
sends every call of every account through it, never opening a connection per operation.
"""

from __future__ import annotations

import email.utils
import os
import re
import socket
import threading
import time
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, ProtocolError, ProxyError, ReadTimeoutError
from urllib3.util import parse_url

from .answers import RETRYABLE_STATUSES, Route, meaning, retries_exhausted
from .config import DEFAULT_BASE_URL, ClientSettings
from .deadline import Deadline, DeadlinePassed, call_deadline, current_call
from .errors import DeadlineExceededError, GarbledAnswerError, PixverseError, RetriesExhaustedError
from .sanitize import one_line, remember_secret

__all__ = ["DEFAULT_BASE_URL", "ClientSettings", "Route", "Transport", "shared_transport"]

RETRY_AFTER_CEILING_SECONDS = 60.0
"""A Retry-After longer than this is shortened to it, so one answer cannot stall a deployment."""
CREDENTIAL_FIELDS = ("discord", "password", "token")
"""Request body fields holding credentials: redacted from every message once sent."""
POOL_SIZE = 64
"""Connections kept open per host: as many as the provider server runs calls at once, v1 and v2
together (pulumi_pixverse.dynamic.concurrency.CALLS_AT_ONCE; a unit test keeps the two equal). A connection
is opened only when every open one is busy."""


class _Watched:
    """Mixin for urllib3 connections: the socket of each connect and request is watched by the current
    call's deadline."""

    sock: socket.socket | None

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        _watch(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        if self.sock is not None:  # a kept-alive connection; a new one is watched once connected
            _watch(self.sock)
        super().request(*args, **kwargs)  # type: ignore[misc]


def _watch(sock: socket.socket | None) -> None:
    deadline = current_call()
    if deadline is not None:
        deadline.watch(sock)


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


class _Transient(Exception):
    """An attempt failed in a way another attempt may mend. `error`: the call's error should it be the
    last; `retry_after`: the wait the answer asked for, if any."""

    def __init__(self, error: PixverseError, retry_after: float | None = None) -> None:
        self.error = error
        self.retry_after = retry_after


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
        adapter = _WatchedAdapter(pool_connections=2, pool_maxsize=POOL_SIZE, max_retries=0)
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
        """Send one call, retried as the module says, within its deadline; return the JSON object of
        a successful answer ({} where the route documents none), or raise the PixverseError the
        answer means: for a failure that outlasted every attempt, the last one's, naming the attempts
        made; DeadlineExceededError once the deadline has passed or a wait would outlast it (a garbled
        answer's own error then, which says to run the command again).

        `login` is the email of the account whose PixVerse login the call makes (a `logs_in` route):
        a 401 that is not about the API token then raises LoginRefusedError naming it.
        """
        for field in CREDENTIAL_FIELDS:
            remember_secret((body or {}).get(field))
        url = self._settings.base_url.rstrip("/") + path
        with call_deadline(self._settings.request_timeout) as deadline:
            attempt = 0
            while True:
                attempt += 1
                if deadline.passed:  # spent (the operation's bound, before the first attempt): no call
                    raise self._deadline_error(route, path)
                try:
                    return self._attempt(route, path, url, body, login, deadline, _attempts(attempt))
                except _Transient as failure:
                    if attempt > self._settings.max_retries:
                        raise failure.error from None
                    wait = failure.retry_after or self._backoff(attempt)
                    if wait >= deadline.remaining():
                        if isinstance(failure.error, GarbledAnswerError):
                            raise failure.error from None
                        raise self._deadline_error(route, path) from None
                time.sleep(wait)

    def _attempt(
        self,
        route: Route,
        path: str,
        url: str,
        body: dict[str, Any] | None,
        login: str | None,
        deadline: Deadline,
        attempts: str,
    ) -> dict[str, Any]:
        """One attempt within `deadline`: the JSON object of a successful answer; _Transient for a
        failure worth another attempt (its error naming `attempts`, the attempts made with this one);
        else the PixverseError the answer means."""
        try:
            try:
                response = self._session.request(
                    route.method,
                    url,
                    json=body,
                    timeout=(self._settings.connect_timeout, self._settings.read_timeout),
                    allow_redirects=False,
                )
            finally:
                deadline.watch(None)  # the connection is back in the pool: another call may take it
        except DeadlinePassed:
            raise self._deadline_error(route, path) from None
        except requests.RequestException as exc:
            if deadline.passed:
                raise self._deadline_error(route, path) from None
            if isinstance(
                exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)
            ):
                cut = "the answer's body was cut short"
                raise _Transient(GarbledAnswerError(route.method, path, f"{cut} ({attempts})")) from None
            error = RetriesExhaustedError(
                route.method, path, f"no answer after {attempts}: last cause {_describe(exc)}"
            )
            if _worth_another_attempt(exc):
                raise _Transient(error) from None
            raise error from None
        if deadline.passed:  # what was read before the socket was shut down is cut short
            raise self._deadline_error(route, path)
        if response.status_code in RETRYABLE_STATUSES:
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            raise _Transient(retries_exhausted(route, path, response, attempts), wait)
        try:
            return meaning(route, path, response, login)
        except GarbledAnswerError as garbled:
            detail = f"{garbled.detail} ({attempts})"
            raise _Transient(GarbledAnswerError(route.method, path, detail, garbled.status)) from None

    def _backoff(self, failed: int) -> float:
        """The wait after `failed` attempts failed, when the answer asked for none."""
        if failed <= 1:
            return 0.0
        return min(self._settings.backoff_factor * 2.0 ** (failed - 1), self._settings.backoff_max)

    def _deadline_error(self, route: Route, path: str) -> DeadlineExceededError:
        return DeadlineExceededError(
            route.method,
            path,
            f"no complete answer within {self._settings.request_timeout:g} s (pixverse:requestTimeout, for "
            "the whole operation: every call, retry and wait): the service is slow, trickles its answer "
            "or never answers",
        )


def _attempts(count: int) -> str:
    return f"{count} attempt" + ("s" if count > 1 else "")


def retry_after_seconds(value: str | None) -> float | None:
    """The wait a Retry-After header asks for, in seconds (delay-seconds or an HTTP date), at most
    RETRY_AFTER_CEILING_SECONDS; None when there is none or it does not parse."""
    if value is None:
        return None
    if re.fullmatch(r"\s*[0-9]+\s*", value):
        seconds = float(value)
    else:
        date = email.utils.parsedate_tz(value)
        if date is None:
            return None
        seconds = email.utils.mktime_tz(date) - time.time()
    return min(max(seconds, 0.0), RETRY_AFTER_CEILING_SECONDS)


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


def _cause(exc: requests.RequestException) -> BaseException:
    """The network failure under a requests exception (urllib3's, when it names one)."""
    cause = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
    if isinstance(cause, MaxRetryError) and cause.reason is not None:
        return cause.reason
    return cause


def _worth_another_attempt(exc: requests.RequestException) -> bool:
    """A connection refused or not made in time (to the API or to the proxy), a read timeout, a
    connection dropped before the answer; not a TLS failure or a proxy's refusal."""
    cause = _cause(exc)
    if isinstance(cause, ProxyError):
        cause = cause.original_error
    return isinstance(cause, (ConnectTimeoutError, ReadTimeoutError, ProtocolError))


def _describe(exc: requests.RequestException) -> str:
    """Name the underlying network failure (timeout, refused or dropped connection) without the URL."""
    cause = _cause(exc)
    if isinstance(cause, requests.Timeout) or "timed out" in str(cause).lower():
        return f"timeout ({type(cause).__name__})"
    return one_line(f"{type(cause).__name__}: {_OBJECT_REPR.sub('', str(cause))}")


_OBJECT_REPR = re.compile(r"<[^<>]* object at 0x[0-9a-fA-F]+>:?\s*")
"""urllib3 messages embed reprs such as '<urllib3.connection.HTTPConnection object at 0x7f..>: '."""
