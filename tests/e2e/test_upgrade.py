"""Upgrade safety: a stack made by the previous release (v1 only) keeps refreshing, updating and
destroying under this code, through plain `pulumi` commands.

The state refers to the provider by reference (`pulumi_pixverse.provider.PixverseAccountProvider`,
pickled in each account's `__provider`) and to the type `pulumi-python:dynamic/pixverse:Account`;
both must keep resolving. The steps share one stack and run in file order.

The fixture, fixtures/previous-release-v1.json, is `pulumi stack export` of a stack made with the
previous release, commit dfb7855, by CLI v3.274.1 (tools/pulumi's build) with the Python SDK it pins
(pulumi==3.272.0), from a worktree of that commit with its own virtualenv first on PATH (the
Python language host runs the `python` it finds there, as tools/setup.sh arranges for this repository):

    git -C /work/main worktree add /tmp/prev-release dfb7855
    python3 -m venv /tmp/prev-release/.venv && /tmp/prev-release/.venv/bin/pip install -e /tmp/prev-release
    ln -s ../.venv /tmp/prev-release/stacks/.venv
    /tmp/prev-release/.venv/bin/python -m pulumi_pixverse.emulator --port 18790 \\
        --token useapi-upgrade-fixture-token &
    export PATH="/tmp/prev-release/.venv/bin:<the CLI's folder>:$PATH" VIRTUAL_ENV=/tmp/prev-release/.venv
    export PULUMI_BACKEND_URL=file:///tmp/upgrade-fixture/backend PULUMI_HOME=/tmp/upgrade-fixture/pulumi-home
    export PULUMI_CONFIG_PASSPHRASE=pixverse-upgrade-fixture
    cd /tmp/prev-release && pulumi stack init upgrade
    pulumi config set pixverse:apiUrl http://127.0.0.1:18790
    printf %s useapi-upgrade-fixture-token | pulumi config set --secret pixverse:apiToken
    # for each of ACCOUNTS below, i = 0, 1, 2 (name, then server and channel with --type string,
    # maxJobs with --type int, the Discord token with --secret on stdin):
    pulumi config set --path 'pixverse:accounts[i].<field>' ...
    pulumi up --yes && pulumi stack export --file previous-release-v1.json

All values are made up: the passphrase protects only the made-up tokens below. The fixture holds them
encrypted only, as Pulumi wrote it, including the provider's config of that time (the API token and
`http://127.0.0.1:18790`), which a plain `pulumi refresh` uses: hence the fixed port and token.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from emulator_admin import EmulatorAdmin
from harness import ACCOUNT_TYPE, SECRET_SIG, StackUnderTest, Step, change_summary, wire
from pulumi_pixverse.emulator import start_in_thread

FIXTURE = Path(__file__).parent / "fixtures" / "previous-release-v1.json"
STACK = "upgrade"  # the fixture's stack: `pulumi stack import` checks the URNs name this stack
PASSPHRASE = "pixverse-upgrade-fixture"
API_TOKEN = "useapi-upgrade-fixture-token"
PORT = 18790
API_URL = f"http://127.0.0.1:{PORT}"
SERVER = "930000000000000100"
ACCOUNTS = [
    {
        "name": name,
        "discord": f"discord-upgrade-fixture-{name}",
        "server": SERVER,
        "channel": channel,
        "maxJobs": max_jobs,
    }
    for name, channel, max_jobs in (
        ("alpha", "930000000000000001", 2),
        ("beta", "930000000000000002", 5),
        ("gamma", "930000000000000003", 3),
    )
]
RAISED = {**ACCOUNTS[1], "maxJobs": 7}
# The pickle in every account's `__provider`: the class by reference, its state empty.
PROVIDER_MODULE, PROVIDER_CLASS = b"pulumi_pixverse.provider", b"PixverseAccountProvider"


@pytest.fixture(scope="module")
def old_service() -> Iterator[EmulatorAdmin]:
    """An emulator where the fixture's provider config points (fixed port and token), holding the
    accounts the fixture's state holds, seeded through the public API."""
    server = start_in_thread(port=PORT, token=API_TOKEN)
    try:
        admin = EmulatorAdmin(server.url, API_TOKEN)
        for account in ACCOUNTS:
            admin.seed(wire(account))
        yield admin
    finally:
        server.stop()


