"""The PixverseAccount resource: one useapi.net PixVerse v1 account, identified by its channel."""

from __future__ import annotations

import pulumi
from pulumi import dynamic

from .provider import PixverseAccountProvider

_OUTPUT_NAMES = {"maxJobs": "max_jobs"}


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
            "maxJobs": max_jobs,
        }
        secret_outputs = pulumi.ResourceOptions(additional_secret_outputs=["discord"])
        super().__init__(
            PixverseAccountProvider(),
            resource_name,
            props,
            pulumi.ResourceOptions.merge(opts, secret_outputs),
        )

    def translate_output_property(self, prop: str) -> str:
        """Map the wire name `maxJobs` to the Python attribute `max_jobs`."""
        return _OUTPUT_NAMES.get(prop, prop)
