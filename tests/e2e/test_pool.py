"""`declare_pool` in a user's own program: with tokens from `Config.require_secret` (Outputs), two
accounts sharing a token still fail the preview before any request, naming both, never the token."""

from __future__ import annotations

import pytest
from harness import CommandFailed, StackUnderTest, change_summary, new_discord_token, new_stack

PROGRAM = """
import pulumi
from pulumi_pixverse import AccountSpec, declare_pool

config = pulumi.Config()
declare_pool([
    AccountSpec("main", discord=config.require_secret("mainToken"), server="960000000000000001",
                channel="960000000000000011", max_jobs=2),
    AccountSpec("backup", discord=config.require_secret("backupToken"), server="960000000000000001",
                channel="960000000000000012", max_jobs=1),
])
"""


@pytest.fixture(scope="module")
def stack(pulumi_cli, service, api_token, tmp_path_factory) -> StackUnderTest:
    under_test = new_stack("pool", service, tmp_path_factory)
    (under_test.work_dir / "stacks" / "__main__.py").write_text(PROGRAM)
    under_test.set_api_token(api_token)
    return under_test


def set_tokens(stack: StackUnderTest, main: str, backup: str) -> None:
    stack.tokens.extend([main, backup])
    stack.cli("config", "set", "--secret", "pixverse:mainToken", stdin=main)
    stack.cli("config", "set", "--secret", "pixverse:backupToken", stdin=backup)


def test_secret_tokens_that_clash_fail_the_preview_naming_both_entries(stack, service):
    token = new_discord_token()
    set_tokens(stack, token, token)
    mark = len(service.requests())
    with pytest.raises(CommandFailed) as failed:
        stack.preview()
    assert "backup has the same Discord token as main: the service keeps one token on one channel" in (
        failed.value.output
    )
    assert "Traceback" not in failed.value.output
    assert service.requests()[mark:] == []
    stack.assert_no_token_leaked()


def test_distinct_secret_tokens_pass_and_stay_secret(stack, service):
    set_tokens(stack, new_discord_token(), new_discord_token())
    mark = len(service.requests())
    printed = stack.preview()
    assert change_summary(printed) == {"create": 3} and "[secret]" in printed
    assert service.requests()[mark:] == []
    stack.assert_no_token_leaked()
