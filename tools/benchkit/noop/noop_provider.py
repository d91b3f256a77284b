"""A dynamic provider that does nothing: the engine's floor. With NOOP_DELAY=S in its environment
(tools/bench --scale) it waits as an ideal provider of a service S seconds away would: S for each
create, update and delete (one request each), and S once per process for its reads (one list call
that every read of the command shares), running as many calls at once as the engine sends, as this
project's provider does (pulumi_pixverse.dynamic.concurrency)."""

import os
import threading
import time
from typing import Any

from pulumi.dynamic import CreateResult, ReadResult, ResourceProvider, UpdateResult

DELAY = float(os.environ.get("NOOP_DELAY") or 0)
_listed = threading.Lock()
_list_done = False


def _one_request() -> None:
    time.sleep(DELAY)


def _the_list_call() -> None:
    global _list_done
    with _listed:  # the other reads wait for the one list call, as this project's provider's do
        if not _list_done:
            time.sleep(DELAY)
            _list_done = True


class NoopProvider(ResourceProvider):
    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        _one_request()
        return CreateResult(props["name"], props)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        _the_list_call()
        return ReadResult(id_, props)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        _one_request()
        return UpdateResult(news)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        _one_request()


if DELAY:
    from pulumi_pixverse.dynamic.concurrency import serve_calls_side_by_side

    serve_calls_side_by_side(NoopProvider)
