"""The PixVerse side of the emulated v2 accounts: each account's plan, credits, session length and
jobs running, for the read-only calls (`GET /v2/pixverse/features`, `GET
/v2/pixverse/scheduler/available`). No HTTP here; the store (backend.AccountStore) holds one `Plan`
per email that an admin call has set, every other account has DEFAULT_PLAN.

INTERPRETATIONS (the public pages give the field names only, shared/API-CONTRACT.md):
- features answers `{"email", "gen_simultaneously", "credit_daily", "credit_monthly",
  "credit_package", "expired_date"}`, integers and `expired_date` as "YYYY-MM-DD HH:MM:SS" (UTC);
- `email` may be left out when exactly one v2 account is configured; else 400 MSG_EMAIL_MISSING;
  an email that is not configured: 400 MSG_FEATURES_UNKNOWN;
- the scheduler lists every v2 account in `available` (available = maxJobs - executing, at least 0)
  and, in `executing`, one job per job running: id `<AccountId>-<n>`, type "video", a fixed start.
Like refused logins, plans are an admin control: never saved in the state file, cleared by reset.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

MSG_FEATURES_UNKNOWN = "Required param email ({email}) is not configured"
SESSION_SECONDS = 30 * 24 * 3600
"""A new PixVerse session's length (interpretation: PixVerse sessions last weeks)."""
JOB_STARTED = "2026-01-01T00:00:00.000Z"


@dataclass(frozen=True)
class Plan:
    """One account's PixVerse side, as the admin surface sets it (`POST /_emulator/plan`)."""

    gen_simultaneously: int = 8
    credit_daily: int = 100
    credit_monthly: int = 2000
    credit_package: int = 0
    expired_date: str = "2099-12-31 00:00:00"
    session_seconds: int = SESSION_SECONDS
    executing: int = 0
    """Jobs running on the account now."""


DEFAULT_PLAN = Plan()
_TEXT = frozenset({"expired_date"})


def changed_plan(plan: Plan, body: dict[str, Any]) -> Plan:
    """`plan` with the fields `body` sets (besides `email`); ValueError naming a field unknown or of
    the wrong type (integers at least 0, `expired_date` a string)."""
    names = {field.name for field in fields(Plan)}
    changes = {name: value for name, value in body.items() if name != "email"}
    for name, value in changes.items():
        if name not in names:
            raise ValueError(f"unknown plan field {name}")
        ok = isinstance(value, str) if name in _TEXT else type(value) is int and value >= 0
        if not ok:
            raise ValueError(f"plan field {name} has the wrong type")
    return replace(plan, **changes)


def features(email: str, plan: Plan) -> dict[str, Any]:
    """The features answer of `email`."""
    return {
        "email": email,
        "gen_simultaneously": plan.gen_simultaneously,
        "credit_daily": plan.credit_daily,
        "credit_monthly": plan.credit_monthly,
        "credit_package": plan.credit_package,
        "expired_date": plan.expired_date,
    }


def scheduler(accounts: list[tuple[str, int, int, Plan]]) -> dict[str, Any]:
    """The scheduler answer for (email, maxJobs, AccountId, plan) of every v2 account."""
    available, executing = [], []
    for email, max_jobs, account_id, plan in accounts:
        available.append(
            {
                "email": email,
                "maxJobs": max_jobs,
                "executing": plan.executing,
                "available": max(max_jobs - plan.executing, 0),
            }
        )
        executing += [
            {
                "id": f"{account_id}-{n}",
                "type": "video",
                "started": JOB_STARTED,
                "elapsed": 60 * n,
                "replyUrl": "",
                "replyRef": "",
            }
            for n in range(1, plan.executing + 1)
        ]
    return {"executing": executing, "available": available}
