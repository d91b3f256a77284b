"""`python -m pulumi_pixverse audit --stack NAME [--json FILE] [--days N]`: a stack's accounts (its
state, from `pulumi stack export`) against what the service holds, with GETs only: one list per API
version, one features call per v2 account the service holds.

Findings, each once: `unmanaged` (the service holds it, the stack does not declare it), `missing`
(declared, the service has no such account), `drifted` (declared fields differ; a credential is
named, never shown), `over-plan` (a v2 maxJobs above the plan's concurrent generations),
`plan-expiring` (the plan's period ends within N days, default 7, and it does not renew:
`lookups.renews`), `session-expiring` (the PixVerse session ends within N days), `no-credits` (the
balances the service sends, daily, monthly and package, all at zero), `unchecked` (an account's own
call failed: its one line; every other check still runs). A date the service leaves unset is no
date. Printed as a table for a person, written as JSON for a pipeline (`--json`). Exit status: 0
clean, 2 findings, 1 the check is incomplete or could not be made (an `unchecked` finding, a failed
`pulumi` command, or a failed list call: its one line).

Run it from the project folder with the `pulumi` CLI on PATH; the API token and URL come from the
stack's config or the environment, as the provider takes them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from ..client import NotFoundError
from ..client.sanitize import LINE_LIMIT, remember_secret, service_words
from ..client.times import instant
from ..core import lookups
from ..core.accounts import ApiAccess
from ..core.failures import OperationFailed
from ..core.fields import ACCOUNT, ACCOUNT_V2, FieldTable
from .adopt import read_stack_config
from .pulumi_cli import pulumi

V1_TYPES = ("pixverse:index:Account", "pulumi-python:dynamic/pixverse:Account")
V2_TYPES = ("pixverse:index:AccountV2", "pulumi-python:dynamic/pixverse:AccountV2")
_SECRET_SIG = "4dabf18193072939515e22adb298388d"


@dataclass(frozen=True)
class Finding:
    kind: str
    account: str
    detail: str


def declared_accounts(stack: str) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """The stack's v1 accounts by channel and v2 accounts by email, as its state holds them
    (credentials decrypted in this process only, and remembered for redaction: every kind's)."""
    resources = json.loads(pulumi(stack, "stack", "export", "--show-secrets"))["deployment"].get("resources")
    v1: dict[str, dict[str, Any]] = {}
    v2: dict[str, dict[str, Any]] = {}
    for resource in resources or []:
        outputs = {name: _revealed(value) for name, value in (resource.get("outputs") or {}).items()}
        if resource["type"] in (*V1_TYPES, *V2_TYPES):
            for name in (*ACCOUNT.credentials, *ACCOUNT_V2.credentials):
                remember_secret(outputs.get(name))
        if resource["type"] in V1_TYPES:
            v1[str(resource["id"])] = outputs
        elif resource["type"] in V2_TYPES:
            v2[str(resource["id"])] = outputs
    return v1, v2


def audit(stack: str, days: int) -> list[Finding]:
    """Every finding for `stack` (see `check`); CommandError or OperationFailed when the check
    cannot be made."""
    v1, v2 = declared_accounts(stack)
    service = ApiAccess()
    service.configure(read_stack_config(stack).get)
    return check(v1, v2, service, days)


def check(
    v1: dict[str, dict[str, Any]],
    v2: dict[str, dict[str, Any]],
    service: ApiAccess,
    days: int,
    now: datetime | None = None,
) -> list[Finding]:
    """The findings for the declared accounts `v1` (by channel) and `v2` (by email) against the
    service; OperationFailed when a list call fails. A v2 account whose features call fails is an
    `unchecked` finding, and the checks that need no plan still run for it."""
    with service.operation("listing", "the v1 accounts") as client:
        try:
            live = client.list_accounts()
        except NotFoundError:
            live = {}
    live_v2 = {a["email"]: a for a in lookups.accounts_v2(service)["accounts"]}
    plans, unchecked = {}, []
    for email in sorted(live_v2):
        try:
            plans[email] = lookups.features(service, email)
        except OperationFailed as failure:
            unchecked.append(Finding("unchecked", f"v2 {email}", str(failure)))
    horizon = (now or datetime.now(timezone.utc)) + timedelta(days=days)

    findings = [
        Finding("unmanaged", f"v1 channel {c}", "not declared in the stack")
        for c in sorted(live)
        if c not in v1
    ]
    findings += [
        Finding("unmanaged", f"v2 {e}", "not declared in the stack") for e in sorted(live_v2) if e not in v2
    ]
    for channel, declared in sorted(v1.items()):
        findings += _compared(f"v1 channel {channel}", declared, live.get(channel), ACCOUNT)
    for email, declared in sorted(v2.items()):
        findings += _compared(f"v2 {email}", declared, live_v2.get(email), ACCOUNT_V2)
    for email in sorted(live_v2):
        findings += _v2_findings(f"v2 {email}", live_v2[email], plans.get(email), horizon, days)
    return findings + unchecked


def _v2_findings(
    account: str, live: dict[str, Any], plan: dict[str, Any] | None, horizon: datetime, days: int
) -> list[Finding]:
    """What a live v2 account and its plan (None: not read) show: over-plan, plan-expiring,
    session-expiring, no-credits."""
    findings = []
    if plan is not None and plan["concurrentGenerations"] is not None:
        max_jobs, ceiling = live["maxJobs"], plan["concurrentGenerations"]
        if max_jobs > ceiling:
            detail = f"maxJobs {max_jobs} is above the plan's {ceiling} concurrent generations"
            findings.append(Finding("over-plan", account, detail))
    plan_ends = None if plan is None else _moment(plan["planExpires"])
    if plan is not None and plan_ends is not None and plan_ends <= horizon and not plan["planRenews"]:
        detail = f"the plan expires {plan['planExpires']} and does not renew (within {days} days)"
        findings.append(Finding("plan-expiring", account, detail))
    session_ends = _moment(live["sessionExpires"])
    if session_ends is not None and session_ends <= horizon:
        detail = f"the PixVerse session expires {live['sessionExpires']} (within {days} days)"
        findings.append(Finding("session-expiring", account, detail))
    credits = (
        [] if plan is None else [plan[name] for name in ("creditDaily", "creditMonthly", "creditPackage")]
    )
    if any(c is not None for c in credits) and all(c == 0 for c in credits if c is not None):
        findings.append(Finding("no-credits", account, "daily, monthly and package credits are at zero"))
    return findings


def table(stack: str, findings: list[Finding]) -> list[str]:
    """The lines to print: a verdict, then one row per finding, its account and detail (which quote the
    service and the state) each one printable line (`service_words`)."""
    if not findings:
        return [f"audit of stack {stack}: clean (the service holds what the stack declares)"]
    cells = [(f.kind, service_words(f.account), service_words(f.detail, LINE_LIMIT)) for f in findings]
    width = max(len(account) for _, account, _ in cells)
    rows = [f"{kind:<17} {account:<{width}}  {detail}" for kind, account, detail in cells]
    unchecked = sum(f.kind == "unchecked" for f in findings)
    verdict = f"incomplete, {unchecked} account(s) not checked; " if unchecked else ""
    return [
        f"audit of stack {stack}: {verdict}{len(findings)} finding(s)",
        f"{'KIND':<17} {'ACCOUNT':<{width}}  DETAIL",
        *rows,
    ]


def report(stack: str, days: int, findings: list[Finding]) -> str:
    """The JSON a pipeline keeps (`complete`: false when an account could not be checked)."""
    complete = not any(f.kind == "unchecked" for f in findings)
    return json.dumps(
        {"stack": stack, "days": days, "complete": complete, "findings": [asdict(f) for f in findings]},
        indent=2,
    )


def exit_status(findings: list[Finding]) -> int:
    """0 clean, 2 findings, 1 incomplete (an account could not be checked)."""
    if any(f.kind == "unchecked" for f in findings):
        return 1
    return 2 if findings else 0


def _compared(
    name: str, declared: dict[str, Any], live: dict[str, Any] | None, kind: FieldTable
) -> list[Finding]:
    """`missing` when the service has no such account, else `drifted` naming each field the service
    returns (the key aside) whose declared value it does not hold, credentials last and never shown."""
    if live is None:
        return [Finding("missing", name, "declared in the stack; the service has no such account")]
    fields = sorted((f for f in kind.returned if f.name != kind.key), key=lambda field: field.secret)
    changed = []
    for field in fields:
        want, have = declared.get(field.name), live.get(field.name)
        if want is None or str(want) == str(have):
            continue
        changed.append(
            f"{field.name} (differs; a credential, not shown)"
            if field.secret
            else f"{field.name} (declared {want}, live {have})"
        )
    return [Finding("drifted", name, ", ".join(changed))] if changed else []


def _revealed(value: Any) -> Any:
    """A state value with its secret revealed (`--show-secrets`); None where it stays encrypted."""
    if isinstance(value, dict) and _SECRET_SIG in value:
        return json.loads(value["plaintext"]) if "plaintext" in value else None
    return value


def _moment(text: str | None) -> datetime | None:
    """An instant as the lookups write them (ISO 8601, UTC); None for none."""
    return None if text is None else instant(text)
