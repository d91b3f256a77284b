"""The provider's seven methods called directly, against the emulator over loopback."""

from __future__ import annotations

import base64

import dill
import pytest
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc
from pulumi_pixverse.core.failures import OperationFailed
from pulumi_pixverse.dynamic.provider import PixverseAccountProvider

POST = "POST /v1/pixverse/account/{channel}"
GET = "GET /v1/pixverse/account/{channel}"
DELETE = "DELETE /v1/pixverse/account/{channel}"
LIST = "GET /v1/pixverse/account"
PROPS = {
    "discord": "discord-token-a",
    "server": "111111111111111111",
    "channel": "222222222222222222",
    "maxJobs": 3,
}


# check ------------------------------------------------------------------------------------------


def test_check_accepts_good_inputs_without_a_token_or_any_request(emulator):
    result = PixverseAccountProvider().check({}, {**PROPS, "maxJobs": 3.0, "__provider": "x"})
    assert result.failures == []
    assert result.inputs["maxJobs"] == 3.0 and result.inputs["__provider"] == "x"
    assert emulator.requests() == []


def test_check_names_each_bad_field_and_its_rule(emulator):
    news = {**PROPS, "channel": "12ab", "maxJobs": 11}
    failures = PixverseAccountProvider().check({}, news).failures
    assert [(f.property, f.reason) for f in failures] == [
        ("channel", "channel must be a Discord channel id, 17 to 20 ASCII digits; got '12ab'"),
        ("maxJobs", "maxJobs must be a whole number from 1 to 10; got 11"),
    ]
    assert emulator.requests() == []


def test_check_tolerates_values_unknown_at_preview():
    news = {**PROPS, "channel": rpc.UNKNOWN, "discord": rpc.UNKNOWN}
    assert PixverseAccountProvider().check({}, news).failures == []


def test_check_does_not_judge_again_inputs_identical_to_the_state(emulator):
    """An earlier release stored maxJobs 11: declared unchanged, it is not judged again (nothing will
    be sent for it); any change to the inputs, even of a value's type, is judged whole."""
    stored = {**PROPS, "maxJobs": 11, "__provider": "old"}
    provider = PixverseAccountProvider()
    assert provider.check(stored, {**stored, "__provider": "new"}).failures == []
    for news in ({**stored, "server": "111111111111111112"}, {**stored, "maxJobs": 11.0}):
        assert [f.property for f in provider.check(stored, news).failures] == ["maxJobs"]
    assert emulator.requests() == []


# diff -------------------------------------------------------------------------------------------


def test_diff_sees_no_change_when_nothing_changed_even_as_floats():
    result = PixverseAccountProvider().diff(PROPS["channel"], PROPS, {**PROPS, "maxJobs": 3.0})
    assert result.changes is False and result.replaces == []


@pytest.mark.parametrize(
    ("field", "value"), [("maxJobs", 4), ("server", "333333333333333333"), ("discord", "t2")]
)
def test_diff_updates_in_place(field, value):
    result = PixverseAccountProvider().diff(PROPS["channel"], PROPS, {**PROPS, field: value})
    assert result.changes is True and result.replaces == [] and not result.delete_before_replace


def test_diff_replaces_on_a_new_channel_deleting_first_when_the_token_stays():
    moved = {**PROPS, "channel": "444444444444444444"}
    result = PixverseAccountProvider().diff(PROPS["channel"], PROPS, moved)
    assert (result.changes, result.replaces, result.delete_before_replace) == (True, ["channel"], True)


def test_diff_replaces_creating_first_when_the_token_changes_too():
    moved = {**PROPS, "channel": "444444444444444444", "discord": "another-token"}
    result = PixverseAccountProvider().diff(PROPS["channel"], PROPS, moved)
    assert (result.replaces, result.delete_before_replace) == (["channel"], False)


def test_diff_with_an_unknown_channel_plans_a_safe_replacement():
    result = PixverseAccountProvider().diff(PROPS["channel"], PROPS, {**PROPS, "channel": rpc.UNKNOWN})
    assert (result.replaces, result.delete_before_replace) == (["channel"], True)


# create / read / update / delete ---------------------------------------------------------------


