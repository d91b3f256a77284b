"""A dynamic provider that is not ours, for test_server_concurrency.py: its create sends one request to
the emulator (URL and token in its inputs), so the emulator counts how many of its calls run at once."""

from __future__ import annotations

from typing import Any

import requests
from pulumi.dynamic import CreateResult, ResourceProvider


class AnotherProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        headers = {"Authorization": f"Bearer {props['token']}"}
        requests.get(f"{props['url']}/v1/pixverse/account/{props['name']}", headers=headers, timeout=30)
        return CreateResult(props["name"], {"name": props["name"]})
