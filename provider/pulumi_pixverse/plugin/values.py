"""Values between the engine's `PropertyValue`s and the plain values the account lifecycle takes.

Towards the lifecycle (`plain`): strings, bools and None as they are; a whole number as an int (the
engine sends every number as a float), any other number as a float; a value unknown at preview as
`accounts.UNKNOWN` (the engine's marker, which arrives as that string, or a `Computed`); maps and
lists likewise. Secrecy does not travel with plain values: `secret_names` says which were secret.

Towards the engine (`property_values`): an int as a float (`PropertyValue` takes no int), and the
named fields marked secret.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from pulumi.provider.experimental.property_value import Computed, PropertyValue

from ..core.accounts import UNKNOWN


def plain(values: Mapping[str, PropertyValue]) -> dict[str, Any]:
    """The plain value of each property."""
    return {name: _plain(value) for name, value in values.items()}


def _plain(value: PropertyValue) -> Any:
    inner = value.value
    if isinstance(inner, Computed):
        return UNKNOWN
    if isinstance(inner, float) and inner.is_integer():
        return int(inner)
    if isinstance(inner, Mapping):
        return plain(inner)
    if isinstance(inner, Sequence) and not isinstance(inner, str):
        return [_plain(item) for item in inner]
    return inner


def secret_names(values: Mapping[str, PropertyValue]) -> set[str]:
    """The properties that are, or hold, a secret."""
    return {name for name, value in values.items() if value.contains_secret()}


def property_values(record: Mapping[str, Any], secret: Collection[str]) -> dict[str, PropertyValue]:
    """`record` as the engine takes it, the fields named in `secret` marked secret."""
    return {name: _value(inner).with_secret(name in secret) for name, inner in record.items()}


def _value(inner: Any) -> PropertyValue:
    if isinstance(inner, int) and not isinstance(inner, bool):
        return PropertyValue(float(inner))
    if isinstance(inner, Mapping):
        return PropertyValue({name: _value(item) for name, item in inner.items()})
    if isinstance(inner, list):
        return PropertyValue([_value(item) for item in inner])
    return PropertyValue(inner)
