"""Warnings in the engine's log, which `pulumi up` prints as `warning: ...`, from either front-end's
process: the plugin names the engine's address when it starts (`use_engine`); the dynamic provider's
server is started with it as its last argument. Without an engine (tests, a broken channel) the
warning goes to stderr. Every credential the process knows is redacted."""

from __future__ import annotations

import re
import sys

from ..client.sanitize import redact

_ADDRESS = re.compile(r"(?:127\.0\.0\.1|localhost|\[::1\]):[0-9]+")
_engine: str | None = None


def use_engine(address: str) -> None:
    """Send warnings to the engine at `address` (host:port) from now on."""
    global _engine
    _engine = address


def warn(message: str, urn: str = "") -> None:
    """Show `message` (one line) as a warning of the running command, on the resource `urn` if given."""
    message = redact(message)
    address = _engine or next((a for a in reversed(sys.argv[1:]) if _ADDRESS.fullmatch(a)), None)
    if address is not None:
        try:
            import grpc
            from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

            with grpc.insecure_channel(address) as channel:
                engine_pb2_grpc.EngineStub(channel).Log(
                    engine_pb2.LogRequest(severity=engine_pb2.WARNING, message=message, urn=urn), timeout=10
                )
            return
        except Exception:  # a warning never fails the operation it reports on
            pass
    print(f"warning: {message}", file=sys.stderr, flush=True)
