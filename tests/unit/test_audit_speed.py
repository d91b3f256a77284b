"""The audit at size: the plans of the v2 accounts are read side by side (at most FEATURES_AT_ONCE at
once, each failure still its account's one `unchecked` line), against the emulator made a distant
service (every features call waits); how far it got shows on a terminal only (test_progress.py)."""

from __future__ import annotations

from urllib.parse import parse_qs

from pulumi_pixverse.client.transport import POOL_SIZE
from pulumi_pixverse.commands.audit import FEATURES_AT_ONCE, check
from test_lookups import service_for

FEATURES = "GET /v2/pixverse/features/"
ACCOUNTS = [f"user{n:02}@pixverse.example" for n in range(FEATURES_AT_ONCE + 4)]


def test_the_plans_are_read_side_by_side_up_to_the_bound_and_a_failure_stays_one_unchecked_line(emulator):
    for email in ACCOUNTS:
        emulator.seed_v2({"email": email, "password": "pw-speed", "maxJobs": 1})
    emulator.latency(routes={FEATURES: 0.5})  # one after another: 20 x 0.5 s
    emulator.fault(status=400, count=1, route=FEATURES)
    seeded = len(emulator.requests())
    emulator.in_flight(restart_peak=True)
    declared = {email: {"email": email, "maxJobs": 1} for email in ACCOUNTS}

    result = check({}, declared, service_for(emulator.url, emulator.token), days=7)

    assert emulator.in_flight()["peak"] == FEATURES_AT_ONCE <= POOL_SIZE  # overlapping, and bounded
    asked = [r for r in emulator.requests()[seeded:] if r["route"] == FEATURES]
    assert sorted(parse_qs(r["query"])["email"][0] for r in asked) == ACCOUNTS  # each once
    refused = next(parse_qs(r["query"])["email"][0] for r in asked if r["status"] == 400)
    [unchecked] = result.findings
    assert (unchecked.kind, unchecked.account) == ("unchecked", f"v2 {refused}")
    assert (
        unchecked.detail
        == f"looking up the plan of the v2 account {refused} failed: the service refused it: Injected fault"
    )
