"""A new optional integer field of v1 accounts (tests/new_field.py: its `Field` in the table) reaches the
schema, the three SDKs, the reference page and the dynamic provider's typed signatures by regeneration
alone: `tools/gen-sdk OUT`, `tools/gen_docs.py ROOT` and `tools/gen_code.py ROOT`, each run by a Python
whose table has the field. The operations:
tests/unit/test_a_new_field.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from new_field import MAX_QUEUED, python_with_the_field

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_the_schema_the_sdks_and_the_reference_page_carry_it_optional(tmp_path):
    python = python_with_the_field(tmp_path, sys.executable)
    out, root = tmp_path / "sdk", tmp_path / "root"
    environ = {**os.environ, "PYTHON": str(python)}  # what tools/gen-sdk runs to write the schema
    commands = (
        [REPO_ROOT / "tools" / "gen-sdk", out],
        [python, REPO_ROOT / "tools" / "gen_docs.py", root],
        [python, REPO_ROOT / "tools" / "gen_code.py", root],
    )
    for command in commands:
        done = subprocess.run(command, cwd=REPO_ROOT, env=environ, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stderr

    declared = json.loads((out / "schema.json").read_text())["resources"]["pixverse:index:Account"]
    assert declared["inputProperties"]["maxQueued"] == {"type": "integer", "description": MAX_QUEUED.describe()}
    assert "maxQueued" not in declared["requiredInputs"]
    python_sdk = (out / "python" / "pulumi_pixverse_sdk" / "account.py").read_text()
    assert "max_queued: pulumi.Input[Optional[_builtins.int]] = None" in python_sdk
    assert "maxQueued?: pulumi.Input<number | undefined>;" in (out / "nodejs" / "account.ts").read_text()
    assert "MaxQueued pulumi.IntPtrInput" in (out / "go" / "pixverse" / "account.go").read_text()
    page = (root / "docs" / "resources" / "account.md").read_text().splitlines()
    assert f"| `maxQueued` | `max_queued` | integer | optional | {MAX_QUEUED.describe()} |" in page
    dynamic = root / "provider" / "pulumi_pixverse" / "dynamic"
    resource, pool = (dynamic / "resource.py").read_text(), (dynamic / "pool.py").read_text()
    assert "        max_queued: pulumi.Input[int] | None = None,\n" in resource  # PixverseAccount(...)
    assert "    max_queued: pulumi.Output[int | None]\n" in resource
    assert "    max_queued: pulumi.Input[int] | None = None\n" in pool  # AccountSpec
