"""The main job: `up` runs `pulumi up --stack local` of this project (the language host runs
stacks/__main__.py) against the bundled emulator; `down` destroys the stack, stops the emulator (and
the PostgreSQL cluster, if any) and removes everything under .pulumi-local/.

The emulator runs in the background between the two, on 127.0.0.1:18787 (the stack's
pixverse:apiUrl), with its state in .pulumi-local/, so the accounts stay live after `up`. The stack's
state is in a file:// backend under .pulumi-local/backend/, or with `up --backend postgres` in the CLI's
PostgreSQL backend: a throwaway cluster in .pulumi-local/postgres/ (tools/postgres_cluster.py), which
also runs in the background until `down`. The folder that exists says which backend the stack is on,
so `down` needs no option, and an `up` that names the other backend stops with one line. No account,
token or internet is needed: the emulator's API token is made up on first use and reaches the provider
as USEAPI_TOKEN.

When something else holds the port (another clone's emulator, any other server), `up` and `down`
stop before anything runs with one line: the port, what holds it when this user can see it, what to
do. `--preflight` makes only that check and the backend's (tools/local runs it before the set-up), so
this file uses the standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from postgres_cluster import Cluster, ClusterError

REPO_ROOT = Path(__file__).resolve().parent.parent
PULUMI = REPO_ROOT / "tools" / "pulumi"
LOCAL_DIR = REPO_ROOT / ".pulumi-local"
EMULATOR_PORT = 18787
EMULATOR_URL = f"http://127.0.0.1:{EMULATOR_PORT}"
PASSPHRASE = "pixverse-local-emulator"  # protects only the made-up tokens in stacks/Pulumi.local.yaml
STACK = "local"
BACKENDS = ("file", "postgres")


TOKEN_FILE = LOCAL_DIR / "emulator.token"
_LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy


def emulator_token() -> str:
    """The local emulator's API token, made once and kept (mode 0600) in .pulumi-local/."""
    if not TOKEN_FILE.exists():
        LOCAL_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(TOKEN_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never readable by others
        with os.fdopen(fd, "w") as token_file:
            token_file.write(f"local-{secrets.token_hex(16)}")
    return TOKEN_FILE.read_text().strip()


def get(path: str, token: str | None = None) -> tuple[int, bytes]:
    """GET `path` of the emulator's URL: the status and the body (0 when nothing answers)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(EMULATOR_URL + path, headers=headers)
    try:
        with _LOOPBACK.open(request, timeout=5) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (OSError, ValueError):
        return 0, b""


def port_is_taken() -> bool:
    with socket.socket() as probe:
        probe.settimeout(2)
        return probe.connect_ex(("127.0.0.1", EMULATOR_PORT)) == 0


def our_emulator_answers() -> bool:
    """True when this clone's emulator answers on the port: an emulator that takes this clone's token."""
    if not TOKEN_FILE.exists():
        return False
    token = TOKEN_FILE.read_text().strip()
    admin, _ = get("/_emulator/accounts", token)
    api, _ = get("/v1/pixverse/account", token)
    return admin == 200 and api in (200, 404)


def listener() -> tuple[int, list[str]] | None:
    """The process listening on the port, as (pid, its command line), when this user may see it."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == EMULATOR_PORT:  # 0A: LISTEN
                inodes.add(f"socket:[{fields[9]}]")
    for process in Path("/proc").iterdir():
        if not process.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) in inodes for fd in (process / "fd").iterdir()):
                argv = (process / "cmdline").read_bytes().decode(errors="replace").split("\0")
                return int(process.name), [arg for arg in argv if arg]
        except OSError:  # not ours to look at, or it ended meanwhile
            continue
    return None


def port_taken_message(action: str) -> str:
    """One line: the port, what holds it (when known) and what to do."""
    where = f"127.0.0.1:{EMULATOR_PORT}"
    again = f"then run `tools/local {action}` again"
    found = listener()
    if found is None:
        return (
            f"tools/local: {where} is already in use, by a process this user cannot see: free the port "
            f"(`ss -ltnp 'sport = :{EMULATOR_PORT}'` names it), {again}"
        )
    pid, argv = found
    if "pulumi_pixverse.emulator" in argv and "--state" in argv[:-1]:
        clone = Path(argv[argv.index("--state") + 1]).parent.parent
        if clone == REPO_ROOT:
            return (
                f"tools/local: {where} is already in use by this clone's emulator of an earlier run whose "
                f".pulumi-local/ was removed (pid {pid}): stop it with `kill {pid}`, {again}"
            )
        return (
            f"tools/local: {where} is already in use by the local emulator of the clone in {clone} "
            f"(pid {pid}): run `tools/local down` there, {again}"
        )
    return (
        f"tools/local: {where} is already in use by pid {pid} ({' '.join(argv)[:120]}): stop it or "
        f"free the port, {again}"
    )


def check_port(action: str) -> None:
    """Exit with one line unless the port is free or held by this clone's emulator."""
    if port_is_taken() and not our_emulator_answers():
        sys.exit(port_taken_message(action))


def start_emulator(token: str) -> None:
    """Start the emulator in the background unless it already answers; wait until it is ready."""
    if our_emulator_answers():
        return
    log = (LOCAL_DIR / "emulator.log").open("a")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pulumi_pixverse.emulator",
            "--port",
            str(EMULATOR_PORT),
            "--state",
            str(LOCAL_DIR / "emulator-state.json"),
        ],
        env={**os.environ, "USEAPI_EMULATOR_TOKEN": token},
        stdout=log,
        stderr=log,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    (LOCAL_DIR / "emulator.pid").write_text(str(process.pid))
    deadline = time.monotonic() + 15
    while not our_emulator_answers():
        if process.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"the emulator did not start on {EMULATOR_URL}: see {LOCAL_DIR / 'emulator.log'}")
        time.sleep(0.1)
    print(f"emulator listening on {EMULATOR_URL} (pid {process.pid})")


