"""As many calls at once as the engine sends: lifting the SDK's dynamic provider server's cap of 4.

The SDK's server (`python -m pulumi.dynamic`, one process per command serving every dynamic provider of
the stack) runs its calls in the `ThreadPoolExecutor(max_workers=4)` its `main()` makes, so at most 4
creates, updates, deletes or reads run at once whatever `pulumi up --parallel` says: against a distant
service, 4 requests in flight. The engine does not tell a resource provider its parallelism (only the
language host gets it); it simply sends up to `--parallel` calls at once.

`serve_calls_side_by_side(ours)`, called when the provider module is imported, acts only in that
server's process (elsewhere, such as in the program or in tests, it does nothing): it raises the
executor's ceiling to CALLS_AT_ONCE. The executor starts a thread only when a call arrives and every
thread is busy, so the server then runs as many calls at once as the engine sends, `--parallel`
deciding, up to the ceiling. The calls of other dynamic providers the same process serves keep the
SDK's limit: at most 4 of their provider methods run at once. When the SDK's server is not shaped as
this expects (its executor cannot be found), nothing changes.
"""

from __future__ import annotations

import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import Any

CALLS_AT_ONCE = 64
"""The server's ceiling of calls at once: `--parallel` (default 4 per CPU) up to this. The transport
keeps as many connections (client.transport.POOL_SIZE; a unit test keeps the two equal)."""
SDK_CALLS_AT_ONCE = 4
"""The SDK server's own limit, which other dynamic providers keep."""
_SIDE_BY_SIDE: list[type] = []
"""The provider types whose calls run side by side in this process (see serve_calls_side_by_side)."""


def serve_calls_side_by_side(ours: type) -> None:
    """In the SDK's dynamic provider server, run calls to providers of type `ours` (and of each type
    given before) side by side, up to CALLS_AT_ONCE; calls to other providers at most SDK_CALLS_AT_ONCE
    at once. The server is adapted once per process; each call adds its type."""
    server = sys.modules.get("__main__")
    if server is None or not hasattr(server, "DynamicResourceProviderServicer"):
        return
    if ours not in _SIDE_BY_SIDE:
        _SIDE_BY_SIDE.append(ours)
    original = getattr(server, "get_provider", None)
    if original is None or getattr(original, "_side_by_side", False):
        return
    executor = _executor_of(server)
    if executor is None:
        return
    others = threading.BoundedSemaphore(SDK_CALLS_AT_ONCE)

    def get_provider(props: dict[str, Any], config: dict[str, Any]) -> Any:
        provider = original(props, config)
        return provider if isinstance(provider, tuple(_SIDE_BY_SIDE)) else _AtMostSome(provider, others)

    get_provider._side_by_side = True  # type: ignore[attr-defined]
    server.get_provider = get_provider  # type: ignore[attr-defined]
    executor._max_workers = max(executor._max_workers, CALLS_AT_ONCE)


def _executor_of(server: ModuleType) -> ThreadPoolExecutor | None:
    """The executor of the gRPC server that the SDK's `main()` is serving with: a local of main(),
    whose frame is on the main thread's stack while it serves; None when not found as expected."""
    main = getattr(server, "main", None)
    code = getattr(main, "__code__", None)
    frame = sys._current_frames().get(threading.main_thread().ident or -1)
    while frame is not None and frame.f_code is not code:
        frame = frame.f_back
    grpc_server = frame.f_locals.get("server") if frame is not None else None
    pool = getattr(getattr(grpc_server, "_state", None), "thread_pool", None)
    if isinstance(pool, ThreadPoolExecutor) and isinstance(getattr(pool, "_max_workers", None), int):
        return pool
    return None


class _AtMostSome:
    """Another dynamic provider as the SDK's server runs it: each of its methods waits for one of the
    shared slots, so that no more of them run at once than before."""

    def __init__(self, provider: Any, slots: threading.BoundedSemaphore) -> None:
        self._provider = provider
        self._slots = slots

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._provider, name)
        if not callable(value):
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            with self._slots:
                return value(*args, **kwargs)

        return call
