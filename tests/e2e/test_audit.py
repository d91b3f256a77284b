"""`python -m pulumi_pixverse audit` on a stack of 3 declared accounts (2 v1, 1 v2), through plain
`pulumi` commands: with 1 unmanaged account, 1 drifted and the v2 account above its plan it prints
each finding once and exits 2, sending only GETs; once they are fixed as a user fixes them (adopt the
unmanaged one, `pulumi up --refresh` for the drift, a lower maxJobs) it exits 0."""

from __future__ import annotations

import json
import sys
from urllib.parse import parse_qs

import pytest
from harness import StackUnderTest, Step, change_summary, new_discord_token, new_stack

V1 = [
    {
        "name": f"studio-{n}",
        "discord": new_discord_token(),
        "server": "950000000000000001",
        "channel": f"95000000000000001{n}",
        "maxJobs": 2,
    }
    for n in (1, 2)
]
V2 = [{"name": "creator", "email": "creator@audit.example", "password": "pw-audit-e2e-9c1d", "maxJobs": 4}]
STRAY = {
    "discord": new_discord_token(),
    "server": "950000000000000001",
    "channel": "950000000000000019",
    "maxJobs": 1,
}


@pytest.fixture(scope="module")
def stack(pulumi_cli, service, api_token, tmp_path_factory) -> StackUnderTest:
    under_test = new_stack("audit", service, tmp_path_factory)
    under_test.set_api_token(api_token)
    under_test.tokens.append(STRAY["discord"])
    under_test.set_accounts(V1)
    under_test.set_accounts(V2, "pixverse:accountsV2")
    yield under_test
    under_test.destroy()


def audit(stack: StackUnderTest) -> tuple[int, str, dict]:
    report = stack.work_dir / "audit.json"
    done = stack.run(
        [sys.executable, "-m", "pulumi_pixverse", "audit", "--stack", stack.name, "--json", str(report)]
    )
    stack.transcript.append(report.read_text())
    return done.returncode, done.stdout + done.stderr, json.loads(report.read_text())


def test_the_findings_each_once_then_clean_once_fixed(stack, service):
    assert change_summary(stack.up())["create"] == 4  # the stack and its 3 accounts
    service.seed(STRAY)  # added in the dashboard
    service.seed({**{k: V1[1][k] for k in ("discord", "server", "channel")}, "maxJobs": 5})  # changed there
    service.plan(V2[0]["email"], gen_simultaneously=2)

    step = Step(service)
    status, printed, report = audit(stack)
    assert status == 2, printed
    print(printed)  # the closing note's record of what a person reads
    kinds = [(f["kind"], f["account"]) for f in report["findings"]]
    assert kinds == [
        ("unmanaged", f"v1 channel {STRAY['channel']}"),
        ("drifted", f"v1 channel {V1[1]['channel']}"),
        ("over-plan", f"v2 {V2[0]['email']}"),
    ]
    for kind, account in kinds:
        assert printed.count(account) == 1 and printed.count(kind) == 1, printed
    assert "maxJobs (declared 2, live 5)" in printed
    assert step.routes() == [
        "GET /v1/pixverse/account",
        "GET /v2/pixverse/accounts",
        "GET /v2/pixverse/features/",
    ]
    stack.assert_no_token_leaked()

    adopted = stack.run([sys.executable, "-m", "pulumi_pixverse", "adopt", "--stack", stack.name])
    assert adopted.returncode == 0, adopted.stderr
    stack.set_accounts([*V1, {**STRAY, "name": "stray"}])  # adopt's entry, rewritten with its name
    stack.set_accounts([{**V2[0], "maxJobs": 2}], "pixverse:accountsV2")
    stack.up("--refresh")
    step = Step(service)
    status, printed, report = audit(stack)
    assert (status, report["findings"]) == (0, []), printed
    assert "clean" in printed and {r["method"] for r in step.requests()} == {"GET"}
    stack.assert_no_token_leaked()


def test_a_plan_that_cannot_be_read_is_its_own_finding_and_every_other_one_still_prints(stack, service):
    """One v2 account's features call refused (the plans are read side by side: whichever call comes
    first, the request log says which): the audit prints that account as `unchecked` beside every
    other finding, and exits 1 (incomplete)."""
    stray = {"email": "a-stray@audit.example", "password": "pw-audit-stray-51e", "maxJobs": 2}
    service.seed_v2(stray)
    service.fault(status=400, count=1, route="GET /v2/pixverse/features/")
    for email in (stray["email"], V2[0]["email"]):  # each above its plan: the one read says so
        service.plan(email, gen_simultaneously=1)
    stack.tokens.append(stray["password"])
    step = Step(service)
    status, printed, report = audit(stack)
    assert status == 1, printed
    [refused] = [parse_qs(r["query"])["email"][0] for r in step.requests() if r["status"] == 400]
    [answered] = {stray["email"], V2[0]["email"]} - {refused}
    assert [(f["kind"], f["account"]) for f in report["findings"]] == [
        ("unmanaged", f"v2 {stray['email']}"),
        ("over-plan", f"v2 {answered}"),
        ("unchecked", f"v2 {refused}"),
    ]
    assert report["complete"] is False
    assert f"audit of stack {stack.name}: incomplete, 1 account(s) not checked; 3 finding(s)" in printed
    assert f"looking up the plan of the v2 account {refused} failed: the service refused it" in printed
    stack.assert_no_token_leaked()
