"""The plugin's adapter: its translation of values (secrets, unknowns, integers), and its provider's
methods called directly, against the emulator over loopback. Through the engine: tests/e2e/test_yaml*.py."""

from __future__ import annotations

import asyncio
import json
from importlib.metadata import version
from typing import Any

import pytest
from misbehaving import Received, Reply, api_error, html
from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.provider.experimental.provider import (
    CheckRequest,
    ConfigureRequest,
    CreateRequest,
    DeleteRequest,
    DiffRequest,
    GetSchemaRequest,
    PropertyDiffKind,
    ReadRequest,
)
from pulumi.runtime import rpc
from pulumi_pixverse.core.failures import OperationFailed
from pulumi_pixverse.plugin.provider import PixverseProvider
from pulumi_pixverse.plugin.values import plain, property_values, secret_names

URN = "urn:pulumi:dev::proj::pixverse:index:Account::alpha"
URN_V2 = "urn:pulumi:dev::proj::pixverse:index:AccountV2::creator"
PROPS = {
    "discord": "discord-token-a",
    "server": "111111111111111111",
    "channel": "222222222222222222",
    "maxJobs": 3,
}
PROPS_V2 = {"email": "maya+render@pixverse.example", "password": "pw-one", "maxJobs": 3}


def values(
    record: dict[str, Any], secret: tuple[str, ...] = ("discord", "password")
) -> dict[str, PropertyValue]:
    """`record` as the engine sends it: numbers as floats, the credentials secret."""
    return property_values(record, secret)


def run(call: Any) -> Any:
    return asyncio.run(call)


@pytest.fixture
def plugin(emulator) -> PixverseProvider:
    """A plugin provider configured as the engine configures the default provider."""
    provider = PixverseProvider()
    args = {
        "apiToken": PropertyValue(emulator.token, is_secret=True),
        "apiUrl": PropertyValue(emulator.url),
        "maxRetries": PropertyValue("2"),
    }
    run(provider.configure(ConfigureRequest({}, args, True, False)))
    return provider


# values -----------------------------------------------------------------------------------------


def test_whole_numbers_reach_the_lifecycle_as_integers_and_others_as_they_are():
    given = {
        "maxJobs": PropertyValue(5.0),
        "half": PropertyValue(2.5),
        "flag": PropertyValue(True),
        "none": PropertyValue(None),
        "nested": PropertyValue({"n": PropertyValue(7.0)}),
        "list": PropertyValue([PropertyValue(1.0), PropertyValue("a")]),
    }
    got = plain(given)
    assert got == {
        "maxJobs": 5,
        "half": 2.5,
        "flag": True,
        "none": None,
        "nested": {"n": 7},
        "list": [1, "a"],
    }
    assert type(got["maxJobs"]) is int and type(got["flag"]) is bool and type(got["nested"]["n"]) is int


def test_unknown_values_reach_the_lifecycle_as_the_engines_marker():
    assert plain({"a": PropertyValue(rpc.UNKNOWN), "b": PropertyValue(Computed())}) == {
        "a": rpc.UNKNOWN,
        "b": rpc.UNKNOWN,
    }


def test_secrecy_is_read_from_the_values_and_put_back_by_name():
    given = {"discord": PropertyValue("t", is_secret=True), "server": PropertyValue("s")}
    assert secret_names(given) == {"discord"}
    assert plain(given) == {"discord": "t", "server": "s"}
    back = property_values({"discord": "t", "server": "s", "maxJobs": 4, "flag": False}, {"discord"})
    assert back["discord"] == PropertyValue("t", is_secret=True)
    assert back["server"] == PropertyValue("s")
    assert back["maxJobs"] == PropertyValue(4.0) and back["flag"] == PropertyValue(False)


# the provider -----------------------------------------------------------------------------------


def test_the_schema_describes_every_property_and_marks_every_credential_secret():
    schema = json.loads(run(PixverseProvider().get_schema(GetSchemaRequest(0))).schema)
    assert schema["name"] == "pixverse" and schema["version"] == version("pulumi-pixverse")
    resources = schema["resources"]
    groups = [schema["config"]["variables"], schema["provider"]["inputProperties"]]
    groups += [r[key] for r in resources.values() for key in ("properties", "inputProperties")]
    for group in groups:
        assert all(spec.get("description") for spec in group.values())
    account, account_v2 = resources["pixverse:index:Account"], resources["pixverse:index:AccountV2"]
    assert account["inputProperties"]["maxJobs"]["type"] == "integer"
    secrets = {
        n for r in resources.values() for n, spec in r["inputProperties"].items() if spec.get("secret")
    }
    assert secrets == {"discord", "password", "token"}
    assert schema["config"]["variables"]["apiToken"]["secret"] is True
    assert set(account_v2["properties"]) >= {"accountId", "username"}
    assert account_v2["requiredInputs"] == ["email", "password", "maxJobs"]


