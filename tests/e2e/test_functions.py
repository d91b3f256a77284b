"""The plugin's functions and `get` through plain `pulumi` commands: a Pulumi YAML program and a
TypeScript program export the results of all four functions at preview and at `up`; `Account.get`
and `AccountV2.get` of live accounts in TypeScript and Python read them and write nothing (the
emulator's request log holds GETs only); no credential in anything printed or stored."""

from __future__ import annotations

import pytest
from harness import SdkExampleStack, Step, new_discord_token, new_yaml_stack, wire

LIVE = {
    "discord": new_discord_token(),
    "server": "960000000000000001",
    "channel": "960000000000000011",
    "maxJobs": 3,
}
EMAIL = "live@functions.example"
FUNCTIONS = ("getAccounts", "getAccountsV2", "getFeatures", "getCapacity")

TYPESCRIPT = f"""import * as pulumi from "@pulumi/pulumi";
import * as pixverse from "pulumi-pixverse";

const config = new pulumi.Config();
const subscription = new pixverse.Provider("subscription", {{
    apiUrl: config.get("apiUrl"),
    apiToken: config.requireSecret("apiToken"),
}});
const opts = {{ provider: subscription }};
export const getAccounts = pixverse.getAccountsOutput(opts);
export const getAccountsV2 = pixverse.getAccountsV2Output(opts);
export const getFeatures = pixverse.getFeaturesOutput({{ email: "{EMAIL}" }}, opts);
export const getCapacity = pixverse.getCapacityOutput(opts);
const live = pixverse.Account.get("live", "{LIVE["channel"]}", opts);
const liveV2 = pixverse.AccountV2.get("live-v2", "{EMAIL}", opts);
export const liveMaxJobs = live.maxJobs;
export const liveV2AccountId = liveV2.accountId;
"""

PYTHON = f"""import pulumi
import pulumi_pixverse_sdk as pixverse

config = pulumi.Config()
subscription = pixverse.Provider(
    "subscription", api_url=config.get("apiUrl"), api_token=config.require_secret("apiToken")
)
opts = pulumi.ResourceOptions(provider=subscription)
live = pixverse.Account.get("live", "{LIVE["channel"]}", opts=opts)
live_v2 = pixverse.AccountV2.get("live-v2", "{EMAIL}", opts=opts)
pulumi.export("liveMaxJobs", live.max_jobs)
pulumi.export("liveV2AccountId", live_v2.account_id)
"""


@pytest.fixture
def live(service):
    service.reset()
    service.seed(wire(LIVE))
    service.seed_v2({"email": EMAIL, "password": "pw-functions-e2e-51b", "maxJobs": 3})
    service.plan(EMAIL, gen_simultaneously=4, executing=1)


def assert_function_results(results: dict) -> None:
    assert results["getAccounts"]["accounts"] == [
        {"channel": LIVE["channel"], "server": LIVE["server"], "maxJobs": 3}
    ]
    assert [a["email"] for a in results["getAccountsV2"]["accounts"]] == [EMAIL]
    assert results["getFeatures"]["concurrentGenerations"] == 4
    assert results["getCapacity"]["jobsExecuting"] == 1


def test_a_yaml_program_exports_the_four_functions_at_preview_and_up(
    pulumi_cli, service, api_token, live, tmp_path_factory
):
    stack = new_yaml_stack("functions", service, tmp_path_factory)
    stack.set_api_token(api_token)
    stack.tokens.append(LIVE["discord"])
    arguments = {"getFeatures": {"email": EMAIL}}
    stack.write_program(
        {},
        {
            name: {"fn::invoke": {"function": f"pixverse:index:{name}", "arguments": arguments.get(name, {})}}
            for name in FUNCTIONS
        },
    )
    step = Step(service)
    printed = stack.preview()
    assert EMAIL in printed and LIVE["channel"] in printed and "concurrentGenerations" in printed
    stack.up()
    assert_function_results(stack.outputs())
    assert {r["method"] for r in step.requests()} == {"GET"}
    stack.assert_no_token_leaked()


@pytest.mark.parametrize("language", ["typescript", "python"])
def test_get_reads_a_live_account_and_writes_nothing(
    pulumi_cli, service, api_token, live, tmp_path_factory, language
):
    stack = SdkExampleStack(language, tmp_path_factory.mktemp(language), service.url)
    stack.cli("config", "set", "apiUrl", service.url)
    stack.set_secret("apiToken", api_token)
    stack.tokens.append(LIVE["discord"])
    program = stack.work_dir / ("index.ts" if language == "typescript" else "__main__.py")
    program.write_text(TYPESCRIPT if language == "typescript" else PYTHON)
    step = Step(service)
    printed = stack.preview()
    if language == "typescript":
        assert EMAIL in printed and "concurrentGenerations" in printed
    stack.up()
    outputs = stack.outputs()
    assert outputs["liveMaxJobs"] == 3 and isinstance(outputs["liveV2AccountId"], int)
    if language == "typescript":
        assert_function_results(outputs)
    stack.destroy()
    assert {r["method"] for r in step.requests()} == {"GET"}
    assert service.accounts() == {LIVE["channel"]: wire(LIVE)} and list(service.accounts_v2()) == [EMAIL]
    stack.assert_no_token_leaked()