@pytest.fixture(scope="module")
def upgraded(
    pulumi_cli: str, old_service: EmulatorAdmin, tmp_path_factory: pytest.TempPathFactory
) -> StackUnderTest:
    """A fresh stack with the fixture's passphrase, into which the old state is imported."""
    stack = StackUnderTest(STACK, tmp_path_factory.mktemp(STACK), API_URL, passphrase=PASSPHRASE)
    stack.tokens.extend([API_TOKEN, *(account["discord"] for account in ACCOUNTS)])
    return stack


@pytest.fixture(autouse=True)
def no_leak_after_each_step(upgraded: StackUnderTest) -> Iterator[None]:
    yield
    upgraded.assert_no_token_leaked()


def test_01_the_fixture_is_an_old_v1_state_with_its_tokens_encrypted_only():
    text = FIXTURE.read_text()
    for token in (API_TOKEN, *(account["discord"] for account in ACCOUNTS)):
        assert token not in text
    deployment = json.loads(text)["deployment"]
    assert deployment["manifest"]["version"] == "v3.274.1"
    accounts = [r for r in deployment["resources"] if r["type"] == ACCOUNT_TYPE]
    assert [r["id"] for r in accounts] == [account["channel"] for account in ACCOUNTS]
    for resource in accounts:
        pickled = base64.b64decode(resource["inputs"]["__provider"])
        assert PROVIDER_MODULE in pickled and PROVIDER_CLASS in pickled
    providers = [r for r in deployment["resources"] if r["type"] == "pulumi:providers:pulumi-python"]
    assert providers[0]["inputs"]["pixverse:apiUrl"] == API_URL
    assert providers[0]["inputs"]["pixverse:apiToken"][SECRET_SIG]


def test_02_stack_import_takes_the_old_state(upgraded):
    # The import decrypts the state with the fixture's passphrase (a wrong one fails it: "failed to
    # decrypt: incorrect passphrase") and keeps the fixture's salt; the stack's config has a salt of
    # its own from `stack init`, and the first refresh or update re-encrypts the state with that one.
    upgraded.cli("stack", "import", "--file", str(FIXTURE))
    state = upgraded.accounts_in_state()
    assert set(state) == {"alpha", "beta", "gamma"}
    for account in ACCOUNTS:
        old = state[account["name"]]
        assert old["id"] == account["channel"]
        assert old["outputs"]["maxJobs"] == account["maxJobs"]
        assert old["outputs"]["discord"][SECRET_SIG]


def test_03_a_plain_refresh_reads_every_account_and_changes_nothing(upgraded, old_service):
    # No API token in the stack's config nor the environment: the refresh runs on the provider config
    # saved in the old state (the API token and URL of that time), with the provider code of now.
    api_token = upgraded.config().get("pixverse:apiToken")  # at most the project's default, ""
    assert api_token is None or (api_token["value"] == "" and not api_token["secret"])
    before = upgraded.accounts_in_state()
    step = Step(old_service)
    assert change_summary(upgraded.refresh()) == {"same": 4}
    # Reads share one list call per provider process: one for the refresh's preview, one for itself.
    assert step.routes() == ["GET /v1/pixverse/account"] * len(step.routes()) and len(step.routes()) <= 2
    assert all(r["authorized"] and r["status"] == 200 for r in step.requests())
    after = upgraded.accounts_in_state()
    for name, old in before.items():
        assert {k: after[name]["outputs"][k] for k in ("channel", "server", "maxJobs")} == {
            k: old["outputs"][k] for k in ("channel", "server", "maxJobs")
        }
        assert after[name]["outputs"]["discord"][SECRET_SIG]


def test_04_up_with_the_config_as_the_readme_shows_updates_one_account_in_place(upgraded, old_service):
    upgraded.set_api_token(API_TOKEN)
    upgraded.set_accounts([ACCOUNTS[0], RAISED, ACCOUNTS[2]])
    step = Step(old_service)
    assert change_summary(upgraded.up()) == {"update": 1, "same": 3}
    assert step.calls() == [f"POST {RAISED['channel']}"]
    assert step.requests()[0]["body"] == wire(RAISED)
    assert old_service.accounts() == {
        account["channel"]: wire(account) for account in (ACCOUNTS[0], RAISED, ACCOUNTS[2])
    }
    assert upgraded.accounts_in_state()["beta"]["outputs"]["maxJobs"] == 7


def test_05_destroy_leaves_the_service_and_the_state_without_accounts(upgraded, old_service):
    step = Step(old_service)
    assert change_summary(upgraded.destroy()) == {"delete": 4}
    assert sorted(step.calls()) == sorted(f"DELETE {account['channel']}" for account in ACCOUNTS)
    assert old_service.accounts() == {}
    assert upgraded.accounts_in_state() == {}
