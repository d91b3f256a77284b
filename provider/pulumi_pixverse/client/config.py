"""How to reach the API: the settings a client is built from. Standard library only, so the program
side (which declares resources and never calls the API) imports it without requests."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_BASE_URL = "https://api.useapi.net"


@dataclass(frozen=True)
class ClientSettings:
    """How to reach the API. `repr` never shows the token. Hashable: a process keeps one transport
    (one connection pool) per distinct settings."""

    token: str
    base_url: str = DEFAULT_BASE_URL
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    request_timeout: float = 120.0
    """The most one call may take: every attempt's connection, answer and body, and the waits between."""
    max_retries: int = 4
    backoff_factor: float = 0.5
    backoff_max: float = 20.0

    def __repr__(self) -> str:
        return (
            f"ClientSettings(base_url={self.base_url!r}, token=<hidden>, "
            f"connect_timeout={self.connect_timeout}, read_timeout={self.read_timeout}, "
            f"request_timeout={self.request_timeout}, "
            f"max_retries={self.max_retries}, backoff_factor={self.backoff_factor})"
        )
