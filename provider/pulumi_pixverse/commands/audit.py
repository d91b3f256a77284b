"""`python -m pulumi_pixverse audit --stack NAME [--also-managed-by STACK]... [--all-stacks] [--json FILE]
[--days N]`: a stack's accounts (its state, from `pulumi stack export`) against what the service holds,
with GETs only: one list per API version, one features call per v2 account the service holds that no
other stack manages, up to FEATURES_AT_ONCE at once.

A subscription shared by several stacks: the accounts that another stack's state holds (each stack
named by `--also-managed-by`, or every other stack of the project with `--all-stacks`: `pulumi stack
ls --json`) are `managed elsewhere`, listed with the stacks that hold them, and are no finding of this
one (their own stack's audit checks them). Another stack's state is read for its resources' types and
ids only: `pulumi stack export` without `--show-secrets`, which decrypts nothing, so that stack's
passphrase or secrets provider is not needed, only read access to the backend.

Findings, each once: `unmanaged` (the service holds it, the stack does not declare it), `missing`
(declared, the service has no such account), `drifted` (declared fields differ; a credential is
named, never shown), `over-plan` (a v2 maxJobs above the plan's concurrent generations),
`plan-expiring` (the plan's period ends within N days, default 7, and it does not renew:
`lookups.renews`), `session-expiring` (the PixVerse session ends within N days), `no-credits` (the
balances the service sends, daily, monthly and package, all at zero), `unchecked` (an account's own
call failed: its one line; every other check still runs). A date the service leaves unset is no
date. Printed as a table for a person, written as JSON for a pipeline (`--json`). Exit status: 0
clean, 2 findings, 1 the check is incomplete or could not be made (an `unchecked` finding, a failed
`pulumi` command, or a failed list call: its one line). While the plans are read, a terminal (stderr a
TTY) shows how many are done on one line that updates in place; a pipeline's log gets nothing extra.

Run it from the project folder with the `pulumi` CLI on PATH; the API token and URL come from the
stack's config or the environment, as the provider takes them.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
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
from .progress import TerminalProgress
from .pulumi_cli import pulumi

V1_TYPES = ("pixverse:index:Account", "pulumi-python:dynamic/pixverse:Account")
V2_TYPES = ("pixverse:index:AccountV2", "pulumi-python:dynamic/pixverse:AccountV2")
_SECRET_SIG = "4dabf18193072939515e22adb298388d"
FEATURES_AT_ONCE = 16
"""Features calls in flight at once: a thousand v2 accounts at a quarter second each take about 16 s,
not 4 minutes, without a burst the service could take for abuse. Below the transport's POOL_SIZE, so
each call has a kept-alive connection of its own."""
ELSEWHERE = "managed elsewhere"
"""The table's word for an account another stack manages (no finding)."""


@dataclass(frozen=True)
class Finding:
    kind: str
    account: str
    detail: str


@dataclass(frozen=True)
class Audit:
    """What an audit found: its `findings`, and the live accounts this stack does not declare that other
    stacks manage (`elsewhere`: each account, as a finding names it, with the stacks whose state holds
    it), no findings; `others`: the stacks whose state was read for that."""

    findings: list[Finding]
    elsewhere: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    others: list[str] = dataclasses.field(default_factory=list)


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


def managed_accounts(stack: str) -> set[str]:
    """The accounts `stack`'s state holds, as a finding names them ("v1 channel C", "v2 EMAIL"): the
    types and ids of its resources, read without decrypting anything (no passphrase needed)."""
    resources = json.loads(pulumi(stack, "stack", "export"))["deployment"].get("resources")
    named = set()
    for resource in resources or []:
        if resource.get("id") and resource["type"] in V1_TYPES:
            named.add(f"v1 channel {resource['id']}")
        elif resource.get("id") and resource["type"] in V2_TYPES:
            named.add(f"v2 {resource['id']}")
    return named


def project_stacks(stack: str) -> list[str]:
    """Every stack of the project in the backend (`pulumi stack ls --json`, run from the project
    folder) but `stack`; a name the backend qualifies ("org/project/stack") counts as `stack` when
    its last part is."""
    listed = json.loads(pulumi(stack, "stack", "ls", "--json") or "[]")
    names = [str(entry["name"]) for entry in listed]
    return [name for name in names if name.rsplit("/", 1)[-1] != stack.rsplit("/", 1)[-1]]


def managed_elsewhere(others: Iterable[str]) -> dict[str, list[str]]:
    """Each account the states of the stacks `others` hold, with the stacks that hold it, in the order
    given."""
    managed: dict[str, list[str]] = {}
    for other in others:
        for account in sorted(managed_accounts(other)):
            managed.setdefault(account, []).append(other)
    return managed


def audit(stack: str, days: int, also_managed_by: Iterable[str] = (), all_stacks: bool = False) -> Audit:
    """The audit of `stack` (see `check`), the accounts of the stacks `also_managed_by` and, with
    `all_stacks`, of every other stack of the project managed elsewhere; CommandError or
    OperationFailed when the check cannot be made."""
    v1, v2 = declared_accounts(stack)
    others = [*also_managed_by, *(project_stacks(stack) if all_stacks else [])]
    others = [name for name in dict.fromkeys(others) if name != stack]
    elsewhere = managed_elsewhere(others)
    with TerminalProgress("audit: reading the plans of the v2 accounts") as progress:
        service = ApiAccess(warn=progress.warn)
        service.configure(read_stack_config(stack).get)
        found = check(v1, v2, service, days, elsewhere=elsewhere, progress=progress)
    return Audit(found.findings, found.elsewhere, others)


