"""The progress line of the commands (audit, adopt, migrate): one line a terminal rewrites in place and
that is cleared at the end; nothing at all on a pipe, as a pipeline's log is."""

from __future__ import annotations

import os

from pulumi_pixverse.commands.progress import TerminalProgress

WHAT = "adopt: writing the accounts to the stack's config"


def shown_on(main: int) -> str:
    """All a terminal received, once its other side is closed (then reading it fails: EIO)."""
    chunks = []
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    return b"".join(chunks).decode()


def test_progress_is_one_line_rewritten_on_a_terminal_and_cleared_at_the_end():
    main, side = os.openpty()
    with os.fdopen(side, "w") as terminal, TerminalProgress(WHAT, terminal) as progress:
        for done in range(3):
            progress(done, 2)
    shown = shown_on(main)
    lines = shown.split("\r")
    assert lines[1:4] == [f"{WHAT}, 0 of 2", f"{WHAT}, 1 of 2", f"{WHAT}, 2 of 2"]
    assert lines[4].strip() == "" and lines[-1] == "" and "\n" not in shown


def test_a_warning_clears_the_line_first_and_the_next_update_shows_it_again(capfd):
    main, side = os.openpty()
    with os.fdopen(side, "w") as terminal, TerminalProgress(WHAT, terminal) as progress:
        progress(1, 2)
        progress.warn("the service is slow")
        progress(2, 2)
    first, second = f"{WHAT}, 1 of 2", f"{WHAT}, 2 of 2"
    assert shown_on(main) == f"\r{first}\r{' ' * len(first)}\r\r{second}\r{' ' * len(second)}\r"
    assert capfd.readouterr().err == "warning: the service is slow\n"


def test_a_pipe_gets_nothing():
    read, write = os.pipe()
    with os.fdopen(write, "w") as pipe, TerminalProgress(WHAT, pipe) as progress:
        progress(0, 2)
        progress(2, 2)
    with os.fdopen(read) as output:
        assert output.read() == ""
