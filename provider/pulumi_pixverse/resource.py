"""The resources: PixverseAccount (a PixVerse v1 account, identified by its channel) and
PixverseAccountV2 (a v2 account, a PixVerse login identified by its email).

Every attribute a class declares resolves to the value in the state: the SDK makes one Output per
key of the props dict given to its constructor, named after that key, and resolves it from the
engine's answer through `translate_output_property`. So the props are keyed by the Python names
(`max_jobs`), and `translate_input_property` sends them under the state's names (`maxJobs`); a key
whose value is None is not sent, so output-only attributes (`account_id`, `username`) and an
absent `token` are declared with None.

Each constructor calls the SDK's constructor itself, on purpose not through a shared helper: the SDK
records every frame between the program and that call in the state, once per account, and the
engine writes the state again after every step (see `declare_pool`)."""

from __future__ import annotations

import contextlib
import pickle
from collections.abc import Iterator
from typing import Any

import pulumi
from pulumi import dynamic

from .provider import PixverseAccountProvider, PixverseAccountV2Provider

_STATE_NAMES = {"max_jobs": "maxJobs", "account_id": "accountId"}
"""Python attribute -> name in the state and on the wire (the state's names never change)."""
_ATTRIBUTE_NAMES = {state: attribute for attribute, state in _STATE_NAMES.items()}
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


class PixverseAccount(dynamic.Resource, module="pixverse", name="Account"):
    """A PixVerse account (Discord token, server, channel, maxJobs) configured on useapi.net.

    Changing `channel` replaces the account; the other fields update in place. The Discord token is
    a secret in the inputs and the outputs. Type token: `pulumi-python:dynamic/pixverse:Account`.
    """

    discord: pulumi.Output[str]
    """The account's Discord token (secret)."""
    server: pulumi.Output[str]
    """The Discord server (guild) id."""
    channel: pulumi.Output[str]
    """The Discord channel id: the account's identity."""
    max_jobs: pulumi.Output[int]
    """How many jobs the service may run on this account at once (1 to 10)."""

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
        props = {
            "discord": pulumi.Output.secret(discord),
            "server": server,
            "channel": channel,
            "max_jobs": max_jobs,
        }
        secret_outputs = pulumi.ResourceOptions(additional_secret_outputs=["discord"])
        with _pickler_as_it_was():
            super().__init__(
                PixverseAccountProvider(),
                resource_name,
                props,
                pulumi.ResourceOptions.merge(opts, secret_outputs),
            )

    def translate_input_property(self, prop: str) -> str:
        """The state's name of an attribute: `max_jobs` is stored as `maxJobs`."""
        return _STATE_NAMES.get(prop, prop)

    def translate_output_property(self, prop: str) -> str:
        """The attribute of a state's name: `maxJobs` resolves `max_jobs`."""
        return _ATTRIBUTE_NAMES.get(prop, prop)


class PixverseAccountV2(dynamic.Resource, module="pixverse", name="AccountV2"):
    """A PixVerse v2 account (a PixVerse login: email, password, maxJobs) configured on useapi.net.

    Changing `email` replaces the account (the new one is created first); the other fields update in
    place. `password` and `token` are secrets in the inputs and the outputs, and write-only: the
    service never returns them, so a refresh keeps the declared values and cannot see drift in them.
    Type token: `pulumi-python:dynamic/pixverse:AccountV2`.
    """

    email: pulumi.Output[str]
    """The PixVerse login email: the account's identity."""
    password: pulumi.Output[str]
    """The PixVerse password (secret)."""
    max_jobs: pulumi.Output[int]
    """How many jobs the service may run on this account at once (1 to 8)."""
    token: pulumi.Output[str | None]
    """The optional PixVerse token (secret; "for development or debugging only")."""
    account_id: pulumi.Output[int]
    """The PixVerse account id the service reported when it last logged in."""
    username: pulumi.Output[str]
    """The PixVerse username the service reported when it last logged in."""

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
        props: dict[str, Any] = {
            "email": email,
            "password": pulumi.Output.secret(password),
            "max_jobs": max_jobs,
            "token": None if token is None else pulumi.Output.secret(token),
            "account_id": None,
            "username": None,
        }
        secret_outputs = pulumi.ResourceOptions(additional_secret_outputs=["password", "token"])
        with _pickler_as_it_was():
            super().__init__(
                PixverseAccountV2Provider(),
                resource_name,
                props,
                pulumi.ResourceOptions.merge(opts, secret_outputs),
            )

    def translate_input_property(self, prop: str) -> str:
        """The state's name of an attribute: `max_jobs` as `maxJobs`, `account_id` as `accountId`."""
        return _STATE_NAMES.get(prop, prop)

    def translate_output_property(self, prop: str) -> str:
        """The attribute of a state's name: `maxJobs` resolves `max_jobs`, `accountId` `account_id`."""
        return _ATTRIBUTE_NAMES.get(prop, prop)
