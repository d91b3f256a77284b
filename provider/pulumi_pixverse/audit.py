"""`python -m pulumi_pixverse audit --stack NAME [--json FILE] [--days N]`: a stack's accounts (its
state, from `pulumi stack export`) against what the service holds, with GETs only: one list per API
version, one features call per v2 account the service holds.

Findings, each once: `unmanaged` (the service holds it, the stack does not declare it), `missing`
(declared, the service has no such account), `drifted` (declared fields differ; a credential is
named, never shown), `over-plan` (a v2 maxJobs above the plan's concurrent generations), `plan-expiring`
and `session-expiring` (within N days, default 7), `no-credits` (daily, monthly and package at zero).
Printed as a table for a person, written as JSON for a pipeline (`--json`). Exit status: 0 clean,
2 findings, 1 the check could not be made (a failed `pulumi` command, or a failed call: its one line).

Run it from the project folder with the `pulumi` CLI on PATH; the API token and URL come from the
stack's config or the environment, as the provider takes them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from . import lookups
from .accounts import Service
from .adopt import read_stack_config
from .client import NotFoundError
from .client.sanitize import remember_secret
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
    (credentials decrypted in this process only, and remembered for redaction)."""
    resources = json.loads(pulumi(stack, "stack", "export", "--show-secrets"))["deployment"].get("resources")
    v1: dict[str, dict[str, Any]] = {}
    v2: dict[str, dict[str, Any]] = {}
    for resource in resources or []:
        outputs = {name: _revealed(value) for name, value in (resource.get("outputs") or {}).items()}
        if resource["type"] in V1_TYPES:
            remember_secret(outputs.get("discord"))
            v1[str(resource["id"])] = outputs
        elif resource["type"] in V2_TYPES:
            v2[str(resource["id"])] = outputs
    return v1, v2


def audit(stack: str, days: int) -> list[Finding]:
    """Every finding for `stack` (see `check`); CommandError or OperationFailed when the check
    cannot be made."""
    v1, v2 = declared_accounts(stack)
    service = Service()
    service.configure(read_stack_config(stack).get)
    return check(v1, v2, service, days)


def check(
    v1: dict[str, dict[str, Any]],
    v2: dict[str, dict[str, Any]],
    service: Service,
    days: int,
    now: datetime | None = None,
) -> list[Finding]:
    """The findings for the declared accounts `v1` (by channel) and `v2` (by email) against the
    service, in the order of the module's list; OperationFailed when a call fails."""
    with service.operation("listing", "the v1 accounts") as client:
        try:
            live = client.list_accounts()
        except NotFoundError:
            live = {}
    live_v2 = {a["email"]: a for a in lookups.accounts_v2(service)["accounts"]}
    plans = {email: lookups.features(service, email) for email in sorted(live_v2)}
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
        findings += _compared(
            f"v1 channel {channel}", declared, live.get(channel), ("server", "maxJobs", "discord")
        )
    for email, declared in sorted(v2.items()):
        findings += _compared(f"v2 {email}", declared, live_v2.get(email), ("maxJobs",))
    for email, plan in plans.items():
        account, max_jobs = f"v2 {email}", live_v2[email]["maxJobs"]
        ceiling = plan["concurrentGenerations"]
        if max_jobs > ceiling:
            detail = f"maxJobs {max_jobs} is above the plan's {ceiling} concurrent generations"
            findings.append(Finding("over-plan", account, detail))
        for kind, what, when in (
            ("plan-expiring", "the plan", plan["planExpires"]),
            ("session-expiring", "the PixVerse session", live_v2[email]["sessionExpires"]),
        ):
            moment = _moment(when)
            if moment is not None and moment <= horizon:
                findings.append(Finding(kind, account, f"{what} expires {when} (within {days} days)"))
        credits = [plan[name] for name in ("creditDaily", "creditMonthly", "creditPackage")]
        if all(credit == 0 for credit in credits if credit is not None) and any(
            c is not None for c in credits
        ):
            findings.append(Finding("no-credits", account, "daily, monthly and package credits are at zero"))
    return findings


def table(stack: str, findings: list[Finding]) -> list[str]:
    """The lines to print: a verdict, then one row per finding."""
    if not findings:
        return [f"audit of stack {stack}: clean (the service holds what the stack declares)"]
    width = max(len(f.account) for f in findings)
    rows = [f"{f.kind:<17} {f.account:<{width}}  {f.detail}" for f in findings]
    return [
        f"audit of stack {stack}: {len(findings)} finding(s)",
        f"{'KIND':<17} {'ACCOUNT':<{width}}  DETAIL",
        *rows,
    ]


def report(stack: str, days: int, findings: list[Finding]) -> str:
    """The JSON a pipeline keeps."""
    return json.dumps({"stack": stack, "days": days, "findings": [asdict(f) for f in findings]}, indent=2)


def _compared(
    name: str, declared: dict[str, Any], live: dict[str, Any] | None, fields: tuple[str, ...]
) -> list[Finding]:
    if live is None:
        return [Finding("missing", name, "declared in the stack; the service has no such account")]
    changed = []
    for field in fields:
        want, have = declared.get(field), live.get(field)
        if want is None or str(want) == str(have):
            continue
        changed.append(
            f"{field} (differs; a credential, not shown)"
            if field == "discord"
            else f"{field} (declared {want}, live {have})"
        )
    return [Finding("drifted", name, ", ".join(changed))] if changed else []


def _revealed(value: Any) -> Any:
    """A state value with its secret revealed (`--show-secrets`); None where it stays encrypted."""
    if isinstance(value, dict) and _SECRET_SIG in value:
        return json.loads(value["plaintext"]) if "plaintext" in value else None
    return value


def _moment(text: str | None) -> datetime | None:
    """An instant the service wrote (ISO 8601; UTC when no zone is given); None when unreadable."""
    try:
        moment = datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment
