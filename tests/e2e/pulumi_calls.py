"""The `pulumi` commands this package's commands (adopt, migrate) run, as they run them: a stand-in put
first on a stack's PATH writes each command's first two words to a log, then becomes the real CLI
(`exec`: the same arguments, stdin, output and exit status), so nothing about the run changes."""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path

from harness import StackUnderTest


class PulumiCalls:
    """The log of the `pulumi` commands run on `stack`'s PATH from now on (`folder`: the stand-in's)."""

    def __init__(self, stack: StackUnderTest, folder: Path) -> None:
        real = shutil.which("pulumi", path=stack.env["PATH"])
        assert real is not None, "no pulumi on the stack's PATH"
        self.log = folder / "pulumi-calls.log"
        stand_in = folder / "pulumi"
        stand_in.write_text(
            "#!/bin/sh\n"
            f'printf "%s %s\\n" "$1" "$2" >> {shlex.quote(str(self.log))}\n'
            f'exec {shlex.quote(real)} "$@"\n'
        )
        stand_in.chmod(0o755)
        stack.env["PATH"] = f"{folder}{os.pathsep}{stack.env['PATH']}"

    def __call__(self) -> list[str]:
        """Each command run so far, as `config set-all`, `state delete`, in order."""
        return self.log.read_text().splitlines() if self.log.exists() else []
