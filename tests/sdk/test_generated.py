"""The committed schema and SDKs (sdk/schema.json, sdk/python, sdk/nodejs, sdk/go) are exactly what
tools/gen-sdk writes from the plugin's schema today: a schema change without regenerated SDKs fails here.
The Go SDK passes `go vet` and builds, as a Go user's `go build` would."""

from __future__ import annotations

import filecmp
import os
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("python", "nodejs", "go")


def tree(root: Path) -> set[str]:
    """Every file under `root`, as paths relative to it (installed dependencies and builds left out)."""
    skip = ("node_modules", "bin", "__pycache__", ".egg-info")
    return {
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and not any(part in skip or part.endswith(skip) for part in p.relative_to(root).parts)
    }


def test_the_committed_sdks_are_what_the_schema_generates(tmp_path):
    done = subprocess.run(
        [str(REPO_ROOT / "tools" / "gen-sdk"), str(tmp_path)], capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr
    for language in LANGUAGES:
        fresh, committed = tmp_path / language, REPO_ROOT / "sdk" / language
        assert tree(committed) == tree(fresh), f"sdk/{language}: files differ; run tools/gen-sdk"
        stale = [n for n in sorted(tree(fresh)) if not filecmp.cmp(fresh / n, committed / n, shallow=False)]
        assert stale == [], f"sdk/{language}: {stale} differ from the schema's; run tools/gen-sdk"
    schema = "sdk/schema.json"
    assert filecmp.cmp(tmp_path / "schema.json", REPO_ROOT / schema, shallow=False), f"{schema}: run tools/gen-sdk"


def test_the_go_sdk_vets_and_builds():
    env = {**os.environ, "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=readonly"}  # go.mod and go.sum as committed
    for command in (["go", "vet", "./..."], ["go", "build", "./..."]):
        done = subprocess.run(
            command, cwd=REPO_ROOT / "sdk" / "go", env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, f"`{' '.join(command)}` in sdk/go:\n{done.stderr}"
