"""Preview needs no API token; a write without one stops before any request, saying how to set it."""

from __future__ import annotations

import pytest
from harness import CommandFailed, change_summary, new_discord_token

ACCOUNT = {
    "name": "solo",
    "discord": new_discord_token(),
    "server": "920000000000000001",
    "channel": "920000000000000002",
    "maxJobs": 1,
}


def test_preview_without_a_token_plans_the_accounts_and_sends_nothing(tokenless_stack, service):
    tokenless_stack.set_accounts([ACCOUNT])
    mark = len(service.requests())
    assert change_summary(tokenless_stack.preview()) == {"create": 2}
    assert service.requests()[mark:] == []
    tokenless_stack.assert_no_token_leaked()


def test_up_without_a_token_fails_with_how_to_set_it_and_sends_nothing(tokenless_stack, service):
    mark = len(service.requests())
    with pytest.raises(CommandFailed) as failed:
        tokenless_stack.up()
    message = failed.value.output
    assert "no PixVerse API token" in message
    assert "pulumi config set --secret pixverse:apiToken" in message and "USEAPI_TOKEN" in message
    assert service.requests()[mark:] == []
    assert tokenless_stack.accounts_in_state() == {}
    tokenless_stack.assert_no_token_leaked()
