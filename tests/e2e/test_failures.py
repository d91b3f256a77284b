"""When things go wrong, through plain `pulumi` commands: each failure is caught as early as it can
be, sends as little as it must, and reads as one line saying what to do, never with a token in it.

The steps share one stack and run in file order.
"""

from __future__ import annotations

import secrets

import pytest
from harness import CommandFailed, StackUnderTest, change_summary, new_discord_token, new_stack

SERVER = "940000000000000001"
ALPHA = {
    "name": "alpha",
    "discord": new_discord_token(),
    "server": SERVER,
    "channel": "940000000000000011",
    "maxJobs": 2,
}
BETA = {
    "name": "beta",
    "discord": new_discord_token(),
    "server": SERVER,
    "channel": "940000000000000012",
    "maxJobs": 3,
}
OUTSIDER = {"discord": new_discord_token(), "server": SERVER, "channel": "940000000000000099", "maxJobs": 1}


@pytest.fixture(scope="module")
def stack(pulumi_cli, service, api_token, tmp_path_factory):
    under_test = new_stack("failures", service, tmp_path_factory)
    under_test.set_api_token(api_token)
    under_test.tokens.append(OUTSIDER["discord"])
    yield under_test
    under_test.destroy("--run-program")


@pytest.fixture(autouse=True)
def no_leak_after_each_step(stack: StackUnderTest):
    yield
    stack.assert_no_token_leaked()


def failure(call, *args) -> str:
    """What a failing command printed; fails the test if the command succeeded."""
    with pytest.raises(CommandFailed) as failed:
        call(*args)
    assert "Traceback" not in failed.value.output
    return failed.value.output


@pytest.mark.parametrize(
    ("second", "message"),
    [
        (
            {**BETA, "discord": ALPHA["discord"]},
            "pixverse:accounts[1] (beta) has the same Discord token as pixverse:accounts[0] (alpha): "
            "the service keeps one token on one channel",
        ),
        (
            {**BETA, "channel": ALPHA["channel"]},
            "pixverse:accounts[1] (beta) has the same channel as pixverse:accounts[0] (alpha): "
            "a channel holds one account",
        ),
        (
            {**BETA, "name": "alpha"},
            "pixverse:accounts[1] (alpha) has the same name as pixverse:accounts[0] (alpha): "
            "names must be unique in the stack",
        ),
    ],
)
def test_01_two_entries_that_clash_fail_the_preview_naming_both(stack, service, second, message):
    stack.set_accounts([ALPHA, second])
    mark = len(service.requests())
    printed = failure(stack.preview)
    assert message in printed
    assert service.requests()[mark:] == []


def test_02_the_cli_checks_the_config_against_the_project_schema(stack, service):
    stack.cli("config", "set", "pixverse:accounts", "not-a-list")
    assert "configuration key 'accounts' must be of type 'array<object>'" in failure(stack.preview)
    stack.set_accounts([ALPHA, BETA])


def test_03_a_plain_text_api_token_is_refused_before_any_request(stack, service, api_token):
    stack.cli("config", "set", "--plaintext", "pixverse:apiToken", stdin=api_token)
    mark = len(service.requests())
    try:
        printed = failure(stack.preview)
    finally:
        stack.cli("config", "set", "--secret", "pixverse:apiToken", stdin=api_token)
    assert (
        "pixverse:apiToken is stored in plain text: set it again with `pulumi config set --secret" in printed
    )
    assert service.requests()[mark:] == []


def test_03_a_plain_text_credential_in_the_accounts_is_refused_before_any_request(stack, service):
    """Issue 25: only a plain-text apiToken used to be refused."""
    key = "pixverse:accounts[1].discord"
    stack.cli("config", "set", "--path", "--plaintext", key, stdin=BETA["discord"])
    mark = len(service.requests())
    try:
        printed = failure(stack.preview)
    finally:
        stack.cli("config", "set", "--path", "--secret", key, stdin=BETA["discord"])
    assert (
        "pixverse:accounts[1].discord is stored in plain text: set it again with `pulumi config set --secret "
        "--path 'pixverse:accounts[1].discord' < secret-file`, and rotate it if the file was shared"
    ) in printed
    assert service.requests()[mark:] == []


def test_03_a_plain_http_url_to_a_remote_host_is_refused_before_the_token_leaves(stack, service):
    """Issue 25: `http://` was accepted for any host, so a typo sent the API token in clear text."""
    stack.cli("config", "set", "pixverse:apiUrl", "http://api.useapi.net")
    try:
        printed = failure(stack.up)
    finally:
        stack.cli("config", "set", "pixverse:apiUrl", service.url)
    [line] = [line for line in printed.splitlines() if "plain http://" in line]
    assert line.strip().endswith(
        "pixverse:apiUrl is http://api.useapi.net: plain http:// would send the API token in clear text; "
        "use https:// (http:// is accepted for a loopback address only, such as http://127.0.0.1:8080)"
    ), printed


def test_04_a_refused_account_fails_in_one_line_and_the_others_still_go_live(stack, service):
    service.seed({**OUTSIDER, "discord": ALPHA["discord"]})
    printed = failure(stack.up)
    assert (
        f"error: creating the account on channel {ALPHA['channel']} failed: the service refused it: "
        f"Channel {OUTSIDER['channel']} configuration has same discord value"
    ) in printed
    assert set(stack.accounts_in_state()) == {"beta"}
    assert set(service.accounts()) == {OUTSIDER["channel"], BETA["channel"]}
    service.remove(OUTSIDER["channel"])
    assert change_summary(stack.up()) == {"create": 1, "same": 2}


def test_05_exhausted_retries_say_the_service_is_busy_and_to_run_again(stack, service):
    stack.set_accounts([{**ALPHA, "maxJobs": 5}, BETA])
    attempts = 3  # pixverse:maxRetries is 2
    service.fault(status=503, count=attempts, route="POST /v1/pixverse/account/{channel}")
    mark = len(service.requests())
    printed = failure(stack.up)
    assert f"error: updating the account on channel {ALPHA['channel']} failed: POST " in printed
    assert (
        "still failing after 3 attempts: last cause HTTP 503. The service is busy or unreachable: " in printed
    )
    assert "run the command again later" in printed
    assert [r["status"] for r in service.requests()[mark:] if r["method"] == "POST"] == [503] * attempts
    assert change_summary(stack.up()) == {"update": 1, "same": 2}


def test_06_a_rotated_token_fails_a_plain_refresh_with_the_way_out_then_run_program_works(
    stack, service, emulator_server, api_token
):
    rotated = f"useapi-rotated-{secrets.token_hex(8)}"
    stack.tokens.append(rotated)
    emulator_server.token = rotated
    try:
        stack.cli("config", "set", "--secret", "pixverse:apiToken", stdin=rotated)
        mark = len(service.requests())
        printed = failure(stack.refresh)
        assert "error: Preview failed: reading the account on channel 94000000000000001" in printed
        assert "failed: the service refused the API token. `pulumi refresh` and `pulumi destroy`" in printed
        assert "use the API token saved by the last `pulumi up`: if you rotated it" in printed
        assert "run `pulumi up` first, or add --run-program" in printed
        sent = service.requests()[mark:]
        assert len(sent) <= 2 and {r["status"] for r in sent} == {401}
        assert change_summary(stack.refresh("--run-program")) == {"same": 3}
        assert change_summary(stack.destroy("--run-program"))["delete"] == 3
        assert service.accounts() == {}
    finally:
        emulator_server.token = api_token
        stack.cli("config", "set", "--secret", "pixverse:apiToken", stdin=api_token)