def test_check_names_a_bad_field_marks_credentials_secret_and_sends_nothing(emulator):
    news = values({**PROPS, "maxJobs": 11}, secret=())
    response = run(PixverseProvider().check(CheckRequest(URN, {}, news, b"")))
    assert [(f.property, f.reason) for f in response.failures] == [
        ("maxJobs", "maxJobs must be a whole number from 1 to 10; got 11")
    ]
    assert response.inputs["discord"].is_secret and not response.inputs["server"].is_secret
    assert emulator.requests() == []


def test_check_tolerates_values_unknown_at_preview():
    news = values({**PROPS, "channel": rpc.UNKNOWN})
    assert run(PixverseProvider().check(CheckRequest(URN, {}, news, b""))).failures == []


def test_the_diff_is_per_property_update_or_replace():
    provider = PixverseProvider()
    olds = values(PROPS)
    update = run(provider.diff(DiffRequest(URN, "x", olds, values({**PROPS, "maxJobs": 7}), [])))
    assert (update.changes, update.replaces, update.diffs) == (True, [], ["maxJobs"])
    assert update.detailed_diff["maxJobs"].kind == PropertyDiffKind.UPDATE
    moved = run(provider.diff(DiffRequest(URN, "x", olds, values({**PROPS, "channel": "3" * 18}), [])))
    assert moved.replaces == ["channel"] and moved.delete_before_replace is True
    assert moved.detailed_diff["channel"].kind == PropertyDiffKind.UPDATE_REPLACE
    same = run(provider.diff(DiffRequest(URN, "x", olds, values(PROPS), [])))
    assert same.changes is False and same.detailed_diff == {}


def test_a_v2_state_without_password_takes_the_declared_one_without_a_change():
    """An imported v2 account has no password in its state (the service never returns it)."""
    provider = PixverseProvider()
    imported = values({"email": PROPS_V2["email"], "maxJobs": 3})
    declared = values(PROPS_V2)
    assert run(provider.diff(DiffRequest(URN_V2, "x", imported, declared, []))).changes is False
    changed = values({**PROPS_V2, "password": "pw-two"})
    assert run(provider.diff(DiffRequest(URN_V2, "x", declared, changed, []))).diffs == ["password"]


def test_create_returns_outputs_as_the_engine_takes_them(plugin, emulator):
    response = run(plugin.create(CreateRequest(URN, values(PROPS, secret=()), 0, False)))
    assert response.resource_id == PROPS["channel"]
    assert response.properties["maxJobs"] == PropertyValue(3.0)
    assert response.properties["discord"] == PropertyValue(PROPS["discord"], is_secret=True)
    assert emulator.accounts() == {PROPS["channel"]: PROPS}


def test_a_read_for_an_import_leaves_the_discord_token_out_of_the_inputs(plugin, emulator):
    emulator.seed(PROPS)
    response = run(plugin.read(ReadRequest(URN, PROPS["channel"], {}, {})))
    assert response.resource_id == PROPS["channel"]
    assert plain(response.properties) == PROPS and response.properties["discord"].is_secret
    assert plain(response.inputs) == {k: v for k, v in PROPS.items() if k != "discord"}
    assert [r["method"] for r in emulator.requests()[1:]] == ["GET"]


def test_a_refresh_of_a_gone_account_answers_no_id_and_an_import_of_one_fails_in_one_line(plugin):
    state = values(PROPS)
    assert not run(plugin.read(ReadRequest(URN, PROPS["channel"], state, state))).resource_id
    with pytest.raises(OperationFailed) as failed:
        run(plugin.read(ReadRequest(URN_V2, "nobody@pixverse.example", {}, {})))
    assert str(failed.value) == (
        "importing the v2 account nobody@pixverse.example failed: the service has no such account; "
        "check the email (an import only reads, it never creates one)"
    )


def test_a_failure_is_one_line_naming_the_account(emulator):
    provider = PixverseProvider()
    args = {"apiToken": PropertyValue("rotated-away", is_secret=True), "apiUrl": PropertyValue(emulator.url)}
    run(provider.configure(ConfigureRequest({}, args, True, False)))
    with pytest.raises(OperationFailed) as failed:
        run(provider.create(CreateRequest(URN, values(PROPS), 0, False)))
    assert str(failed.value).startswith(f"creating the account on channel {PROPS['channel']} failed: ")
    assert "the service refused the API token" in str(failed.value)
    assert "\n" not in str(failed.value) and "rotated-away" not in str(failed.value)


def test_calls_run_at_once_beyond_the_dynamic_servers_four(plugin, emulator):
    """Eight creates at once, each request held by the emulator: each needs a connection of its own."""
    emulator.fault(delay=0.3, count=16)
    accounts = [{**PROPS, "discord": f"token-{i}", "channel": str(222222222222222230 + i)} for i in range(8)]

    async def create_all() -> list[Any]:
        calls = [plugin.create(CreateRequest(URN, values(a), 0, False)) for a in accounts]
        return list(await asyncio.gather(*calls))

    assert sorted(r.resource_id for r in run(create_all())) == sorted(a["channel"] for a in accounts)
    assert emulator.connections() > 4


# a misbehaving service: the same core, the same failures as the dynamic providers -------------------


