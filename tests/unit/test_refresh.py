"""Refresh in one request: the reads of a provider process share one list call, made stale for an
account by a write of that account in that process. The providers' methods called directly, against
the emulator over loopback."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from pulumi.dynamic import ReadResult
from pulumi_pixverse.core.failures import OperationFailed
from pulumi_pixverse.dynamic.provider import PixverseAccountProvider

LIST = "GET /v1/pixverse/account"
LIST_V2 = "GET /v2/pixverse/accounts"
SERVER = "111111111111111111"


def v1(index: int, max_jobs: int = 3) -> dict[str, Any]:
    return {
        "discord": f"discord-token-{index}",
        "server": SERVER,
        "channel": str(222222222222222200 + index),
        "maxJobs": max_jobs,
    }


def v2(index: int, max_jobs: int = 3) -> dict[str, Any]:
    return {"email": f"render+{index}@pixverse.example", "password": f"pw-{index}", "maxJobs": max_jobs}


class Since:
    """The API requests since this mark (seeding goes through the public API too)."""

    def __init__(self, emulator: Any) -> None:
        self.emulator = emulator
        self.mark = len(emulator.requests())

    def routes(self) -> list[str]:
        return [r["route"] for r in self.emulator.requests()[self.mark :]]

    def statuses(self) -> list[int]:
        return [r["status"] for r in self.emulator.requests()[self.mark :]]


def v1_read(account: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """What a read of a live v1 account returns, as before this change: the live fields as outputs
    and as inputs."""
    return account["channel"], account, account


def result(read: ReadResult) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
    return read.id, read.outs, read.inputs


# v1 -------------------------------------------------------------------------------------------


def test_a_refresh_of_many_accounts_is_one_list_call_and_reads_each_as_before(provider, emulator):
    accounts = [v1(i) for i in range(12)]
    for account in accounts:
        emulator.seed(account)
    sent = Since(emulator)
    results = [provider.read(a["channel"], {**a, "__provider": "x"}) for a in accounts]
    assert [result(r) for r in results] == [v1_read(a) for a in accounts]
    assert sent.routes() == [LIST]


def test_accounts_gone_behind_pulumis_back_read_as_gone_from_the_same_call(provider, emulator):
    kept, gone = v1(1), v1(2)
    emulator.seed(kept)
    sent = Since(emulator)
    assert result(provider.read(gone["channel"], gone)) == ("", {}, None)
    assert result(provider.read(kept["channel"], kept)) == v1_read(kept)
    assert sent.routes() == [LIST]


def test_drift_shows_the_live_values_as_outputs_and_inputs(provider, emulator):
    declared = v1(1)
    drifted = {**declared, "maxJobs": 9, "server": "333333333333333333"}
    emulator.seed(drifted)
    read = provider.read(declared["channel"], declared)
    assert result(read) == v1_read(drifted)


def test_an_empty_service_answers_the_list_with_404_and_every_account_reads_as_gone(provider, emulator):
    sent = Since(emulator)
    for index in range(5):
        assert not provider.read(v1(index)["channel"], v1(index)).id
    assert sent.routes() == [LIST]
    assert sent.statuses() == [404]


def test_a_transient_failure_of_the_list_call_is_retried(provider, emulator):
    account = v1(1)
    emulator.seed(account)
    emulator.fault(status=503, count=1, route=LIST)
    sent = Since(emulator)
    assert result(provider.read(account["channel"], account)) == v1_read(account)
    assert result(provider.read(v1(2)["channel"], v1(2))) == ("", {}, None)
    assert sent.routes() == [LIST, LIST]
    assert sent.statuses() == [503, 200]


def test_exhausted_retries_of_the_list_call_are_one_line_naming_the_account_and_are_not_kept(
    provider, emulator
):
    account = v1(1)
    emulator.seed(account)
    emulator.fault(status=503, count=3, route=LIST)
    sent = Since(emulator)
    with pytest.raises(OperationFailed) as failed:
        provider.read(account["channel"], account)
    message = str(failed.value)
    assert message.startswith(
        f"reading the account on channel {account['channel']} failed: GET /v1/pixverse/account: "
    )
    assert "last cause HTTP 503" in message and "run the command again later" in message
    assert "\n" not in message and emulator.token not in message
    assert sent.routes() == [LIST] * 3
    # The failure is not kept: the next read asks again, and the service answers now.
    assert result(provider.read(account["channel"], account)) == v1_read(account)
    assert sent.routes() == [LIST] * 4


@pytest.mark.parametrize(
    "write",
    [
        lambda p, a: p.create({**a, "maxJobs": 5}),
        lambda p, a: p.update(a["channel"], a, {**a, "maxJobs": 5}),
    ],
    ids=["create", "update"],
)
def test_a_write_makes_the_kept_list_stale(configure, emulator, write):
    """The create writes over a live account that differs: allowed by pixverse:allowOverwrite (issue 25)."""
    config = {
        "pixverse:apiToken": emulator.token,
        "pixverse:apiUrl": emulator.url,
        "pixverse:allowOverwrite": "true",
    }
    provider = configure(PixverseAccountProvider(), config)
    account = v1(1)
    emulator.seed(account)
    assert provider.read(account["channel"], account).outs["maxJobs"] == 3
    write(provider, account)
    sent = Since(emulator)
    assert provider.read(account["channel"], account).outs["maxJobs"] == 5
    assert sent.routes() == [LIST]


def test_a_delete_makes_the_kept_list_stale(provider, emulator):
    account, other = v1(1), v1(2)
    emulator.seed(account)
    emulator.seed(other)
    assert provider.read(account["channel"], account).id
    provider.delete(account["channel"], account)
    sent = Since(emulator)
    assert not provider.read(account["channel"], account).id
    assert provider.read(other["channel"], other).id
    assert sent.routes() == [LIST]


def test_a_write_leaves_the_kept_list_current_for_the_other_accounts(provider, emulator):
    account, other = v1(1), v1(2)
    emulator.seed(account)
    emulator.seed(other)
    provider.read(account["channel"], account)
    provider.update(account["channel"], account, {**account, "maxJobs": 5})
    sent = Since(emulator)
    assert result(provider.read(other["channel"], other)) == v1_read(other)
    assert sent.routes() == []


def test_a_failed_write_makes_the_kept_list_stale_too(provider, emulator):
    account = v1(1)
    emulator.seed(account)
    provider.read(account["channel"], account)
    emulator.fault(status=503, count=3, route="POST /v1/pixverse/account/{channel}")
    with pytest.raises(OperationFailed):
        provider.update(account["channel"], account, {**account, "maxJobs": 5})
    sent = Since(emulator)
    provider.read(account["channel"], account)
    assert sent.routes() == [LIST]


def test_another_process_has_its_own_list(emulator, configure):
    account = v1(1)
    emulator.seed(account)
    first, second = (
        configure(PixverseAccountProvider()),
        configure(PixverseAccountProvider()),
    )
    sent = Since(emulator)
    first.read(account["channel"], account)
    second.read(account["channel"], account)
    assert sent.routes() == [LIST, LIST]


def run_at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads that start together (as the provider server's 4 workers do); each
    call's result, or the exception it raised."""
    start = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = calls[index]()
        except Exception as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_concurrent_reads_share_one_list_call_in_flight(provider, emulator):
    accounts = [v1(i) for i in range(8)]
    for account in accounts:
        emulator.seed(account)
    emulator.fault(delay=0.3, count=1, route=LIST)  # the first call is slow: the others come meanwhile
    sent = Since(emulator)
    results = run_at_once([lambda a=a: provider.read(a["channel"], a) for a in accounts])
    assert [result(r) for r in results] == [v1_read(a) for a in accounts]
    assert sent.routes() == [LIST]


def test_concurrent_reads_share_the_failure_of_the_call_they_waited_for(provider, emulator):
    accounts = [v1(i) for i in range(4)]
    emulator.fault(status=503, count=3, delay=0.1, route=LIST)
    sent = Since(emulator)
    results = run_at_once([lambda a=a: provider.read(a["channel"], a) for a in accounts])
    assert all(isinstance(r, OperationFailed) for r in results), results
    assert [str(r).split(" failed:")[0] for r in results] == [
        f"reading the account on channel {a['channel']}" for a in accounts
    ]
    assert sent.routes() == [LIST] * 3


# v2 -------------------------------------------------------------------------------------------


def test_v2_a_refresh_is_one_list_call_and_reads_each_as_before(provider_v2, emulator):
    accounts = [v2(i) for i in range(6)]
    shown = {a["email"]: emulator.seed_v2(a) for a in accounts}
    sent = Since(emulator)
    for account in accounts:
        read = provider_v2.read(account["email"], {**account, "accountId": 1, "username": "x"})
        session = shown[account["email"]]["jwt"]
        assert read.id == account["email"]
        assert read.inputs == account
        assert read.outs == {**account, "accountId": session["AccountId"], "username": session["Username"]}
    assert sent.routes() == [LIST_V2]


def test_v2_gone_drift_and_an_empty_service(provider_v2, emulator):
    kept, gone = v2(1), v2(2)
    sent = Since(emulator)
    assert not provider_v2.read(kept["email"], kept).id  # nothing configured: the list answers 404
    assert sent.statuses() == [404]
    emulator.seed_v2({**kept, "maxJobs": 7})
    provider_v2.create(gone)  # a write: the kept (empty) list is stale for this account
    emulator.remove_v2(gone["email"])
    sent = Since(emulator)
    assert result(provider_v2.read(gone["email"], gone)) == ("", {}, None)
    assert provider_v2.read(kept["email"], kept).inputs == {**kept, "maxJobs": 7}  # from the new list
    assert sent.routes() == [LIST_V2]


def test_v2_exhausted_retries_of_the_list_call_are_one_line(provider_v2, emulator):
    account = v2(1)
    emulator.fault(status=503, count=3, route=LIST_V2)
    with pytest.raises(OperationFailed) as failed:
        provider_v2.read(account["email"], account)
    assert str(failed.value).startswith(
        f"reading the v2 account {account['email']} failed: GET /v2/pixverse/accounts: "
    )
    assert "\n" not in str(failed.value) and account["password"] not in str(failed.value)


def test_v2_a_write_makes_the_kept_list_stale(provider_v2, emulator):
    account = v2(1)
    emulator.seed_v2(account)
    assert provider_v2.read(account["email"], account).outs["maxJobs"] == 3
    provider_v2.update(account["email"], account, {**account, "maxJobs": 6})
    assert provider_v2.read(account["email"], account).outs["maxJobs"] == 6
    provider_v2.delete(account["email"], account)
    assert not provider_v2.read(account["email"], account).id


def test_v2_concurrent_reads_share_one_list_call(provider_v2, emulator):
    accounts = [v2(i) for i in range(4)]
    for account in accounts:
        emulator.seed_v2(account)
    emulator.fault(delay=0.3, count=1, route=LIST_V2)
    sent = Since(emulator)
    results = run_at_once([lambda a=a: provider_v2.read(a["email"], a) for a in accounts])
    assert [r.inputs for r in results] == accounts
    assert sent.routes() == [LIST_V2]
