"""How far a long step of a command (audit, adopt, migrate) got, on one line of a terminal that each
update rewrites; nothing at all where stderr is not a terminal, so a pipeline's log gets nothing extra."""

from __future__ import annotations

import sys
import threading
from types import TracebackType
from typing import TextIO

from ..core import engine_log


class TerminalProgress:
    """`WHAT, DONE of TOTAL` on one line of `stream` (default: stderr) when it is a terminal, each
    update rewriting it (a carriage return before it); silent when it is not. Cleared before a warning
    (which may come from another thread) and at the end (`clear`, or leaving a `with` block), so it
    never mixes with what is printed."""

    def __init__(self, what: str, stream: TextIO | None = None) -> None:
        self.what = what
        self.stream = sys.stderr if stream is None else stream
        self.shown = self.stream.isatty()
        self.width = 0
        self._lock = threading.Lock()

    def __call__(self, done: int, total: int) -> None:
        if not self.shown:
            return
        line = f"{self.what}, {done} of {total}"
        with self._lock:
            self.stream.write("\r" + line.ljust(self.width))
            self.stream.flush()
            self.width = len(line)

    def clear(self) -> None:
        with self._lock:
            if self.width:
                self.stream.write("\r" + " " * self.width + "\r")
                self.stream.flush()
                self.width = 0

    def warn(self, message: str) -> None:
        """A warning on a line of its own (the progress line, cleared, comes back at the next update)."""
        self.clear()
        engine_log.warn(message)

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.clear()
