"""The main job: `up` runs `pulumi up --stack local` of this project (the language host runs
stacks/__main__.py) against the bundled emulator; `down` destroys the stack, stops the emulator and
removes everything under .pulumi-local/.

The emulator runs in the background between the two, on 127.0.0.1:18787 (the stack's
pixverse:apiUrl), with its state in .pulumi-local/, so the accounts stay live after `up`. The stack's
state is in a file:// backend under .pulumi-local/ too. No account, token or internet is needed: the
emulator's API token is made up on first use and reaches the provider as USEAPI_TOKEN.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parent.parent
PULUMI = REPO_ROOT / "tools" / "pulumi"
LOCAL_DIR = REPO_ROOT / ".pulumi-local"
EMULATOR_PORT = 18787
EMULATOR_URL = f"http://127.0.0.1:{EMULATOR_PORT}"
PASSPHRASE = "pixverse-local-emulator"  # protects only the made-up tokens in stacks/Pulumi.local.yaml
STACK = "local"


def emulator_token() -> str:
    """The local emulator's API token, made once and kept (mode 0600) in .pulumi-local/."""
    path = LOCAL_DIR / "emulator.token"
    if not path.exists():
        LOCAL_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(f"local-{secrets.token_hex(16)}")
        path.chmod(0o600)
    return path.read_text().strip()


def emulator_answers() -> bool:
    try:
        return requests.get(f"{EMULATOR_URL}/_emulator/accounts", timeout=2).ok
    except requests.RequestException:
        return False


def start_emulator(token: str) -> None:
    """Start the emulator in the background unless it already answers; wait until it is ready."""
    if emulator_answers():
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
    while not emulator_answers():
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
    while emulator_answers() and time.monotonic() < deadline:
        time.sleep(0.1)
    print(f"emulator stopped (pid {pid})")


def print_live_accounts(token: str) -> None:
    """The accounts the emulator now holds, as the service reports them (credentials hidden)."""
    headers = {"Authorization": f"Bearer {token}"}
    v1 = requests.get(f"{EMULATOR_URL}/v1/pixverse/account", headers=headers, timeout=10)
    v2 = requests.get(f"{EMULATOR_URL}/v2/pixverse/accounts", headers=headers, timeout=10)
    accounts = v1.json() if v1.ok else {}
    accounts_v2 = v2.json() if v2.ok else {}
    print(f"\naccounts live in the emulator: {len(accounts)} v1, {len(accounts_v2)} v2")
    for channel, account in sorted(accounts.items()):
        server, max_jobs = account["server"], account["maxJobs"]
        print(f"  v1 channel {channel}  server {server}  maxJobs {max_jobs}  discord [secret]")
    for email, account in sorted(accounts_v2.items()):
        print(f"  v2 email {email}  maxJobs {account['maxJobs']}  password [secret]")


def pulumi(*args: str, token: str, check: bool = True) -> int:
    """Run `pulumi ARGS` (tools/pulumi) on the local stack, its output shown as it comes."""
    env = {
        **os.environ,
        "PULUMI_BACKEND_URL": (LOCAL_DIR / "backend").as_uri(),
        "PULUMI_HOME": str(LOCAL_DIR / "pulumi-home"),  # the selected stack and logs stay in here too
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "USEAPI_TOKEN": token,
    }
    print(f"$ pulumi {' '.join(args)}", flush=True)
    done = subprocess.run([str(PULUMI), *args], cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, check=False)
    if check and done.returncode != 0:
        sys.exit(f"`pulumi {' '.join(args)}` failed (exit {done.returncode})")
    return done.returncode


def up() -> None:
    token = emulator_token()
    start_emulator(token)
    (LOCAL_DIR / "backend").mkdir(exist_ok=True)
    pulumi("stack", "select", "--create", STACK, token=token)
    pulumi("up", "--stack", STACK, "--yes", token=token)
    print_live_accounts(token)


def down() -> None:
    if not LOCAL_DIR.exists():
        print("nothing to tear down")
        return
    token = emulator_token()
    start_emulator(token)
    if pulumi("stack", "select", STACK, token=token, check=False) == 0:
        pulumi("destroy", "--stack", STACK, "--yes", token=token)
        pulumi("stack", "rm", STACK, "--yes", "--preserve-config", token=token)
    print_live_accounts(token)
    stop_emulator()
    shutil.rmtree(LOCAL_DIR)
    print(f"removed {LOCAL_DIR}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["up", "down"])
    {"up": up, "down": down}[parser.parse_args().action]()
