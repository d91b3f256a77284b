"""Scenarios as lists of steps, each run on a fresh stack: the acceptance-test model of Terraform's
provider tests (terraform-plugin-testing, as hashicorp/terraform-provider-scaffolding-framework uses
it): each step applies a declaration and checks what came of it, a plan after each applying step must
be empty, and the stack is destroyed at the end.

`run` runs a scenario. Each `Step`:

1. does what its `behind_the_back` says to the service (as someone outside Pulumi would: a drift, a
   deletion, a refused login), then writes its `declare` (the stack's config or program);
2. runs its `command`, `pulumi up` (default), `preview` or `refresh`, and checks the change summary
   the CLI printed, the API requests it caused (method and path from the emulator's request log), the
   accounts the service holds, the accounts in the state, the stack outputs, what the CLI printed, or,
   for a step that `fails_with`, the one line that says why;
3. after an `up` that succeeded, runs `pulumi preview --expect-no-changes`, which must send nothing
   (so no write);
4. checks that no credential leaked (`StackUnderTest.assert_no_token_leaked`).

After the last step, `pulumi destroy` must delete every account in the state, and the service must no
longer hold any of them.

Why the real CLI through the harness rather than `pulumi.automation`: these tests assert what a user
sees, and much of it is printed text (the diff's "maxJobs: 2 => 7", "[secret]", an error that must
take one line and no traceback), which the automation API hands back as the same stdout to parse; its
summary as data saves only `change_summary`. The harness runs each command as a user types it, through
tools/pulumi (the CLI tools/test sets up), and keeps all it printed for the leak scans. The automation
API runs other commands than a user's (`up --skip-preview`, then `stack output` and `stack history`
for the summary, each a CLI start on two shared cores), runs the `pulumi` first on PATH rather than
tools/pulumi, and would be a second way of driving the CLI beside the one every other e2e test uses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import unquote

import harness
from emulator_admin import EmulatorAdmin
from harness import ACCOUNT_TYPE, SECRET_SIG, V1_TYPE, V2_TYPE, CommandFailed, StackUnderTest, change_summary

ACCOUNT_TYPES = (ACCOUNT_TYPE, f"{ACCOUNT_TYPE}V2", V1_TYPE, V2_TYPE)
"""The account resources of both front-ends: the dynamic provider's (v1, v2) and the plugin's."""
V1_PATH = "/v1/pixverse/account"
V2_PATH = "/v2/pixverse/accounts"
LIST_V1 = f"GET {V1_PATH}"
LIST_V2 = f"GET {V2_PATH}"
SECRET = "<secret>"
"""An expected state value: a secret, encrypted, in the outputs and, where declared, in the inputs."""
ABSENT = "<absent>"
"""An expected state value: no such output."""


def post(account: Mapping[str, Any]) -> str:
    """The request that writes `account`: v2 by its email, v1 by its channel."""
    return f"POST {_item(account)}"


def delete(account: Mapping[str, Any]) -> str:
    """The request that deletes `account`: v2 by its email, v1 by its channel."""
    return f"DELETE {_item(account)}"


def _item(account: Mapping[str, Any]) -> str:
    return f"{V2_PATH}/{account['email']}" if "email" in account else f"{V1_PATH}/{account['channel']}"


def refreshing(*lists: str) -> list[str]:
    """The requests of `pulumi refresh` reading accounts of the kinds whose list calls are `lists`:
    each twice, since the reads of a provider process share one list call and the refresh runs one
    process for its preview and one for itself."""
    return [*lists, *lists]


def accounts(
    v1: Sequence[Mapping[str, Any]] | None = None, v2: Sequence[Mapping[str, Any]] | None = None
) -> Callable[[StackUnderTest], None]:
    """A declaration for the project's program: `pixverse:accounts` (v1) and `pixverse:accountsV2` (v2)
    as given (an empty list removes the setting), written as a user does (`set_accounts`); None leaves
    that setting as it is."""

    def declare(stack: StackUnderTest) -> None:
        for setting, entries in (("pixverse:accounts", v1), ("pixverse:accountsV2", v2)):
            if entries is not None:
                stack.set_accounts([dict(entry) for entry in entries], setting)

    return declare


@dataclass(frozen=True)
class Done:
    """What a step left, for its `check`: the CLI's output and the API requests the command caused."""

    stack: StackUnderTest
    service: EmulatorAdmin
    printed: str
    requests: list[dict[str, Any]]


@dataclass(frozen=True)
class Step:
    """One step of a scenario (see the module's docstring). Every expectation left None is not checked,
    except `requests`: a step sends nothing unless it lists what it sends."""

    title: str
    """What the step shows, named in a failure."""
    declare: Callable[[StackUnderTest], object] | None = None
    """Writes the stack's config or program (None: as the step before left it)."""
    behind_the_back: Callable[[EmulatorAdmin], object] | None = None
    """Done to the service before the command, its requests not counted as the step's."""
    command: Literal["up", "preview", "refresh"] = "up"
    changes: dict[str, int] | None = None
    """The change summary: {"create": n, "update": n, "replace": n, "delete": n, "same": n}."""
    requests: Sequence[str] = ()
    """Each API request the command sends, "METHOD /path" with the key decoded (see `post`, `delete`,
    LIST_V1, LIST_V2), in any order unless `in_order`."""
    in_order: bool = False
    fails_with: str | None = None
    """The command fails, and its output says this on exactly one line, with no traceback."""
    accounts: dict[str, dict[str, Any]] | None = None
    """The v1 accounts the service holds afterwards, by channel (all of them)."""
    accounts_v2: dict[str, dict[str, Any]] | None = None
    """The v2 accounts the service holds afterwards, by email (all of them), as sent."""
    state: dict[str, dict[str, Any]] | None = None
    """The account resources in the state by name (all of them), each with the outputs to compare
    ("id": the resource's id; a type: any value of it; SECRET; ABSENT)."""
    outputs: dict[str, Any] | None = None
    """Stack outputs to compare (the ones named)."""
    printed: Sequence[str] = ()
    """Text the command's output shows."""
    check: Callable[[Done], object] | None = None
    """Any further assertion."""


