"""The Pulumi YAML example of docs/plugin.md (examples/yaml, stack `local`) runs as written: its own
Pulumi.yaml (the plugin from the virtualenv of the repository two folders up) and its stack file (made-up
credentials encrypted with the passphrase `pixverse-local-emulator`), against the emulator."""

from __future__ import annotations

import shutil

from harness import REPO_ROOT, SECRET_SIG, V1_TYPE, V2_TYPE, StackUnderTest, Step, change_summary

MADE_UP = ("local-discord-token-studio-main", "local-pixverse-password-creator-1")
"""The credentials of examples/yaml/Pulumi.local.yaml, decrypted."""


class ExampleStack(StackUnderTest):
    """The example's `local` stack in a copy of the repository's layout: examples/yaml beside a .venv."""

    project_dir = "repository/examples/yaml"

    def make_project(self) -> None:
        shutil.copytree(REPO_ROOT / "examples" / "yaml", self.work_dir, dirs_exist_ok=True)
        (self.work_dir.parents[1] / ".venv").symlink_to(REPO_ROOT / ".venv")


def test_the_yaml_example_runs_as_written(pulumi_cli, service, tmp_path_factory):
    stack = ExampleStack("local", tmp_path_factory.mktemp("example"), service.url, "pixverse-local-emulator")
    stack.env["USEAPI_TOKEN"] = service.token  # as docs/plugin.md runs it: the token from the environment
    stack.tokens.extend([service.token, *MADE_UP])
    step = Step(service)
    printed = stack.up()
    assert change_summary(printed) == {"create": 3}
    assert "warning" not in printed.lower()  # the plugin and the YAML host found where they are declared
    assert service.accounts()["1200000000000000011"]["discord"] == MADE_UP[0]
    assert service.accounts_v2()["creator-1@studio.example"]["password"] == MADE_UP[1]
    assert stack.accounts_in_state(V1_TYPE)["studio-main"]["outputs"]["discord"][SECRET_SIG]
    assert stack.accounts_in_state(V2_TYPE)["creator-1"]["outputs"]["password"][SECRET_SIG]
    outputs = stack.outputs()
    assert outputs["studioChannel"] == "1200000000000000011" and isinstance(outputs["creatorAccountId"], int)
    assert change_summary(stack.preview("--expect-no-changes")) == {"same": 3}
    assert change_summary(stack.destroy()) == {"delete": 3}
    assert service.accounts() == {} and service.accounts_v2() == {}
    assert all(r["authorized"] for r in step.requests())
    stack.assert_no_token_leaked()
