"""Upgrade safety: a stack made by an earlier release keeps refreshing, previewing, updating and
destroying under this code, through plain `pulumi` commands, with no change it did not ask for.

The state refers to the providers by reference (`pulumi_pixverse.provider.PixverseAccountProvider`
and `PixverseAccountV2Provider`, pickled in each account's `__provider`), to the types
`pulumi-python:dynamic/pixverse:Account` and `:AccountV2`, and stores inputs and outputs under their
wire names (`maxJobs`, `accountId`): all must keep resolving and comparing equal. Each release's
steps share one stack and run in file order.

Two fixtures, each `pulumi stack export` of a stack made by CLI v3.274.1 (tools/pulumi's build)
with the Python SDK it pins (pulumi==3.272.0), from a copy of that commit with its own virtualenv
first on PATH (the Python language host runs the `python` it finds there):
- fixtures/previous-release-v1.json: commit dfb7855, the v1 accounts alpha, beta and gamma;
- fixtures/previous-release-v2.json: commit b9687d8 (before the resources' attributes were keyed
  by their Python names), the v1 account delta beside the v2 accounts creator-1 and creator-2 (the
  second with a token).

    mkdir /tmp/prev && git archive <commit> | tar -x -C /tmp/prev
    python3 -m venv /tmp/prev/.venv && /tmp/prev/.venv/bin/pip install -e /tmp/prev
    /tmp/prev/.venv/bin/python -m pulumi_pixverse.emulator --port <PORT> \\
        --token useapi-upgrade-fixture-token &
    export PATH="/tmp/prev/.venv/bin:<the CLI's folder>:$PATH" VIRTUAL_ENV=/tmp/prev/.venv
    export PULUMI_BACKEND_URL=file:///tmp/upgrade-fixture/backend PULUMI_HOME=/tmp/upgrade-fixture/pulumi-home
    export PULUMI_CONFIG_PASSPHRASE=pixverse-upgrade-fixture
    cd /tmp/prev && pulumi stack init <STACK>
    pulumi config set pixverse:apiUrl http://127.0.0.1:<PORT>
    printf %s useapi-upgrade-fixture-token | pulumi config set --secret pixverse:apiToken
    # each account of the release below, as docs/dynamic-provider.md shows: ids with --type string,
    # maxJobs with --type int, each credential with --secret on stdin:
    pulumi config set --path 'pixverse:accounts[i].<field>' ...
    pulumi config set --path 'pixverse:accountsV2[i].<field>' ...
    pulumi up --yes && pulumi stack export --file previous-release-<v1|v2>.json

All values are made up: the passphrase protects only the made-up credentials below. The fixtures hold
them encrypted only, as Pulumi wrote them, including the provider's config of that time (the API token
and `http://127.0.0.1:<PORT>`), which a plain `pulumi refresh` uses: hence the fixed token. The port is
the one recorded then; the emulator here listens on a free one, and the state imported is the fixture
with that URL moved to it (in plain text in the default provider's inputs and outputs), as for a
service that moved.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from emulator_admin import EmulatorAdmin
from harness import ACCOUNT_TYPE, SECRET_SIG, StackUnderTest, Step, change_summary, wire
from pulumi_pixverse.emulator import start_in_thread

FIXTURES = Path(__file__).parent / "fixtures"
ACCOUNT_V2_TYPE = "pulumi-python:dynamic/pixverse:AccountV2"
PASSPHRASE = "pixverse-upgrade-fixture"
API_TOKEN = "useapi-upgrade-fixture-token"
SERVER = "930000000000000100"
V1_COMPARED = ("channel", "server", "maxJobs")
V2_COMPARED = ("email", "maxJobs", "accountId", "username")


def v1_account(name: str, channel: str, max_jobs: int) -> dict[str, Any]:
    return {
        "name": name,
        "discord": f"discord-upgrade-fixture-{name}",
        "server": SERVER,
        "channel": channel,
        "maxJobs": max_jobs,
    }


def v2_account(name: str, max_jobs: int, token: bool = False) -> dict[str, Any]:
    account = {
        "name": name,
        "email": f"{name}@upgrade.example",
        "password": f"pixverse-upgrade-fixture-{name}",
        "maxJobs": max_jobs,
    }
    return account | ({"token": f"pixverse-upgrade-fixture-token-{name}"} if token else {})


def wire_v2(account: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in account.items() if k != "name"}


@dataclass(frozen=True)
class Release:
    """An earlier release's stack: its export, its stack name, where its provider config points,
    and the accounts its config declared."""

    fixture: Path
    stack: str  # `pulumi stack import` checks that the URNs name this stack
    recorded_url: str
    """The API URL of the provider's config when the fixture was made."""
    accounts: list[dict[str, Any]]
    accounts_v2: list[dict[str, Any]]

    @property
    def credentials(self) -> list[str]:
        fields = ("discord", "password", "token")
        return [a[f] for a in self.accounts + self.accounts_v2 for f in fields if f in a]

    @property
    def resources(self) -> int:
        """The stack's resources as the CLI counts them: the accounts and the stack itself."""
        return len(self.accounts) + len(self.accounts_v2) + 1

    def raised(self) -> dict[str, Any]:
        """The last v1 account with maxJobs 7."""
        return {**self.accounts[-1], "maxJobs": 7}


