"""A dynamic provider that is not ours but asks for its calls to run side by side too, as tools/bench's
no-op does (`serve_calls_side_by_side` when its module is loaded, after ours): for
test_server_concurrency.py. Its create sends one request to the emulator (URL and token in its inputs)."""

from __future__ import annotations

from another_provider import AnotherProvider
from pulumi_pixverse.dynamic.concurrency import serve_calls_side_by_side


class SideBySideProvider(AnotherProvider):
    pass


serve_calls_side_by_side(SideBySideProvider)
