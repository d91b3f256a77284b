"""The read-only questions (`pulumi_pixverse.core.lookups`, which the plugin's functions, the Python
functions and the audit answer with): against the emulator, what each returns and the requests it
sends (GETs only, one each); against a misbehaving service, every failure class of the resources as
its one line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
from misbehaving import Reply, api_error, html
from pulumi_pixverse.core import lookups
from pulumi_pixverse.core.accounts import ApiAccess
from pulumi_pixverse.core.failures import OperationFailed

V1 = {"discord": "discord-lookups-secret", "server": "111111111111111111", "channel": "222222222222222222"}
EMAIL, OTHER = "maya@pixverse.example", "noor@pixverse.example"


def service_for(url: str, token: str, **config: str) -> ApiAccess:
    service = ApiAccess()
    settings = {"apiToken": token, "apiUrl": url, "maxRetries": "2", **config}
    service.configure(lambda key: settings.get(key.partition(":")[2]), environ={})
    return service


@pytest.fixture
def service(emulator) -> ApiAccess:
    return service_for(emulator.url, emulator.token)


def questions(service: ApiAccess) -> dict[str, Callable[[], Any]]:
    return {
        "getAccounts": lambda: lookups.accounts(service),
        "getAccountsV2": lambda: lookups.accounts_v2(service),
        "getFeatures": lambda: lookups.features(service, EMAIL),
        "getCapacity": lambda: lookups.capacity(service),
    }


def test_the_lists_hold_every_account_without_credentials_in_one_get_each(emulator, service):
    emulator.seed({**V1, "maxJobs": 4})
    emulator.seed_v2({"email": EMAIL, "password": "pw-lookups-secret", "maxJobs": 3})
    v1, v2 = lookups.accounts(service), lookups.accounts_v2(service)
    assert v1 == {"accounts": [{"channel": V1["channel"], "server": V1["server"], "maxJobs": 4}]}
    [account] = v2["accounts"]
    assert (account["email"], account["maxJobs"], account["username"]) == (EMAIL, 3, "maya")
    assert isinstance(account["accountId"], int) and account["sessionExpires"].endswith("Z")
    assert "secret" not in repr((v1, v2))
    assert [(r["method"], r["route"]) for r in emulator.requests()[-2:]] == [
        ("GET", "GET /v1/pixverse/account"),
        ("GET", "GET /v2/pixverse/accounts"),
    ]


def test_no_account_at_all_is_an_empty_list_not_a_failure(emulator, service):
    assert lookups.accounts(service) == {"accounts": []}
    assert lookups.accounts_v2(service) == {"accounts": []}


def test_features_and_capacity_read_what_the_emulators_state_sets_per_account(emulator, service):
    emulator.seed_v2({"email": EMAIL, "password": "pw", "maxJobs": 4})
    emulator.seed_v2({"email": OTHER, "password": "pw", "maxJobs": 2})
    emulator.plan(EMAIL, gen_simultaneously=2, credit_daily=0, credit_monthly=7, executing=3)
    assert lookups.features(service, EMAIL) == {
        "email": EMAIL,
        "planName": "Premium - Monthly",
        "concurrentGenerations": 2,
        "creditDaily": 0,
        "creditMonthly": 7,
        "creditPackage": 0,
        "planExpires": "2099-12-31T00:00:00Z",
        "planRenews": True,
    }
    assert lookups.features(service, OTHER)["concurrentGenerations"] == 8  # the default plan
    capacity = lookups.capacity(service)
    assert capacity["accounts"] == [
        {"email": EMAIL, "maxJobs": 4, "executing": 3, "available": 1},
        {"email": OTHER, "maxJobs": 2, "executing": 0, "available": 2},
    ]
    assert capacity["jobsExecuting"] == 3 and [job["type"] for job in capacity["executing"]] == ["video"] * 3
    assert capacity == lookups.capacity(service)  # stable
    log = emulator.requests()[-4:]
    assert [r["route"] for r in log] == ["GET /v2/pixverse/features/"] * 2 + [
        "GET /v2/pixverse/scheduler/available"
    ] * 2
    assert log[0]["query"] == "email=maya%40pixverse.example"


def test_features_of_an_account_that_is_not_configured_is_the_services_refusal(emulator, service):
    emulator.seed_v2({"email": OTHER, "password": "pw", "maxJobs": 2})
    with pytest.raises(OperationFailed) as failed:
        lookups.features(service, EMAIL)
    assert str(failed.value) == (
        f"looking up the plan of the v2 account {EMAIL} failed: the service refused it: "
        f"Required param email ({EMAIL}) is not configured"
    )


def test_the_emulators_features_route_takes_the_only_account_without_an_email(emulator):
    emulator.seed_v2({"email": EMAIL, "password": "pw", "maxJobs": 2})
    url, auth = f"{emulator.url}/v2/pixverse/features/", {"Authorization": f"Bearer {emulator.token}"}
    only = requests.get(url, headers=auth, timeout=5).json()
    assert only["gen_simultaneously"] == 8 and "email" not in only  # the page's answer has no email
    emulator.seed_v2({"email": OTHER, "password": "pw", "maxJobs": 2})
    answer = requests.get(url, headers=auth, timeout=5)
    assert (answer.status_code, answer.json()["error"]) == (400, "Required param email is missing or empty")
    assert requests.get(url, timeout=5).status_code == 401


def test_a_session_length_set_per_account_shows_in_the_session_expiry(emulator, service):
    emulator.plan(EMAIL, session_seconds=3600)
    emulator.seed_v2({"email": EMAIL, "password": "pw", "maxJobs": 2})
    emulator.seed_v2({"email": OTHER, "password": "pw", "maxJobs": 2})
    expiries = {a["email"]: a["sessionExpires"] for a in lookups.accounts_v2(service)["accounts"]}
    assert expiries[EMAIL] < expiries[OTHER]


def test_faults_and_latency_apply_to_the_read_only_routes_too(emulator, service):
    emulator.seed_v2({"email": EMAIL, "password": "pw", "maxJobs": 2})
    emulator.fault(status=503, count=2, route="GET /v2/pixverse/scheduler/available")
    assert lookups.capacity(service)["accounts"][0]["email"] == EMAIL  # retried through
    emulator.fault(status=503, count=3, route="GET /v2/pixverse/features/")
    with pytest.raises(OperationFailed, match=r"still failing after 3 attempts: last cause HTTP 503"):
        lookups.features(service, EMAIL)


# --- every failure class of the resources ---------------------------------------------------------

FAILURES = {
    "refused token": (
        lambda request: api_error(401, "Unauthorized"),
        "failed: the service refused the API token: set the current one with",
    ),
    "wrong URL (HTML 404)": (
        lambda request: html(404, "Not Found"),
        "the URL does not answer like the useapi.net API; check pixverse:apiUrl",
    ),
    "not the API (HTML 200)": (
        lambda request: html(200, "Welcome"),
        "answered HTTP 200 with an HTML page, not an answer of the useapi.net API",
    ),
    "redirect": (
        lambda request: Reply(302, "", {"Location": "https://elsewhere.example/"}),
        "redirects (HTTP 302) to https://elsewhere.example; not followed",
    ),
    "CDN error": (
        lambda request: html(522, "origin error"),
        "still failing after 3 attempts: last cause HTTP 522 (a CDN error",
    ),
    "deadline": (
        lambda request: Reply(200, {"accounts": {}}, trickle=0.2),
        "no complete answer within 1 s (pixverse:requestTimeout",
    ),
}


@pytest.mark.parametrize("case", FAILURES)
def test_every_failure_is_the_one_line_the_resources_give(serve, api_token, case):
    answer, expected = FAILURES[case]
    server = serve(answer)
    timeouts = {"requestTimeout": "1", "readTimeout": "1"} if case == "deadline" else {}
    service = service_for(server.url, api_token, **timeouts)
    for name, question in questions(service).items():
        with pytest.raises(OperationFailed) as failed:
            question()
        message = str(failed.value)
        assert expected in message and message.isprintable(), (name, message)
        assert api_token not in message and "<" not in message.replace("< token-file", "")
    assert {r.method for r in server.received} == {"GET"}


def test_without_a_token_each_question_says_how_to_set_one():
    service = ApiAccess()
    service.configure(lambda key: None, environ={})
    for question in questions(service).values():
        with pytest.raises(OperationFailed, match="pixverse:apiToken"):
            question()
