"""The read-only questions about a subscription's pool, once for both front-ends (the plugin's
functions, `pulumi_pixverse.functions`) and the audit: each one or two GETs, never a write, each
failure the one line the resources' failures are (`failures.explain`, through `Service.operation`).

Results are plain values under the schema's names (camelCase). Discord tokens are never part of
them: an inventory needs none, and a function's result travels into programs, outputs and logs as
plain data; an account to manage is declared (or read with `Account.get`, which keeps it secret).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from .accounts import Service
from .client import NotFoundError


def accounts(service: Service) -> dict[str, Any]:
    """`{"accounts": [{channel, server, maxJobs}]}`: the v1 accounts, by channel (one GET)."""
    with service.operation("listing", "the v1 accounts") as client:
        live = _or_none(client.list_accounts)
    return {
        "accounts": [
            {"channel": channel, "server": record["server"], "maxJobs": record["maxJobs"]}
            for channel, record in sorted(live.items())
        ]
    }


def accounts_v2(service: Service) -> dict[str, Any]:
    """`{"accounts": [{email, maxJobs, accountId, username, sessionExpires}]}`: the v2 accounts, by
    email (one GET); `sessionExpires` is the service's PixVerse session's end, ISO 8601 UTC."""
    with service.operation("listing", "the v2 accounts") as client:
        live = _or_none(client.list_accounts_v2)
    return {"accounts": [_account_v2(email, record) for email, record in sorted(live.items())]}


def features(service: Service, email: str) -> dict[str, Any]:
    """The PixVerse plan of the v2 account `email` (one GET): `concurrentGenerations` (the natural
    ceiling of its maxJobs), `creditDaily`, `creditMonthly`, `creditPackage`, `planExpires`."""
    with service.operation("looking up", f"the plan of the v2 account {email}") as client:
        plan = client.features(email)
    return {
        "email": email,
        "concurrentGenerations": plan["gen_simultaneously"],
        "creditDaily": plan["credit_daily"],
        "creditMonthly": plan["credit_monthly"],
        "creditPackage": plan["credit_package"],
        "planExpires": plan["expired_date"],
    }


def capacity(service: Service) -> dict[str, Any]:
    """The scheduler's view now (one GET): `accounts` [{email, maxJobs, executing, available}],
    `executing` [{id, type, started, elapsed}] and `jobsExecuting`, their number."""
    with service.operation("looking up", "the scheduler's capacity") as client:
        now = client.capacity()
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


def _account_v2(email: str, record: dict[str, Any]) -> dict[str, Any]:
    session = record["jwt"]
    expires = session.get("ExpireTime")
    return {
        "email": email,
        "maxJobs": record["maxJobs"],
        "accountId": session.get("AccountId"),
        "username": session.get("Username"),
        "sessionExpires": _iso(expires) if isinstance(expires, (int, float)) else None,
    }


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
