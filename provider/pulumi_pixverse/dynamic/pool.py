"""A pool of accounts declared together, so the rules that span accounts hold before any request.

The provider checks one account at a time. Some rules need the whole pool: among v1 accounts no two
share a Discord token (the service keeps one token on one channel, so the second would fail
mid-`up`), a channel or a name; among v2 accounts no two share an email or a name. `declare_pool`
checks them, then declares one resource per spec. Plain values are checked at once; when values are
Outputs (e.g. `Config.require_secret`), each account's credential waits on the check, so a clash
still fails the preview before anything is sent. Values unknown at preview are not judged. Errors
name the entries, never a credential.

A spec's attributes are its resource's arguments, named one by one for Python's static types
(tests/unit/test_field_table.py checks them against `fields.py`); which of them must be unique and
which credential waits on the check come from the kind's table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any, ClassVar

import pulumi

from ..core.fields import ACCOUNT, ACCOUNT_V2, FieldTable
from .resource import PixverseAccount, PixverseAccountV2

_CLASHES = {
    "name": ("the same name as", "names must be unique in the stack"),
    "channel": ("the same channel as", "a channel holds one account"),
    "discord": ("the same Discord token as", "the service keeps one token on one channel"),
    "email": ("the same email as", "an email is one account"),
}
"""The spec attributes no two entries of a kind share (the resource's name, and the fields of the
kinds that have them), with how a clash is worded."""


class PoolError(pulumi.RunError):
    """Two entries of a pool break a rule that spans accounts; the message names both."""


class _Spec:
    """What a spec of either kind does with its fields."""

    KIND: ClassVar[FieldTable]

    def arguments(self) -> dict[str, Any]:
        """The resource's keyword arguments: every field but the resource name and the label."""
        assert is_dataclass(self)
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("name", "label")}

    @classmethod
    def unique(cls) -> tuple[str, ...]:
        """The attributes no two specs of the kind share: the name and the kind's fields in `_CLASHES`."""
        return ("name", *(f.python_name for f in cls.KIND.inputs if f.python_name in _CLASHES))

    @classmethod
    def gated(cls) -> str:
        """The attribute that waits on the pool's check when values are Outputs: the kind's first
        required credential (what the account cannot be created without)."""
        return next(f.python_name for f in cls.KIND.inputs if f.secret and f.required)


@dataclass(frozen=True)
class AccountSpec(_Spec):
    """One v1 account of a pool: the PixverseAccount arguments; `label` names it in errors
    (default: its resource name)."""

    RESOURCE: ClassVar[type[PixverseAccount]] = PixverseAccount
    KIND: ClassVar[FieldTable] = ACCOUNT

    name: str
    discord: pulumi.Input[str]
    server: pulumi.Input[str]
    channel: pulumi.Input[str]
    max_jobs: pulumi.Input[int]
    label: str | None = None


@dataclass(frozen=True)
class AccountV2Spec(_Spec):
    """One v2 account of a pool: the PixverseAccountV2 arguments; `label` names it in errors
    (default: its resource name)."""

    RESOURCE: ClassVar[type[PixverseAccountV2]] = PixverseAccountV2
    KIND: ClassVar[FieldTable] = ACCOUNT_V2

    name: str
    email: pulumi.Input[str]
    password: pulumi.Input[str]
    max_jobs: pulumi.Input[int]
    token: pulumi.Input[str] | None = None
    label: str | None = None


Spec = AccountSpec | AccountV2Spec


def find_clashes(entries: Sequence[dict[str, Any]], labels: Sequence[str]) -> list[str]:
    """One message per pair of entries that share a value of a unique field (the entries' keys);
    None, Outputs and unknown values are skipped."""
    clashes = []
    for field, (same, why) in _CLASHES.items():
        first_seen: dict[Any, int] = {}
        for index, entry in enumerate(entries):
            value = entry.get(field)
            if not isinstance(value, (str, int)):
                continue
            if value in first_seen:
                clashes.append(f"{labels[index]} has {same} {labels[first_seen[value]]}: {why}")
            else:
                first_seen[value] = index
    return clashes


def _check(entries: Sequence[dict[str, Any]], labels: Sequence[str]) -> None:
    clashes = find_clashes(entries, labels)
    if clashes:
        raise PoolError("; ".join(clashes))


def _checked(specs: Sequence[Spec]) -> list[Spec]:
    """Check one kind's specs together and return the specs to declare: these when every value is
    known; else copies whose credential waits on the check of the Output values, once they are known."""
    if not specs:
        return []
    unique, gated = specs[0].unique(), specs[0].gated()
    labels = [spec.label or spec.name for spec in specs]
    entries = [{field: getattr(spec, field) for field in unique} for spec in specs]
    _check(entries, labels)
    deferred = [f for f in unique if any(isinstance(e[f], pulumi.Output) for e in entries)]
    if not deferred:
        return list(specs)

    def check_resolved(values: list[Any]) -> bool:
        it = iter(values)
        _check([{field: next(it) for field in deferred} for _ in entries], labels)
        return True

    gate = pulumi.Output.all(*[e[f] for e in entries for f in deferred]).apply(check_resolved)
    ready = []
    for spec in specs:
        waiting: dict[str, Any] = {
            gated: pulumi.Output.all(gate, getattr(spec, gated)).apply(lambda pair: pair[1])
        }
        ready.append(replace(spec, **waiting))
    return ready


def declare_pool(specs: Sequence[Spec], opts: pulumi.ResourceOptions | None = None) -> list[Any]:
    """Check the pool's cross-account rules (per kind), then declare one PixverseAccount or
    PixverseAccountV2 per spec (the v1 accounts first), returned in order of the specs.

    The resources are constructed right here, in a plain loop: the SDK records the call stack of each
    declaration in the state, and the engine writes the whole state again at every step of an update,
    so every frame between the program and the resource costs bytes times accounts times steps."""
    by_kind = [
        [index for index, spec in enumerate(specs) if isinstance(spec, AccountSpec)],
        [index for index, spec in enumerate(specs) if isinstance(spec, AccountV2Spec)],
    ]
    ready: dict[int, Spec] = {}
    for kind in by_kind:  # both kinds checked before any account is declared
        ready.update(zip(kind, _checked([specs[index] for index in kind]), strict=True))
    declared: dict[int, Any] = {}
    for kind in by_kind:
        for index in kind:
            spec = ready[index]
            declared[index] = spec.RESOURCE(spec.name, **spec.arguments(), opts=opts)
    return [declared[index] for index in range(len(specs))]
