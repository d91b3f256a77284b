"""The emulator as a distant service: every API request waits before it is answered (--latency, with
seeded jitter and per-route values), set at start or through /_emulator/latency, over real HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from emulator_admin import EmulatorAdmin
from pulumi_pixverse.emulator import EmulatorServer, start_in_thread
from pulumi_pixverse.emulator.latency import Latency

TOKEN = "latency-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LIST = "GET /v1/pixverse/account"
POST_V2 = "POST /v2/pixverse/accounts/{email}"
STARTED_WITH = {"seconds": 0.05, "jitter": 0.0, "seed": 0, "routes": {POST_V2: 0.1}}


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    started = start_in_thread(token=TOKEN, latency=Latency(0.05, routes={POST_V2: 0.1}))
    yield started
    started.stop()


@pytest.fixture
def admin(server: EmulatorServer) -> EmulatorAdmin:
    emulator = EmulatorAdmin(server.url, TOKEN)
    emulator.reset()
    return emulator


def call(admin: EmulatorAdmin, method: str, path: str, body: Any = None, timeout: float = 10) -> int:
    response = requests.request(
        method,
        f"{admin.url}{path}",
        json=body,
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=timeout,
    )
    return response.status_code


def waits(admin: EmulatorAdmin) -> list[tuple[str, float]]:
    return [(r["route"], r["latency"]) for r in admin.requests()]


def test_the_latency_it_started_with_applies_to_every_api_request_and_a_route_may_have_its_own(admin):
    assert admin.latency() == STARTED_WITH
    v2 = {"email": "slow@pixverse.example", "password": "pw", "maxJobs": 1}
    assert call(admin, "GET", "/v1/pixverse/account") == 404
    assert call(admin, "POST", "/v2/pixverse/accounts/slow%40pixverse.example", v2) == 201
    assert call(admin, "GET", "/v2/pixverse/accounts") == 200
    assert waits(admin) == [(LIST, 0.05), (POST_V2, 0.1), ("GET /v2/pixverse/accounts", 0.05)]


def test_a_client_that_waits_less_than_the_latency_gets_no_answer(admin):
    admin.latency(seconds=1.0)
    with pytest.raises(requests.exceptions.ReadTimeout):
        call(admin, "GET", "/v1/pixverse/account", timeout=0.2)
    assert [r["status"] for r in admin.wait_for_requests(1)] == [404], "answered, to no one"


def test_the_admin_surface_sets_it_until_the_next_reset(admin):
    spec = {"seconds": 0.0, "jitter": 0.0, "seed": 0, "routes": {LIST: 0.02}}
    assert admin.latency(**spec) == spec
    call(admin, "GET", "/v1/pixverse/account")
    call(admin, "GET", "/v1/pixverse/account/123456789012345678")
    assert waits(admin) == [(LIST, 0.02), ("GET /v1/pixverse/account/{channel}", 0.0)]
    admin.reset()
    assert admin.latency() == STARTED_WITH


def draws(admin: EmulatorAdmin, seed: int) -> list[float]:
    admin.reset()
    admin.latency(seconds=0.02, jitter=0.01, seed=seed)
    for _ in range(8):
        call(admin, "GET", "/v1/pixverse/account")
    return [latency for _, latency in waits(admin)]


def test_jitter_varies_each_wait_around_the_latency_and_a_seed_repeats_the_draws(admin):
    first = draws(admin, seed=11)
    assert all(0.01 <= wait <= 0.03 for wait in first)
    assert len(set(first)) == len(first)
    assert draws(admin, seed=11) == first
    assert draws(admin, seed=12) != first


def test_requests_wait_side_by_side_and_the_peak_in_flight_shows_it(admin):
    admin.latency(seconds=0.3)
    start = threading.Barrier(6)

    def one() -> None:
        start.wait()
        call(admin, "GET", "/v1/pixverse/account")

    threads = [threading.Thread(target=one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert admin.in_flight(restart_peak=True) == {"in_flight": 0, "peak": 6}
    assert admin.in_flight() == {"in_flight": 0, "peak": 0}


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ([], "body must be a JSON object"),
        ({"seconds": -1}, "seconds must be a number >= 0"),
        ({"seconds": True}, "seconds must be a number >= 0"),
        ({"jitter": "0.1"}, "jitter must be a number >= 0"),
        ({"seed": 1.5}, "seed must be an integer"),
        ({"routes": {"/v1/pixverse/account": 1}}, "routes must map route templates"),
        ({"delay": 1}, "unknown keys ['delay']"),
    ],
)
def test_a_malformed_latency_is_refused_and_changes_nothing(admin, spec, says):
    response = requests.post(f"{admin.url}/_emulator/latency", json=spec, headers=AUTH, timeout=10)
    assert response.status_code == 400
    assert response.json()["error"].startswith(f"Invalid latency: {says}")
    assert admin.latency() == STARTED_WITH


def run_emulator(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pulumi_pixverse.emulator", "--port", "0", *args],
        env={**os.environ, "USEAPI_EMULATOR_TOKEN": TOKEN},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_the_command_line_takes_latency_jitter_seed_and_route_latencies():
    process = run_emulator(
        "--latency", "0.25", "--jitter", "0.05", "--seed", "7", "--route-latency", f"{POST_V2}=2"
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split()[-1]
        shown = requests.get(f"{url}/_emulator/latency", headers=AUTH, timeout=10).json()
        assert shown == {"seconds": 0.25, "jitter": 0.05, "seed": 7, "routes": {POST_V2: 2.0}}
    finally:
        process.terminate()
        process.communicate(timeout=10)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--route-latency", "GET /v1/pixverse/account"], "expected ROUTE=SECONDS"),
        (["--route-latency", f"{POST_V2}=-2"], "expected ROUTE=SECONDS"),
        (["--latency", "-1"], "Invalid latency: seconds must be a number >= 0"),
    ],
)
def test_a_bad_latency_on_the_command_line_is_one_line_and_no_server(args, says):
    process = run_emulator(*args)
    stdout, stderr = process.communicate(timeout=10)
    assert process.returncode == 2
    assert stdout == ""
    assert says in stderr.splitlines()[-1]