def stop_emulator() -> None:
    pid_file = LOCAL_DIR / "emulator.pid"
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text())
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 10
    while our_emulator_answers() and time.monotonic() < deadline:
        time.sleep(0.1)
    print(f"emulator stopped (pid {pid})")


def print_live_accounts(token: str) -> None:
    """The accounts the emulator now holds, as the service reports them (credentials hidden)."""
    v1_status, v1 = get("/v1/pixverse/account", token)
    v2_status, v2 = get("/v2/pixverse/accounts", token)
    accounts = json.loads(v1) if v1_status == 200 else {}
    accounts_v2 = json.loads(v2) if v2_status == 200 else {}
    print(f"\naccounts live in the emulator: {len(accounts)} v1, {len(accounts_v2)} v2")
    for channel, account in sorted(accounts.items()):
        server, max_jobs = account["server"], account["maxJobs"]
        print(f"  v1 channel {channel}  server {server}  maxJobs {max_jobs}  discord [secret]")
    for email, account in sorted(accounts_v2.items()):
        print(f"  v2 email {email}  maxJobs {account['maxJobs']}  password [secret]")


def backend_in_use() -> str | None:
    """The backend the local stack is on: the one whose folder is in .pulumi-local/ (None: neither)."""
    if (LOCAL_DIR / "postgres").exists():
        return "postgres"
    return "file" if (LOCAL_DIR / "backend").exists() else None


def check_backend(backend: str) -> None:
    """Exit with one line when the local stack is on another backend than `backend`."""
    in_use = backend_in_use()
    if in_use not in (None, backend):
        sys.exit(
            f"tools/local: the local stack is on the {in_use} backend: run `tools/local down` first, or "
            f"`tools/local up --backend {in_use}`"
        )


def backend_url(backend: str) -> str:
    """The URL of `backend`, ready: the file:// folder made, or the PostgreSQL cluster running."""
    if backend == "file":
        (LOCAL_DIR / "backend").mkdir(exist_ok=True)
        return (LOCAL_DIR / "backend").as_uri()
    try:
        cluster = Cluster(LOCAL_DIR / "postgres")
        url = cluster.start()
    except ClusterError as error:
        sys.exit(f"tools/local: {error}")
    print(f"PostgreSQL listening on 127.0.0.1:{cluster.port} (state in {cluster.folder})")
    return url


def stop_cluster() -> None:
    try:
        cluster = Cluster(LOCAL_DIR / "postgres")
        if cluster.running():
            port = cluster.port
            cluster.stop()
            print(f"PostgreSQL stopped (127.0.0.1:{port})")
    except ClusterError as error:
        sys.exit(f"tools/local: {error}")


def pulumi(*args: str, token: str, backend: str, check: bool = True) -> int:
    """Run `pulumi ARGS` (tools/pulumi) on the local stack in the backend whose URL is `backend` (never
    printed: a postgres:// one holds a password), its output shown as it comes."""
    env = {
        **os.environ,
        "PULUMI_BACKEND_URL": backend,
        "PULUMI_HOME": str(LOCAL_DIR / "pulumi-home"),  # the selected stack and logs stay in here too
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "USEAPI_TOKEN": token,
        # The CLI's folder holds every plugin this stack needs. Without this, the editable install's
        # console script pulumi-resource-pixverse, on PATH, is loaded for nothing and warned about
        # (a wheel's pulumi-plugin.json says there is no plugin; an editable install's is not seen).
        "PULUMI_IGNORE_AMBIENT_PLUGINS": "true",
    }
    print(f"$ pulumi {' '.join(args)}", flush=True)
    done = subprocess.run([str(PULUMI), *args], cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, check=False)
    if check and done.returncode != 0:
        sys.exit(f"`pulumi {' '.join(args)}` failed (exit {done.returncode})")
    return done.returncode


def up(backend: str) -> None:
    check_port("up")
    check_backend(backend)
    token = emulator_token()
    start_emulator(token)
    url = backend_url(backend)
    pulumi("stack", "select", "--create", STACK, token=token, backend=url)
    pulumi("up", "--stack", STACK, "--yes", token=token, backend=url)
    print_live_accounts(token)


def down() -> None:
    if not LOCAL_DIR.exists():
        print("nothing to tear down")
        return
    check_port("down")
    token = emulator_token()
    start_emulator(token)
    backend = backend_in_use()
    if backend is not None:
        url = backend_url(backend)
        if pulumi("stack", "select", STACK, token=token, backend=url, check=False) == 0:
            pulumi("destroy", "--stack", STACK, "--yes", token=token, backend=url)
            pulumi("stack", "rm", STACK, "--yes", "--preserve-config", token=token, backend=url)
    print_live_accounts(token)
    stop_emulator()
    if backend == "postgres":
        stop_cluster()
    shutil.rmtree(LOCAL_DIR)
    print(f"removed {LOCAL_DIR}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["up", "down"])
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        default="file",
        help="where `up` keeps the stack's state: a file:// folder (default) or a PostgreSQL cluster, both "
        "in .pulumi-local/ (`down` finds which)",
    )
    parser.add_argument("--preflight", action="store_true", help="only check the port (and the backend)")
    arguments = parser.parse_args(argv)
    if arguments.preflight:
        if arguments.action == "up" or LOCAL_DIR.exists():
            check_port(arguments.action)
        if arguments.action == "up":
            check_backend(arguments.backend)
    elif arguments.action == "up":
        up(arguments.backend)
    else:
        down()


if __name__ == "__main__":
    main()
