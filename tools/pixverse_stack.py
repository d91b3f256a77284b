"""Drive the program in stacks/ with the real Pulumi CLI, through the Automation API.

The program runs inline (in this process), so the CLI needs no Python language host; everything
else is the real engine: it checks, diffs, pickles and starts the dynamic provider in its own process,
encrypts secrets and keeps the state in a `file://` backend. Used by tools/local and tests/e2e.
"""

from __future__ import annotations

import runpy
from pathlib import Path

from pulumi import automation as auto

REPO_ROOT = Path(__file__).resolve().parent.parent
PROGRAM = REPO_ROOT / "stacks" / "__main__.py"
PROJECT = "pixverse"
OFFLINE_ENV = {
    "PULUMI_SKIP_UPDATE_CHECK": "true",
    "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
    "PULUMI_RUNTIME_VIRTUALENV": str(REPO_ROOT / ".venv"),
}


def run_program() -> None:
    """The inline program: stacks/__main__.py, exactly as `pulumi up` would run it."""
    runpy.run_path(str(PROGRAM), run_name="__main__")


def open_stack(
    stack_name: str, work_dir: Path, backend_dir: Path, passphrase: str, env: dict[str, str] | None = None
) -> auto.Stack:
    """Create or select `stack_name` of the program, with stack config files in `work_dir`
    (a folder holding Pulumi.yaml; its stackConfigDir is honoured) and the state in `backend_dir`."""
    backend_dir.mkdir(parents=True, exist_ok=True)
    env_vars = {
        **OFFLINE_ENV,
        "PULUMI_BACKEND_URL": backend_dir.resolve().as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": passphrase,
        **(env or {}),
    }
    options = auto.LocalWorkspaceOptions(
        work_dir=str(work_dir), env_vars=env_vars, secrets_provider="passphrase"
    )
    return auto.create_or_select_stack(stack_name, project_name=PROJECT, program=run_program, opts=options)
