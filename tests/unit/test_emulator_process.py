"""The emulator as a process: its state file across restarts, its command line, and the token it makes
without USEAPI_EMULATOR_TOKEN."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import requests
from emulator_v1 import CH1, CH2, TOKEN, account, accounts, api
from pulumi_pixverse.emulator import start_in_thread

# --- persistence -----------------------------------------------------------------------------


def test_state_file_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    first = start_in_thread(token=TOKEN, state_file=state)
    try:
        assert api(first.url, "POST", f"/{CH1}", json=account(CH1, "t1")).status_code == 204
        assert json.loads(state.read_text()) == {"v1": {CH1: account(CH1, "t1")}, "v2": {}}
        assert api(first.url, "POST", f"/{CH2}", json=account(CH2, "t2")).status_code == 204
        assert json.loads(state.read_text())["v1"] == {CH1: account(CH1, "t1"), CH2: account(CH2, "t2")}
        assert api(first.url, "DELETE", f"/{CH2}").status_code == 204
        assert json.loads(state.read_text())["v1"] == {CH1: account(CH1, "t1")}
    finally:
        first.stop()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]  # no temp files left
    second = start_in_thread(token=TOKEN, state_file=state)
    try:
        assert api(second.url, "GET", f"/{CH1}").json() == account(CH1, "t1")
    finally:
        second.stop()


def test_a_v1_only_state_file_of_an_earlier_emulator_still_loads(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text(json.dumps({CH1: account(CH1, "t1")}))
    server = start_in_thread(token=TOKEN, state_file=state)
    try:
        assert accounts(server.url) == {CH1: account(CH1, "t1")}
        assert api(server.url, "POST", f"/{CH2}", json=account(CH2, "t2")).status_code == 204
    finally:
        server.stop()
    assert json.loads(state.read_text()) == {
        "v1": {CH1: account(CH1, "t1"), CH2: account(CH2, "t2")},
        "v2": {},
    }


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("[]", "does not hold a JSON object"),
        ('{"v1": [], "v2": {}}', "v1 and v2 must be JSON objects"),
        (json.dumps({CH1: account(CH2)}), "holds an invalid account"),
        (json.dumps({"v2": {"a@b.io": {"email": "a@b.io", "maxJobs": 1}}}), "holds an invalid account"),
    ],
)
def test_a_broken_state_file_refuses_to_start(tmp_path: Path, content: str, says: str) -> None:
    state = tmp_path / "state.json"
    state.write_text(content)
    with pytest.raises(ValueError, match=says):
        start_in_thread(token=TOKEN, state_file=state)


# --- command line ----------------------------------------------------------------------------


def read_line(stream: Any, timeout: float) -> str:
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    return lines.get(timeout=timeout)


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_command_line_serves_until_signal(tmp_path: Path, stop_signal: signal.Signals) -> None:
    secret = "cli-secret-token-value"
    args = [sys.executable, "-m", "pulumi_pixverse.emulator", "--port", "0"]
    env = {**os.environ, "USEAPI_EMULATOR_TOKEN": secret}
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path
    )
    try:
        line = read_line(proc.stdout, timeout=15)
        match = re.fullmatch(r"pixverse emulator listening on (http://127\.0\.0\.1:(\d+))\n", line)
        assert match is not None, line
        assert int(match.group(2)) > 0
        base = match.group(1)
        headers = {"Authorization": f"Bearer {secret}"}
        assert api(base, "POST", f"/{CH1}", headers=headers, json=account()).status_code == 204
        assert api(base, "GET", f"/{CH1}", headers=headers).json() == account()
        assert api(base, "GET", "").status_code == 401
        proc.send_signal(stop_signal)
        stdout, stderr = proc.communicate(timeout=10)
        assert proc.returncode == 0
        assert secret not in line + stdout + stderr
        assert "discord-token-a" not in line + stdout + stderr
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def shown_accounts(base: str, token: str) -> requests.Response:
    """The admin route that shows v2 passwords, called with `token`."""
    return requests.get(
        f"{base}/_emulator/accounts-v2", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )


def test_without_a_token_each_start_makes_its_own_in_a_file_only_the_user_reads(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "USEAPI_EMULATOR_TOKEN"}
    env["TMPDIR"] = str(tmp_path)
    tokens = []
    for _ in range(2):
        proc = subprocess.Popen(
            [sys.executable, "-m", "pulumi_pixverse.emulator", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            base = read_line(proc.stdout, timeout=15).strip().rsplit(" ", 1)[1]
            said = read_line(proc.stdout, timeout=5)
            match = re.fullmatch(
                r"pixverse emulator: USEAPI_EMULATOR_TOKEN is not set, so its token is a new random one, "
                r"in (\S+) \(readable by you only; removed when it stops\)\n",
                said,
            )
            assert match is not None, said
            token_file = Path(match.group(1))
            assert token_file.parent.parent == tmp_path
            assert token_file.stat().st_mode & 0o777 == 0o600
            assert token_file.parent.stat().st_mode & 0o777 == 0o700
            token = token_file.read_text()
            tokens.append(token)
            for refused in ("emulator-token", ""):  # the fixed token of earlier emulators; none
                assert shown_accounts(base, refused).status_code == 401
                assert api(base, "GET", "", headers={"Authorization": f"Bearer {refused}"}).status_code == 401
            assert shown_accounts(base, token).status_code == 200
            proc.send_signal(signal.SIGTERM)
            stdout, stderr = proc.communicate(timeout=10)
            assert proc.returncode == 0 and token not in said + stdout + stderr
            assert not token_file.parent.exists()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert len(set(tokens)) == 2 and all(len(token) >= 32 for token in tokens)
