"""tools/local with its emulator's port taken: one line naming the port, what holds it and what to do,
and nothing created; this clone's own emulator is used as before. And `tools/local up --backend
postgres` then `down`: the local stack's state in a PostgreSQL cluster of its own, all of it gone after.

Real processes hold a real port; only the port is another than 18787 (tools/local's own stays free
for a running `tools/local up`), and this clone is a temporary folder.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

TOOLS = Path(__file__).resolve().parents[2] / "tools"


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """tools/local_stack.py for a clone in tmp_path/clone whose emulator's port is a free one."""
    monkeypatch.syspath_prepend(str(TOOLS))  # its postgres_cluster, as the script finds it beside itself
    spec = importlib.util.spec_from_file_location("local_stack", TOOLS / "local_stack.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    port, clone = free_port(), tmp_path / "clone"
    monkeypatch.setattr(module, "EMULATOR_PORT", port)
    monkeypatch.setattr(module, "EMULATOR_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setattr(module, "REPO_ROOT", clone)
    monkeypatch.setattr(module, "LOCAL_DIR", clone / ".pulumi-local")
    monkeypatch.setattr(module, "TOKEN_FILE", clone / ".pulumi-local" / "emulator.token")
    return module


@pytest.fixture
def holders() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        process.kill()
        process.wait()


def hold(holders: list[subprocess.Popen[bytes]], port: int, *argv: str, token: str = "") -> int:
    """Start `python ARGV` (with USEAPI_EMULATOR_TOKEN=`token` when given) and wait until something
    listens on `port`; its pid."""
    env = {**os.environ, **({"USEAPI_EMULATOR_TOKEN": token} if token else {})}
    process = subprocess.Popen(
        [sys.executable, *argv], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    holders.append(process)
    deadline = time.monotonic() + 30
    while not listening(port):
        assert process.poll() is None and time.monotonic() < deadline, "the holder did not start"
        time.sleep(0.05)
    return process.pid


def emulator_argv(port: int, clone: Path) -> list[str]:
    state = clone / ".pulumi-local" / "emulator-state.json"
    return ["-m", "pulumi_pixverse.emulator", "--port", str(port), "--state", str(state)]


def refusal(local: ModuleType, action: str = "up") -> str:
    with pytest.raises(SystemExit) as stopped:
        local.check_port(action)
    return str(stopped.value.code)


def test_another_clone_s_emulator_is_named_with_its_folder_and_nothing_is_created(local, holders, tmp_path):
    other = tmp_path / "other-clone"
    (other / ".pulumi-local").mkdir(parents=True)
    pid = hold(
        holders, local.EMULATOR_PORT, *emulator_argv(local.EMULATOR_PORT, other), token="other-clone-token"
    )
    assert refusal(local) == (
        f"tools/local: 127.0.0.1:{local.EMULATOR_PORT} is already in use by the local emulator of the clone "
        f"in {other} (pid {pid}): run `tools/local down` there, then run `tools/local up` again"
    )
    assert not local.LOCAL_DIR.exists()


def test_this_clone_s_emulator_of_a_removed_run_is_named_as_such(local, holders):
    local.LOCAL_DIR.mkdir(parents=True)
    pid = hold(
        holders, local.EMULATOR_PORT, *emulator_argv(local.EMULATOR_PORT, local.REPO_ROOT), token="lost-token"
    )
    message = refusal(local, "down")
    assert (
        f"by this clone's emulator of an earlier run whose .pulumi-local/ was removed (pid {pid})" in message
    )
    assert message.endswith(f"stop it with `kill {pid}`, then run `tools/local down` again")


def test_any_other_server_is_named_by_its_pid_and_command(local, holders):
    pid = hold(
        holders, local.EMULATOR_PORT, "-m", "http.server", str(local.EMULATOR_PORT), "--bind", "127.0.0.1"
    )
    message = refusal(local)
    assert message.startswith(
        f"tools/local: 127.0.0.1:{local.EMULATOR_PORT} is already in use by pid {pid} ("
    )
    assert "-m http.server" in message and message.endswith("then run `tools/local up` again")
    assert "\n" not in message


def test_this_clone_s_running_emulator_and_a_free_port_pass(local, holders):
    local.check_port("up")  # free
    token = local.emulator_token()
    hold(holders, local.EMULATOR_PORT, *emulator_argv(local.EMULATOR_PORT, local.REPO_ROOT), token=token)
    local.check_port("up")
    local.check_port("down")


def test_the_token_file_is_created_0600_never_readable_by_others_for_an_instant(local, monkeypatch):
    """Issue 25: it was written (world-readable under the usual umask), then chmod-ed."""
    monkeypatch.setattr(
        Path, "chmod", lambda *_: pytest.fail("created with other permissions, then chmod-ed")
    )
    token = local.emulator_token()
    assert token.startswith("local-")
    assert local.TOKEN_FILE.stat().st_mode & 0o777 == 0o600


@pytest.fixture
def project_clone(local: ModuleType, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """`local` for a clone of this project (Pulumi.yaml, stacks/ with the local stack's config aimed at
    the emulator's free port, the virtualenv linked) in a folder the PostgreSQL server's user may enter
    (pytest's own temporary folders are closed to other users); whatever `up` left running is stopped
    at the end."""
    root = Path(tempfile.mkdtemp(prefix="pixverse-local-"))
    root.chmod(0o755)
    clone = root / "clone"
    (clone / "stacks").mkdir(parents=True)
    shutil.copy(TOOLS.parent / "Pulumi.yaml", clone)
    shutil.copy(TOOLS.parent / "stacks" / "__main__.py", clone / "stacks")
    config = (TOOLS.parent / "stacks" / "Pulumi.local.yaml").read_text()
    (clone / "stacks" / "Pulumi.local.yaml").write_text(
        config.replace("http://127.0.0.1:18787", local.EMULATOR_URL)
    )
    (clone / ".venv").symlink_to(TOOLS.parent / ".venv")
    (clone / "stacks" / ".venv").symlink_to(Path("..") / ".venv")
    monkeypatch.setattr(local, "REPO_ROOT", clone)
    monkeypatch.setattr(local, "LOCAL_DIR", clone / ".pulumi-local")
    monkeypatch.setattr(local, "TOKEN_FILE", clone / ".pulumi-local" / "emulator.token")
    yield local
    if local.LOCAL_DIR.exists():
        local.stop_emulator()
        local.stop_cluster()
    shutil.rmtree(root)


def test_up_with_the_postgres_backend_keeps_the_state_in_a_cluster_and_down_removes_it_all(
    project_clone, capfd
):
    local = project_clone
    local.main(["up", "--backend", "postgres"])
    printed = capfd.readouterr().out
    cluster = local.Cluster(local.LOCAL_DIR / "postgres")
    assert f"PostgreSQL listening on 127.0.0.1:{cluster.port} (state in {cluster.folder})" in printed
    assert "accounts live in the emulator: 3 v1, 2 v2" in printed
    assert cluster.password not in printed
    keys = cluster.psql("SELECT key FROM pulumi_state").split()
    assert "pulumi/.pulumi/stacks/pixverse/local.json" in keys
    assert not [key for key in keys if key.startswith("pulumi/.pulumi/locks/")]
    assert not (local.LOCAL_DIR / "backend").exists(), "no file:// state beside it"

    with pytest.raises(SystemExit) as refused:
        local.main(["up", "--preflight"])
    assert str(refused.value.code) == (
        "tools/local: the local stack is on the postgres backend: run `tools/local down` first, or "
        "`tools/local up --backend postgres`"
    )

    port = cluster.port
    local.main(["down"])
    printed = capfd.readouterr().out
    assert "accounts live in the emulator: 0 v1, 0 v2" in printed
    assert f"PostgreSQL stopped (127.0.0.1:{port})" in printed
    assert not local.LOCAL_DIR.exists()
    assert not listening(port) and not listening(local.EMULATOR_PORT)
