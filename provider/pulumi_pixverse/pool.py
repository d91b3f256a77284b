"""A pool of accounts declared together, so the rules that span accounts hold before any request.

The provider checks one account at a time. Three rules need the whole pool: no two accounts share a
Discord token (the service keeps one token on one channel, so the second would fail mid-`up`), a
channel, or a resource name. `declare_pool` checks them, then declares one `PixverseAccount` each.
Plain values are checked at once; when tokens or ids are Outputs (e.g. `Config.require_secret`),
each account's token waits on the check, so a clash still fails the preview before anything is sent.
Values unknown at preview are not judged. Errors name the entries, never a token.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from .resource import PixverseAccount

_RULES = (
    ("name", "the same name as", "names must be unique in the stack"),
    ("channel", "the same channel as", "a channel holds one account"),
    ("discord", "the same Discord token as", "the service keeps one token on one channel"),
)


class PoolError(pulumi.RunError):
    """Two entries of a pool break a rule that spans accounts; the message names both."""


@dataclass(frozen=True)
class AccountSpec:
    """One account of a pool: the PixverseAccount arguments; `label` names it in errors (default:
    its resource name)."""

    name: str
    discord: pulumi.Input[str]
    server: pulumi.Input[str]
    channel: pulumi.Input[str]
    max_jobs: pulumi.Input[int]
    label: str | None = None


def find_clashes(entries: Sequence[dict[str, Any]], labels: Sequence[str]) -> list[str]:
    """One message per pair of entries that share a name, channel or Discord token (plain values;
    None and unknowns are skipped)."""
    clashes = []
    for field, same, why in _RULES:
        first_seen: dict[Any, int] = {}
        for index, entry in enumerate(entries):
            value = entry.get(field)
            if value is None or isinstance(value, pulumi.Output) or not isinstance(value, (str, int)):
                continue
            if value in first_seen:
                clashes.append(f"{labels[index]} has {same} {labels[first_seen[value]]}: {why}")
            else:
                first_seen[value] = index
    return clashes


def check_pool(entries: Sequence[dict[str, Any]], labels: Sequence[str]) -> None:
    """Raise PoolError listing every clash among `entries` (dicts with name, channel, discord)."""
    clashes = find_clashes(entries, labels)
    if clashes:
        raise PoolError("; ".join(clashes))


def declare_pool(
    specs: Sequence[AccountSpec], opts: pulumi.ResourceOptions | None = None
) -> list[PixverseAccount]:
    """Check the pool's cross-account rules, then declare one PixverseAccount per spec (in order)."""
    labels = [spec.label or spec.name for spec in specs]
    entries = [{"name": s.name, "channel": s.channel, "discord": s.discord} for s in specs]
    check_pool(entries, labels)
    deferred = [
        field for field in ("channel", "discord") if any(isinstance(e[field], pulumi.Output) for e in entries)
    ]
    gate: pulumi.Output[Any] | None = None
    if deferred:
        values = [e[field] for e in entries for field in deferred]

        def check_resolved(resolved: list[Any]) -> bool:
            it = iter(resolved)
            check_pool([{field: next(it) for field in deferred} for _ in entries], labels)
            return True

        gate = pulumi.Output.all(*values).apply(check_resolved)
    accounts = []
    for spec in specs:
        discord = (
            spec.discord if gate is None else pulumi.Output.all(gate, spec.discord).apply(lambda v: v[1])
        )
        accounts.append(
            PixverseAccount(
                spec.name,
                discord=discord,
                server=spec.server,
                channel=spec.channel,
                max_jobs=spec.max_jobs,
                opts=opts,
            )
        )
    return accounts
