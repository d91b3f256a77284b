"""Issue 30's review, part A: what the service or a stack's state holds reaches a terminal (and the
drift job's summary) only as printable lines. The audit's table and failure line and adopt's messages
through the CLI, with a `pulumi` on PATH that answers as a stack would; migrate's program and shell
lines through its generating function, and its refusal of a name no terminal line can show."""

from __future__ import annotations

import ast
import json
import os
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from pulumi_pixverse.commands import migrate
from pulumi_pixverse.commands.audit import Audit, Finding, table
from pulumi_pixverse.commands.pulumi_cli import CommandError

HOSTILE = "\x1b[31m\x1b]0;owned\x07\u202e"
"""A colour, a window title (its text included) and a bidi override: none may reach a terminal."""
CHANNEL = "222222222222222222"
FAKE_PULUMI = """#!{python}
import os, sys
if sys.argv[1:3] == ["stack", "export"] and os.environ.get("FAKE_PULUMI_FAILS"):
    sys.stderr.write(os.environ["FAKE_PULUMI_FAILS"])
    sys.exit(1)
if sys.argv[1:3] == ["stack", "export"]:
    print(os.environ["FAKE_PULUMI_STATE"])
if sys.argv[1:3] == ["config", "--json"]:
    print(os.environ["FAKE_PULUMI_CONFIG"])
"""


def assert_printable(text: str) -> None:
    """Every line of `text` holds nothing a terminal would act on."""
    for line in text.splitlines():
        assert line.isprintable(), repr(line)