def run(stack: StackUnderTest, service: EmulatorAdmin, steps: Sequence[Step]) -> None:
    """Run `steps` in order on `stack`, a fresh stack with nothing deployed, against an emptied
    service; then destroy the stack (see the module's docstring)."""
    service.reset()
    for number, step in enumerate(steps, 1):
        _Run(stack, service, f"step {number} ({step.title})").step(step)
    _Run(stack, service, "destroy").destroy()


class _Run:
    """Runs one step or the destroy, naming it (`where`) in every failed expectation."""

    def __init__(self, stack: StackUnderTest, service: EmulatorAdmin, where: str) -> None:
        self.stack = stack
        self.service = service
        self.where = where

    def expect(self, what: str, got: object, want: object) -> None:
        if got != want:
            raise AssertionError(f"{self.where}: {what}:\n  got  {got!r}\n  want {want!r}")

    def step(self, step: Step) -> None:
        if step.behind_the_back:
            step.behind_the_back(self.service)
        if step.declare:
            step.declare(self.stack)
        since = harness.Step(self.service)
        printed = self.command(step)
        requests = since.requests()
        sent = [_request(r) for r in requests]
        if step.in_order:
            self.expect("the API requests, in order", sent, list(step.requests))
        else:
            self.expect("the API requests", sorted(sent), sorted(step.requests))
        if step.changes is not None:
            self.expect("the change summary", change_summary(printed), step.changes)
        for text in step.printed:
            self.expect(f"{text!r} in the output", text in printed, True)
        self.expect_values(step)
        if step.check:
            step.check(Done(self.stack, self.service, printed, requests))
        if step.command == "up" and step.fails_with is None:
            self.no_changes()
        self.stack.assert_no_token_leaked()

    def command(self, step: Step) -> str:
        """The step's command; its output."""
        invoke = getattr(self.stack, step.command)
        if step.fails_with is None:
            return str(invoke())
        try:
            invoke()
        except CommandFailed as failed:
            lines = [line for line in failed.output.splitlines() if step.fails_with in line]
            self.expect(f"the lines saying {step.fails_with!r}", len(lines), 1)
            for trace in ("Traceback", 'File "'):
                self.expect(f"{trace!r} in the output", trace in failed.output, False)
            return failed.output
        raise AssertionError(f"{self.where}: `pulumi {step.command}` succeeded")

    def expect_values(self, step: Step) -> None:
        if step.accounts is not None:
            self.expect("the service's v1 accounts", self.service.accounts(), step.accounts)
        if step.accounts_v2 is not None:
            self.expect("the service's v2 accounts", self.service.accounts_v2(), step.accounts_v2)
        if step.outputs is not None:
            outputs = self.stack.outputs()
            self.expect("the stack outputs", {k: outputs.get(k) for k in step.outputs}, step.outputs)
        if step.state is not None:
            state = account_resources(self.stack)
            self.expect("the accounts in the state", sorted(state), sorted(step.state))
            for name, fields in step.state.items():
                for key, want in fields.items():
                    self.expect(f"{name}'s {key} in the state", _state_value(state[name], key, want), want)

    def no_changes(self) -> None:
        """`pulumi preview --expect-no-changes` passes and sends nothing."""
        since = harness.Step(self.service)
        self.stack.preview("--expect-no-changes")
        self.expect("the requests of the preview after the step", since.requests(), [])

    def destroy(self) -> None:
        """`pulumi destroy` deletes every resource in the state (but providers, which it does not count);
        the service holds none of the stack's accounts."""
        resources = self.stack.export().get("resources", [])
        deployed = [r for r in resources if not r["type"].startswith("pulumi:providers:")]
        held = {r["id"] for r in deployed if r["type"] in ACCOUNT_TYPES}
        self.expect("the change summary", change_summary(self.stack.destroy()), {"delete": len(deployed)})
        self.expect("the accounts in the state", account_resources(self.stack), {})
        left = held & {*self.service.accounts(), *self.service.accounts_v2()}
        self.expect("the stack's accounts the service still holds", left, set())
        self.stack.assert_no_token_leaked()


def account_resources(stack: StackUnderTest) -> dict[str, dict[str, Any]]:
    """The account resources of either front-end in the state (`pulumi stack export`), by name."""
    resources = stack.export().get("resources", [])
    return {r["urn"].rsplit("::", 1)[1]: r for r in resources if r["type"] in ACCOUNT_TYPES}


def _state_value(resource: dict[str, Any], key: str, want: object) -> object:
    """The value of `key` in `resource` as `want` is written: the id, a type, SECRET, ABSENT, a value."""
    if key == "id":
        return resource["id"]
    value = resource["outputs"].get(key, ABSENT)
    if isinstance(want, type):
        return type(value)
    if want == SECRET:
        places = [value, *([resource["inputs"][key]] if key in resource["inputs"] else [])]
        encrypted = all(isinstance(p, dict) and p.get(SECRET_SIG) and "ciphertext" in p for p in places)
        return SECRET if encrypted else places
    return value


def _request(logged: dict[str, Any]) -> str:
    """A request of the emulator's log as "METHOD /path", the key in the path decoded."""
    return f"{logged['method']} {unquote(logged['path'])}"
