"""A stand-in `pulumi` that logs each command it runs, for the tests of this package's commands (adopt,
migrate) and tools/bench --commands: put first on a command's PATH, it writes a line when a `pulumi`
command starts (its first two words) and one when it ends, and in between runs the real CLI with the
same arguments, stdin and output, and exits with its status. A command that is killed has its start
line only. Standard library only (tests/e2e and tools/benchkit import it).
"""

from __future__ import annotations

import shlex
from pathlib import Path


class PulumiCalls:
    """The stand-in in `folder` for the real CLI `real`, and what it logged."""

    def __init__(self, folder: Path, real: str) -> None:
        self.folder = folder
        self.log = folder / "pulumi-calls.log"
        stand_in = folder / "pulumi"
        log = shlex.quote(str(self.log))
        stand_in.write_text(
            "#!/bin/sh\n"
            f'printf "start %s %s %s\\n" "$(date +%s.%N)" "$1" "$2" >> {log}\n'
            f'{shlex.quote(real)} "$@"\n'
            "status=$?\n"
            f'printf "end %s\\n" "$(date +%s.%N)" >> {log}\n'
            'exit "$status"\n'
        )
        stand_in.chmod(0o755)

    def _lines(self) -> list[list[str]]:
        return [line.split(" ", 3) for line in self.log.read_text().splitlines()] if self.log.exists() else []

    def commands(self) -> list[str]:
        """Each command started so far, in order, as its first two words: `config set-all`, `state delete`."""
        return [" ".join(parts[2:]).strip() for parts in self._lines() if parts[0] == "start"]

    def timed(self) -> list[tuple[str, float]]:
        """Each command that ended so far, with its seconds (they run one after another)."""
        done, started = [], None
        for parts in self._lines():
            if parts[0] == "start":
                started = (" ".join(parts[2:]).strip(), float(parts[1]))
            elif started is not None:
                done.append((started[0], float(parts[1]) - started[1]))
                started = None
        return done