def run(tmp_path: Path, emulator: Any, *args: str, state: Any = None, **env: str) -> Any:
    """`python -m pulumi_pixverse ARGS --stack prod` with a `pulumi` on PATH whose stack holds `state`
    (resources) and whose config points at the emulator, plus `env`'s pixverse:accounts and failures."""
    fake = tmp_path / "bin" / "pulumi"
    fake.parent.mkdir(exist_ok=True)
    fake.write_text(FAKE_PULUMI.format(python=sys.executable))
    fake.chmod(0o700)
    config = {
        "pixverse:apiToken": {"value": emulator.token, "secret": True},
        "pixverse:apiUrl": {"value": emulator.url},
        **json.loads(env.pop("config", "{}")),
    }
    return subprocess.run(
        [sys.executable, "-m", "pulumi_pixverse", *args, "--stack", "prod"],
        env={
            **os.environ,
            "PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}",
            "FAKE_PULUMI_STATE": json.dumps({"deployment": {"resources": state or []}}),
            "FAKE_PULUMI_CONFIG": json.dumps(config),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_audits_table_shows_hostile_emails_each_on_its_one_printable_row(tmp_path, emulator):
    emulator.plant_v2({"email": f"mallory{HOSTILE}@evil.example", "password": "pw-hostile", "maxJobs": 1})
    ghost = f"ghost{HOSTILE}\r\nmissing  v2 fake@row.example\n@evil.example"
    declared = {"type": "pixverse:index:AccountV2", "id": ghost, "outputs": {"email": ghost, "maxJobs": 1}}
    done = run(tmp_path, emulator, "audit", state=[declared])
    assert done.returncode == 2, done.stderr
    assert_printable(done.stdout)
    rows = done.stdout.splitlines()[2:]
    assert [row.split()[:2] for row in rows] == [["unmanaged", "v2"], ["missing", "v2"]]
    assert "v2 mallory\\u202e@evil.example " in rows[0] and "owned" not in done.stdout
    assert "v2 ghost\\u202e missing v2 fake@row.example @evil.example " in rows[1]


def test_the_audits_rows_are_one_printable_line_whatever_their_detail_holds():
    failure = f"looking up the plan of the v2 account a{HOSTILE}@b.example failed:\nline two\x00"
    lines = table("prod", Audit([Finding("unchecked", f"v2 a{HOSTILE}\n@b.example", failure)]))
    assert len(lines) == 3
    assert_printable("\n".join(lines))
    assert lines[2].startswith("unchecked         v2 a\\u202e @b.example  looking up the plan")


def test_the_audits_failure_line_is_one_printable_line(tmp_path, emulator):
    said = f"error: {HOSTILE}stack 'prod'\x1b[0m not found\n"
    done = run(tmp_path, emulator, "audit", FAKE_PULUMI_FAILS=said)
    assert done.returncode == 1
    assert done.stderr == "audit: `pulumi stack export` failed: error: \\u202estack 'prod' not found\n"


def test_adopts_message_shows_a_declared_name_as_one_printable_line(tmp_path, emulator):
    live = {"discord": "discord-hostile", "server": "111111111111111111", "channel": CHANNEL, "maxJobs": 2}
    emulator.plant(live)
    declared = {**live, "name": f"studio{HOSTILE}\nadded x", "maxJobs": 3}
    done = run(
        tmp_path, emulator, "adopt", config=json.dumps({"pixverse:accounts": {"objectValue": [declared]}})
    )
    assert done.returncode == 0, done.stderr
    assert_printable(done.stdout)
    assert done.stdout.splitlines()[0] == (
        f"declared studio\\u202e added x (channel {CHANNEL}) differs from the service: "
        "maxJobs (declared 3, live 2)"
    )


NAME = "studio \"one\" 'two' $(touch /tmp/pwned) `id`\\\nsecond line"


def resource(kind: str, name: str, **outputs: Any) -> dict[str, Any]:
    return {"type": kind, "urn": f"urn:pulumi:prod::project::{kind}::{name}", "outputs": outputs}


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The resources migrate reads from the stack's state (its config holds no account); a `pulumi`
    command it would run fails the test."""
    resources: list[dict[str, Any]] = []
    monkeypatch.setattr(migrate, "state", lambda stack: resources)
    monkeypatch.setattr(migrate, "read_stack_config", lambda stack: {})

    def no_command(*args: Any, **kwargs: Any) -> str:
        raise AssertionError(f"pulumi {args} was run")

    monkeypatch.setattr(migrate, "pulumi", no_command)
    return resources


def test_migrates_program_holds_each_name_as_one_literal_and_quotes_it_in_shell(stack):
    email = f"a{HOSTILE}@b.example"
    stack.append(resource("pixverse:index:Account", NAME, server="1" * 18, channel=CHANNEL, maxJobs=2))
    stack.append(resource("pixverse:index:AccountV2", "creator", email=email, maxJobs=1))
    lines = list(migrate.program("prod"))
    assert_printable("\n".join(line for line in lines if not line.startswith("then: ")))
    code = textwrap.dedent("".join(line + "\n" for line in lines if line.startswith("    ")))
    calls = [
        node
        for node in ast.walk(ast.parse(code))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    ]
    literals = {
        (node.func.attr, ast.literal_eval(node.args[0]))
        for node in calls
        if node.args and node.func.attr != "apply"
    }
    assert ("Account", NAME) in literals and ("require_secret", f"{NAME}-discord") in literals
    v2 = next(node for node in calls if node.func.attr == "AccountV2")
    assert {k.arg: ast.literal_eval(k.value) for k in v2.keywords if k.arg != "password"}["email"] == email
    shell = next(line for line in lines if line.startswith("then: "))
    command = shell.split("`", 1)[1].rsplit("`", 1)[0]
    assert shlex.split(command) == [
        "pulumi",
        "config",
        "set",
        "--secret",
        "--stack",
        "prod",
        "--",
        f"{NAME}-discord",
    ]


def test_migrate_refuses_a_name_no_terminal_line_can_show_before_any_change(stack):
    stack.append(resource("pulumi-python:dynamic/pixverse:Account", f"evil{HOSTILE}\nname", channel=CHANNEL))
    with pytest.raises(CommandError) as refused:
        list(migrate.migrate("prod", dry_run=False))
    assert str(refused.value) == (
        "cannot migrate stack prod: the resource name 'evil\\x1b[31m\\x1b]0;owned\\x07\\u202e\\nname' holds "
        "a line break, an escape or another character a terminal does not show; rename it (`pulumi state "
        "rename`), then run migrate again; nothing was changed"
    )


def test_migrates_messages_show_a_key_of_the_state_as_one_printable_line(stack):
    email = f"a{HOSTILE}\n@b.example"
    stack.append(resource("pulumi-python:dynamic/pixverse:AccountV2", "creator", email=email, maxJobs=1))
    lines = list(migrate.migrate("prod", dry_run=True))
    assert lines[1] == "would import creator as pixverse:index:AccountV2 a\\u202e @b.example"
    assert_printable("\n".join(lines))
