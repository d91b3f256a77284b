"""Local emulator of the useapi.net PixVerse account APIs, v1 and v2, for tests and offline stacks.

Standard library only. Start one with `start_in_thread()` or `python -m pulumi_pixverse.emulator`.
"""

from .backend import AccountStore
from .server import EmulatorServer, start_in_thread

__all__ = ["AccountStore", "EmulatorServer", "start_in_thread"]
