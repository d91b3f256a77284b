"""The `pulumi` commands this package's commands (adopt, migrate) run on a stack under test, as they run
them: tools/pulumi_calls.py's stand-in, first on the stack's PATH."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from harness import StackUnderTest

sys.path.append(str(Path(__file__).resolve().parents[2] / "tools"))  # as postgres.py does
from pulumi_calls import PulumiCalls


def pulumi_calls(stack: StackUnderTest, folder: Path) -> PulumiCalls:
    """The log of the `pulumi` commands run on `stack`'s PATH from now on (`folder`: the stand-in's)."""
    real = shutil.which("pulumi", path=stack.env["PATH"])
    assert real is not None, "no pulumi on the stack's PATH"
    calls = PulumiCalls(folder, real)
    stack.env["PATH"] = f"{folder}{os.pathsep}{stack.env['PATH']}"
    return calls
