"""The vendor's documented answers (tests/contract/, docs/contributing/contract.md), route by route and
revision by revision: each example, served on loopback as its page shows it, read by the client gives the
documented values; the emulator answers each route with the documented keys, types and formats."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from misbehaving import Received, Reply
from pulumi_pixverse.client import AuthenticationError
from pulumi_pixverse.core import lookups
from pulumi_pixverse.core.failures import OperationFailed
from test_lookups import service_for

CONTRACT = Path(__file__).parents[1] / "contract"
PLACEHOLDERS = {"1-10": 10, "1-8": 8}
"""The pages write maxJobs as its range; an example stands for a number in it."""
INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z")
CLOCK = re.compile(r"\d{2}:\d{2}")


def page(slug: str) -> dict[str, Any]:
    return dict(json.loads((CONTRACT / f"{slug}.json").read_text()))


def examples(slug: str, status: int = 200) -> list[tuple[str, Any]]:
    """(date, body) of every revision's example answer of `status` shown whole, placeholders as numbers."""
    found = []
    for revision in page(slug)["revisions"]:
        for answer in revision["responses"]:
            if answer["status"] == status and "json" in answer and not answer.get("partial"):
                found.append((revision["date"], _numbers(answer["json"])))
    assert found, f"{slug}: no whole {status} example"
    return found


def _numbers(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_numbers(item) for item in value]
    return PLACEHOLDERS.get(value, value) if isinstance(value, str) else value


def serving(serve: Any, routes: dict[str, Reply]) -> Any:
    """A loopback service answering each path (query left out) as `routes` says."""

    def answer(request: Received) -> Reply:
        return routes.get(request.path.split("?")[0], Reply(404, "Not Found"))

    server = serve(answer)
    return server, service_for(server.url, "token-documented-answers")


def test_every_route_the_client_calls_has_its_page_in_the_contract():
    routes = {page(path.stem)["route"] for path in CONTRACT.glob("*.json")}
    assert routes == {
        "POST /v1/pixverse/account/{channel}",
        "GET /v1/pixverse/account",
        "GET /v1/pixverse/account/{channel}",
        "DELETE /v1/pixverse/account/{channel}",
        "POST /v2/pixverse/accounts/{email}",
        "GET /v2/pixverse/accounts",
        "GET /v2/pixverse/accounts/{email}",
        "DELETE /v2/pixverse/accounts/{email}",
        "GET /v2/pixverse/features/?email={email}",
        "GET /v2/pixverse/scheduler/available",
    }
    for path in CONTRACT.glob("*.json"):
        documented = page(path.stem)
        assert documented["page"].startswith("https://useapi.net/docs/api-pixverse-v")
        assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}|undated", r["date"]) for r in documented["revisions"])


# --- the client reads every documented example --------------------------------------------------


@pytest.mark.parametrize("date, listing", examples("v1-get-pixverse-account"))
def test_the_v1_list_reads_as_documented(serve, date, listing):
    _, service = serving(serve, {"/v1/pixverse/account": Reply(200, listing)})
    assert service.api().list_accounts() == listing
    assert lookups.accounts(service)["accounts"] == [
        {"channel": c, "server": a["server"], "maxJobs": a["maxJobs"]} for c, a in sorted(listing.items())
    ]


@pytest.mark.parametrize("date, record", examples("v1-get-pixverse-account-channel"))
def test_one_v1_account_reads_as_documented(serve, date, record):
    path = f"/v1/pixverse/account/{quote(record['channel'], safe='')}"
    _, service = serving(serve, {path: Reply(200, record)})
    assert service.api().known_account(record["channel"]) == record  # the list fails: the GET answers


def test_the_documented_404s_read_as_no_account():
    for slug in ("v1-get-pixverse-account", "v2-get-pixverse-accounts"):
        texts = {a.get("text") for r in page(slug)["revisions"] for a in r["responses"] if a["status"] == 404}
        assert len(texts) == 1 and next(iter(texts)).startswith("Configuration not found.")


@pytest.mark.parametrize("slug", ["v1-get-pixverse-account", "v2-get-pixverse-accounts"])
def test_a_documented_404_is_an_empty_pool(serve, slug):
    (text,) = {a["text"] for r in page(slug)["revisions"] for a in r["responses"] if a["status"] == 404}
    path = "/v1/pixverse/account" if slug.startswith("v1") else "/v2/pixverse/accounts"
    _, service = serving(serve, {path: Reply(404, text)})
    ask = lookups.accounts if slug.startswith("v1") else lookups.accounts_v2
    assert ask(service) == {"accounts": []}


