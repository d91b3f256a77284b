"""The resources: PixverseAccount (a PixVerse v1 account, identified by its channel) and
PixverseAccountV2 (a v2 account, a PixVerse login identified by its email).

Every attribute a class declares resolves to the value in the state: the SDK makes one Output per
key of the props dict given to its constructor, named after that key, and resolves it from the
engine's answer through `translate_output_property`. So the props are keyed by the Python names
(`max_jobs`), and `translate_input_property` sends them under the state's names (`maxJobs`); a key
whose value is None is not sent, so output-only attributes (`account_id`, `username`) and an
absent `token` are declared with None.

The constructors' signatures and the classes' attributes name each field, for Python's static types
(tests/unit/test_field_table.py checks them against `fields.py`); what a constructor does with its
arguments comes from the table (`_props`, `_options`). Each constructor calls the SDK's constructor
itself, on purpose not through a shared helper: the SDK records every frame between the program and
that call in the state, once per account, and the engine writes the state again after every step
(see `declare_pool`). Keep these module and class names: programs import them."""

from __future__ import annotations

import contextlib
import pickle
from collections.abc import Iterator, Mapping
from typing import Any

import pulumi
from pulumi import dynamic

from ..core.accounts import KINDS
from ..core.fields import ACCOUNT, ACCOUNT_V2, FieldTable
from .provider import PixverseAccountProvider, PixverseAccountV2Provider

_PICKLER_PATCHED_BY_THE_SDK = ("_batch_setitems", "save_dict")
"""What the SDK's `serialize_provider` (pulumi/dynamic/dynamic.py) sets on `pickle._Pickler` at every
call and never restores: it wraps `_batch_setitems` around the one it finds, so each declared dynamic
resource adds a wrapper and a frame to every dict it pickles, until one process that declared about
985 of them fails with RecursionError."""


@contextlib.contextmanager
def _pickler_as_it_was() -> Iterator[None]:
    """Around one declaration: put back what the SDK's provider serialization sets on
    `pickle._Pickler`, so declaring our resources leaves the pickler exactly as it was (any number of
    them, in one process; other code sees no change). The serialization itself is the SDK's,
    unchanged (one sorting wrapper, as on its first call)."""
    saved = {name: pickle._Pickler.__dict__[name] for name in _PICKLER_PATCHED_BY_THE_SDK}
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(pickle._Pickler, name, value)


def _props(kind: FieldTable, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The SDK's props of a resource of `kind`: each field under its Python name, from the constructor's
    `arguments` (its `locals()`), a credential as a secret Output; None for an output and for an
    optional field not given (so not sent)."""
    props = {}
    for field in kind.fields:
        value = None if field.output else arguments[field.python_name]
        secret = field.secret and value is not None
        props[field.python_name] = pulumi.Output.secret(value) if secret else value
    return props


def _options(kind: FieldTable, opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
    """The program's options, with the kind's credentials secret in the outputs too."""
    secret_outputs = pulumi.ResourceOptions(additional_secret_outputs=list(kind.credentials))
    return pulumi.ResourceOptions.merge(opts, secret_outputs)


def _state_name(prop: str) -> str:
    """The state's and the wire's name of a Python attribute (`max_jobs` -> `maxJobs`)."""
    return next((f.name for k in KINDS for f in k.KIND.fields if f.python_name == prop), prop)


def _attribute_name(prop: str) -> str:
    """The Python attribute of a state's name (`maxJobs` -> `max_jobs`)."""
    return next((f.python_name for k in KINDS for f in k.KIND.fields if f.name == prop), prop)


def _docstring(kind: FieldTable) -> str:
    """A resource class's docstring: the kind and each attribute, as `fields.py` describes them."""
    attributes = "\n".join(f"    {field.python_name}: {field.describe()}" for field in kind.fields)
    return (
        f"{kind.description}\n\nType token: `pulumi-python:dynamic/pixverse:{kind.name}`. Attributes, each a "
        f"`pulumi.Output` that resolves to the value in the state (credentials as secrets):\n{attributes}\n"
    )


class PixverseAccount(dynamic.Resource, module="pixverse", name="Account"):
    __doc__ = _docstring(ACCOUNT)
    __module__ = "pulumi_pixverse.resource"  # the path programs import it from (a shim there)

    discord: pulumi.Output[str]
    server: pulumi.Output[str]
    channel: pulumi.Output[str]
    max_jobs: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        *,
        discord: pulumi.Input[str],
        server: pulumi.Input[str],
        channel: pulumi.Input[str],
        max_jobs: pulumi.Input[int],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = _props(ACCOUNT, locals())
        with _pickler_as_it_was():
            super().__init__(PixverseAccountProvider(), resource_name, props, _options(ACCOUNT, opts))

    def translate_input_property(self, prop: str) -> str:
        """The state's name of an attribute: `max_jobs` is stored as `maxJobs`."""
        return _state_name(prop)

    def translate_output_property(self, prop: str) -> str:
        """The attribute of a state's name: `maxJobs` resolves `max_jobs`."""
        return _attribute_name(prop)


class PixverseAccountV2(dynamic.Resource, module="pixverse", name="AccountV2"):
    __doc__ = _docstring(ACCOUNT_V2)
    __module__ = "pulumi_pixverse.resource"

    email: pulumi.Output[str]
    password: pulumi.Output[str]
    max_jobs: pulumi.Output[int]
    token: pulumi.Output[str | None]
    account_id: pulumi.Output[int]
    username: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        email: pulumi.Input[str],
        password: pulumi.Input[str],
        max_jobs: pulumi.Input[int],
        token: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = _props(ACCOUNT_V2, locals())
        with _pickler_as_it_was():
            super().__init__(PixverseAccountV2Provider(), resource_name, props, _options(ACCOUNT_V2, opts))

    def translate_input_property(self, prop: str) -> str:
        """The state's name of an attribute: `max_jobs` as `maxJobs`, `account_id` as `accountId`."""
        return _state_name(prop)

    def translate_output_property(self, prop: str) -> str:
        """The attribute of a state's name: `maxJobs` resolves `max_jobs`, `accountId` `account_id`."""
        return _attribute_name(prop)
