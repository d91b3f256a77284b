"""The audit's rules (`pulumi_pixverse.commands.audit.check`) against the emulator: each finding once, GETs
only (one list per version, one features call per v2 account no other stack manages), credentials
named, never shown; the accounts other stacks manage listed as such, no findings.
Through `pulumi stack export` and the CLI's exit codes: tests/e2e/test_audit.py."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from pulumi_pixverse.commands.audit import Audit, Finding, check, report, table
from pulumi_pixverse.core.failures import OperationFailed
from test_lookups import service_for

TOKEN = "discord-audit-secret-1"
V1 = {"discord": TOKEN, "server": "111111111111111111", "channel": "222222222222222222", "maxJobs": 3}
OTHER_V1 = {**V1, "discord": "discord-audit-secret-2", "channel": "333333333333333333"}
EMAIL, OTHER = "maya@pixverse.example", "noor@pixverse.example"


@pytest.fixture
def service(emulator):
    return service_for(emulator.url, emulator.token)


def test_a_pool_as_declared_is_clean_in_four_gets(emulator, service):
    emulator.seed(V1)
    emulator.seed_v2({"email": EMAIL, "password": "pw-audit", "maxJobs": 3})
    seeded = len(emulator.requests())
    assert check({V1["channel"]: V1}, {EMAIL: {"email": EMAIL, "maxJobs": 3}}, service, days=7) == Audit([])
    assert [r["route"] for r in emulator.requests()[seeded:]] == [
        "GET /v1/pixverse/account",
        "GET /v2/pixverse/accounts",
        "GET /v2/pixverse/features/",
    ]
    assert table("prod", Audit([])) == [
        "audit of stack prod: clean (the service holds what the stack declares)"
    ]


def test_each_rule_finds_its_account_once_and_never_shows_a_credential(emulator, service):
    emulator.seed({**V1, "maxJobs": 5, "discord": "discord-audit-changed"})  # drifted, token too
    emulator.seed(OTHER_V1)  # unmanaged
    emulator.seed_v2({"email": EMAIL, "password": "pw-audit", "maxJobs": 4})
    emulator.plan(OTHER, session_seconds=3600)  # before its login: a session's end never moves back
    emulator.seed_v2({"email": OTHER, "password": "pw-audit", "maxJobs": 1})
    expiry = (datetime.now(timezone.utc) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    emulator.plan(
        EMAIL, gen_simultaneously=2, credit_daily=0, credit_monthly=0, expired_date=expiry, renews=False
    )
    declared_v2 = {EMAIL: {"maxJobs": 4}, OTHER: {"maxJobs": 1}, "gone@pixverse.example": {"maxJobs": 1}}
    seeded = len(emulator.requests())
    findings = check({V1["channel"]: V1}, declared_v2, service, days=7).findings
    assert findings == [
        Finding("unmanaged", f"v1 channel {OTHER_V1['channel']}", "not declared in the stack"),
        Finding(
            "drifted",
            f"v1 channel {V1['channel']}",
            "maxJobs (declared 3, live 5), discord (differs; a credential, not shown)",
        ),
        Finding(
            "missing", "v2 gone@pixverse.example", "declared in the stack; the service has no such account"
        ),
        Finding("over-plan", f"v2 {EMAIL}", "maxJobs 4 is above the plan's 2 concurrent generations"),
        Finding(
            "plan-expiring", f"v2 {EMAIL}", f"the plan expires {expiry} and does not renew (within 7 days)"
        ),
        Finding("no-credits", f"v2 {EMAIL}", "daily, monthly and package credits are at zero"),
        Finding("session-expiring", f"v2 {OTHER}", findings[-1].detail),
    ]
    assert findings[-1].detail.startswith("the PixVerse session expires ")
    assert [f.kind for f in check({}, {}, service, days=2).findings].count(
        "plan-expiring"
    ) == 0  # 3 days away
    sent = emulator.requests()[seeded:]
    assert {r["method"] for r in sent} == {"GET"}
    assert [r["route"] for r in sent[:4]] == [
        "GET /v1/pixverse/account",
        "GET /v2/pixverse/accounts",
        "GET /v2/pixverse/features/",
        "GET /v2/pixverse/features/",
    ]
    shown = "\n".join([*table("prod", Audit(findings)), report("prod", 7, Audit(findings))])
    assert "discord-audit" not in shown and "pw-audit" not in shown
    assert shown.count("over-plan") == 2  # the table row and the JSON


def test_a_failed_call_is_the_resources_one_line(emulator, service):
    emulator.fault(status=401, count=1)
    with pytest.raises(
        OperationFailed, match="listing the v1 accounts failed: the service refused the API token"
    ):
        check({}, {}, service, days=7)


def test_an_account_another_stack_manages_is_listed_as_such_and_is_no_finding(emulator, service):
    """On a subscription several stacks share: the accounts `elsewhere` names are listed with their
    stacks, their plans are not read (their own stack's audit reads them), and an account no stack
    declares is still `unmanaged`."""
    emulator.seed(V1)
    emulator.seed(OTHER_V1)  # the other team's
    emulator.seed_v2({"email": OTHER, "password": "pw-audit", "maxJobs": 5})  # theirs, above its plan
    emulator.plan(OTHER, gen_simultaneously=1)
    emulator.seed_v2({"email": EMAIL, "password": "pw-audit", "maxJobs": 1})  # no stack's
    elsewhere = {f"v1 channel {OTHER_V1['channel']}": ["team-b"], f"v2 {OTHER}": ["team-b", "team-c"]}
    seeded = len(emulator.requests())
    result = check({V1["channel"]: V1}, {}, service, days=7, elsewhere=elsewhere)
    assert result == Audit([Finding("unmanaged", f"v2 {EMAIL}", "not declared in the stack")], elsewhere)
    features = [r for r in emulator.requests()[seeded:] if r["route"] == "GET /v2/pixverse/features/"]
    assert [r["query"] for r in features] == ["email=maya%40pixverse.example"]

    printed = table("prod", Audit(result.findings, result.elsewhere, ["team-b", "team-c"]))
    assert printed[0] == "audit of stack prod: 1 finding(s); 2 account(s) managed by other stacks"
    assert printed[2].startswith(f"unmanaged         v2 {EMAIL} ")
    assert printed[3].split() == [
        "managed",
        "elsewhere",
        "v1",
        "channel",
        OTHER_V1["channel"],
        "by",
        "stack",
        "team-b",
    ]
    assert printed[4].split() == ["managed", "elsewhere", "v2", OTHER, "by", "stacks", "team-b,", "team-c"]
    kept = json.loads(report("prod", 7, Audit([], result.elsewhere, ["team-b", "team-c"])))
    assert kept["findings"] == [] and kept["also_managed_by"] == ["team-b", "team-c"]
    assert kept["managed_elsewhere"] == [
        {"account": f"v1 channel {OTHER_V1['channel']}", "stacks": ["team-b"]},
        {"account": f"v2 {OTHER}", "stacks": ["team-b", "team-c"]},
    ]
    assert table("prod", Audit([], {f"v2 {OTHER}": ["team-b"]}))[0] == (
        "audit of stack prod: clean (the service holds what the stack declares); "
        "1 account(s) managed by other stacks"
    )