def test_create_posts_the_account_with_an_integer_max_jobs_and_returns_every_output(provider, emulator):
    result = provider.create({**PROPS, "maxJobs": 3.0, "__provider": "x"})
    assert result.id == PROPS["channel"]
    assert result.outs == PROPS
    posts = [r for r in emulator.requests() if r["route"] == POST]
    assert [p["body"] for p in posts] == [emulator.as_logged(PROPS)]
    assert isinstance(posts[0]["body"]["maxJobs"], int)


def routes_since(emulator, mark: int) -> list[str]:
    return [r["route"] for r in emulator.requests()[mark:]]


def test_create_adopts_an_identical_live_account_in_one_request_the_list(provider, emulator):
    emulator.seed(PROPS)
    mark = len(emulator.requests())
    result = provider.create(PROPS)
    assert result.outs == PROPS
    assert routes_since(emulator, mark) == [LIST]


def test_create_refuses_a_live_account_that_differs_after_the_list_writing_nothing(provider, emulator):
    """Issue 25: it used to POST over it (tests/unit/test_ownership_rules.py has the rest)."""
    emulator.seed({**PROPS, "maxJobs": 9})
    mark = len(emulator.requests())
    with pytest.raises(OperationFailed, match="differs from the declaration in maxJobs"):
        provider.create(PROPS)
    assert emulator.accounts() == {PROPS["channel"]: {**PROPS, "maxJobs": 9}}
    assert routes_since(emulator, mark) == [LIST]


def test_creates_of_new_accounts_share_one_list_call_then_post_each(provider, emulator):
    accounts = [
        {**PROPS, "discord": f"discord-token-{i}", "channel": str(222222222222222230 + i)} for i in range(5)
    ]
    for account in accounts:
        provider.create(account)
    assert emulator.accounts() == {a["channel"]: a for a in accounts}
    assert routes_since(emulator, 0) == [LIST] + [POST] * 5


def test_create_asks_with_a_get_when_the_list_call_is_unavailable_and_no_longer_lists(provider, emulator):
    emulator.seed(PROPS)  # identical: taken over with no write (a differing one is refused since issue 25)
    emulator.fault(status=503, count=3, route=LIST)  # the first attempt and both retries
    other = {**PROPS, "discord": "discord-token-b", "channel": "222222222222222299"}
    mark = len(emulator.requests())
    provider.create(PROPS)
    provider.create(other)
    assert emulator.accounts() == {PROPS["channel"]: PROPS, other["channel"]: other}
    assert routes_since(emulator, mark) == [LIST] * 3 + [GET] + [GET, POST]


def test_create_asks_with_a_get_for_a_channel_the_process_wrote_since_the_list(provider, emulator):
    provider.create(PROPS)
    provider.delete(PROPS["channel"], PROPS)
    emulator.seed(PROPS)  # behind the provider's back: the list sent before the delete cannot tell
    mark = len(emulator.requests())
    provider.create(PROPS)
    assert routes_since(emulator, mark) == [GET]


def test_create_surfaces_the_service_refusal_in_one_line_naming_the_account(provider, emulator):
    emulator.seed({**PROPS, "channel": "555555555555555555"})
    with pytest.raises(OperationFailed) as failed:
        provider.create(PROPS)
    assert str(failed.value) == (
        f"creating the account on channel {PROPS['channel']} failed: the service refused it: "
        "Channel 555555555555555555 configuration has same discord value"
    )


@pytest.mark.parametrize(
    ("call", "says"),
    [
        (lambda p: p.create(PROPS), "pulumi config set --secret pixverse:apiToken < token-file"),
        (lambda p: p.update(PROPS["channel"], PROPS, PROPS), "pulumi config set --secret pixverse:apiToken"),
        (lambda p: p.read(PROPS["channel"], PROPS), "run `pulumi up` first, or add --run-program"),
        (lambda p: p.delete(PROPS["channel"], PROPS), "run `pulumi up` first, or add --run-program"),
    ],
)
def test_a_refused_token_is_one_request_and_one_line_saying_what_to_do(emulator, call, says, configure):
    provider = configure(
        PixverseAccountProvider(), {"pixverse:apiToken": "rotated-away", "pixverse:apiUrl": emulator.url}
    )
    with pytest.raises(OperationFailed) as failed:
        call(provider)
    assert "the service refused the API token" in str(failed.value) and says in str(failed.value)
    assert "\n" not in str(failed.value) and "rotated-away" not in str(failed.value)
    assert len(emulator.requests()) == 1


