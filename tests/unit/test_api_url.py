"""Issue 30's security review: the API URL is judged by the parse the transport makes of it, so a URL
that parsers read differently (a backslash, user@, whitespace, a control character, ? or #) is refused
in one line naming the setting and the rule, whichever way it comes (stack config, USEAPI_API_URL, an
explicit provider of the plugin), and the service on loopback receives nothing; and a loopback
`http://` URL never goes through a proxy, which would see the token in clear text."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from misbehaving import MisbehavingServer, Reply
from provider_operations import ACCOUNT
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import ConfigureRequest
from pulumi_pixverse.dynamic.provider import PixverseAccountProvider
from pulumi_pixverse.plugin.provider import PixverseProvider

RULE = (
    "the API URL must be https://host[:port][/path] (http:// for a loopback address only), without "
    "user@, backslash, whitespace, control character, ? or #"
)
FORMS = {
    "backslash before user@ to a remote host": ("http://evil.example\\@127.0.0.1:{port}", "a backslash"),
    "backslash after a decimal loopback host": ("http://2130706433:{port}\\@127.0.0.1", "a backslash"),
    "userinfo": ("http://user:pw@127.0.0.1:{port}", "user@ before its host"),
    "whitespace": ("http://127.0.0.1:{port}/ v1", "whitespace"),
    "control character": ("http://127.0.0.1:{port}/\x1b[31m", "a control character"),
    "query": ("http://127.0.0.1:{port}?@evil.example", "a ? or #"),
}


def attempt(configure_and_read: Callable[[], Any]) -> str:
    """The message of the refusal; "" when the URL was taken (and a read sent)."""
    try:
        configure_and_read()
    except ValueError as refused:
        return str(refused)
    return ""


@pytest.fixture
def service(serve) -> MisbehavingServer:
    """A loopback service that answers every call, to see whether anything reaches it."""
    return serve(lambda received: Reply(200, {}))


@pytest.mark.parametrize("form", FORMS.values(), ids=FORMS.keys())
def test_a_url_parsers_disagree_on_is_refused_from_stack_config_and_nothing_is_sent(
    configure, api_token, service, form
):
    url, problem = form[0].format(port=service.server_address[1]), form[1]
    config = {"pixverse:apiToken": api_token, "pixverse:apiUrl": url, "pixverse:maxRetries": "0"}
    message = attempt(lambda: configure(PixverseAccountProvider(), config).read(ACCOUNT["channel"], ACCOUNT))
    assert message == f"pixverse:apiUrl has {problem}: {RULE}"
    assert service.received == []


def test_the_same_rule_holds_for_useapi_api_url(configure, api_token, service, monkeypatch):
    monkeypatch.setenv("USEAPI_API_URL", f"http://2130706433:{service.server_address[1]}\\@127.0.0.1")
    config = {"pixverse:apiToken": api_token, "pixverse:maxRetries": "0"}
    message = attempt(lambda: configure(PixverseAccountProvider(), config).read(ACCOUNT["channel"], ACCOUNT))
    assert message == f"USEAPI_API_URL has a backslash: {RULE}"
    assert service.received == []


def test_the_same_rule_holds_for_an_explicit_provider_of_the_plugin(api_token, service):
    args = {
        "apiToken": PropertyValue(api_token, is_secret=True),
        "apiUrl": PropertyValue(f"http://2130706433:{service.server_address[1]}\\@127.0.0.1"),
    }
    message = attempt(
        lambda: asyncio.run(PixverseProvider().configure(ConfigureRequest({}, args, True, False)))
    )
    assert message == f"pixverse:apiUrl has a backslash: {RULE}"
    assert service.received == []


def test_a_loopback_http_url_never_goes_through_a_proxy(configure, emulator, serve, monkeypatch):
    proxy = serve(lambda received: Reply(403, "proxy: forbidden"))
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, proxy.url)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    emulator.plant(ACCOUNT)
    provider = configure(PixverseAccountProvider())
    assert provider.read(ACCOUNT["channel"], ACCOUNT).outs == ACCOUNT
    assert proxy.received == []
