"""One answer of a list call, shared by every reader of an account until a write of that account."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

Listing = dict[str, Any]


class _Answer:
    """One list call: its future answer, and the accounts written since it was sent."""

    def __init__(self) -> None:
        self.future: Future[Listing] = Future()
        self.written: set[str] = set()


class SharedList:
    """The answer of one list call, shared by its readers, account by account.

    `get(key)` sends the call once: readers that come while it is in flight wait for it and get the
    same answer (or the same error); readers that come later reuse the answer, except for an account
    that was written since the call was sent (`invalidate(key)`, which a write calls once it is done):
    for that account the answer may be out of date, so `get(key)` sends a new call (which every later
    reader then shares), and `get_if_current(key)` answers None instead. A write changes nothing
    but its own account, so the answer still holds for the others. A failed call is not kept: the next
    reader sends a new one. Thread-safe.
    """

    def __init__(self, fetch: Callable[[], Listing]) -> None:
        self._fetch = fetch
        self._lock = threading.Lock()
        self._current: _Answer | None = None

    def get(self, key: str) -> Listing:
        """An answer that holds for `key`: the current one, or a new call's."""
        answer = self._answer(key, refresh=True)
        assert answer is not None
        return answer

    def get_if_current(self, key: str) -> Listing | None:
        """The current answer (sending the call when there is none), or None when it does not hold
        for `key` (`key` was written since it was sent)."""
        return self._answer(key, refresh=False)

    def _answer(self, key: str, refresh: bool) -> Listing | None:
        with self._lock:
            answer = self._current
            if answer is not None and key in answer.written:
                if not refresh:
                    return None
                answer = None
            sends = answer is None
            if answer is None:
                answer = self._current = _Answer()
        if sends:
            try:
                answer.future.set_result(self._fetch())
            except BaseException as error:
                with self._lock:
                    if self._current is answer:
                        self._current = None
                answer.future.set_exception(error)
        return answer.future.result()

    def invalidate(self, key: str) -> None:
        """`key` was written: the current answer (in flight or not) no longer holds for it."""
        with self._lock:
            if self._current is not None:
                self._current.written.add(key)
