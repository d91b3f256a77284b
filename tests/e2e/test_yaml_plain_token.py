"""Issue 30: the plugin refuses an API token stored in plain text in the stack's config, as the dynamic
provider's program does (test_failures.py), at preview, in one line, before any request; the same
token stored encrypted previews clean."""

from __future__ import annotations

import pytest
from harness import V1_TYPE, CommandFailed, Step, change_summary, new_discord_token, new_yaml_stack

ALPHA = {"server": "950000000000000001", "channel": "951000000000000001", "maxJobs": 2}


def test_a_plain_text_api_token_fails_the_preview_in_one_line_and_sends_nothing(
    pulumi_cli, service, api_token, tmp_path_factory
):
    stack = new_yaml_stack("plain-token", service, tmp_path_factory)
    stack.set_secret("alphaDiscord", new_discord_token())
    stack.write_program(
        {"alpha": {"type": V1_TYPE, "properties": {**ALPHA, "discord": "${alphaDiscord}"}}},
        secrets=("alphaDiscord",),
    )
    stack.cli("config", "set", "--plaintext", "pixverse:apiToken", stdin=api_token)  # on stdin
    step = Step(service)
    with pytest.raises(CommandFailed) as failed:
        stack.preview()
    printed = failed.value.output
    assert "Traceback" not in printed
    assert (
        "pixverse:apiToken is stored in plain text: set it again with "
        "`pulumi config set --secret pixverse:apiToken < token-file`, and rotate it if the file was shared"
    ) in printed
    assert step.requests() == []
    stack.set_api_token(api_token)
    assert change_summary(stack.preview()) == {"create": 2}
    stack.assert_no_token_leaked()