def test_through_the_plugin_a_wrong_url_fails_each_operation_in_one_line_and_reads_no_account_as_gone(
    serve, api_token
):
    server = serve(lambda _: html(404, "404 Not Found"))
    provider = PixverseProvider()
    args = {"apiToken": PropertyValue(api_token, is_secret=True), "apiUrl": PropertyValue(server.url)}
    run(provider.configure(ConfigureRequest({}, args, True, False)))
    state = values(PROPS)
    for call in (
        provider.read(ReadRequest(URN, PROPS["channel"], state, state)),
        provider.create(CreateRequest(URN, state, 0, False)),
        provider.delete(DeleteRequest(URN, PROPS["channel"], state, 0)),
    ):
        with pytest.raises(OperationFailed) as failed:
            run(call)
        message = str(failed.value)
        assert "answered HTTP 404 with an HTML page: the URL does not answer like the useapi" in message
        assert "check pixverse:apiUrl" in message and message.isprintable()


def test_through_the_plugin_an_echoed_api_token_never_shows(serve, api_token):
    def echo(request: Received) -> Reply:
        return api_error(401, f"Malformed Authorization: {request.headers['Authorization']}")

    server = serve(echo)
    provider = PixverseProvider()
    args = {"apiToken": PropertyValue(api_token, is_secret=True), "apiUrl": PropertyValue(server.url)}
    run(provider.configure(ConfigureRequest({}, args, True, False)))
    with pytest.raises(OperationFailed) as failed:
        run(provider.create(CreateRequest(URN_V2, values(PROPS_V2), 0, False)))
    assert api_token not in str(failed.value)
    assert "the service refused the API token" in str(failed.value)


def test_the_functions_answer_from_the_service_with_gets_only(plugin, emulator):
    from pulumi.provider.experimental.provider import InvokeRequest

    emulator.seed({**PROPS, "maxJobs": 2})
    emulator.seed_v2(PROPS_V2)
    emulator.plan(PROPS_V2["email"], gen_simultaneously=2, executing=1)
    email = {"email": PropertyValue(PROPS_V2["email"])}
    answers = {
        name: plain(run(plugin.invoke(InvokeRequest(f"pixverse:index:{name}", args))).return_value)
        for name, args in [
            ("getAccounts", {}),
            ("getAccountsV2", {}),
            ("getFeatures", email),
            ("getCapacity", {}),
        ]
    }
    assert answers["getAccounts"] == {
        "accounts": [{"channel": PROPS["channel"], "server": PROPS["server"], "maxJobs": 2}]
    }
    assert answers["getAccountsV2"]["accounts"][0]["email"] == PROPS_V2["email"]
    assert answers["getFeatures"]["concurrentGenerations"] == 2
    assert answers["getCapacity"]["jobsExecuting"] == 1
    assert {r["method"] for r in emulator.requests()[-4:]} == {"GET"}
    assert "discord-token-a" not in repr(answers) and "pw-one" not in repr(answers)
    missing = run(plugin.invoke(InvokeRequest("pixverse:index:getFeatures", {})))
    assert [(f.property, f.reason) for f in missing.failures] == [
        ("email", "the v2 account's email is required")
    ]


# an API token stored in plain text ----------------------------------------------------------------

DEFAULT_PROVIDER = "urn:pulumi:dev::proj::pulumi:providers:pixverse::default_0_1_0"
EXPLICIT_PROVIDER = "urn:pulumi:dev::proj::pulumi:providers:pixverse::team-a"


def configured(urn: str, token: PropertyValue, url: str) -> PixverseProvider:
    """A plugin provider checked and configured as the engine does it: check_config receives the inputs
    stripped of secrecy, and the engine restores what was secret in them before configure."""
    provider = PixverseProvider()
    given = {"apiToken": token, "apiUrl": PropertyValue(url)}
    stripped = {name: value.with_secret(False) for name, value in given.items()}
    checked = run(provider.check_config(CheckRequest(urn, {}, stripped, b"")))
    inputs = {
        name: value.with_secret(value.is_secret or given[name].is_secret)
        for name, value in (checked.inputs or {}).items()
    }
    run(provider.configure(ConfigureRequest({}, inputs, True, False)))
    return provider


def test_a_plain_text_api_token_in_the_stacks_config_is_refused_and_an_encrypted_one_accepted(emulator):
    """Issue 30: the plugin refuses, at preview, what the dynamic provider's program refuses."""
    with pytest.raises(ValueError) as refused:
        configured(DEFAULT_PROVIDER, PropertyValue(emulator.token), emulator.url)
    assert str(refused.value) == (
        "pixverse:apiToken is stored in plain text: set it again with "
        "`pulumi config set --secret pixverse:apiToken < token-file`, and rotate it if the file was shared"
    )
    configured(DEFAULT_PROVIDER, PropertyValue(emulator.token, is_secret=True), emulator.url)
    configured(EXPLICIT_PROVIDER, PropertyValue(emulator.token, is_secret=True), emulator.url)  # an Output
    assert emulator.requests() == []
