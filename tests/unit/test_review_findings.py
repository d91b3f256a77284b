"""Issue 25's security review, one finding per test: an `http://` API URL to a host that is not
loopback is refused; `adopt` passes every value after `--`, checked first, so a value from the service
is never read as a flag."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pulumi_pixverse.dynamic.provider import PixverseAccountProvider

ACCOUNT = {
    "discord": "discord-token-adopt",
    "server": "111111111111111111",
    "channel": "222222222222222222",
    "maxJobs": 2,
}


@pytest.mark.parametrize(
    "url", ["http://api.useapi.net", "HTTP://10.0.0.5:8080", "http://localhost.evil.example"]
)
def test_a_plain_http_url_to_a_host_that_is_not_loopback_is_refused_naming_the_setting(
    configure, emulator, url
):
    with pytest.raises(ValueError) as refused:
        configure(PixverseAccountProvider(), {"pixverse:apiToken": emulator.token, "pixverse:apiUrl": url})
    assert str(refused.value) == (
        f"pixverse:apiUrl is {url}: plain http:// would send the API token in clear text; use https:// "
        "(http:// is accepted for a loopback address only, such as http://127.0.0.1:8080)"
    )
    assert emulator.token not in str(refused.value)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9", "https://api.example"]
)
def test_https_and_loopback_urls_are_accepted(configure, emulator, url):
    configure(PixverseAccountProvider(), {"pixverse:apiToken": emulator.token, "pixverse:apiUrl": url})


FAKE_PULUMI = """#!{python}
import json, os, sys
with open(os.environ["FAKE_PULUMI_LOG"], "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
if sys.argv[1:3] == ["config", "--json"]:
    print(os.environ["FAKE_PULUMI_CONFIG"])
"""


def adopt(
    tmp_path: Path, emulator, url: str = ""
) -> tuple[subprocess.CompletedProcess[str], list[list[str]]]:
    """`python -m pulumi_pixverse adopt` with a `pulumi` on PATH that records its arguments, the
    stack's pixverse:apiUrl `url` (default: the emulator's)."""
    fake = tmp_path / "bin" / "pulumi"
    fake.parent.mkdir(exist_ok=True)
    fake.write_text(FAKE_PULUMI.format(python=sys.executable))
    fake.chmod(0o700)
    log = tmp_path / "argv.log"
    config = {
        "pixverse:apiToken": {"value": emulator.token, "secret": True},
        "pixverse:apiUrl": {"value": url or emulator.url},
    }
    env = {
        **os.environ,
        "PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}",
        "FAKE_PULUMI_LOG": str(log),
        "FAKE_PULUMI_CONFIG": json.dumps(config),
    }
    done = subprocess.run(
        [sys.executable, "-m", "pulumi_pixverse", "adopt", "--stack", "dev"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return done, calls


def test_adopt_passes_every_service_value_where_no_flag_is_read(tmp_path, emulator):
    """The service's values go inside the one argument of `set-all --json`, and the token's key after
    `--`: never where `pulumi` would read a flag."""
    emulator.plant(ACCOUNT)
    done, calls = adopt(tmp_path, emulator)
    assert done.returncode == 0, done.stderr
    [secret] = [call for call in calls if call[:2] == ["config", "set"]]
    assert secret[secret.index("--") + 1 :] == ["pixverse:accounts[0].discord"]
    assert all(not arg.startswith("pixverse:") for arg in secret[: secret.index("--")])
    [fields] = [call for call in calls if call[:3] == ["config", "set-all", "--json"]]
    written = json.loads(fields[3])["pixverse:accounts[0]"]["objectValue"]
    assert (written["server"], written["channel"]) == (ACCOUNT["server"], ACCOUNT["channel"])
    assert not any(ACCOUNT["server"] in arg for call in calls for arg in call if arg != fields[3])
    assert ACCOUNT["discord"] not in json.dumps(calls)  # on stdin only


def test_adopt_refuses_a_service_value_that_is_not_an_id_and_writes_nothing(tmp_path, emulator):
    emulator.plant({**ACCOUNT, "server": "--config-file=\x1b[31m/tmp/elsewhere"})
    done, calls = adopt(tmp_path, emulator)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"adopt: cannot adopt the service's account {ACCOUNT['channel']}: its server "
        "--config-file=/tmp/elsewhere is not a Discord id (17 to 20 digits); nothing was written"
    )
    assert [call for call in calls if call[:2] == ["config", "set"]] == []


def test_adopt_refuses_an_api_url_that_parsers_read_differently_and_sends_nothing(tmp_path, emulator):
    """Issue 30: adopt judges pixverse:apiUrl as the providers do (tests/unit/test_api_url.py)."""
    port = emulator.url.rsplit(":", 1)[1]
    done, calls = adopt(tmp_path, emulator, f"http://2130706433:{port}\\@127.0.0.1")
    assert done.returncode == 1
    assert done.stderr.strip().endswith(
        "pixverse:apiUrl has a backslash: the API URL must be https://host[:port][/path] (http:// for a "
        "loopback address only), without user@, backslash, whitespace, control character, ? or #"
    )
    assert emulator.requests() == []
    assert [call for call in calls if call[:2] == ["config", "set"]] == []
