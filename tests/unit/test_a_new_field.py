"""A new optional integer field of v1 accounts, added as a contributor adds one (tests/new_field.py:
its `Field` in the table, its rule in the emulator) flows through the provider with no other change:
check, create, read, diff, update and import through the providers' own operations against the
emulator over HTTP; adopt, migrate and audit through the `pulumi` CLI's answers; the functions'
inventory and the schema. The SDKs and reference pages regenerated: tests/sdk/test_new_field_generated.py.
What is left to write by hand, the typed Python signatures, fails test_field_table.py by name."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
import test_field_table
from new_field import MAX_QUEUED, WITH_THE_FIELD, queued
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import ConfigureRequest, ReadRequest
from pulumi_pixverse import PixverseAccount
from pulumi_pixverse.commands import adopt, audit, migrate
from pulumi_pixverse.core import lookups
from pulumi_pixverse.core.fields import ACCOUNT
from pulumi_pixverse.emulator import backend
from pulumi_pixverse.plugin.provider import PixverseProvider
from pulumi_pixverse.plugin.schema import package
from pulumi_pixverse.plugin.values import plain
from test_lookups import service_for

ACCOUNT_A = {
    "discord": "discord-token-queued-a",
    "server": "111111111111111111",
    "channel": "222222222222222222",
    "maxJobs": 3,
    "maxQueued": 5,
}
ACCOUNT_B = {**ACCOUNT_A, "discord": "discord-token-queued-b", "channel": "3" * 18, "maxQueued": 7}
RULE = "maxQueued must be a whole number from 0 to 50"
SECRET_SIG = "4dabf18193072939515e22adb298388d"
"""How `pulumi stack export` marks a secret."""
FAKE_PULUMI = """#!{python}
import json, os, sys
with open(os.environ["FAKE_PULUMI_LOG"], "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
answers = {{"config": "FAKE_PULUMI_CONFIG", "stack": "FAKE_PULUMI_STATE"}}
if sys.argv[1:3] in (["config", "--json"], ["stack", "export"]):
    print(os.environ[answers[sys.argv[1]]])
"""


@pytest.fixture
def max_queued(monkeypatch: pytest.MonkeyPatch) -> None:
    """v1 accounts with `maxQueued`: in the table every module reads, and in the emulator's rules."""
    monkeypatch.setitem(vars(ACCOUNT), "fields", WITH_THE_FIELD)
    monkeypatch.setitem(backend.OPTIONAL_V1, "maxQueued", queued)


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, emulator: Any) -> Any:
    """`cli(config, state)`: a `pulumi` on PATH that answers `config --json` with the stack's `config`
    (the emulator's token and URL added) and `stack export` with `state`; returns the calls it got."""
    log = tmp_path / "argv.log"
    fake = tmp_path / "bin" / "pulumi"
    fake.parent.mkdir()
    fake.write_text(FAKE_PULUMI.format(python=sys.executable))
    fake.chmod(0o700)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_PULUMI_LOG", str(log))

    def answer(config: dict[str, Any], state: list[dict[str, Any]] | None = None) -> Any:
        api = {"pixverse:apiToken": {"value": emulator.token}, "pixverse:apiUrl": {"value": emulator.url}}
        monkeypatch.setenv("FAKE_PULUMI_CONFIG", json.dumps({**api, **config}))
        monkeypatch.setenv("FAKE_PULUMI_STATE", json.dumps({"deployment": {"resources": state or []}}))
        return lambda: [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    return answer


def test_without_the_field_in_the_table_a_declared_value_is_refused_naming_it(provider):
    [failure] = provider.check({}, ACCOUNT_A).failures
    assert (failure.property, failure.reason) == (
        "maxQueued",
        "maxQueued is not a field of Account, whose fields are discord, server, channel, maxJobs",
    )


@pytest.mark.usefixtures("max_queued")
def test_check_judges_it_by_its_rule_and_it_may_be_left_out(provider):
    assert provider.check({}, ACCOUNT_A).failures == []
    assert provider.check({}, {k: v for k, v in ACCOUNT_A.items() if k != "maxQueued"}).failures == []
    [failure] = provider.check({}, {**ACCOUNT_A, "maxQueued": 51}).failures
    assert (failure.property, failure.reason) == ("maxQueued", f"{RULE}; got 51")


@pytest.mark.usefixtures("max_queued")
def test_create_sends_it_and_the_state_holds_it(provider, emulator):
    created = provider.create(ACCOUNT_A)
    assert (created.id, created.outs) == (ACCOUNT_A["channel"], ACCOUNT_A)
    [post] = [r for r in emulator.requests() if r["method"] == "POST"]
    assert post["body"] == emulator.as_logged(ACCOUNT_A)
    assert emulator.accounts() == {ACCOUNT_A["channel"]: ACCOUNT_A}


@pytest.mark.usefixtures("max_queued")
def test_read_sees_it_changed_outside_pulumi_and_the_diff_updates_it_in_place(provider, emulator):
    emulator.seed({**ACCOUNT_A, "maxQueued": 9})
    read = provider.read(ACCOUNT_A["channel"], ACCOUNT_A)
    assert read.outs == read.inputs == {**ACCOUNT_A, "maxQueued": 9}
    diff = provider.diff(ACCOUNT_A["channel"], read.outs, ACCOUNT_A)
    assert (diff.changes, diff.replaces) == (True, [])
    assert provider.diff(ACCOUNT_A["channel"], ACCOUNT_A, dict(ACCOUNT_A)).changes is False
    assert provider.update(ACCOUNT_A["channel"], read.outs, ACCOUNT_A).outs == ACCOUNT_A
    assert emulator.accounts()[ACCOUNT_A["channel"]]["maxQueued"] == 5


@pytest.mark.usefixtures("max_queued")
def test_an_import_through_the_plugin_reads_it(emulator):
    emulator.seed(ACCOUNT_A)
    plugin = PixverseProvider()
    args = {"apiToken": PropertyValue(emulator.token, is_secret=True), "apiUrl": PropertyValue(emulator.url)}
    asyncio.run(plugin.configure(ConfigureRequest({}, args, True, False)))
    urn = f"urn:pulumi:dev::proj::{ACCOUNT.token}::alpha"
    read = asyncio.run(plugin.read(ReadRequest(urn, ACCOUNT_A["channel"], {}, {})))
    assert plain(read.inputs) == {k: v for k, v in ACCOUNT_A.items() if k != "discord"}


@pytest.mark.usefixtures("max_queued")
def test_adopt_writes_it_as_an_integer_and_names_it_when_it_differs(emulator, cli):
    emulator.seed({**ACCOUNT_A, "maxQueued": 9})
    emulator.seed(ACCOUNT_B)
    calls = cli({"pixverse:accounts": {"objectValue": [{**ACCOUNT_A, "name": "alpha"}]}})
    lines = adopt.adopt("dev", dry_run=False)
    differs = "differs from the service: maxQueued (declared 5, live 9)"
    assert lines[0] == f"declared alpha (channel {ACCOUNT_A['channel']}) {differs}"
    [fields] = [json.loads(call[3]) for call in calls() if call[:3] == ["config", "set-all", "--json"]]
    assert fields["pixverse:accounts[1]"]["objectValue"]["maxQueued"] == 7  # a JSON number, not "7"


@pytest.mark.usefixtures("max_queued")
def test_audit_finds_it_drifted(emulator):
    emulator.seed({**ACCOUNT_A, "maxQueued": 9})
    service = service_for(emulator.url, emulator.token)
    findings = audit.check({ACCOUNT_A["channel"]: ACCOUNT_A}, {}, service, days=7).findings
    assert findings == [
        audit.Finding("drifted", f"v1 channel {ACCOUNT_A['channel']}", "maxQueued (declared 5, live 9)")
    ]


@pytest.mark.usefixtures("max_queued")
def test_migrate_declares_it_in_the_program_it_prints(cli):
    outputs = {**ACCOUNT_A, "discord": {SECRET_SIG: "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "x"}}
    urn = f"urn:pulumi:dev::proj::{ACCOUNT.token}::alpha"
    cli({}, [{"urn": urn, "type": ACCOUNT.token, "id": ACCOUNT_A["channel"], "outputs": outputs}])
    [declaration] = [line for line in migrate.program("dev") if "pixverse.Account(" in line]
    assert declaration.endswith(
        f"server={ACCOUNT_A['server']!r}, channel={ACCOUNT_A['channel']!r}, max_jobs=3, max_queued=5)"
    )


@pytest.mark.usefixtures("max_queued")
def test_the_inventory_and_the_schema_carry_it_optional(emulator):
    emulator.seed(ACCOUNT_A)
    listed = lookups.accounts(service_for(emulator.url, emulator.token))["accounts"]
    assert listed == [{k: v for k, v in ACCOUNT_A.items() if k != "discord"}]
    schema = package()
    declared = schema["resources"][ACCOUNT.token]
    described = {"type": "integer", "description": MAX_QUEUED.describe()}
    assert declared["inputProperties"]["maxQueued"] == described
    assert declared["properties"]["maxQueued"] == declared["inputProperties"]["maxQueued"]
    assert "maxQueued" not in declared["requiredInputs"] and "maxQueued" not in declared["required"]
    info = schema["types"]["pixverse:index:AccountInfo"]
    assert info["properties"]["maxQueued"]["type"] == "integer" and "maxQueued" not in info["required"]


@pytest.mark.usefixtures("max_queued")
def test_what_is_left_to_write_by_hand_is_named_by_the_table_test():
    """The typed signatures (resource.py's constructor and attribute, pool.py's spec) name each field:
    Python's static types cannot come from a table."""
    with pytest.raises(AssertionError, match="max_queued"):
        test_field_table.test_a_resource_takes_each_declared_field_as_a_keyword_argument_in_the_tables_order(
            PixverseAccount, ACCOUNT
        )
