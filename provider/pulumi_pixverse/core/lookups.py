"""The read-only questions about a subscription's pool, once for both front-ends (the plugin's
functions, `pulumi_pixverse.dynamic.functions`) and the audit: each one or two GETs, never a write, each
failure the one line the resources' failures are (`failures.explain`, through `ApiAccess.operation`).

Results are plain values under the schema's names (camelCase); an inventory shows each account's
fields as its kind lists them (`FieldTable.listed`). Discord tokens are never part of them: an inventory
needs none, and a function's result travels into programs, outputs and logs as
plain data; an account to manage is declared (or read with `Account.get`, which keeps it secret).
"""

from __future__ import annotations

from typing import Any

from ..client import NotFoundError
from ..client.times import instant, iso, session_end
from .accounts import ApiAccess
from .fields import ACCOUNT, ACCOUNT_V2, FieldTable


def accounts(service: ApiAccess) -> dict[str, Any]:
    """`{"accounts": [{channel, server, maxJobs}]}`: the v1 accounts, by channel (one GET)."""
    with service.operation("listing", "the v1 accounts") as client:
        live = _or_none(client.list_accounts)
    return {"accounts": [_listed(ACCOUNT, channel, record) for channel, record in sorted(live.items())]}


def accounts_v2(service: ApiAccess) -> dict[str, Any]:
    """`{"accounts": [{email, maxJobs, accountId, username, sessionExpires}]}`: the v2 accounts, by
    email (one GET); `sessionExpires` is the service's PixVerse session's end, ISO 8601 UTC
    (`times.session_end`; None, with a warning, when it cannot be read)."""
    with service.operation("listing", "the v2 accounts") as client:
        live = _or_none(client.list_accounts_v2)
    return {"accounts": [_account_v2(service, email, record) for email, record in sorted(live.items())]}


def features(service: ApiAccess, email: str) -> dict[str, Any]:
    """The PixVerse plan of the v2 account `email` (one GET): `planName`, `concurrentGenerations` (the
    natural ceiling of its maxJobs), the credits left (`creditDaily`, `creditMonthly`,
    `creditPackage`), `planExpires` (ISO 8601 UTC; None when unset) and `planRenews` (`renews`).
    Every value but `email` and `planRenews` may be None: the page marks every field optional, and a
    value that cannot be read is left empty with a warning."""
    what = f"the plan of the v2 account {email}"
    with service.operation("looking up", what) as client:
        plan = client.features(email)
    _warn_unreadable(service, what, plan["unreadable"])
    return {
        "email": email,
        "planName": plan["plan_name"],
        "concurrentGenerations": plan["gen_simultaneously"],
        "creditDaily": plan["credit_daily"],
        "creditMonthly": plan["credit_monthly"],
        "creditPackage": plan["credit_package"],
        "planExpires": plan["expired_date"],
        "planRenews": renews(plan),
    }


def renews(plan: dict[str, Any]) -> bool:
    """Whether a plan (a features record) renews when its period ends, so `expired_date` is not its
    end (docs/contributing/contract.md, interpretations): it is paid for automatically (`payment` 1), names a
    next plan, and its `billing_renewal_date` is set and not before `expired_date`."""
    expires, renewal = plan["expired_date"], plan["billing_renewal_date"]
    return (
        plan["payment"] == 1
        and bool(plan["next_plan_name"])
        and expires is not None
        and renewal is not None
        and instant(renewal) >= instant(expires)  # type: ignore[operator]  # neither is the unset date
    )


def capacity(service: ApiAccess) -> dict[str, Any]:
    """The scheduler's view now (one GET): `accounts` [{email, maxJobs, executing, available}],
    `executing` [{id, type, started, elapsed, elapsedSeconds}] and `jobsExecuting`, their number. A
    value that cannot be read is left empty with a warning."""
    what = "the scheduler's capacity"
    with service.operation("looking up", what) as client:
        now = client.capacity()
    _warn_unreadable(service, what, now["unreadable"])
    return {
        "accounts": now["available"],
        "executing": now["executing"],
        "jobsExecuting": len(now["executing"]),
    }


def _or_none(listing: Any) -> dict[str, dict[str, Any]]:
    """The list call's accounts; {} when the service says none is configured."""
    try:
        return dict(listing())
    except NotFoundError:
        return {}


def _account_v2(service: ApiAccess, email: str, record: dict[str, Any]) -> dict[str, Any]:
    session = record["jwt"]
    try:
        expires = iso(session_end(session))
    except ValueError as problem:
        _warn_unreadable(service, f"the v2 account {email}", [f"{problem} in `jwt` (its session's end)"])
        expires = None
    return {**_listed(ACCOUNT_V2, email, record), "sessionExpires": expires}


def _listed(kind: FieldTable, key: str, record: dict[str, Any]) -> dict[str, Any]:
    """An account as an inventory shows it (`FieldTable.listed`): its key as the list names it, then each
    field from its record and each output from its session (`jwt`)."""
    session = record.get("jwt") or {}
    shown: dict[str, Any] = {kind.key: key}
    for field in kind.listed[1:]:
        shown[field.name] = session.get(field.reported_as) if field.output else record.get(field.name)
    return shown


def _warn_unreadable(service: ApiAccess, what: str, problems: list[str]) -> None:
    """A warning per value of an answer about `what` that could not be read (and is left empty)."""
    for problem in problems:
        service.warn(
            f"{what}: the service's answer has {problem}, which the provider cannot read; it is left empty"
        )
