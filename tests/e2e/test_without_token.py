"""Preview needs no API token; a write without one stops before any request, saying how to set it."""

from __future__ import annotations

import pytest
from harness import new_discord_token
from pulumi import automation as auto

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
    result = tokenless_stack.preview()
    assert result.change_summary == {"create": 2}
    assert service.requests()[mark:] == []
    tokenless_stack.assert_no_token_leaked()


def test_up_without_a_token_fails_with_how_to_set_it_and_sends_nothing(tokenless_stack, service):
    mark = len(service.requests())
    with pytest.raises(auto.CommandError) as failed:
        tokenless_stack.up()
    message = str(failed.value)
    assert "no PixVerse API token" in message
    assert "pulumi config set --secret pixverse:apiToken" in message and "USEAPI_TOKEN" in message
    assert service.requests()[mark:] == []
    assert tokenless_stack.accounts_in_state() == {}
    tokenless_stack.assert_no_token_leaked()
