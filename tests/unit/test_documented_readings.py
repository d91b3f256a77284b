"""What the pages leave open, read the documented way (docs/contributing/contract.md, interpretations): the
session's end from `ExpireTimeUTC` (a bare `ExpireTime` told apart by its size), instants with `Z` on
every Python the package supports, a value that cannot be read left empty with a warning, and the
audit on the documented meaning of a plan's dates and of a call that fails for one account."""

from __future__ import annotations

import ast
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from misbehaving import Received, Reply, api_error
from pulumi_pixverse.client.times import elapsed_seconds, epoch_instant, instant, iso
from pulumi_pixverse.commands import audit
from pulumi_pixverse.core import lookups
from test_documented_answers import CONTRACT, examples
from test_lookups import service_for

PACKAGE = Path(__file__).parents[2] / "provider" / "pulumi_pixverse"
EMAIL, OTHER = "creator@studio.example", "second@studio.example"
(_, FEATURES), *_ = examples("v2-get-pixverse-features")[-1:]
(_, ACCOUNT), *_ = examples("v2-get-pixverse-accounts-email")
JUNE_FEATURES = json.loads((CONTRACT / "v2-get-pixverse-features.json").read_text())["revisions"][-1][
    "responses"
][0]["json"]


def v2_service(serve: Any, accounts: dict[str, Any], plans: dict[str, Reply]) -> Any:
    """A loopback service holding the v2 `accounts` (no v1 account) whose features call answers
    `plans[email]`."""

    def answer(request: Received) -> Reply:
        if request.path == "/v1/pixverse/account":
            return Reply(
                404, "Configuration not found. To create configuration use pixverse/account/channel."
            )
        if request.path == "/v2/pixverse/accounts":
            return Reply(200, accounts)
        email = request.path.partition("?email=")[2].replace("%40", "@")
        return plans[email]

    return service_for(serve(answer).url, "token-documented-readings")


def account(email: str, **session: Any) -> dict[str, Any]:
    """The documented account record for `email`, its `jwt` changed as given (None removes a key)."""
    jwt = {key: value for key, value in {**ACCOUNT["jwt"], **session}.items() if value is not None}
    return {**ACCOUNT, "email": email, "jwt": jwt}


# --- instants and the session's end ----------------------------------------------------------------


def test_every_documented_instant_parses_to_its_moment():
    documented = {
        "2026-07-23T00:48:50Z": datetime(2026, 7, 23, 0, 48, 50, tzinfo=timezone.utc),
        "2025-01-01T12:13:14.000Z": datetime(2025, 1, 1, 12, 13, 14, tzinfo=timezone.utc),
        "2024-09-25T01:55:16.128Z": datetime(2024, 9, 25, 1, 55, 16, 128000, tzinfo=timezone.utc),
        "2026-06-25T00:00:00Z": datetime(2026, 6, 25, tzinfo=timezone.utc),
        "2026-07-23T02:48:50+02:00": datetime(2026, 7, 23, 0, 48, 50, tzinfo=timezone.utc),
    }
    for text, moment in documented.items():
        assert instant(text) == moment, text
    assert instant("0001-01-01T00:00:00Z") is None  # how the service writes a date it has not set
    assert iso(instant("2024-09-25T01:55:16.128Z")) == "2024-09-25T01:55:16.128Z"
    assert (elapsed_seconds("03:57"), elapsed_seconds("00:35"), elapsed_seconds("1:02:03")) == (237, 35, 3723)
    for wrong in ("soon", "2026-13-01T00:00:00Z", 1735000000, ""):
        with pytest.raises(ValueError):
            instant(wrong)


def test_no_module_parses_instants_with_fromisoformat():
    """Before Python 3.11, `datetime.fromisoformat` refuses the trailing `Z` the pages write; the
    package declares 3.10, so every instant goes through `client.times`."""
    callers = [
        f"{path.relative_to(PACKAGE)}:{node.lineno}"
        for path in PACKAGE.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute) and node.attr == "fromisoformat"
    ]
    assert callers == []


def test_expire_time_is_read_in_seconds_or_milliseconds_by_its_size():
    assert epoch_instant(1_785_000_000) == epoch_instant(1_785_000_000_000)
    assert iso(epoch_instant(1_785_000_000_000)) == "2026-07-25T17:20:00Z"


@pytest.mark.parametrize(
    "session, expires",
    [
        ({}, "2025-01-01T12:13:14Z"),  # the page's record: ExpireTimeUTC, never its ExpireTime 123456789
        ({"ExpireTimeUTC": None, "ExpireTime": 1_785_000_000_000}, "2026-07-25T17:20:00Z"),  # milliseconds
        ({"ExpireTimeUTC": None, "ExpireTime": 1_785_000_000}, "2026-07-25T17:20:00Z"),  # seconds
        ({"ExpireTimeUTC": "soon", "ExpireTime": 1_785_000_000}, "2026-07-25T17:20:00Z"),
        ({"ExpireTimeUTC": None, "ExpireTime": None}, None),
    ],
)
def test_the_session_end_from_the_documented_fields(serve, session, expires, capsys):
    service = v2_service(serve, {EMAIL: account(EMAIL, **session)}, {})
    (read,) = lookups.accounts_v2(service)["accounts"]
    assert read["sessionExpires"] == expires
    assert "warning" not in capsys.readouterr().err


