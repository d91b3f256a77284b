"""The gRPC server the engine talks to: the SDK's (`pulumi.provider.experimental.server`) with three
corrections and one addition, each for something the SDK 3.272.0 servicer does that a user would
notice:

- a failed operation or function, or a setting it cannot use, shows as its one line
  (`OperationFailed`), not as the SDK's message with the Python stack under it (other errors keep it,
  with every credential the process knows redacted);
- a read of an account that is gone answers a bare response: the SDK always sends properties, which
  the engine takes for a resource that exists (an import of a missing channel would succeed, empty);
- a function learns whether the engine runs a preview (`AT_PREVIEW`, from the engine's request);
- a diff sees the old outputs completed with the old inputs, which the engine sends and the SDK
  drops: an imported v2 account's password, which the service never returns, then lives in the
  inputs only, and a later change of it must still show.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import Awaitable
from typing import Any, TypeVar

import grpc
import grpc.aio
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime import proto
from pulumi.runtime.proto import provider_pb2_grpc

from ..client.sanitize import redact
from ..core.engine_log import use_engine
from ..core.failures import OperationFailed
from .provider import AT_PREVIEW, PixverseProvider

T = TypeVar("T")
_GRPC_OPTIONS = [("grpc.max_receive_message_length", 400 * 1024 * 1024)]
"""As the SDK's own servers take messages (a schema or a state can pass gRPC's 4 MB default)."""


class _Servicer(ProviderServicer):
    async def _plainly(self, call: Awaitable[T], context: grpc.aio.ServicerContext[Any, Any]) -> T:
        """The RPC's answer; an OperationFailed (which the SDK wraps with its stack) ends the RPC with
        its message alone, any other failure with the SDK's message and stack, every credential the
        process knows redacted."""
        try:
            return await call
        except Exception as error:
            cause = error if isinstance(error, OperationFailed) else error.__context__
            shown = str(cause) if isinstance(cause, OperationFailed) else redact(str(error))
            await context.abort(grpc.StatusCode.UNKNOWN, shown)
            raise  # not reached: abort raises

    async def Configure(self, request: Any, context: Any) -> Any:
        return await self._plainly(super().Configure(request, context), context)

    async def Check(self, request: Any, context: Any) -> Any:
        return await self._plainly(super().Check(request, context), context)

    async def Diff(self, request: Any, context: Any) -> Any:
        for name, value in request.old_inputs.fields.items():
            if name not in request.olds.fields:
                request.olds.fields[name].CopyFrom(value)
        return await self._plainly(super().Diff(request, context), context)

    async def Create(self, request: Any, context: Any) -> Any:
        return await self._plainly(super().Create(request, context), context)

    async def Read(self, request: Any, context: Any) -> Any:
        response = await self._plainly(super().Read(request, context), context)
        return response if response.id else proto.ReadResponse()

    async def Update(self, request: Any, context: Any) -> Any:
        return await self._plainly(super().Update(request, context), context)

    async def Delete(self, request: Any, context: Any) -> Any:
        return await self._plainly(super().Delete(request, context), context)

    async def Invoke(self, request: Any, context: Any) -> Any:
        AT_PREVIEW.set(request.preview)
        return await self._plainly(super().Invoke(request, context), context)


def serve(argv: list[str], version: str) -> None:
    """Serve the provider until the engine ends the process: listen on a free loopback port and print
    it (the plugin protocol). `argv`: the engine's address, and flags the engine adds (ignored)."""
    parser = argparse.ArgumentParser(prog="pulumi-resource-pixverse", description="Pulumi provider plugin")
    parser.add_argument("engine", help="the engine's address")
    engine_address = parser.parse_known_args(argv)[0].engine
    use_engine(engine_address)

    async def run() -> None:
        server = grpc.aio.server(options=_GRPC_OPTIONS)
        servicer = _Servicer(argv, version, PixverseProvider(), engine_address=engine_address)
        provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        print(port, flush=True)
        await server.wait_for_termination()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
