"""Where the API token comes from, as a pipeline sees it (docs/pipelines.md): a pull request's preview
holds no token, yet previews a program that reads the service; a deploy's USEAPI_TOKEN that differs
from a token left in the stack's config is named, once, as the one not used.

Each through plain `pulumi` commands on a project of its own against the emulator."""

from __future__ import annotations

import pytest
from harness import (
    REPO_ROOT,
    CommandFailed,
    StackUnderTest,
    Step,
    new_discord_token,
    new_stack,
    new_yaml_stack,
)
from pulumi_pixverse.core.settings import (
    MISSING_TOKEN_MESSAGE,
    PREVIEW_WITHOUT_TOKEN_MESSAGE,
    TOKENS_DIFFER_MESSAGE,
)

READER = """import pulumi
import pulumi_pixverse

capacity = pulumi_pixverse.get_capacity()
pulumi.export("jobsExecuting", capacity.apply(lambda now: now["jobsExecuting"]))
accounts = pulumi_pixverse.get_accounts()
pulumi.export("channels", accounts.apply(lambda listed: [a["channel"] for a in listed["accounts"]]))
"""
"""A program on the dynamic provider that only reads the service (docs/functions.md)."""


class ReaderStack(StackUnderTest):
    """A Python project of its own on the dynamic provider whose program is READER, this repository's
    virtualenv linked in as a user's project has its own."""

    def make_project(self) -> None:
        (self.work_dir / "Pulumi.yaml").write_text(
            "name: pixverse-reader\nruntime:\n  name: python\n  options:\n    virtualenv: .venv\n"
        )
        (self.work_dir / "__main__.py").write_text(READER)
        (self.work_dir / ".venv").symlink_to(REPO_ROOT / ".venv")


def last_printed(stack: StackUnderTest) -> str:
    """Everything the last command printed: with --diff, the CLI writes its warnings to stderr."""
    return "\n".join(stack.transcript[-2:])


def test_a_preview_without_a_token_shows_what_functions_read_as_unknown_with_one_warning(
    pulumi_cli, service, api_token, tmp_path_factory
):
    stack = ReaderStack("reader", tmp_path_factory.mktemp("reader"), service.url)
    step = Step(service)
    stack.preview()
    printed = last_printed(stack)
    assert "jobsExecuting: [unknown]" in printed and "channels     : [unknown]" in printed
    assert printed.count(PREVIEW_WITHOUT_TOKEN_MESSAGE) == 1  # two functions, one warning
    assert step.requests() == []

    with pytest.raises(CommandFailed) as failed:  # `up` still needs the token
        stack.up()
    assert MISSING_TOKEN_MESSAGE in failed.value.output
    assert step.requests() == []

    stack.env["USEAPI_TOKEN"] = api_token  # the deploy's environment
    stack.tokens.append(api_token)
    stack.preview()
    printed = last_printed(stack)
    assert PREVIEW_WITHOUT_TOKEN_MESSAGE not in printed and "[unknown]" not in printed
    stack.up()
    assert stack.outputs()["jobsExecuting"] == 0
    stack.assert_no_token_leaked()


def test_a_plugin_function_at_a_preview_without_a_token_says_the_preview_needs_one(
    pulumi_cli, service, api_token, tmp_path_factory
):
    stack = new_yaml_stack("yaml-reader", service, tmp_path_factory)
    stack.write_program(
        {}, {"capacity": {"fn::invoke": {"function": "pixverse:index:getCapacity", "arguments": {}}}}
    )
    step = Step(service)
    with pytest.raises(CommandFailed) as failed:
        stack.preview()
    assert (
        "getCapacity reads the service, at preview too, and there is no PixVerse API token: export "
        "USEAPI_TOKEN for this preview" in failed.value.output
    )
    assert "Traceback" not in failed.value.output
    assert step.requests() == []

    stack.env["USEAPI_TOKEN"] = api_token
    stack.tokens.append(api_token)
    stack.preview()
    assert step.routes() == ["GET /v2/pixverse/scheduler/available"]
    stack.assert_no_token_leaked()


def differing_tokens(stack: StackUnderTest, api_token: str) -> str:
    """The stack's config holds the service's token; USEAPI_TOKEN another one (a rotated token the
    config still shadows). Returns the other one."""
    stack.set_api_token(api_token)
    rotated = f"useapi-rotated-{new_discord_token()[:16]}"
    stack.env["USEAPI_TOKEN"] = rotated
    stack.tokens.append(rotated)
    return rotated


def test_the_dynamic_provider_says_once_which_of_two_differing_tokens_it_uses(
    pulumi_cli, service, api_token, tmp_path_factory
):
    stack = new_stack("two-tokens", service, tmp_path_factory)
    differing_tokens(stack, api_token)
    accounts = [
        {"name": f"pair-{n}", "discord": new_discord_token(), "server": "930000000000000001",
         "channel": f"93000000000000001{n}", "maxJobs": 1}
        for n in (1, 2)
    ]  # fmt: skip
    stack.set_accounts(accounts)
    stack.preview()
    assert TOKENS_DIFFER_MESSAGE not in last_printed(stack)  # the preview uses no token
    stack.up()
    assert last_printed(stack).count(TOKENS_DIFFER_MESSAGE) == 1  # two creates, one warning
    assert set(stack.accounts_in_state()) == {
        "pair-1",
        "pair-2",
    }  # the config's token, which the service takes
    stack.assert_no_token_leaked()


def test_the_plugin_says_once_which_of_two_differing_tokens_it_uses(
    pulumi_cli, service, api_token, tmp_path_factory
):
    stack = new_yaml_stack("yaml-two-tokens", service, tmp_path_factory)
    differing_tokens(stack, api_token)
    stack.write_program(
        {},
        {
            "capacity": {"fn::invoke": {"function": "pixverse:index:getCapacity", "arguments": {}}},
            "accounts": {"fn::invoke": {"function": "pixverse:index:getAccounts", "arguments": {}}},
        },
    )
    stack.preview()
    assert last_printed(stack).count(TOKENS_DIFFER_MESSAGE) == 1  # two functions read, one warning
    stack.up()
    assert stack.outputs()["capacity"]["jobsExecuting"] == 0  # the config's token, which the service takes
    stack.assert_no_token_leaked()