@pytest.mark.parametrize("date, listing", examples("v2-get-pixverse-accounts"))
def test_the_v2_list_reads_as_documented_its_session_end_from_expire_time_utc(serve, date, listing):
    _, service = serving(serve, {"/v2/pixverse/accounts": Reply(200, listing)})
    accounts = lookups.accounts_v2(service)["accounts"]
    assert accounts == [
        {
            "email": email,
            "maxJobs": record["maxJobs"],
            "accountId": record["jwt"]["AccountId"],
            "username": record["jwt"]["Username"],
            "sessionExpires": record["jwt"]["ExpireTimeUTC"].replace(".000Z", "Z"),
        }
        for email, record in sorted(listing.items())
    ]


@pytest.mark.parametrize(
    "slug, status", [("v2-get-pixverse-accounts-email", 200), ("v2-post-pixverse-accounts-email", 201)]
)
def test_one_v2_account_reads_as_documented(serve, slug, status):
    for _date, record in examples(slug, status):
        path = f"/v2/pixverse/accounts/{quote(record['email'], safe='')}"
        _, service = serving(serve, {path: Reply(status, record)})
        client = service.api()
        read = (
            client.known_account_v2(record["email"])  # the list fails: the GET answers
            if status == 200
            else client.upsert_account_v2({"email": record["email"], "password": "pw", "maxJobs": 3})
        )
        assert (read["email"], read["maxJobs"]) == (record["email"], record["maxJobs"])
        assert read["jwt"]["AccountId"] == record["jwt"]["AccountId"]
        assert read["jwt"]["Username"] == record["jwt"]["Username"]
        assert "unreadable" not in read


@pytest.mark.parametrize("date, plan", examples("v2-get-pixverse-features"))
def test_the_features_read_as_documented(serve, date, plan, capsys):
    _, service = serving(serve, {"/v2/pixverse/features/": Reply(200, plan)})
    assert lookups.features(service, "creator@studio.example") == {
        "email": "creator@studio.example",
        "planName": plan["plan_name"],
        "concurrentGenerations": plan["gen_simultaneously"],
        "creditDaily": plan["credit_daily"],
        "creditMonthly": plan["credit_monthly"],
        "creditPackage": plan["credit_package"],
        "planExpires": plan["expired_date"],
        "planRenews": True,  # payment 1, the same next plan, renewed on the day it expires
    }
    assert "warning" not in capsys.readouterr().err


def test_the_latest_features_example_seen_so_far_reads_too(serve):
    """The 2026-06-24 copy is cut inside its example: what it shows reads as documented."""
    (revision,) = [r for r in page("v2-get-pixverse-features")["revisions"] if r["date"] == "2026-06-24"]
    plan = revision["responses"][0]["json"]
    _, service = serving(serve, {"/v2/pixverse/features/": Reply(200, plan)})
    read = lookups.features(service, "creator@studio.example")
    assert (read["planName"], read["creditMonthly"], read["planExpires"], read["planRenews"]) == (
        plan["plan_name"],
        plan["credit_monthly"],
        "2026-07-23T00:48:50Z",
        True,
    )


@pytest.mark.parametrize("date, now", examples("v2-get-pixverse-scheduler-available"))
def test_the_scheduler_reads_as_documented_in_each_revision(serve, date, now):
    _, service = serving(serve, {"/v2/pixverse/scheduler/available": Reply(200, now)})
    capacity = lookups.capacity(service)
    assert capacity["accounts"] == now["available"]  # each number as given, even where they do not add up
    assert capacity["jobsExecuting"] == len(now["executing"])
    for job, documented in zip(capacity["executing"], now["executing"], strict=True):
        minutes, seconds = documented["elapsed"].split(":")
        assert job == {
            "id": documented.get("id", documented.get("video_id")),
            "type": documented.get("type", "video"),  # the December 2024 page: videos only
            "started": documented["started"],
            "elapsed": documented["elapsed"],
            "elapsedSeconds": int(minutes) * 60 + int(seconds),
        }


@pytest.mark.parametrize(
    "slug", ["v1-get-pixverse-account", "v2-get-pixverse-accounts", "v2-get-pixverse-scheduler-available"]
)
def test_the_documented_401_is_the_refused_api_token(serve, slug):
    (body,) = {
        json.dumps(a["json"]) for r in page(slug)["revisions"] for a in r["responses"] if a["status"] == 401
    }
    server = serve(lambda _: Reply(401, json.loads(body)))
    with pytest.raises(OperationFailed, match="the service refused the API token"):
        lookups.capacity(service_for(server.url, "token-documented-answers"))
    client = service_for(server.url, "token-documented-answers").api()
    with pytest.raises(AuthenticationError):
        client.list_accounts()


