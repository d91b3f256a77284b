"""Deadlines: how long a call, and the operation that makes it, may wait on the service. Standard
library only, so an operation can be bounded before requests is loaded.

An operation (a create, read, update, delete, a function's question: `ApiAccess.operation`) has one
bound, `pixverse:requestTimeout`, over every call it makes: a create that lists the accounts and then
GETs its own one against a service that never answers fails once the bound has passed, not after one
bound per call. Each call's own deadline is the smaller of the setting and what is left of its
operation's bound; the thread that makes the call carries both (`operation_bound`, `call_deadline`).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator


class DeadlinePassed(Exception):
    """Raised inside a call whose deadline has passed (never caught by urllib3 or requests)."""


class Deadline:
    """The end of one call's total time. The socket the call is using is watched: when the end
    passes, it is shut down, which ends any send or read blocked on it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.passed = seconds <= 0
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def watch(self, sock: socket.socket | None) -> None:
        """Watch `sock` from now on (None: stop watching); DeadlinePassed when it has passed already
        (and `sock` is one)."""
        with self._lock:
            self._sock = sock
            if self.passed and sock is not None:
                raise DeadlinePassed()

    def expire(self) -> None:
        with self._lock:
            self.passed = True
            sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)


_thread = threading.local()
"""`_thread.call`: the Deadline of the call the current thread is making, if any;
`_thread.operation_end`: the monotonic end of the operation it works for, if any."""


def current_call() -> Deadline | None:
    """The deadline of the call this thread is making, if any."""
    return getattr(_thread, "call", None)


@contextlib.contextmanager
def call_deadline(request_timeout: float) -> Iterator[Deadline]:
    """One call's deadline on this thread, for its duration: `request_timeout` seconds, or what is
    left of the operation's bound when that is less (already passed when nothing is left). A timer
    expires it on time, shutting down the connection it watches."""
    seconds = request_timeout
    end = getattr(_thread, "operation_end", None)
    if end is not None:
        seconds = min(seconds, end - time.monotonic())
    deadline = Deadline(seconds)
    timer = threading.Timer(max(seconds, 0.0), deadline.expire)
    timer.daemon = True
    outer, _thread.call = current_call(), deadline
    timer.start()
    try:
        yield deadline
    finally:
        timer.cancel()
        _thread.call = outer


@contextlib.contextmanager
def operation_bound(seconds: float | None) -> Iterator[None]:
    """Every call this thread makes inside shares one bound of `seconds` (None: no bound). Nested, the
    outer bound holds: an operation inside another is part of it."""
    if seconds is None or getattr(_thread, "operation_end", None) is not None:
        yield
        return
    _thread.operation_end = time.monotonic() + seconds
    try:
        yield
    finally:
        _thread.operation_end = None