RELEASES = [
    Release(
        FIXTURES / "previous-release-v1.json",
        "upgrade",
        "http://127.0.0.1:18790",
        [
            v1_account("alpha", "930000000000000001", 2),
            v1_account("beta", "930000000000000002", 5),
            v1_account("gamma", "930000000000000003", 3),
        ],
        [],
    ),
    Release(
        FIXTURES / "previous-release-v2.json",
        "upgrade-v2",
        "http://127.0.0.1:18791",
        [v1_account("delta", "930000000000000004", 4)],
        [v2_account("creator-1", 3), v2_account("creator-2", 2, token=True)],
    ),
]
# The pickle in every account's `__provider`: the class by reference, its state empty.
PROVIDER_MODULE = b"pulumi_pixverse.provider"
PROVIDER_CLASSES = {ACCOUNT_TYPE: b"PixverseAccountProvider", ACCOUNT_V2_TYPE: b"PixverseAccountV2Provider"}


@pytest.fixture(scope="module", params=RELEASES, ids=lambda release: release.fixture.stem)
def release(request: pytest.FixtureRequest) -> Release:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def old_service(release: Release) -> Iterator[EmulatorAdmin]:
    """An emulator on a free port with the fixture's API token, holding the accounts the fixture's
    state holds, seeded through the public API."""
    server = start_in_thread(token=API_TOKEN)
    try:
        admin = EmulatorAdmin(server.url, API_TOKEN)
        for account in release.accounts:
            admin.seed(wire(account))
        for account in release.accounts_v2:
            admin.seed_v2(wire_v2(account))
        yield admin
    finally:
        server.stop()


@pytest.fixture(scope="module")
def upgraded(
    pulumi_cli: str, release: Release, old_service: EmulatorAdmin, tmp_path_factory: pytest.TempPathFactory
) -> StackUnderTest:
    """A fresh stack with the fixture's passphrase, into which the old state is imported."""
    stack = StackUnderTest(
        release.stack, tmp_path_factory.mktemp(release.stack), old_service.url, passphrase=PASSPHRASE
    )
    stack.tokens.extend([API_TOKEN, *release.credentials])
    return stack


@pytest.fixture(autouse=True)
def no_leak_after_each_step(upgraded: StackUnderTest) -> Iterator[None]:
    yield
    upgraded.assert_no_token_leaked()


def accounts_in_state(stack: StackUnderTest) -> dict[str, dict[str, Any]]:
    """Accounts of both kinds in `pulumi stack export`, keyed by resource name."""
    resources = stack.export().get("resources", [])
    kinds = (ACCOUNT_TYPE, ACCOUNT_V2_TYPE)
    return {r["urn"].rsplit("::", 1)[1]: r for r in resources if r["type"] in kinds}


def compared(resource: dict[str, Any]) -> dict[str, Any]:
    """The plain outputs a refresh reads back; each credential only as "a secret"."""
    outputs = resource["outputs"]
    names = V1_COMPARED if resource["type"] == ACCOUNT_TYPE else V2_COMPARED
    plain = {name: outputs[name] for name in names}
    secret = {
        name: SECRET_SIG in outputs[name] for name in ("discord", "password", "token") if name in outputs
    }
    return plain | secret


def set_release_config(stack: StackUnderTest, release: Release, accounts: list[dict[str, Any]]) -> None:
    stack.set_accounts(accounts)
    if release.accounts_v2:
        stack.set_accounts(release.accounts_v2, "pixverse:accountsV2")


def moved(release: Release, api_url: str, folder: Path) -> Path:
    """The fixture with its default provider's API URL moved to `api_url`; nothing else changes."""
    exported = json.loads(release.fixture.read_text())
    for resource in exported["deployment"]["resources"]:
        if resource["type"] == "pulumi:providers:pulumi-python":
            for values in (resource["inputs"], resource["outputs"]):
                values["pixverse:apiUrl"] = api_url
    path = folder / release.fixture.name
    path.write_text(json.dumps(exported))
    return path