# --- the emulator answers in the documented shapes -----------------------------------------------


def same_shape(
    documented: Any, answered: Any, where: str, *, keyed: bool = False, partial: bool = False
) -> None:
    """`answered` has `documented`'s keys (at least, where the example is `partial`), JSON types and
    formats (an ISO instant with `Z`, and milliseconds where the page writes them; `MM:SS`); `keyed`:
    an object keyed by id whose values each have the shape of the example's first."""
    if keyed:
        assert isinstance(answered, dict) and answered, where
        for key, item in answered.items():
            same_shape(next(iter(documented.values())), item, f"{where}[{key}]")
        return
    if isinstance(documented, dict):
        assert isinstance(answered, dict), where
        assert set(documented) <= set(answered), (where, set(documented) - set(answered))
        assert partial or set(answered) <= set(documented), (where, set(answered) - set(documented))
        for key in documented:
            same_shape(documented[key], answered[key], f"{where}.{key}")
    elif isinstance(documented, list):
        assert isinstance(answered, list), where
        for item in answered if documented else []:
            same_shape(documented[0], item, f"{where}[]")
    else:
        assert _kind(answered) == _kind(documented), (where, answered)
        for form in (INSTANT, CLOCK):
            if isinstance(documented, str) and form.fullmatch(documented):
                assert form.fullmatch(answered), (where, answered)
                assert ("." in answered) == ("." in documented), (where, answered)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    return "number" if isinstance(value, (int, float)) else type(value).__name__


@pytest.fixture
def emulated(emulator):
    emulator.seed(
        {
            "discord": "discord-documented",
            "server": "111111111111111111",
            "channel": "222222222222222222",
            "maxJobs": 3,
        }
    )
    emulator.seed_v2({"email": "maya@pixverse.example", "password": "pw-documented", "maxJobs": 3})
    emulator.plan("maya@pixverse.example", executing=2)
    auth = {"Authorization": f"Bearer {emulator.token}"}
    return lambda method, path: requests.request(method, emulator.url + path, headers=auth, timeout=5)


def test_the_emulators_accounts_have_the_documented_shapes(emulated):
    (_, v1_list), *_ = examples("v1-get-pixverse-account")[-1:]
    same_shape(v1_list, emulated("GET", "/v1/pixverse/account").json(), "v1 list", keyed=True)
    (_, v1_one), *_ = examples("v1-get-pixverse-account-channel")[-1:]
    same_shape(v1_one, emulated("GET", "/v1/pixverse/account/222222222222222222").json(), "v1 one")
    (_, v2_list), *_ = examples("v2-get-pixverse-accounts")[-1:]
    same_shape(v2_list, emulated("GET", "/v2/pixverse/accounts").json(), "v2 list", keyed=True)
    (_, v2_one), *_ = examples("v2-get-pixverse-accounts-email")[-1:]
    same_shape(v2_one, emulated("GET", "/v2/pixverse/accounts/maya%40pixverse.example").json(), "v2 one")


def test_the_emulators_features_have_every_documented_field_type_and_format(emulated):
    answered = emulated("GET", "/v2/pixverse/features/?email=maya%40pixverse.example").json()
    for revision in page("v2-get-pixverse-features")["revisions"]:
        example = revision["responses"][0]["json"]
        same_shape(example, answered, f"features {revision['date']}", partial=True)
    assert "email" not in answered  # the page's answer names no account


def test_the_emulators_scheduler_has_the_current_documented_shape(emulated):
    (_, current), *_ = examples("v2-get-pixverse-scheduler-available")[-1:]
    answered = emulated("GET", "/v2/pixverse/scheduler/available").json()
    assert len(answered["executing"]) == 2
    same_shape(current, answered, "scheduler")
    ids = [job["id"] for job in answered["executing"]]
    assert all(re.fullmatch(r"user:\d+-pixverse:maya@pixverse\.example-video:\d+", i) for i in ids), ids


def test_the_emulators_errors_have_the_documented_bodies(emulator, emulated):
    emulator.reset()
    for slug in ("v1-get-pixverse-account", "v2-get-pixverse-accounts"):
        (revision,) = page(slug)["revisions"][-1:]
        documented = {a["status"]: a for a in revision["responses"]}
        path = "/v1/pixverse/account" if slug.startswith("v1") else "/v2/pixverse/accounts"
        answered = emulated("GET", path)
        assert (answered.status_code, answered.text) == (404, documented[404]["text"])
        refused = requests.get(emulator.url + path, timeout=5)
        assert (refused.status_code, refused.json()) == (401, documented[401]["json"])
