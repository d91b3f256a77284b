"""The processes a bench run watches: the emulator in its own process, and what the CLI starts below it
(sampled from /proc for CPU time by role and the provider process's peak memory)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import requests

PYTHON_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
"""The environment of every process the bench starts: Python's default bytecode cache on (some
sandboxes turn it off, which makes every import of this package compile its source again, while the
installed SDK's bytecode is already cached)."""


class Emulator:
    """The emulator in a process of its own (`python -m pulumi_pixverse.emulator --port 0`), with no
    latency until `set_latency`."""

    def __init__(self, token: str, log: Path) -> None:
        self._log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pulumi_pixverse.emulator", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=self._log,
            stdin=subprocess.DEVNULL,
            text=True,
            env={**PYTHON_ENV, "USEAPI_EMULATOR_TOKEN": token},  # never on a command line
        )
        self._auth = {"Authorization": f"Bearer {token}"}
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if "listening on " not in line:
            self.stop()
            sys.exit(f"bench: the emulator did not start: {line or 'no output'} (see {log})")
        self.url = line.rsplit(" ", 1)[1]

    def _admin(self, method: str, route: str, body: Any = None) -> Any:
        response = requests.request(
            method, f"{self.url}/_emulator/{route}", json=body, headers=self._auth, timeout=30
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def reset(self) -> None:
        """No accounts, no request log, no latency."""
        self._admin("POST", "reset")

    def set_latency(self, seconds: float, jitter: float = 0.0, seed: int = 0) -> None:
        """Every API request waits `seconds` (give or take `jitter`) before it is answered."""
        self._admin("POST", "latency", {"seconds": seconds, "jitter": jitter, "seed": seed})

    def seed(self, accounts: list[dict[str, Any]]) -> None:
        """Store each v1 account on the service as another owner (a dashboard, another team's stack)
        would have made it: an admin route, neither delayed nor in the request log."""
        with requests.Session() as session:  # one connection for all
            for account in accounts:
                body = {key: value for key, value in account.items() if key != "name"}
                url = f"{self.url}/_emulator/accounts"
                session.post(url, json=body, headers=self._auth, timeout=30).raise_for_status()

    def totals(self) -> tuple[Counter[str], int]:
        """Requests by route and connections since the last reset."""
        counts = Counter(self._admin("GET", "requests")["counts"])
        return counts, int(self._admin("GET", "connections")["connections"])

    def peak_in_flight(self, restart: bool = False) -> int:
        """The most API requests in flight at once since the last restart (or reset)."""
        return int(self._admin("DELETE" if restart else "GET", "in-flight")["peak"])

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


def routes_text(counts: Counter[str]) -> str:
    """API requests by route, short: "GET v1 1, POST v1/{channel} 100"."""
    short = {"/v1/pixverse/account": "v1", "/v2/pixverse/accounts": "v2"}
    parts = []
    for route, number in sorted(counts.items()):
        for long, name in short.items():
            route = route.replace(long, name)
        parts.append(f"{route} {number}")
    return ", ".join(parts) or "none"


ROLES = ("engine", "program", "provider", "pip", "emulator")
"""Where CPU time goes: the Go CLI and language host, the Python program, the dynamic provider process
(`python -m pulumi.dynamic`), the `pip list` the language host runs at each start, and the emulator."""


def _role(command: bytes) -> str:
    argv = command.decode(errors="replace").split("\0")
    if "pulumi.dynamic" in argv:
        return "provider"
    if any(arg.endswith("pulumi-language-python-exec") for arg in argv):
        return "program"
    if "pip" in argv:
        return "pip"
    if Path(argv[0]).name.startswith("pulumi"):
        return "engine"
    return "other"


class TreeSampler:
    """Samples, every 0.1 s in a thread, the processes below one CLI process: the CPU seconds of each
    (utime + stime, by role) and the peak resident memory (VmHWM) of the provider processes. A
    process's last 0.1 s is missed, and one that lives shorter may be missed entirely: the CLI's
    rusage (exact, every descendant included) gives the total, and what sampling missed shows as
    "other"."""

    def __init__(self, root_pid: int) -> None:
        self.root_pid = root_pid
        self.peak_kib = 0
        self._seen: dict[int, tuple[str, float]] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> dict[str, float]:
        """CPU seconds by role, as sampled."""
        self._done.set()
        self._thread.join()
        cpu = dict.fromkeys(ROLES, 0.0)
        for role, seconds in self._seen.values():
            cpu[role] = cpu.get(role, 0.0) + seconds
        return cpu

    def _run(self) -> None:
        while not self._done.wait(0.1):  # a scan of /proc takes ~2 ms: ~2% of a core
            for pid, seconds in self._tree().items():
                role = self._seen[pid][0] if pid in self._seen else _role(_cmdline(pid))
                self._seen[pid] = (role, seconds)
                if role == "provider":
                    self.peak_kib = max(self.peak_kib, _vm_hwm_kib(pid))

    def _tree(self) -> dict[int, float]:
        """CPU seconds of each live descendant of the root process, by pid."""
        children: dict[int, list[int]] = {}
        cpu: dict[int, float] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except (OSError, IndexError):
                    continue
                children.setdefault(int(fields[1]), []).append(int(entry.name))
                cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        tree, index = [self.root_pid], 0
        while index < len(tree):
            tree.extend(children.get(tree[index], []))
            index += 1
        return {pid: cpu[pid] for pid in tree if pid in cpu}


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    except (OSError, IndexError):
        return 0.0


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _vm_hwm_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0
