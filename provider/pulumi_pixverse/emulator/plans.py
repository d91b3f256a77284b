"""The PixVerse side of the emulated v2 accounts: each account's plan, credits, session length and
jobs running, for the read-only calls (`GET /v2/pixverse/features/`, `GET
/v2/pixverse/scheduler/available`). No HTTP here; the store (backend.AccountStore) holds one `Plan`
per email that an admin call has set, every other account has DEFAULT_PLAN.

The answers have the shapes of the vendor's pages as docs/contributing/contract.md records them (the examples
in tests/contract/, current revision): every field the features example shows, with made-up values of
the documented types (dates ISO 8601 with `Z`, an unset date `0001-01-01T00:00:00Z`, no `email`); the
scheduler's `executing` items `{id, type, started, elapsed: "MM:SS", replyUrl, replyRef}` with ids
written as the page writes them (`user:<user_id>-pixverse:<email>-video:<n>`).

INTERPRETATIONS (the pages show shapes, not rules; docs/contributing/contract.md):
- `email` may be left out when exactly one v2 account is configured; else 400 MSG_EMAIL_MISSING;
  an email that is not configured: 400 MSG_FEATURES_UNKNOWN;
- a plan that `renews` answers `payment` 1, its `billing_renewal_date` equal to `expired_date` and
  the same `next_plan_name` (the page's example); one that does not, `payment` 0, no renewal date
  and no next plan;
- the scheduler lists every v2 account in `available` (available = maxJobs - executing, at least 0)
  and, in `executing`, one video job per job running, a minute apart.
Like refused logins, plans are an admin control: never saved in the state file, cleared by reset.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

MSG_FEATURES_UNKNOWN = "Required param email ({email}) is not configured"
SESSION_SECONDS = 30 * 24 * 3600
"""A new PixVerse session's length (interpretation: PixVerse sessions last weeks)."""
JOB_STARTED = "2026-01-01T00:00:00.000Z"
UNSET_DATE = "0001-01-01T00:00:00Z"
"""How the service writes a date it has not set."""


@dataclass(frozen=True)
class Plan:
    """One account's PixVerse side, as the admin surface sets it (`POST /_emulator/plan`)."""

    plan_name: str = "Premium - Monthly"
    gen_simultaneously: int = 8
    credit_daily: int = 100
    credit_monthly: int = 2000
    credit_package: int = 0
    expired_date: str = "2099-12-31T00:00:00Z"
    renews: bool = True
    """Paid for automatically at `expired_date` (see the module's interpretations)."""
    session_seconds: int = SESSION_SECONDS
    executing: int = 0
    """Jobs running on the account now."""


DEFAULT_PLAN = Plan()
_TEXT = frozenset({"plan_name", "expired_date"})
_FLAGS = frozenset({"renews"})

_FEATURES_TEMPLATE: dict[str, Any] = {
    "user_id": 11220001,
    "member_id": 5560001,
    "product_id": 9980001,
    "plan_name": "",
    "next_plan_name": "",
    "next_plan_type": 2,
    "current_plan_type": 2,
    "type": 0,
    "credit_daily": 0,
    "credit_daily_gift": 100,
    "initial_credit_gift": 0,
    "credit_monthly": 0,
    "credit_monthly_gift": 2000,
    "credit_package": 0,
    "expired_date": UNSET_DATE,
    "price": "60",
    "billing_period": 1,
    "next_billing_period": 1,
    "billing_renewal_date": UNSET_DATE,
    "payment": 0,
    "invoice_url": "https://billing.emulator.invalid/invoice",
    "stripe_bill_url": "https://billing.emulator.invalid/bill",
    "gen_simultaneously": 0,
    "allow_fast_mode": 1,
    "allow_relaxed_mode": 1,
    "allow_use_new_feat": 1,
    "allow_private_generate": 1,
    "remove_watermark": 1,
    "allow_purchase_credit": 1,
    "sub_order_in_progress": 0,
    "allow_effect": 1,
    "last_plan_name": "",
    "last_plan_type": 0,
    "last_product_id": 0,
    "expired_member": 0,
    "credits_more": 0,
    "album_num": 1000,
    "batch_generation": 1,
    "off_peak": 1,
    "off_peak_discount": "0.7",
    "qualities": ["360p", "540p", "720p", "1080p"],
    "cancel_updated_at": UNSET_DATE,
    "renewal_retention": 0,
    "renewal_price": "60",
    "preview_mode": 1,
    "preview_mode_discount": "0.8",
    "remaining_days": 30,
    "credits_refresh_time": UNSET_DATE,
    "daily_credits_refresh_time": UNSET_DATE,
    "is_gift_card": False,
    "veo_sora_models": 1,
    "unlimited_image_models": [],
}
"""Every field of the features example (tests/contract/v2-get-pixverse-features.json, 2026-06-24),
in its order, with made-up values of its types; `features` sets those a Plan decides."""


def changed_plan(plan: Plan, body: dict[str, Any]) -> Plan:
    """`plan` with the fields `body` sets (besides `email`); ValueError naming a field unknown or of
    the wrong type (`plan_name` and `expired_date` strings, `renews` a boolean, the others integers
    at least 0)."""
    names = {field.name for field in fields(Plan)}
    changes = {name: value for name, value in body.items() if name != "email"}
    for name, value in changes.items():
        if name not in names:
            raise ValueError(f"unknown plan field {name}")
        if name in _TEXT:
            ok = isinstance(value, str)
        elif name in _FLAGS:
            ok = isinstance(value, bool)
        else:
            ok = type(value) is int and value >= 0
        if not ok:
            raise ValueError(f"plan field {name} has the wrong type")
    return replace(plan, **changes)


def features(plan: Plan) -> dict[str, Any]:
    """The features answer of an account with `plan`."""
    return {
        **_FEATURES_TEMPLATE,
        "plan_name": plan.plan_name,
        "next_plan_name": plan.plan_name if plan.renews else "",
        "credit_daily": plan.credit_daily,
        "credit_monthly": plan.credit_monthly,
        "credit_package": plan.credit_package,
        "expired_date": plan.expired_date,
        "billing_renewal_date": plan.expired_date if plan.renews else UNSET_DATE,
        "payment": 1 if plan.renews else 0,
        "gen_simultaneously": plan.gen_simultaneously,
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
                "id": f"user:{account_id}-pixverse:{email}-video:{n}",
                "type": "video",
                "started": JOB_STARTED,
                "elapsed": f"{n:02d}:00",
                "replyUrl": "",
                "replyRef": "",
            }
            for n in range(1, plan.executing + 1)
        ]
    return {"executing": executing, "available": available}