def test_a_session_end_that_cannot_be_read_is_empty_with_a_warning_and_the_audit_still_runs(serve, capsys):
    accounts = {EMAIL: account(EMAIL, ExpireTimeUTC=None, ExpireTime=10**30)}
    service = v2_service(serve, accounts, {EMAIL: Reply(200, FEATURES)})
    (read,) = lookups.accounts_v2(service)["accounts"]
    assert read["sessionExpires"] is None
    warning = capsys.readouterr().err
    assert f"warning: the v2 account {EMAIL}: the service's answer has an int, not a timestamp" in warning
    assert "it is left empty" in warning and warning.count("\n") == 1
    assert audit.check({}, {EMAIL: {"maxJobs": 3}}, service, days=7).findings == []


def test_a_features_value_that_cannot_be_read_is_empty_with_a_warning(serve, capsys):
    plan = {**FEATURES, "expired_date": "next month", "gen_simultaneously": "many"}
    service = v2_service(serve, {EMAIL: account(EMAIL)}, {EMAIL: Reply(200, plan)})
    read = lookups.features(service, EMAIL)
    assert (read["planExpires"], read["concurrentGenerations"], read["planRenews"]) == (None, None, False)
    assert read["creditMonthly"] == FEATURES["credit_monthly"]
    warnings = capsys.readouterr().err.splitlines()
    assert len(warnings) == 2 and all("it is left empty" in line for line in warnings)
    assert "`expired_date`" in warnings[1] and "`gen_simultaneously`" in warnings[0]


# --- the audit on the documented meaning ----------------------------------------------------------


def live(email: str) -> dict[str, Any]:
    """The documented account record for `email`, its session ending long after the audit's horizon."""
    return account(email, ExpireTimeUTC="2099-01-01T00:00:00.000Z")


def three_days_before(date: str) -> datetime:
    moment = instant(date)
    assert moment is not None
    return moment - timedelta(days=3)


@pytest.mark.parametrize("plan", [FEATURES, JUNE_FEATURES], ids=["2024-12-06", "2026-06-24"])
def test_a_plan_that_renews_is_not_expiring_three_days_before_its_renewal(serve, plan):
    service = v2_service(serve, {EMAIL: live(EMAIL)}, {EMAIL: Reply(200, plan)})
    now = three_days_before(plan["billing_renewal_date"])
    findings = audit.check({}, {EMAIL: {"maxJobs": 3}}, service, days=7, now=now).findings
    assert "plan-expiring" not in [f.kind for f in findings]


def test_a_plan_that_does_not_renew_is_expiring_and_an_unset_date_is_no_date(serve):
    ending = {**FEATURES, "payment": 0, "next_plan_name": "", "billing_renewal_date": "0001-01-01T00:00:00Z"}
    unset = {**ending, "expired_date": "0001-01-01T00:00:00Z"}
    plans = {EMAIL: Reply(200, ending), OTHER: Reply(200, unset)}
    service = v2_service(serve, {EMAIL: live(EMAIL), OTHER: live(OTHER)}, plans)
    now = three_days_before(FEATURES["expired_date"])
    findings = audit.check(
        {}, {EMAIL: {"maxJobs": 3}, OTHER: {"maxJobs": 3}}, service, days=7, now=now
    ).findings
    assert [(f.kind, f.account, f.detail) for f in findings] == [
        (
            "plan-expiring",
            f"v2 {EMAIL}",
            f"the plan expires {FEATURES['expired_date']} and does not renew (within 7 days)",
        )
    ]


def test_one_failing_features_call_is_its_own_finding_and_every_other_check_still_runs(serve):
    over = {**FEATURES, "gen_simultaneously": 1}
    plans = {EMAIL: api_error(400, "PixVerse is not answering"), OTHER: Reply(200, over)}
    accounts = {EMAIL: live(EMAIL), OTHER: live(OTHER), "stray@studio.example": live("stray@studio.example")}
    plans["stray@studio.example"] = Reply(200, FEATURES)
    service = v2_service(serve, accounts, plans)
    findings = audit.check({}, {EMAIL: {"maxJobs": 5}, OTHER: {"maxJobs": 3}}, service, days=7).findings
    assert [(f.kind, f.account) for f in findings] == [
        ("unmanaged", "v2 stray@studio.example"),
        ("drifted", f"v2 {EMAIL}"),
        ("over-plan", f"v2 {OTHER}"),
        ("unchecked", f"v2 {EMAIL}"),
    ]
    assert findings[-1].detail == (
        f"looking up the plan of the v2 account {EMAIL} failed: the service refused it: "
        "PixVerse is not answering"
    )
    assert audit.exit_status(findings) == 1
    assert (
        audit.table("prod", audit.Audit(findings))[0]
        == "audit of stack prod: incomplete, 1 account(s) not checked; 4 finding(s)"
    )
    assert json.loads(audit.report("prod", 7, audit.Audit(findings)))["complete"] is False
