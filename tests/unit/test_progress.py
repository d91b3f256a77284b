"""The progress line of the commands (audit, adopt, migrate): one line a terminal rewrites in place and
that is cleared at the end; nothing at all on a pipe, as a pipeline's log is."""

from __future__ import annotations

import os

from pulumi_pixverse.commands.progress import TerminalProgress

WHAT = "adopt: writing the Discord tokens to the stack's config"


def test_progress_is_one_line_rewritten_on_a_terminal_and_cleared_at_the_end():
    main, side = os.openpty()
    with os.fdopen(side, "w") as terminal, TerminalProgress(WHAT, terminal) as progress:
        for done in range(3):
            progress(done, 2)
    shown = os.read(main, 4096).decode()
    os.close(main)
    lines = shown.split("\r")
    assert lines[1:4] == [f"{WHAT}, 0 of 2", f"{WHAT}, 1 of 2", f"{WHAT}, 2 of 2"]
    assert lines[4].strip() == "" and lines[-1] == "" and "\n" not in shown


def test_a_warning_clears_the_line_first_and_the_next_update_shows_it_again(capfd):
    main, side = os.openpty()
    with os.fdopen(side, "w") as terminal, TerminalProgress(WHAT, terminal) as progress:
        progress(1, 2)
        progress.warn("the service is slow")
        assert os.read(main, 4096).decode() == f"\r{WHAT}, 1 of 2\r{' ' * len(f'{WHAT}, 1 of 2')}\r"
        progress(2, 2)
    os.close(main)
    assert capfd.readouterr().err == "warning: the service is slow\n"


def test_a_pipe_gets_nothing():
    read, write = os.pipe()
    with os.fdopen(write, "w") as pipe, TerminalProgress(WHAT, pipe) as progress:
        progress(0, 2)
        progress(2, 2)
    with os.fdopen(read) as output:
        assert output.read() == ""