def check(
    v1: dict[str, dict[str, Any]],
    v2: dict[str, dict[str, Any]],
    service: ApiAccess,
    days: int,
    now: datetime | None = None,
    elsewhere: Mapping[str, list[str]] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Audit:
    """The audit of the declared accounts `v1` (by channel) and `v2` (by email) against the service;
    OperationFailed when a list call fails. A live account this stack does not declare is `unmanaged`,
    unless `elsewhere` (accounts as a finding names them, with the stacks that manage them) holds it:
    then it is only listed, and its plan not read. The plans are read FEATURES_AT_ONCE at a time;
    `progress(done, total)` is told of each one read. A v2 account whose features call fails is an
    `unchecked` finding, and the checks that need no plan still run for it."""
    with service.operation("listing", "the v1 accounts") as client:
        try:
            live = client.list_accounts()
        except NotFoundError:
            live = {}
    live_v2 = {a["email"]: a for a in lookups.accounts_v2(service)["accounts"]}
    declared = {f"v1 channel {c}" for c in v1} | {f"v2 {e}" for e in v2}
    listed = [*(f"v1 channel {c}" for c in sorted(live)), *(f"v2 {e}" for e in sorted(live_v2))]
    undeclared = [account for account in listed if account not in declared]
    managed = elsewhere or {}
    theirs = {account: list(managed[account]) for account in undeclared if account in managed}
    ours = {email: account for email, account in live_v2.items() if f"v2 {email}" not in theirs}
    plans, failures = _plans(service, sorted(ours), progress)
    horizon = (now or datetime.now(timezone.utc)) + timedelta(days=days)

    findings = [
        Finding("unmanaged", account, "not declared in the stack")
        for account in undeclared
        if account not in theirs
    ]
    for channel, state in sorted(v1.items()):
        findings += _compared(f"v1 channel {channel}", state, live.get(channel), ACCOUNT)
    for email, state in sorted(v2.items()):
        findings += _compared(f"v2 {email}", state, live_v2.get(email), ACCOUNT_V2)
    for email in sorted(ours):
        findings += _v2_findings(f"v2 {email}", ours[email], plans.get(email), horizon, days)
    unchecked = [Finding("unchecked", f"v2 {email}", failures[email]) for email in sorted(failures)]
    return Audit(findings + unchecked, theirs)


def _plans(
    service: ApiAccess, emails: list[str], progress: Callable[[int, int], None] | None
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """The plan of each v2 account of `emails` (`lookups.features`), read FEATURES_AT_ONCE at a time,
    and the one-line failure of each whose call failed."""
    plans: dict[str, dict[str, Any]] = {}
    failures: dict[str, str] = {}
    if not emails:
        return plans, failures
    if progress is not None:
        progress(0, len(emails))
    pool = ThreadPoolExecutor(max_workers=min(FEATURES_AT_ONCE, len(emails)))
    try:
        asked: dict[Future[dict[str, Any]], str] = {
            pool.submit(lookups.features, service, email): email for email in emails
        }
        for done, answered in enumerate(as_completed(asked), start=1):
            try:
                plans[asked[answered]] = answered.result()
            except OperationFailed as failure:
                failures[asked[answered]] = str(failure)
            if progress is not None:
                progress(done, len(emails))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # interrupted: no call not yet begun is made
    return plans, failures


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


def table(stack: str, result: Audit) -> list[str]:
    """The lines to print: a verdict, then one row per finding, its account and detail (which quote the
    service and the state) each one printable line (`service_words`), then one `managed elsewhere`
    row per account another stack manages, naming the stacks."""
    findings = result.findings
    cells = [(f.kind, service_words(f.account), service_words(f.detail, LINE_LIMIT)) for f in findings]
    cells += [
        (ELSEWHERE, service_words(account), service_words(_by(stacks), LINE_LIMIT))
        for account, stacks in result.elsewhere.items()
    ]
    unchecked = sum(f.kind == "unchecked" for f in findings)
    verdict = f"incomplete, {unchecked} account(s) not checked; " if unchecked else ""
    verdict += (
        f"{len(findings)} finding(s)" if findings else "clean (the service holds what the stack declares)"
    )
    if result.elsewhere:
        verdict += f"; {len(result.elsewhere)} account(s) managed by other stacks"
    if not cells:
        return [f"audit of stack {stack}: {verdict}"]
    width = max(len(account) for _, account, _ in cells)
    rows = [f"{kind:<17} {account:<{width}}  {detail}" for kind, account, detail in cells]
    return [f"audit of stack {stack}: {verdict}", f"{'KIND':<17} {'ACCOUNT':<{width}}  DETAIL", *rows]


def report(stack: str, days: int, result: Audit) -> str:
    """The JSON a pipeline keeps (`complete`: false when an account could not be checked;
    `also_managed_by`: the other stacks whose state was read; `managed_elsewhere`: the live accounts
    they manage, no findings)."""
    findings = result.findings
    complete = not any(f.kind == "unchecked" for f in findings)
    elsewhere = [{"account": account, "stacks": stacks} for account, stacks in result.elsewhere.items()]
    return json.dumps(
        {
            "stack": stack,
            "days": days,
            "complete": complete,
            "findings": [asdict(f) for f in findings],
            "also_managed_by": result.others,
            "managed_elsewhere": elsewhere,
        },
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


def _by(stacks: list[str]) -> str:
    return f"by stack {stacks[0]}" if len(stacks) == 1 else f"by stacks {', '.join(stacks)}"


def _revealed(value: Any) -> Any:
    """A state value with its secret revealed (`--show-secrets`); None where it stays encrypted."""
    if isinstance(value, dict) and _SECRET_SIG in value:
        return json.loads(value["plaintext"]) if "plaintext" in value else None
    return value


def _moment(text: str | None) -> datetime | None:
    """An instant as the lookups write them (ISO 8601, UTC); None for none."""
    return None if text is None else instant(text)
