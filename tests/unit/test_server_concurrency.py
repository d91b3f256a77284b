"""The provider process runs as many of our calls at once as the engine sends, beyond the SDK server's
4, each on a kept-alive connection of its pool; calls to other dynamic providers keep the SDK's 4, but
for one that asks for side by side too.
Through the SDK's real server (`python -u -m pulumi.dynamic`, as the engine starts it) over gRPC, with
the emulator answering each request after 0.5 s, then 2 s, so that calls overlap."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import grpc
import pytest
from another_provider import AnotherProvider
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc
from pulumi_pixverse.dynamic.provider import PixverseAccountProvider
from side_by_side_provider import SideBySideProvider

POST = "POST /v1/pixverse/account/{channel}"
LIST = "GET /v1/pixverse/account"
GET = "GET /v1/pixverse/account/{channel}"
AT_ONCE = 16
URN = "urn:pulumi:test::pixverse::pulumi-python:dynamic/pixverse:Account::account"


def struct(values: dict[str, Any]) -> Any:
    return asyncio.run(rpc.serialize_properties(values, {}))


class ProviderServer:
    """The SDK's dynamic provider server in its own process, called as the engine calls it."""

    def __init__(self, stderr: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}  # another_provider, by reference
        self._stderr = stderr.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.dynamic"],
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        assert self.process.stdout is not None
        port = int(self.process.stdout.readline())
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)

    def configure(self, config: dict[str, str]) -> None:
        self.stub.Configure(provider_pb2.ConfigureRequest(args=struct(config)))

    def create(self, props: dict[str, Any]) -> Future[Any]:
        future: Future[Any] = self.stub.Create.future(
            provider_pb2.CreateRequest(urn=URN, properties=struct(props)), timeout=60
        )
        return future

    def check(self, news: dict[str, Any]) -> Any:
        return self.stub.Check(provider_pb2.CheckRequest(urn=URN, olds=struct({}), news=struct(news)))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> Future[Any]:
        request = provider_pb2.UpdateRequest(id=id_, urn=URN, olds=struct(olds), news=struct(news))
        future: Future[Any] = self.stub.Update.future(request, timeout=60)
        return future

    def stop(self) -> None:
        self.channel.close()
        self.process.terminate()
        self.process.wait(timeout=10)
        self._stderr.close()


@pytest.fixture
def server(emulator, tmp_path) -> Iterator[ProviderServer]:
    started = ProviderServer(tmp_path / "provider-server.log")
    started.configure({"pixverse:apiToken": emulator.token, "pixverse:apiUrl": emulator.url})
    yield started
    started.stop()


def account(index: int) -> dict[str, Any]:
    return {
        "discord": f"discord-token-{index}",
        "server": "111111111111111111",
        "channel": str(444444444444444400 + index),
        "maxJobs": 3,
    }


def all_done(futures: list[Future[Any]]) -> list[Any]:
    return [future.result() for future in futures]


def test_our_calls_run_side_by_side_beyond_four_and_other_providers_keep_four(server, emulator):
    ours = serialize_provider(PixverseAccountProvider())
    assert not server.check({**account(0), "__provider": ours}).failures  # loads our provider module
    emulator.latency(seconds=0.5)

    another = serialize_provider(AnotherProvider())
    emulator.in_flight(restart_peak=True)
    mark = len(emulator.requests())
    theirs = {"url": emulator.url, "token": emulator.token, "__provider": another}
    all_done([server.create({**theirs, "name": f"thing-{i}"}) for i in range(AT_ONCE)])
    assert emulator.in_flight(restart_peak=True)["peak"] == 4, "another provider: the SDK's 4 at once"
    assert [r["route"] for r in emulator.requests()[mark:]] == [GET] * AT_ONCE

    # Our creates all wait for the one list call, then POST side by side: with 2 s a request, so that
    # they overlap on a busy machine too.
    emulator.latency(seconds=2.0)

    accounts = [account(i) for i in range(1, AT_ONCE + 1)]
    mark, connections = len(emulator.requests()), emulator.connections()
    created = all_done([server.create({**a, "__provider": ours}) for a in accounts])
    assert sorted(c.id for c in created) == sorted(a["channel"] for a in accounts)
    assert emulator.in_flight(restart_peak=True)["peak"] == AT_ONCE, "ours: as many as were sent"
    assert [r["route"] for r in emulator.requests()[mark:]] == [LIST] + [POST] * AT_ONCE
    opened = emulator.connections() - connections
    assert opened == AT_ONCE

    changed = [{**a, "maxJobs": 4} for a in accounts]
    all_done(
        [
            server.update(a["channel"], {**a, "__provider": ours}, {**c, "__provider": ours})
            for a, c in zip(accounts, changed, strict=True)
        ]
    )
    assert emulator.connections() - connections == opened, "the pool kept every connection"
    assert all(emulator.accounts()[c["channel"]] == c for c in changed)


def test_another_type_asking_after_ours_runs_side_by_side_too(server, emulator):
    """tools/bench's no-op asks in a process where our provider asked first: its calls must not keep the
    SDK's 4 (they did, and the bench's floor waited 4 requests at a time)."""
    ours = serialize_provider(PixverseAccountProvider())
    assert not server.check({**account(0), "__provider": ours}).failures  # ours asks first
    emulator.latency(seconds=0.5)
    emulator.in_flight(restart_peak=True)
    mark = len(emulator.requests())
    theirs = {
        "url": emulator.url,
        "token": emulator.token,
        "__provider": serialize_provider(SideBySideProvider()),
    }
    all_done([server.create({**theirs, "name": f"thing-{i}"}) for i in range(AT_ONCE)])
    assert emulator.in_flight(restart_peak=True)["peak"] == AT_ONCE
    assert [r["route"] for r in emulator.requests()[mark:]] == [GET] * AT_ONCE
