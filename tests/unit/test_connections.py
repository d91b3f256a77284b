"""One connection pool per provider process: operations reuse kept-alive connections, also when the
provider server runs calls at once (test_server_concurrency.py: through the real server), and v1 and v2
accounts with the same settings share it."""

from __future__ import annotations

import base64
import threading
from typing import Any

import dill
import pytest
from misbehaving import Reply
from pulumi.dynamic.dynamic import serialize_provider
from pulumi_pixverse.client import ClientSettings, RetriesExhaustedError
from pulumi_pixverse.client.transport import POOL_SIZE, shared_transport
from pulumi_pixverse.dynamic.concurrency import CALLS_AT_ONCE
from pulumi_pixverse.dynamic.provider import PixverseAccountProvider, PixverseAccountV2Provider

SERVER = "111111111111111111"


def v1(index: int) -> dict[str, Any]:
    return {
        "discord": f"discord-token-{index}",
        "server": SERVER,
        "channel": str(333333333333333300 + index),
        "maxJobs": 3,
    }


def v2(index: int) -> dict[str, Any]:
    return {"email": f"pool+{index}@pixverse.example", "password": f"pw-{index}", "maxJobs": 3}


def test_every_operation_of_a_process_goes_over_one_kept_alive_connection(emulator, configure):
    provider = configure(PixverseAccountProvider())
    for index in range(5):
        account = v1(index)
        provider.create(account)
        provider.read(account["channel"], account)
        provider.update(account["channel"], account, {**account, "maxJobs": 4})
        provider.delete(account["channel"], account)
    # the list (once: its answer holds for each new account), then POST, the list again (the account
    # was written since), POST, DELETE for each account
    assert len(emulator.requests()) == 1 + 5 * 4
    assert emulator.connections() == 1


def test_v1_and_v2_accounts_share_the_process_pool(emulator, configure):
    first = configure(PixverseAccountProvider())
    second = configure(PixverseAccountV2Provider())
    first.create(v1(1))
    second.create(v2(1))
    first.delete(v1(1)["channel"], v1(1))
    second.delete(v2(1)["email"], v2(1))
    assert emulator.connections() == 1


def test_four_calls_at_once_each_get_a_connection_and_later_calls_reuse_them(emulator, configure):
    provider = configure(PixverseAccountProvider())
    accounts = [v1(i) for i in range(4)]
    emulator.fault(delay=0.2, count=4, route="POST /v1/pixverse/account/{channel}")  # overlap for sure
    start = threading.Barrier(len(accounts))
    failures: list[BaseException] = []

    def create(account: dict[str, Any]) -> None:
        start.wait()
        try:
            provider.create(account)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=create, args=(a,)) for a in accounts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert set(emulator.accounts()) == {a["channel"] for a in accounts}
    opened = emulator.connections()
    assert 1 <= opened <= 4
    for account in accounts:
        provider.update(account["channel"], account, {**account, "maxJobs": 5})
    assert emulator.connections() == opened, "later calls reuse the pooled connections"


def test_the_pool_keeps_as_many_connections_as_the_server_runs_calls():
    assert POOL_SIZE == CALLS_AT_ONCE


def test_one_transport_per_settings_in_a_process():
    settings = ClientSettings(token="t", base_url="http://127.0.0.1:9")
    assert shared_transport(settings) is shared_transport(
        ClientSettings(token="t", base_url="http://127.0.0.1:9")
    )
    assert shared_transport(settings) is not shared_transport(
        ClientSettings(token="u", base_url="http://127.0.0.1:9")
    )


def test_the_client_is_built_on_first_use_after_configure_and_never_pickled(emulator, configure):
    provider = configure(PixverseAccountProvider())
    assert provider._service.client is None, "configure builds no client"
    provider.read(v1(1)["channel"], v1(1))
    assert provider._service.client is not None
    assert emulator.token.encode() not in base64.b64decode(serialize_provider(provider))
    loaded = dill.loads(base64.b64decode(serialize_provider(provider)))
    assert loaded._service.client is None and loaded._service.settings is None
    configure(loaded).create(v1(2))  # as the provider process does with a state's provider
    assert v1(2)["channel"] in emulator.accounts()


# The environment, read once per transport --------------------------------------------------------


def client_of(url: str, token: str) -> Any:
    from pulumi_pixverse.client import PixverseClient

    return PixverseClient(ClientSettings(token=token, base_url=url, max_retries=0))


def test_proxy_variables_are_honoured_for_https(serve, monkeypatch):
    # The proxy refuses the tunnel; what matters is that it was asked for one, and never saw the token.
    proxy = serve(lambda received: Reply(403, "proxy: forbidden"))
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with pytest.raises(RetriesExhaustedError):
        client_of("https://api.useapi.example", "token-for-the-proxy-test").upsert_account(v1(1))
    assert [(r.method, r.path) for r in proxy.received] == [("CONNECT", "api.useapi.example:443")]
    assert "token-for-the-proxy-test" not in str(proxy.received)


def test_no_proxy_is_honoured(serve, monkeypatch):
    proxy = serve(lambda received: Reply(403, "proxy: forbidden"))
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with pytest.raises(RetriesExhaustedError, match="Connection refused"):
        client_of("https://127.0.0.1:9", "token-for-the-proxy-test").upsert_account(v1(2))
    assert proxy.received == []


def test_a_netrc_entry_never_replaces_the_bearer_token(emulator, monkeypatch, tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password something\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    client_of(emulator.url, emulator.token).upsert_account(v1(3))
    assert emulator.requests()[-1]["authorized"] is True


def test_a_ca_bundle_variable_is_used_for_tls(emulator, monkeypatch, tmp_path):
    from pulumi_pixverse.client.transport import Transport

    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    assert Transport(ClientSettings(token="t"))._session.verify == str(bundle)
