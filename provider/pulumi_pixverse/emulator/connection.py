"""How the emulator reads requests off a connection: each within a deadline, and each body by its
announced length only.

A kept-alive connection waits up to IDLE_SECONDS for a request's first byte; from that byte on, the
request's line, headers and body must all arrive within REQUEST_SECONDS, else the connection is closed
unanswered, so a client that trickles its header cannot hold a connection (and its thread) open.
A request that announces a `Transfer-Encoding` (chunked) is answered 411 `Length Required` and its
connection closed (`_Handler._dispatch`): its body's bytes are never read, so never taken for a next
request.
"""

from __future__ import annotations

import io
import socket
import time
from typing import Any

IDLE_SECONDS = 60
"""How long a kept-alive connection waits for its next request."""
REQUEST_SECONDS = 5.0
"""How long a request (line, headers, body of at most 64 KB) may take to arrive once it has begun."""
MSG_LENGTH_REQUIRED = "Length Required"


class RequestReader(io.BufferedReader):
    """A connection's bytes, buffered; every wait for more ends at `deadline` (None: IDLE_SECONDS
    from now) with TimeoutError, which the request handler answers by closing the connection."""

    def __init__(self, connection: socket.socket) -> None:
        self._raw = _DeadlineSocketIO(connection)
        super().__init__(self._raw)

    def begin_request(self) -> bool:
        """Wait (up to IDLE_SECONDS) for the next request's first byte, then start its deadline;
        False when none came (the client closed or went silent)."""
        self._raw.deadline = None
        try:
            if not self.peek(1):
                return False
        except OSError:  # TimeoutError included
            return False
        self._raw.deadline = time.monotonic() + REQUEST_SECONDS
        return True


class _DeadlineSocketIO(socket.SocketIO):
    def __init__(self, connection: socket.socket) -> None:
        super().__init__(connection, "rb")
        self._connection = connection
        self.deadline: float | None = None

    def readinto(self, buffer: Any) -> int | None:  # any writable buffer (typing's Buffer is 3.12+)
        wait = IDLE_SECONDS if self.deadline is None else self.deadline - time.monotonic()
        if wait <= 0:
            raise TimeoutError("the request did not arrive in time")
        self._connection.settimeout(wait)
        try:
            return super().readinto(buffer)
        finally:
            self._connection.settimeout(IDLE_SECONDS)
