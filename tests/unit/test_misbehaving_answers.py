"""The providers against a service that is not quite the API: a wrong base URL, redirects, a CDN's
errors, a trickled answer. Every operation ends in one line that says what to do, nothing is written
where the answer was not understood, and a read never reports an account gone unless the service
itself said so (tests/misbehaving.py serves these answers over loopback)."""

from __future__ import annotations

import time

import pytest
from misbehaving import Received, Reply, api_error, html
from provider_operations import ACCOUNT, NOT_CONFIGURED, one_line_failure, operations
from pulumi_pixverse.dynamic.provider import PixverseAccountProvider, PixverseAccountV2Provider

PROVIDERS = [PixverseAccountProvider, PixverseAccountV2Provider]
NOT_THE_API = {
    "an HTML 404 page": html(404, "404 Not Found"),
    "another service's JSON 404": Reply(404, {"message": "Not Found"}),
    "a plain-text 404 that is not the service's": Reply(404, "404 page not found"),
}


@pytest.mark.parametrize("kind", PROVIDERS)
@pytest.mark.parametrize("answer", NOT_THE_API.values(), ids=NOT_THE_API.keys())
def test_a_wrong_url_fails_every_operation_naming_the_setting_and_never_reads_an_account_as_gone(
    serve, against, kind, answer
):
    server = serve(lambda _: answer)
    provider = against(kind(), server)
    for name, operation in operations(provider).items():
        message = one_line_failure(operation)
        assert "answered HTTP 404" in message and "the URL does not answer like the useapi.net API" in message
        assert "check pixverse:apiUrl" in message, (name, message)
        assert "<" not in message and "Not Found" not in message, (name, message)


@pytest.mark.parametrize("kind", PROVIDERS)
def test_an_answer_that_is_not_json_is_named_by_status_and_host_without_its_body(serve, against, kind):
    server = serve(lambda _: html(200, "Welcome to our web site"))
    provider = against(kind(), server)
    host = server.url.removeprefix("http://")
    for name, operation in operations(provider).items():
        message = one_line_failure(operation)
        assert (
            f"{host} answered HTTP 200 with an HTML page, not an answer of the useapi.net API" in message
        ), name
        assert "Welcome" not in message
    assert server.received  # and no operation took the page for success


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("kind", PROVIDERS)
def test_a_redirect_is_an_error_naming_its_target_and_is_never_followed(serve, against, kind, status):
    target = serve(lambda _: Reply(204))
    server = serve(lambda request: Reply(status, "", {"Location": f"{target.url}{request.path}"}))
    provider = against(kind(), server)
    for name, operation in operations(provider).items():
        message = one_line_failure(operation)
        assert f"redirects (HTTP {status}) to {target.url}; not followed" in message, (name, message)
        assert "set pixverse:apiUrl" in message
    assert target.received == []


CDN_ERRORS = [408, 520, 521, 522, 523, 524]


@pytest.mark.parametrize("status", CDN_ERRORS)
def test_cdn_errors_are_retried_and_a_write_goes_through_once_the_origin_answers(serve, against, status):
    answers = iter([html(status, "origin error"), html(status, "origin error")])

    def answer(request: Received) -> Reply:
        if request.method == "GET":
            return Reply(404, NOT_CONFIGURED)
        return next(answers, Reply(204))

    server = serve(answer)
    provider = against(PixverseAccountProvider(), server)
    provider.update(ACCOUNT["channel"], ACCOUNT, ACCOUNT)
    assert [r.method for r in server.received] == ["POST", "POST", "POST"]


@pytest.mark.parametrize("status", CDN_ERRORS)
def test_a_cdn_error_that_outlasts_the_retries_is_one_line_without_its_page(serve, against, status):
    server = serve(lambda _: html(status, "Origin is unreachable"))
    provider = against(PixverseAccountProvider(), server)
    message = one_line_failure(operations(provider)["update"])
    assert f"still failing after 3 attempts: last cause HTTP {status} (" in message
    assert "run the command again later" in message
    assert "Origin" not in message and "<" not in message
    assert len(server.received) == 3


def test_an_unparseable_retry_after_counts_as_absent(serve, against):
    answers = iter([Reply(503, {"error": "busy", "code": 503}, {"Retry-After": "when we feel like it"})])
    server = serve(lambda _: next(answers, Reply(204)))
    provider = against(PixverseAccountProvider(), server)
    provider.update(ACCOUNT["channel"], ACCOUNT, ACCOUNT)
    assert [r.method for r in server.received] == ["POST", "POST"]


def test_a_trickled_answer_is_cut_off_at_the_request_timeout_which_the_message_names(serve, against):
    server = serve(lambda _: Reply(200, {ACCOUNT["channel"]: ACCOUNT}, trickle=0.05))
    provider = against(PixverseAccountProvider(), server, requestTimeout="1", readTimeout="5")
    started = time.monotonic()
    message = one_line_failure(operations(provider)["read"])
    assert time.monotonic() - started < 10  # bounded: each byte came well within the read timeout
    assert "no complete answer within 1 s (pixverse:requestTimeout" in message
    assert "allow more time with pixverse:requestTimeout" in message


def test_the_request_timeout_bounds_the_waits_between_retries_too(serve, against):
    server = serve(lambda _: Reply(503, {"error": "busy", "code": 503}, {"Retry-After": "30"}))
    provider = against(PixverseAccountProvider(), server, requestTimeout="2")
    started = time.monotonic()
    message = one_line_failure(operations(provider)["update"])
    assert time.monotonic() - started < 10  # not the 30 s the service asked for
    assert "(pixverse:requestTimeout" in message
    assert len(server.received) == 1


@pytest.mark.parametrize("kind", PROVIDERS)
def test_a_service_that_never_answers_ends_a_create_within_one_request_timeout(serve, against, kind):
    """A create asks the shared list call, then (that call having failed) its own account: against a
    service that accepts connections and never answers, the first call spends the operation's one
    bound, so the second is never sent."""
    server = serve(lambda _: Reply(200, silent=8))
    provider = against(kind(), server, requestTimeout="1", readTimeout="30")
    started = time.monotonic()
    message = one_line_failure(operations(provider)["create"])
    assert time.monotonic() - started < 8  # bounded: the server held each request 8 s
    assert "no complete answer within 1 s (pixverse:requestTimeout, for the whole operation" in message
    assert [r.method for r in server.received] == ["GET"]


@pytest.mark.parametrize("kind", PROVIDERS)
def test_the_services_own_404_still_means_gone_and_already_deleted(serve, against, kind):
    def answer(request: Received) -> Reply:
        if request.method == "GET":
            return Reply(404, NOT_CONFIGURED)
        return api_error(404, "Configuration not found")

    provider = against(kind(), serve(answer))
    ops = operations(provider)
    assert ops["read"]().id == ""
    assert ops["delete"]() is None
