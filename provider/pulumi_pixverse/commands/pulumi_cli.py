"""The `pulumi` CLI on one stack, for this package's commands (adopt, migrate): run from the project
folder with `pulumi` on PATH; a failure is one printable line."""

from __future__ import annotations

import subprocess


class CommandError(Exception):
    """A failure that stops a command; the message is one line."""


def pulumi(stack: str, *args: str, stdin: str | None = None, values: tuple[str, ...] = ()) -> str:
    """Run `pulumi ARGS --stack STACK -- VALUES` and return its stdout; CommandError with its last error
    line. `values` (keys and values that may come from the service) follow `--`: never read as flags."""
    try:
        done = subprocess.run(
            ["pulumi", *args, "--stack", stack, "--non-interactive", *(("--", *values) if values else ())],
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        raise CommandError("the pulumi CLI is not on PATH") from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()] or ["(no message)"]
        raise CommandError(
            f"`pulumi {args[0]} {args[1] if len(args) > 1 else ''}` failed: {lines[-1].strip()}"
        )
    return done.stdout
