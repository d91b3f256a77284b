"""The `pulumi` CLI on one stack, for this package's commands (adopt, migrate): run from the project
folder with `pulumi` on PATH; a failure is one printable line."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TypeVar

ARGUMENT_LIMIT = 100_000
"""Bytes one argument of a `pulumi` command takes at most: below Linux's 128 KiB (MAX_ARG_STRLEN)."""
COMMAND_LINE_LIMIT = 1_000_000
"""Bytes all the arguments of a `pulumi` command take at most: half of Linux's 2 MiB for the arguments
and the environment together (ARG_MAX)."""

T = TypeVar("T")


class CommandError(Exception):
    """A failure that stops a command; the message is one line."""


def pulumi(
    stack: str,
    *args: str,
    stdin: str | None = None,
    values: tuple[str, ...] = (),
    env: Mapping[str, str] | None = None,
) -> str:
    """Run `pulumi ARGS --stack STACK -- VALUES` (with `env` added to this process's environment) and
    return its stdout; CommandError with its last error line. `values` (keys and values that may come
    from the service) follow `--`: never read as flags."""
    try:
        done = subprocess.run(
            ["pulumi", *args, "--stack", stack, "--non-interactive", *(("--", *values) if values else ())],
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, **env} if env else None,
        )
    except FileNotFoundError:
        raise CommandError("the pulumi CLI is not on PATH") from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()] or ["(no message)"]
        raise CommandError(
            f"`pulumi {args[0]} {args[1] if len(args) > 1 else ''}` failed: {lines[-1].strip()}"
        )
    return done.stdout


def batches(items: Iterable[T], size: Callable[[T], int], limit: int) -> Iterator[list[T]]:
    """`items` in order, in runs whose `size`s add up to at most `limit` (an item larger on its own is a
    run of its own): what one argument (ARGUMENT_LIMIT) or one command line (COMMAND_LINE_LIMIT) can
    carry."""
    run: list[T] = []
    total = 0
    for item in items:
        if run and total + size(item) > limit:
            yield run
            run, total = [], 0
        run.append(item)
        total += size(item)
    if run:
        yield run
