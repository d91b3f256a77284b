"""The SDK examples (examples/typescript with sdk/nodejs, examples/python with sdk/python, examples/go with
sdk/go, each run by its language host) through plain CLI commands as written: up, a change, refresh of a
change made outside Pulumi, `pulumi import` of a live account, destroy; no credential in what the CLI
printed or stored after any step."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from harness import (
    SECRET_SIG,
    V1_TYPE,
    V2_TYPE,
    SdkExampleStack,
    Step,
    change_summary,
    new_discord_token,
    wire,
)

CHANNEL, EMAIL = "1200000000000000011", "creator-1@studio.example"
LIVE = {
    "discord": new_discord_token(),
    "server": "1100000000000000001",
    "channel": "1200000000000000099",
    "maxJobs": 2,
}


@pytest.fixture(scope="module", params=["typescript", "python", "go"])
def stack(request, pulumi_cli, service, api_token, tmp_path_factory) -> Iterator[SdkExampleStack]:
    service.reset()
    under_test = SdkExampleStack(request.param, tmp_path_factory.mktemp(request.param), service.url)
    under_test.cli("config", "set", "apiUrl", service.url)
    under_test.set_secret("apiToken", api_token)
    under_test.set_secret("studioDiscord", new_discord_token())
    under_test.set_secret("creatorPassword", "pw-example-7f3a")
    under_test.set_api_token(api_token)  # the default provider's, for `pulumi import`
    yield under_test
    under_test.assert_no_token_leaked()


def test_the_sdk_examples_run_as_written(stack, service):
    step = Step(service)
    printed = stack.up()
    assert change_summary(printed) == {"create": 4}  # the stack, the provider and the two accounts
    assert service.accounts()[CHANNEL]["discord"] == stack.tokens[1]
    assert service.accounts_v2()[EMAIL]["password"] == "pw-example-7f3a"
    assert stack.accounts_in_state(V1_TYPE)["studio-main"]["outputs"]["discord"][SECRET_SIG]
    assert stack.accounts_in_state(V2_TYPE)["creator-1"]["outputs"]["password"][SECRET_SIG]
    outputs = stack.outputs()
    assert outputs["studioChannel"] == CHANNEL and isinstance(outputs["creatorAccountId"], int)
    assert all(r["authorized"] for r in step.requests())
    stack.assert_no_token_leaked()

    stack.cli("config", "set", "studioMaxJobs", "7")
    step = Step(service)
    assert change_summary(stack.up())["update"] == 1
    assert [r for r in step.routes() if not r.startswith("GET")] == ["POST /v1/pixverse/account/{channel}"]
    assert service.accounts()[CHANNEL]["maxJobs"] == 7

    service.seed({**service.accounts()[CHANNEL], "maxJobs": 4})  # changed outside Pulumi
    step = Step(service)
    assert change_summary(stack.refresh())["update"] == 1
    assert {r["method"] for r in step.requests()} == {"GET"}
    assert stack.accounts_in_state(V1_TYPE)["studio-main"]["outputs"]["maxJobs"] == 4
    assert change_summary(stack.up())["update"] == 1 and service.accounts()[CHANNEL]["maxJobs"] == 7

    service.seed(wire(LIVE))
    step = Step(service)
    # no code printed: the Node.js, Python and Go hosts we can build lack GenerateProgram (docs/plugin.md)
    stack.cli("import", V1_TYPE, "live", LIVE["channel"], "--yes", "--protect=false", "--generate-code=false")
    assert {r["method"] for r in step.requests()} == {"GET"}
    assert stack.accounts_in_state(V1_TYPE)["live"]["outputs"]["maxJobs"] == LIVE["maxJobs"]
    stack.assert_no_token_leaked()

    step = Step(service)
    assert change_summary(stack.destroy()) == {"delete": 5}  # the stack, provider, accounts and import
    assert service.accounts() == {} and service.accounts_v2() == {}
    assert sorted(r["method"] for r in step.requests() if r["method"] != "GET") == ["DELETE"] * 3
