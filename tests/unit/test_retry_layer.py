"""The transport's one retry layer (client/transport.py), over loopback: every cause worth another
attempt (a transient status, a dropped connection, an answer cut short) draws on one count of
maxRetries + 1 attempts, which the requests the server received show; the waits follow the backoff
or Retry-After within the deadline; a failure another attempt would meet again is sent once."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterator
from typing import Any

import pytest
from misbehaving import Received, Reply
from pulumi_pixverse.client import (
    ClientSettings,
    GarbledAnswerError,
    PixverseClient,
    PixverseError,
    RetriesExhaustedError,
)
from pulumi_pixverse.client.transport import retry_after_seconds

ACCOUNT = {"discord": "discord-token-a", "server": "111111111111111111", "channel": "222222222222222222"}
BUSY = Reply(503, {"error": "busy", "code": 503})
CUT = Reply(200, {"error": "x" * 40, "code": 200}, cut="body")
"""A JSON answer cut short: it does not parse."""
CUT_CONNECTION = Reply(200, {"error": "x" * 40, "code": 200}, cut="connection")
DROPPED = Reply(200, silent=0.01)
"""The connection closed without a byte of answer."""


def in_turn(*replies: Reply) -> Any:
    """Answers with `replies` in turn, then with the last one for good."""
    left: Iterator[Reply] = iter(replies)
    last = {"reply": replies[-1]}

    def answer(_: Received) -> Reply:
        last["reply"] = next(left, last["reply"])
        return last["reply"]

    return answer


def client_for(url: str, token: str, **settings: Any) -> PixverseClient:
    return PixverseClient(ClientSettings(token=token, base_url=url, **{"backoff_factor": 0.01, **settings}))


@pytest.mark.parametrize(
    ("replies", "error", "message"),
    [
        ((CUT, BUSY), RetriesExhaustedError, "still failing after 3 attempts: last cause HTTP 503"),
        ((BUSY, BUSY, CUT), GarbledAnswerError, "HTTP 200 with JSON that does not parse (3 attempts)"),
        ((CUT_CONNECTION, DROPPED, BUSY), RetriesExhaustedError, "still failing after 3 attempts"),
        ((BUSY, CUT, DROPPED), RetriesExhaustedError, "no answer after 3 attempts: last cause ProtocolError"),
        ((DROPPED, BUSY, CUT_CONNECTION), GarbledAnswerError, "the answer's body was cut short (3 attempts)"),
    ],
    ids=["cut-then-busy", "busy-then-cut", "cut-dropped-busy", "busy-cut-dropped", "dropped-busy-cut"],
)
def test_every_cause_draws_on_one_count_and_a_post_is_sent_max_retries_plus_one_times(
    serve, api_token, replies, error, message
):
    server = serve(in_turn(*replies))
    with pytest.raises(error) as caught:
        client_for(server.url, api_token, max_retries=2).upsert_account(ACCOUNT)
    assert message in str(caught.value), str(caught.value)
    assert [r.method for r in server.received] == ["POST"] * 3


def test_a_post_whose_causes_vary_goes_through_once_the_service_answers(serve, api_token):
    server = serve(in_turn(CUT, BUSY, DROPPED, Reply(204)))
    client_for(server.url, api_token, max_retries=3).upsert_account(ACCOUNT)
    assert [r.method for r in server.received] == ["POST"] * 4


def test_no_retry_sends_each_call_once(serve, api_token):
    for reply in (BUSY, CUT, DROPPED):
        server = serve(in_turn(reply))
        with pytest.raises(PixverseError, match=r"\b1 attempt\b"):
            client_for(server.url, api_token, max_retries=0).upsert_account(ACCOUNT)
        assert len(server.received) == 1


def test_no_wait_before_the_first_retry_then_the_backoff_doubles(serve, api_token):
    server = serve(in_turn(BUSY))
    client = client_for(server.url, api_token, max_retries=2, backoff_factor=0.5)
    with pytest.raises(RetriesExhaustedError, match="still failing after 3 attempts"):
        client.upsert_account(ACCOUNT)
    first, second, third = (r.at for r in server.received)
    assert second - first < 1.0 <= third - second  # no wait, then backoff_factor * 2


def test_a_tls_failure_is_not_asked_again(serve, api_token):
    server = serve(in_turn(Reply(204)))  # plain HTTP: the TLS handshake fails
    https = server.url.replace("http://", "https://")
    with pytest.raises(RetriesExhaustedError, match="no answer after 1 attempt: last cause SSLError"):
        client_for(https, api_token, max_retries=2).list_accounts()
    assert server.connections == 1


def test_a_garbled_answer_whose_next_attempt_would_outlast_the_deadline_says_so_itself(serve, api_token):
    server = serve(in_turn(CUT))
    client = client_for(server.url, api_token, max_retries=4, backoff_factor=5.0, request_timeout=3.0)
    started = time.monotonic()
    with pytest.raises(GarbledAnswerError, match=r"JSON that does not parse \(2 attempts\)"):
        client.upsert_account(ACCOUNT)
    assert time.monotonic() - started < 3.0  # the 10 s wait was not begun
    assert len(server.received) == 2  # no wait before the first retry


def test_retry_after_is_seconds_or_an_http_date_capped_and_otherwise_absent():
    assert retry_after_seconds("2") == 2
    assert retry_after_seconds(" 7 ") == 7
    assert 25 < (retry_after_seconds(email.utils.formatdate(time.time() + 30, usegmt=True)) or 0) <= 30
    assert retry_after_seconds(email.utils.formatdate(time.time() - 30, usegmt=True)) == 0
    assert retry_after_seconds("3600") == 60
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None
