"""The Python functions for programs on the dynamic provider (`pulumi_pixverse.get_*`): Outputs of
the lookups' answers, with the stack's `pixverse:*` config, against the emulator (the program runs
under Pulumi's test mocks; the HTTP is real)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pulumi
import pulumi_pixverse as pixverse
import pytest

EMAIL = "maya@pixverse.example"
T = TypeVar("T")


class _NoResources(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        raise AssertionError("the functions declare no resource")

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        raise AssertionError("the functions invoke no provider")


@pytest.fixture
def stack_config(emulator):
    # Pulumi's mocks run on the thread's event loop; tests before may have closed it (asyncio.run).
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    pulumi.runtime.set_mocks(_NoResources(), preview=True)
    pulumi.runtime.set_all_config({"pixverse:apiToken": emulator.token, "pixverse:apiUrl": emulator.url})
    yield
    pulumi.runtime.set_all_config({})
    asyncio.set_event_loop(None)
    loop.close()


def run_program(program: Callable[[], Awaitable[T]]) -> T:
    """Run `program` as a Pulumi program under the mocks set, and return what it returned once every
    call it started has ended. The checks go after, in the test: a program that never ran to its end
    fails here, where assertions inside it or in an `apply` would go unseen."""
    returned: list[T] = []

    async def keep() -> None:
        returned.append(await program())

    pulumi.runtime.test(lambda: pulumi.Output.from_input(keep()))()
    assert len(returned) == 1, "the program never ran to its end"
    return returned[0]


def test_each_function_is_an_output_of_its_answer_read_at_preview(stack_config, emulator):
    emulator.seed_v2({"email": EMAIL, "password": "pw-functions-secret", "maxJobs": 3})
    emulator.plan(EMAIL, gen_simultaneously=2, executing=1)
    seeded = len(emulator.requests())

    async def program() -> list[tuple[bool, Any]]:
        outputs = [
            pixverse.get_accounts(),
            pixverse.get_accounts_v2(),
            pixverse.get_features(pulumi.Output.from_input(EMAIL)),
            pixverse.get_capacity(),
        ]
        return [(await output.is_known(), await output.future()) for output in outputs]

    answers = run_program(program)
    assert [known for known, _ in answers] == [True] * 4
    v1, v2, features, capacity = (answer for _, answer in answers)
    assert v1 == {"accounts": []}
    assert [a["email"] for a in v2["accounts"]] == [EMAIL]
    assert features["concurrentGenerations"] == 2
    assert capacity["jobsExecuting"] == 1
    sent = emulator.requests()[seeded:]
    assert sorted(r["route"] for r in sent) == [
        "GET /v1/pixverse/account",
        "GET /v2/pixverse/accounts",
        "GET /v2/pixverse/features/",
        "GET /v2/pixverse/scheduler/available",
    ]


class _Accounts(pulumi.runtime.Mocks):
    """Resources declared at preview: the one named "new" is still to be created (no id yet)."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return ("" if args.name == "new" else f"{args.name}-id", dict(args.inputs))

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        raise AssertionError("the functions invoke no provider")


def test_a_read_that_depends_on_a_resource_being_created_is_unknown_and_sends_nothing(stack_config, emulator):
    pulumi.runtime.set_mocks(_Accounts(), preview=True)
    emulator.seed_v2({"email": EMAIL, "password": "pw-functions-secret", "maxJobs": 3})
    emulator.plan(EMAIL, gen_simultaneously=2)
    seeded = len(emulator.requests())

    async def program() -> dict[str, Any]:
        new = pulumi.CustomResource("test:index:Account", "new", {"email": EMAIL})
        existing = pulumi.CustomResource("test:index:Account", "existing", {})
        held = pulumi.InvokeOutputOptions(depends_on=[existing, new])
        waiting = [pixverse.get_features(EMAIL, opts=held), pixverse.get_capacity(opts=held)]
        read = pixverse.get_features(EMAIL, opts=pulumi.InvokeOutputOptions(depends_on=existing))
        from_new = pixverse.get_features(new.email)  # an output of `new`
        return {
            "waiting known": [await output.is_known() for output in waiting],
            "from new known": await from_new.is_known(),
            "read": await read.future(),
            "read depends on": [r.pulumi_resource_name for r in await read.resources()],
        }

    observed = run_program(program)
    assert observed["waiting known"] == [False, False]
    assert observed["from new known"] is False  # its email comes from the resource being created
    assert observed["read"]["concurrentGenerations"] == 2
    assert observed["read depends on"] == ["existing"]  # the result depends on what the read waited for
    assert [r["route"] for r in emulator.requests()[seeded:]] == ["GET /v2/pixverse/features/"]