def test_exhausted_retries_say_the_service_is_busy_and_what_to_do(provider, emulator):
    emulator.fault(status=503, count=3)
    with pytest.raises(OperationFailed) as failed:
        provider.update(PROPS["channel"], PROPS, PROPS)
    assert str(failed.value).startswith(f"updating the account on channel {PROPS['channel']} failed: POST ")
    assert "last cause HTTP 503" in str(failed.value) and "run the command again later" in str(failed.value)
    assert len(emulator.requests()) == 3


def test_read_returns_live_outputs_and_inputs(provider, emulator):
    emulator.seed({**PROPS, "maxJobs": 7})
    result = provider.read(PROPS["channel"], {**PROPS, "__provider": "x"})
    assert result.id == PROPS["channel"]
    assert result.outs == {**PROPS, "maxJobs": 7}
    assert result.inputs == {**PROPS, "maxJobs": 7}
    assert emulator.counts() == {POST: 1, LIST: 1}  # reads share one list call (test_refresh.py)


def test_read_of_a_gone_account_returns_no_id(provider, emulator):
    result = provider.read(PROPS["channel"], PROPS)
    assert not result.id
    assert emulator.counts() == {LIST: 1}


def test_update_posts_the_new_settings(provider, emulator):
    emulator.seed(PROPS)
    result = provider.update(PROPS["channel"], PROPS, {**PROPS, "maxJobs": 8.0})
    assert result.outs == {**PROPS, "maxJobs": 8}
    assert emulator.requests()[-1]["body"] == emulator.as_logged({**PROPS, "maxJobs": 8})
    assert emulator.accounts()[PROPS["channel"]]["maxJobs"] == 8


def test_delete_removes_the_account_and_a_gone_one_counts_as_deleted(provider, emulator):
    emulator.seed(PROPS)
    provider.delete(PROPS["channel"], PROPS)
    assert emulator.accounts() == {}
    provider.delete(PROPS["channel"], PROPS)
    assert [r["status"] for r in emulator.requests() if r["route"] == DELETE] == [204, 404]


# configure -------------------------------------------------------------------------------------


def test_a_missing_token_fails_each_write_and_read_with_how_to_set_it(emulator, configure):
    provider = configure(PixverseAccountProvider(), {"pixverse:apiUrl": emulator.url})
    calls = [
        lambda: provider.create(PROPS),
        lambda: provider.read(PROPS["channel"], PROPS),
        lambda: provider.update(PROPS["channel"], PROPS, PROPS),
        lambda: provider.delete(PROPS["channel"], PROPS),
    ]
    for call in calls:
        with pytest.raises(
            OperationFailed, match=r"failed: no PixVerse API token: export USEAPI_TOKEN.*pixverse:apiToken"
        ):
            call()
    assert emulator.requests() == []


def test_the_environment_supplies_token_and_url_when_stack_config_does_not(emulator, monkeypatch, configure):
    monkeypatch.setenv("USEAPI_TOKEN", emulator.token)
    monkeypatch.setenv("USEAPI_API_URL", emulator.url)
    configure(PixverseAccountProvider(), {}).create(PROPS)
    assert emulator.requests()[-1]["authorized"] is True
    assert emulator.accounts() == {PROPS["channel"]: PROPS}


def test_stack_config_wins_over_the_environment(emulator, monkeypatch, configure):
    monkeypatch.setenv("USEAPI_TOKEN", "stale-environment-token")
    configure(
        PixverseAccountProvider(), {"pixverse:apiToken": emulator.token, "pixverse:apiUrl": emulator.url}
    ).create(PROPS)
    sent = [(r["route"], r["authorized"]) for r in emulator.requests()]
    assert sent == [(LIST, True), ("POST /v1/pixverse/account/{channel}", True)]
    assert emulator.accounts() == {PROPS["channel"]: PROPS}


def test_a_malformed_number_setting_names_its_key(configure):
    with pytest.raises(ValueError, match=r"pixverse:readTimeout must be a number, got 'soon'"):
        configure(PixverseAccountProvider(), {"pixverse:apiToken": "t", "pixverse:readTimeout": "soon"})


def test_the_pickled_provider_is_a_reference_without_secrets(provider, api_token):
    assert PixverseAccountProvider.serialize_as_secret_always is False
    pickled = serialize_provider(provider)
    raw = base64.b64decode(pickled)
    assert api_token.encode() not in raw
    assert len(raw) < 200
    assert b"pulumi_pixverse.provider" in raw
    assert type(dill.loads(raw)) is PixverseAccountProvider