def test_01_the_fixture_is_an_old_state_with_its_credentials_encrypted_only(release):
    text = release.fixture.read_text()
    for secret in (API_TOKEN, *release.credentials):
        assert secret not in text
    deployment = json.loads(text)["deployment"]
    assert deployment["manifest"]["version"] == "v3.274.1"
    by_type = {kind: [r for r in deployment["resources"] if r["type"] == kind] for kind in PROVIDER_CLASSES}
    assert [r["id"] for r in by_type[ACCOUNT_TYPE]] == [a["channel"] for a in release.accounts]
    assert sorted(r["id"] for r in by_type[ACCOUNT_V2_TYPE]) == [a["email"] for a in release.accounts_v2]
    for kind, resources in by_type.items():
        for resource in resources:
            pickled = base64.b64decode(resource["inputs"]["__provider"])
            assert PROVIDER_MODULE in pickled and PROVIDER_CLASSES[kind] in pickled
            assert "maxJobs" in resource["inputs"] and "max_jobs" not in resource["inputs"]
    for resource in by_type[ACCOUNT_V2_TYPE]:
        assert {"accountId", "username"} <= resource["outputs"].keys()
    providers = [r for r in deployment["resources"] if r["type"] == "pulumi:providers:pulumi-python"]
    assert [p["inputs"]["pixverse:apiUrl"] for p in providers] == [release.recorded_url]
    assert [p["outputs"]["pixverse:apiUrl"] for p in providers] == [release.recorded_url]
    assert providers[0]["inputs"]["pixverse:apiToken"][SECRET_SIG]


def test_02_stack_import_takes_the_old_state(upgraded, release, old_service, tmp_path):
    # The import decrypts the state with the fixture's passphrase (a wrong one fails it: "failed to
    # decrypt: incorrect passphrase") and keeps the fixture's salt; the stack's config has a salt of
    # its own from `stack init`, and the first refresh or update re-encrypts the state with that one.
    upgraded.cli("stack", "import", "--file", str(moved(release, old_service.url, tmp_path)))
    state = accounts_in_state(upgraded)
    assert set(state) == {a["name"] for a in release.accounts + release.accounts_v2}
    for account in release.accounts + release.accounts_v2:
        old = state[account["name"]]
        assert old["id"] == account.get("channel", account.get("email"))
        assert old["outputs"]["maxJobs"] == account["maxJobs"]


def test_03_a_plain_refresh_reads_every_account_and_changes_nothing(upgraded, release, old_service):
    # No API token in the stack's config nor the environment: the refresh runs on the provider config
    # saved in the old state (the API token and URL of that time), with the provider code of now.
    api_token = upgraded.config().get("pixverse:apiToken")  # at most the project's default, ""
    assert api_token is None or (api_token["value"] == "" and not api_token["secret"])
    before = accounts_in_state(upgraded)
    step = Step(old_service)
    assert change_summary(upgraded.refresh()) == {"same": release.resources}
    # Reads share one list call per provider process and kind: one for the refresh's preview, one
    # for itself; each with the API token of the old state, each answered.
    lists = Counter({"GET /v1/pixverse/account": 2})
    if release.accounts_v2:
        lists["GET /v2/pixverse/accounts"] = 2
    assert Counter(step.routes()) == lists
    assert [(r["authorized"], r["status"]) for r in step.requests()] == [(True, 200)] * lists.total()
    after = accounts_in_state(upgraded)
    assert {name: compared(r) for name, r in after.items()} == {
        name: compared(r) for name, r in before.items()
    }


def test_04_with_that_release_s_config_a_preview_shows_no_change(upgraded, release, old_service):
    set_release_config(upgraded, release, release.accounts)
    step = Step(old_service)
    assert change_summary(upgraded.preview("--expect-no-changes")) == {"same": release.resources}
    assert step.requests() == []


def test_05_up_with_one_max_jobs_raised_updates_that_account_in_place(upgraded, release, old_service):
    raised = release.raised()
    upgraded.set_api_token(API_TOKEN)
    set_release_config(upgraded, release, [*release.accounts[:-1], raised])
    step = Step(old_service)
    assert change_summary(upgraded.up()) == {"update": 1, "same": release.resources - 1}
    assert step.calls() == [f"POST {raised['channel']}"]
    assert step.requests()[0]["body"] == old_service.as_logged(wire(raised))
    assert old_service.accounts() == {a["channel"]: wire(a) for a in [*release.accounts[:-1], raised]}
    assert accounts_in_state(upgraded)[raised["name"]]["outputs"]["maxJobs"] == 7


def test_06_destroy_leaves_the_service_and_the_state_without_accounts(upgraded, release, old_service):
    step = Step(old_service)
    assert change_summary(upgraded.destroy()) == {"delete": release.resources}
    keys = [a["channel"] for a in release.accounts] + [a["email"] for a in release.accounts_v2]
    assert sorted(call.split(" ", 1)[1] for call in step.calls()) == sorted(
        key.replace("@", "%40") for key in keys
    )
    assert all(call.startswith("DELETE ") for call in step.calls())
    assert old_service.accounts() == {} and old_service.accounts_v2() == {}
    assert accounts_in_state(upgraded) == {}
