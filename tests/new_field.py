"""A new optional integer field of v1 accounts, `maxQueued`, as a contributor adds one
(docs/contributing/adding-a-field.md): a `Field` in the table and a rule in the emulator. The tests
that see it flow through every part of the provider (tests/unit/test_a_new_field.py, and
tests/sdk/test_new_field_generated.py for the schema, SDKs and pages regenerated) add it here.

The table is extended in place (the one `ACCOUNT` every module reads), as if `fields.py` had been
edited before the process started; `python_with_the_field` does it for a process of its own."""

from __future__ import annotations

from pathlib import Path

from pulumi_pixverse.core.fields import ACCOUNT, Field
from pulumi_pixverse.emulator import backend

MAX_QUEUED = Field(
    "maxQueued",
    "integer",
    "How many jobs the service may queue on this account beyond those it runs.",
    rule="a whole number from 0 to 50",
    bounds=(0, 50),
    required=False,
)
WITH_THE_FIELD = (*ACCOUNT.fields, MAX_QUEUED)
"""v1 accounts' fields once `maxQueued` is added."""


def queued(value: object) -> object:
    """The emulator's rule for `maxQueued`, its own (the service's stand-in does not read our table)."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 50:
        raise backend.ServiceError(400, "Required param maxQueued must be from 0 to 50")
    return value


def python_with_the_field(folder: Path, python: str) -> Path:
    """An executable in `folder` that runs like `python` (`-c CODE ...` or `SCRIPT ...`), in a process
    whose table has `maxQueued`: what `tools/gen-sdk` and `tools/gen_docs.py` run as PYTHON."""
    wrapper = folder / "python-with-the-field"
    wrapper.write_text(
        f"""#!{python}
import runpy, sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
from new_field import WITH_THE_FIELD
from pulumi_pixverse.core.fields import ACCOUNT
vars(ACCOUNT)["fields"] = WITH_THE_FIELD
if sys.argv[1] == "-c":
    code, sys.argv = sys.argv[2], ["-c", *sys.argv[3:]]
    exec(compile(code, "<string>", "exec"), {{"__name__": "__main__"}})
else:
    sys.argv = sys.argv[1:]
    runpy.run_path(sys.argv[0], run_name="__main__")
"""
    )
    wrapper.chmod(0o700)
    return wrapper
