"""`pulumi import` of live accounts through the plugin, then declared in a Pulumi YAML program: no
write during the import, no credential in what it prints or stores, and a clean preview once the
program declares the account with its credential."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from harness import (
    SECRET_SIG,
    V1_TYPE,
    V2_TYPE,
    CommandFailed,
    Step,
    YamlStack,
    change_summary,
    new_discord_token,
    new_yaml_stack,
    wire,
)

LIVE = {
    "discord": new_discord_token(),
    "server": "950000000000000001",
    "channel": "951000000000000001",
    "maxJobs": 4,
}
LIVE_V2 = {"email": "imported@pixverse.example", "password": "pw-imported-5c1e", "maxJobs": 2}
SECRETS = ("liveDiscord", "livePassword")
KEYS = {V1_TYPE: "channel", V2_TYPE: "email"}
LISTS = {V1_TYPE: "GET /v1/pixverse/account", V2_TYPE: "GET /v2/pixverse/accounts"}


@pytest.fixture(scope="module")
def stack(pulumi_cli, service, api_token, tmp_path_factory) -> Iterator[YamlStack]:
    under_test = new_yaml_stack("imports", service, tmp_path_factory)
    under_test.set_api_token(api_token)
    under_test.set_secret("liveDiscord", LIVE["discord"])
    under_test.set_secret("livePassword", LIVE_V2["password"])
    yield under_test
    under_test.cli("state", "unprotect", "--all", "--yes")  # imports are protected
    under_test.destroy()


@pytest.fixture(autouse=True)
def no_leak_after_each_step(stack: YamlStack):
    yield
    stack.assert_no_token_leaked()


def declared() -> dict[str, dict[str, object]]:
    """The accounts as the import printed them (protected), each with its credential from config."""
    protected = {"protect": True}
    return {
        "studio": {
            "type": V1_TYPE,
            "properties": {**LIVE, "discord": "${liveDiscord}"},
            "options": protected,
        },
        "creator": {
            "type": V2_TYPE,
            "properties": {**LIVE_V2, "password": "${livePassword}"},
            "options": protected,
        },
    }


def test_01_importing_a_v1_account_reads_it_writes_nothing_and_prints_no_token(stack, service):
    service.seed(wire(LIVE))
    stack.write_program({}, secrets=SECRETS)
    step = Step(service)
    printed = stack.cli("import", V1_TYPE, "studio", LIVE["channel"], "--yes")
    assert {r["method"] for r in step.requests()} == {"GET"}  # one list call per provider process
    assert "studio" in printed and LIVE["server"] in printed  # the code to declare it, without the token
    state = stack.accounts_in_state(V1_TYPE)["studio"]
    assert state["id"] == LIVE["channel"] and state["outputs"]["maxJobs"] == LIVE["maxJobs"]
    assert state["outputs"]["discord"][SECRET_SIG]
    assert "discord" not in state["inputs"]
    assert service.accounts() == {LIVE["channel"]: wire(LIVE)}


def test_02_importing_a_v2_account_reads_it_and_writes_nothing(stack, service):
    service.seed_v2(LIVE_V2)
    step = Step(service)
    printed = stack.cli("import", V2_TYPE, "creator", LIVE_V2["email"], "--yes")
    assert {r["method"] for r in step.requests()} == {"GET"}  # one list call per provider process
    assert "creator" in printed and LIVE_V2["email"] in printed
    state = stack.accounts_in_state(V2_TYPE)["creator"]
    assert state["id"] == LIVE_V2["email"] and state["outputs"]["maxJobs"] == LIVE_V2["maxJobs"]
    assert "password" not in state["outputs"] and isinstance(state["outputs"]["accountId"], int)


def test_03_declared_with_their_credentials_the_imported_accounts_preview_clean(stack, service):
    stack.write_program(declared(), secrets=SECRETS)
    step = Step(service)
    assert change_summary(stack.preview("--expect-no-changes")) == {"same": 3}
    assert step.requests() == []
    assert change_summary(stack.up()) == {"same": 3}
    assert [r for r in step.requests() if r["method"] != "GET"] == []


def test_04_a_later_password_change_of_an_imported_v2_account_is_one_post(stack, service):
    stack.set_secret("livePassword", "pw-rotated-9d2b")
    step = Step(service)
    assert change_summary(stack.up()) == {"update": 1, "same": 2}
    assert step.routes() == ["POST /v2/pixverse/accounts/{email}"]
    assert service.accounts_v2()[LIVE_V2["email"]]["password"] == "pw-rotated-9d2b"


@pytest.mark.parametrize(
    ("type_", "key"), [(V1_TYPE, "951000000000000009"), (V2_TYPE, "nobody@pixverse.example")]
)
def test_05_importing_an_account_that_does_not_exist_fails_in_one_line(stack, service, type_, key):
    step = Step(service)
    with pytest.raises(CommandFailed) as failed:
        stack.cli("import", type_, "ghost", key, "--yes")
    errors = [line.strip() for line in failed.value.output.splitlines() if line.strip().startswith("error:")]
    assert errors[0].endswith(
        f"{key} failed: the service has no such account; check the {KEYS[type_]} "
        "(an import only reads, it never creates one)"
    )
    assert step.routes() == [LISTS[type_]]  # the read looked, and wrote nothing
    assert "ghost" not in stack.accounts_in_state(type_)
