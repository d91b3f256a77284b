"""One answer of a list call, shared by every read until a write makes it stale."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

Listing = dict[str, Any]


class SharedList:
    """The answer of one list call, shared by its readers.

    `get()` sends the call once: readers that come while it is in flight wait for it and get the same
    answer (or the same error); readers that come later reuse the answer until `invalidate()`, which
    a write calls once it is done. A failed call is not kept: the next reader sends a new one. A call
    that was in flight when `invalidate()` ran still answers the readers that were waiting for it
    (they ran at the same time as the write), but no later reader sees its answer. Thread-safe.
    """

    def __init__(self, fetch: Callable[[], Listing]) -> None:
        self._fetch = fetch
        self._lock = threading.Lock()
        self._current: Future[Listing] | None = None

    def get(self) -> Listing:
        with self._lock:
            answer = self._current
            sends = answer is None
            if answer is None:
                answer = self._current = Future()
        if sends:
            try:
                answer.set_result(self._fetch())
            except BaseException as error:
                with self._lock:
                    if self._current is answer:
                        self._current = None
                answer.set_exception(error)
        return answer.result()

    def invalidate(self) -> None:
        with self._lock:
            self._current = None
