"""The Pulumi plugin `pulumi-resource-pixverse`: the same accounts as the dynamic providers, for
programs in any Pulumi language (YAML, TypeScript, Go, Python), with `pulumi import` and explicit
providers. Types `pixverse:index:Account` and `pixverse:index:AccountV2` (schema.py), served by the
SDK's `pulumi.provider.experimental` (provider.py: the adapter; server.py: the gRPC server).

`pip install pulumi-pixverse` puts the console script in the virtualenv's bin; the engine starts it
with its own address and reads the port it prints.
"""

from __future__ import annotations

import sys
from importlib.metadata import version


def main() -> None:
    """The console script `pulumi-resource-pixverse`."""
    from .server import serve

    serve(sys.argv[1:], version("pulumi-pixverse"))
