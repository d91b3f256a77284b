"""The v2 provider's methods called directly, against the emulator over loopback."""

from __future__ import annotations

import pytest
from pulumi.runtime import rpc
from pulumi_pixverse.core.failures import OperationFailed
from pulumi_pixverse.dynamic.provider import PixverseAccountV2Provider

POST = "POST /v2/pixverse/accounts/{email}"
PROPS = {"email": "maya+render@pixverse.example", "password": "pw-one", "maxJobs": 3}


@pytest.fixture
def provider(provider_v2: PixverseAccountV2Provider) -> PixverseAccountV2Provider:
    """In this module, the provider is the v2 one."""
    return provider_v2


def test_check_names_each_bad_field_and_never_echoes_a_credential(emulator):
    news = {"email": "not-an-address", "password": "", "maxJobs": 9, "token": "  "}
    failures = PixverseAccountV2Provider().check({}, news).failures
    assert [f.property for f in failures] == ["email", "password", "maxJobs", "token"]
    assert "maxJobs must be a whole number from 1 to 8; got 9" in [f.reason for f in failures]
    assert emulator.requests() == []


@pytest.mark.parametrize(
    ("change", "replaces"),
    [
        ({"maxJobs": 4}, []),
        ({"password": "pw-two"}, []),
        ({"token": "t"}, []),
        ({"email": "b@x.example"}, ["email"]),
    ],
)
def test_diff_replaces_only_for_a_new_email_and_creates_the_new_one_first(change, replaces):
    result = PixverseAccountV2Provider().diff(PROPS["email"], PROPS, {**PROPS, **change})
    assert (result.changes, result.replaces, result.delete_before_replace) == (True, replaces, False)


def test_diff_sees_no_change_in_what_the_service_reports_about_its_session():
    olds = {**PROPS, "accountId": 1, "username": "maya"}
    assert PixverseAccountV2Provider().diff(PROPS["email"], olds, {**PROPS, "maxJobs": 3.0}).changes is False


def test_diff_of_an_unknown_email_plans_a_replacement():
    assert PixverseAccountV2Provider().diff(
        PROPS["email"], PROPS, {**PROPS, "email": rpc.UNKNOWN}
    ).replaces == ["email"]


def test_create_posts_the_account_and_keeps_the_session_facts_but_not_the_session(provider, emulator):
    result = provider.create({**PROPS, "maxJobs": 3.0, "__provider": "x"})
    assert result.id == PROPS["email"]
    assert {k: result.outs[k] for k in PROPS} == PROPS
    assert isinstance(result.outs["accountId"], int) and result.outs["username"] == "maya+render"
    assert "jwt" not in result.outs
    assert [r["body"] for r in emulator.requests() if r["route"] == POST] == [emulator.as_logged(PROPS)]
    assert emulator.accounts_v2() == {PROPS["email"]: PROPS}


def test_read_takes_max_jobs_from_the_service_and_keeps_the_declared_password(provider, emulator):
    emulator.seed_v2({**PROPS, "maxJobs": 7})
    result = provider.read(PROPS["email"], {**PROPS, "accountId": 1, "username": "maya+render"})
    assert result.inputs == {**PROPS, "maxJobs": 7}
    assert result.outs["maxJobs"] == 7 and result.outs["password"] == PROPS["password"]


def test_read_of_a_gone_account_returns_no_id(provider):
    assert not provider.read(PROPS["email"], PROPS).id


def test_update_is_one_post_with_the_new_password(provider, emulator):
    provider.create(PROPS)
    mark = len(emulator.requests())
    result = provider.update(PROPS["email"], PROPS, {**PROPS, "password": "pw-two"})
    assert result.outs["password"] == "pw-two"
    sent = [r["body"] for r in emulator.requests()[mark:]]
    assert sent == [emulator.as_logged({**PROPS, "password": "pw-two"})]


def test_a_refused_login_is_one_post_and_one_line_naming_the_email_not_the_password(provider, emulator):
    emulator.refuse_login(PROPS["email"])
    with pytest.raises(OperationFailed) as failed:
        provider.create(PROPS)
    message = str(failed.value)
    assert message.startswith(
        f"creating the v2 account {PROPS['email']} failed: PixVerse refused the login of "
    )
    assert PROPS["password"] not in message and "\n" not in message
    assert [r["method"] for r in emulator.requests()] == ["GET", "POST"]  # the list (issue 25), one POST


def test_delete_removes_the_account_and_a_gone_one_counts_as_deleted(provider, emulator):
    provider.create(PROPS)
    provider.delete(PROPS["email"], PROPS)
    provider.delete(PROPS["email"], PROPS)
    assert emulator.accounts_v2() == {}
