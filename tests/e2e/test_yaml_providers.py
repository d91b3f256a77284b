"""Explicit providers: one Pulumi YAML stack manages the accounts of two useapi.net subscriptions,
each `pulumi:providers:pixverse` with its own API token and URL (two emulators here, each accepting
only its own token); each account goes to its provider's service."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from emulator_admin import EmulatorAdmin
from harness import (
    SECRET_SIG,
    V1_TYPE,
    CommandFailed,
    Step,
    YamlStack,
    change_summary,
    new_discord_token,
    new_yaml_stack,
    wire,
)
from pulumi_pixverse.emulator import start_in_thread

TEAM_A = {"discord": new_discord_token(), "server": "940000000000000001", "channel": "941000000000000001"}
TEAM_B = {"discord": new_discord_token(), "server": "940000000000000002", "channel": "941000000000000002"}


@pytest.fixture(scope="module")
def second_service() -> Iterator[EmulatorAdmin]:
    """Another subscription: an emulator of its own, with a token of its own."""
    token = f"useapi-second-{secrets.token_hex(12)}"
    server = start_in_thread(token=token)
    yield EmulatorAdmin(server.url, token)
    server.stop()


@pytest.fixture(scope="module")
def stack(pulumi_cli, service, second_service, api_token, tmp_path_factory) -> Iterator[YamlStack]:
    """No default provider config at all: each provider brings its token (secret) and URL."""
    under_test = new_yaml_stack("providers", service, tmp_path_factory)
    under_test.cli("config", "rm", "pixverse:apiUrl")
    for name, value in (
        ("tokenA", api_token),
        ("tokenB", second_service.token),
        ("discordA", TEAM_A["discord"]),
        ("discordB", TEAM_B["discord"]),
    ):
        under_test.set_secret(name, value)
    yield under_test
    under_test.destroy()


def program(stack: YamlStack, url_a: str, url_b: str, jobs: int) -> None:
    account = {"type": V1_TYPE}
    stack.write_program(
        {
            "team-a": {
                "type": "pulumi:providers:pixverse",
                "properties": {"apiToken": "${tokenA}", "apiUrl": url_a},
            },
            "team-b": {
                "type": "pulumi:providers:pixverse",
                "properties": {"apiToken": "${tokenB}", "apiUrl": url_b},
            },
            "alpha": {
                **account,
                "properties": {**TEAM_A, "discord": "${discordA}", "maxJobs": jobs},
                "options": {"provider": "${team-a}"},
            },
            "beta": {
                **account,
                "properties": {**TEAM_B, "discord": "${discordB}", "maxJobs": jobs},
                "options": {"provider": "${team-b}"},
            },
        },
        secrets=("tokenA", "tokenB", "discordA", "discordB"),
    )


def test_each_account_goes_to_its_providers_service_with_its_token(stack, service, second_service):
    program(stack, service.url, second_service.url, 2)
    first, second = Step(service), Step(second_service)
    assert change_summary(stack.up()) == {"create": 5}
    assert service.accounts() == {TEAM_A["channel"]: wire({**TEAM_A, "maxJobs": 2})}
    assert second_service.accounts() == {TEAM_B["channel"]: wire({**TEAM_B, "maxJobs": 2})}
    assert all(r["authorized"] for r in [*first.requests(), *second.requests()])
    providers = [r for r in stack.export()["resources"] if r["type"] == "pulumi:providers:pixverse"]
    assert len(providers) == 2 and all(p["inputs"]["apiToken"][SECRET_SIG] for p in providers)
    stack.assert_no_token_leaked()


def test_a_change_and_a_refresh_reach_each_service_through_its_provider(stack, service, second_service):
    program(stack, service.url, second_service.url, 4)
    first, second = Step(service), Step(second_service)
    assert change_summary(stack.up()) == {"update": 2, "same": 3}
    assert first.calls() == [f"POST {TEAM_A['channel']}"] and second.calls() == [f"POST {TEAM_B['channel']}"]
    second_service.seed(wire({**TEAM_B, "maxJobs": 9}))
    assert change_summary(stack.refresh()) == {"update": 1, "same": 4}
    assert stack.accounts_in_state(V1_TYPE)["beta"]["outputs"]["maxJobs"] == 9
    assert stack.accounts_in_state(V1_TYPE)["alpha"]["outputs"]["maxJobs"] == 4
    stack.assert_no_token_leaked()


def test_a_provider_given_plain_http_to_a_remote_host_fails_in_one_line_and_sends_nothing(
    stack, service, second_service
):
    """Issue 25: the API token would cross the network in clear text."""
    program(stack, "http://api.useapi.net", second_service.url, 4)
    first, second = Step(service), Step(second_service)
    with pytest.raises(CommandFailed) as failed:
        stack.preview()
    printed = failed.value.output
    assert "Traceback" not in printed
    assert (
        "pixverse:apiUrl is http://api.useapi.net: plain http:// would send the API token in clear text; "
        "use https:// (http:// is accepted for a loopback address only, such as http://127.0.0.1:8080)"
    ) in printed
    assert first.requests() == [] and second.requests() == []
    program(stack, service.url, second_service.url, 4)
    stack.assert_no_token_leaked()


def test_destroy_removes_each_account_from_its_service(stack, service, second_service):
    assert change_summary(stack.destroy()) == {"delete": 5}
    assert service.accounts() == {} and second_service.accounts() == {}
    stack.assert_no_token_leaked()
