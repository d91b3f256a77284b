"""A JSON answer cut short or garbled on the way (issue 25): its own one-line message (the URL is
right: run the command again), and another attempt on every route, since each is idempotent (GET,
the upsert POST, DELETE). Served over loopback by tests/misbehaving.py."""

from __future__ import annotations

import pytest
from misbehaving import Received, Reply
from provider_operations import ACCOUNT, ACCOUNT_V2, NOT_CONFIGURED, one_line_failure, operations
from pulumi_pixverse.dynamic.provider import PixverseAccountProvider, PixverseAccountV2Provider

NOT_CONFIGURED_V2 = "Configuration not found. To create configuration use POST /accounts/email."
GOOD = {
    "GET": Reply(200, {ACCOUNT["channel"]: ACCOUNT}),
    "POST": Reply(204),
    "DELETE": Reply(204),
}


def garbled_then(good: dict[str, Reply], method: str, times: int, cut: str = "body"):
    """Answers `method` `times` times with a JSON answer cut short, then as `good` says."""
    left = {"n": times}

    def answer(request: Received) -> Reply:
        if request.method == method and left["n"] > 0:
            left["n"] -= 1
            return Reply(200, {"error": "x" * 40, "account": ACCOUNT_V2, "code": 200}, cut=cut)
        return good[request.method]

    return answer


@pytest.mark.parametrize("cut", ["body", "connection"])
@pytest.mark.parametrize(("operation", "method"), [("read", "GET"), ("create", "POST"), ("delete", "DELETE")])
def test_a_cut_answer_is_asked_again_and_the_operation_succeeds(serve, against, operation, method, cut):
    good = {**GOOD, "GET": Reply(404, NOT_CONFIGURED)} if operation == "create" else GOOD
    server = serve(garbled_then(good, method, 1, cut))
    operations(against(PixverseAccountProvider(), server))[operation]()
    assert [r.method for r in server.received].count(method) == 2


@pytest.mark.parametrize(("operation", "method"), [("read", "GET"), ("create", "POST"), ("delete", "DELETE")])
def test_a_cut_answer_that_persists_is_one_line_saying_to_run_again_not_blaming_the_url(
    serve, against, operation, method
):
    good = {**GOOD, "GET": Reply(404, NOT_CONFIGURED)} if operation == "create" else GOOD
    server = serve(garbled_then(good, method, 99))
    message = one_line_failure(operations(against(PixverseAccountProvider(), server))[operation])
    host = server.url.removeprefix("http://")
    assert message.endswith(
        f"{host} answered HTTP 200 with JSON that does not parse (3 attempts): the answer was cut short or "
        "garbled on the way. Run the command again"
    ), message
    assert "pixverse:apiUrl" not in message and "xxxx" not in message
    assert [r.method for r in server.received].count(method) == 3


def test_a_v2_201_cut_short_is_asked_again(serve, against):
    shown = {"email": ACCOUNT_V2["email"], "password": "***", "maxJobs": 2, "jwt": {"AccountId": 7}}
    answers = iter([Reply(201, shown, cut="body"), Reply(201, shown)])

    def answer(request: Received) -> Reply:
        return Reply(404, NOT_CONFIGURED_V2) if request.method == "GET" else next(answers)

    server = serve(answer)
    outs = against(PixverseAccountV2Provider(), server).create(ACCOUNT_V2).outs
    assert outs["accountId"] == 7
    assert [r.method for r in server.received] == ["GET", "POST", "POST"]


def test_json_nested_too_deep_is_a_garbled_answer_not_a_crash(serve, against):
    server = serve(lambda _: Reply(200, "[" * 100000, {"Content-Type": "application/json"}))
    message = one_line_failure(operations(against(PixverseAccountProvider(), server))["read"])
    assert "with JSON that does not parse (3 attempts)" in message
