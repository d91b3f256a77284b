"""Declares noop:count no-op resources; noop:generation changes them all."""

import pickle

import pulumi
from noop_provider import NoopProvider  # beside this file: pickled by reference, like pulumi_pixverse's
from pulumi import dynamic


class Noop(dynamic.Resource, module="noop", name="Thing"):
    def __init__(self, name: str, props: dict, opts: pulumi.ResourceOptions | None = None) -> None:
        # The SDK's serialize_provider wraps pickle._Pickler._batch_setitems once more at every call and
        # never restores it (RecursionError after ~985 declarations): restore it, as pulumi_pixverse does.
        saved = {n: pickle._Pickler.__dict__[n] for n in ("_batch_setitems", "save_dict")}
        try:
            super().__init__(NoopProvider(), name, props, opts)
        finally:
            for n, value in saved.items():
                setattr(pickle._Pickler, n, value)


config = pulumi.Config("noop")
generation = config.get_int("generation") or 0
with_secret = config.get_bool("secret") or False  # tools/bench --data-floor
for index in range(config.require_int("count")):
    props = {"name": f"thing-{index}", "value": generation}
    opts = None
    if with_secret:
        props["token"] = pulumi.Output.secret(f"bench-token-{index}")
        props["server"], props["channel"] = "100000000000000001", str(200000000000000000 + index)
        opts = pulumi.ResourceOptions(additional_secret_outputs=["token"])
    Noop(f"thing-{index}", props, opts)
