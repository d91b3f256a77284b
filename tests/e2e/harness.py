"""The e2e harness: one stack of the program in stacks/, driven by the real Pulumi CLI.

Every command runs with --diff and its whole output is kept, so each step can check that no token
appears in plain text in what the CLI printed, in `pulumi stack export`, or in any file of the state.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

from pulumi import automation as auto

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
from pixverse_stack import open_stack

__all__ = ["ACCOUNT_TYPE", "StackUnderTest", "new_discord_token", "open_stack"]

ACCOUNT_TYPE = "pulumi-python:dynamic/pixverse:Account"
_FIELD_TYPES = {"name": "string", "server": "string", "channel": "string", "maxJobs": "int"}


def new_discord_token() -> str:
    return f"discord-e2e-{secrets.token_hex(10)}"


class StackUnderTest:
    """One stack of the program, its config, and everything the CLI printed for it."""

    def __init__(self, stack: auto.Stack, work_dir: Path, backend_dir: Path, tokens: list[str]) -> None:
        self.stack = stack
        self.work_dir = work_dir
        self.backend_dir = backend_dir
        self.tokens = tokens
        self.transcript: list[str] = []

    def _cli(self, *args: str) -> str:
        """Run a plain `pulumi` command on this stack; return what it printed on stdout."""
        env = {**os.environ, **self.stack.workspace.env_vars}
        done = subprocess.run(
            ["pulumi", *args, "--stack", self.stack.name, "--non-interactive"],
            cwd=self.work_dir,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        return done.stdout

    def export(self) -> dict[str, Any]:
        """The deployment as `pulumi stack export` prints it to a user (secrets stay encrypted)."""
        return dict(json.loads(self._cli("stack", "export"))["deployment"])

    def set_accounts(self, accounts: list[dict[str, Any]]) -> None:
        """Write `pixverse:accounts` as a user would: ids as strings, each Discord token a secret."""
        self.tokens.extend(a["discord"] for a in accounts if a.get("discord") not in self.tokens)
        if "pixverse:accounts" in self.stack.get_all_config():
            self._cli("config", "rm", "pixverse:accounts")
        for index, account in enumerate(accounts):
            for field, value in account.items():
                key = f"pixverse:accounts[{index}].{field}"
                if field == "discord":
                    self._cli("config", "set", "--path", "--secret", key, value)
                else:
                    self._cli("config", "set", "--path", "--type", _FIELD_TYPES[field], key, str(value))

    def _run(self, command: str, **kwargs: Any) -> Any:
        lines: list[str] = []
        try:
            result = getattr(self.stack, command)(diff=True, color="never", on_output=lines.append, **kwargs)
        except auto.CommandError as error:
            self.transcript.append(str(error))
            raise
        finally:
            self.transcript.extend(lines)
        self.transcript.extend([result.stdout, result.stderr])
        return result

    def preview(self) -> auto.PreviewResult:
        return self._run("preview")

    def up(self) -> auto.UpResult:
        return self._run("up")

    def refresh(self) -> auto.RefreshResult:
        return self._run("refresh")

    def destroy(self) -> auto.DestroyResult:
        return self._run("destroy")

    def accounts_in_state(self) -> dict[str, dict[str, Any]]:
        """Resources of the account type in `pulumi stack export`, keyed by resource name."""
        resources = self.export().get("resources", [])
        return {r["urn"].rsplit("::", 1)[1]: r for r in resources if r["type"] == ACCOUNT_TYPE}

    def assert_no_token_leaked(self) -> None:
        """No Discord token nor the API token in the CLI's output, the export, or any state file."""
        places = {"CLI output": "\n".join(self.transcript), "stack export": json.dumps(self.export())}
        for path in [*self.backend_dir.rglob("*"), *self.work_dir.glob("Pulumi*.yaml")]:
            if path.is_file():
                places[str(path)] = path.read_bytes().decode("utf-8", "replace")
        for where, text in places.items():
            for token in self.tokens:
                assert token not in text, f"a token appears in plain text in {where}"
