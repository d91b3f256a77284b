"""The emulator's two route tables (routes.API_ROUTES, admin.ADMIN_ROUTES) against what describes or
calls them: the modules' docstring lists, the tests' admin client (tests/emulator_admin.py), the
routes docs/contributing/emulator.md names; and every route answered through its table, over real HTTP."""

from __future__ import annotations

import re
from pathlib import Path

import emulator_admin
import pytest
import requests
from emulator_admin import EmulatorAdmin
from pulumi_pixverse.emulator import admin, routes

REPO_ROOT = Path(__file__).resolve().parents[2]
EMULATOR_DOC = REPO_ROOT / "docs" / "contributing" / "emulator.md"
"""The emulator's user page (its one home: change it here if the page moves)."""

ROUTE = r"\b(?:GET|POST|DELETE|PUT|PATCH) /[\w/{}.-]*"
"""A route as the tables, the request log and the docs write it: "METHOD /path"."""


def listed(docstring: str | None) -> list[str]:
    """The routes of a module docstring's list: its lines that begin (indented) with "METHOD /path",
    the path without its query."""
    rows = re.findall(r"^ +([A-Z]+) +(/\S*)", docstring or "", re.MULTILINE)
    return [f"{method} {path.partition('?')[0]}" for method, path in rows]


def not_found(response: requests.Response) -> bool:
    """The emulator's answer to a route it does not have: 404 `{"error": "Not found", "code": 404}`."""
    is_json = response.headers.get("Content-Type") == "application/json"
    return response.status_code == 404 and is_json and response.json() == {"error": "Not found", "code": 404}


def sample(route: str) -> tuple[str, str]:
    """Method and a path of `route`, each `{name}` filled in."""
    method, _, path = route.partition(" ")
    return method, re.sub(r"\{\w+\}", "someone%40example.com", path)


def test_the_api_docstring_lists_exactly_the_api_table() -> None:
    assert listed(routes.__doc__) == list(routes.API_ROUTES)


def test_the_admin_docstring_lists_exactly_the_admin_table() -> None:
    assert listed(admin.__doc__) == list(admin.ADMIN_ROUTES)


def test_admin_routes_and_api_routes_keep_apart() -> None:
    assert all(route.split(" ")[1].startswith(admin.ADMIN_PREFIX) for route in admin.ADMIN_ROUTES)
    assert not any(route.split(" ")[1].startswith(admin.ADMIN_PREFIX) for route in routes.API_ROUTES)


def test_the_admin_client_calls_every_admin_route_and_no_other() -> None:
    source = Path(emulator_admin.__file__).read_text(encoding="utf-8")
    named = set(re.findall(rf'"({ROUTE})"', source))  # its API routes only in docstrings' examples
    assert named - set(routes.API_ROUTES) == set(admin.ADMIN_ROUTES)


def test_every_route_the_emulator_page_names_is_in_a_table() -> None:
    named = set(re.findall(ROUTE, EMULATOR_DOC.read_text(encoding="utf-8")))
    assert named  # the page names routes (e.g. `POST /_emulator/plan`)
    assert named <= {*routes.API_ROUTES, *admin.ADMIN_ROUTES}
    admin_paths = {route.split(" ")[1] for route in admin.ADMIN_ROUTES}
    assert set(re.findall(r"/_emulator/[\w-]+", EMULATOR_DOC.read_text(encoding="utf-8"))) <= admin_paths


@pytest.mark.parametrize("route", routes.API_ROUTES)
def test_every_api_route_is_answered_through_the_table(emulator: EmulatorAdmin, route: str) -> None:
    method, path = sample(route)
    auth = {"Authorization": f"Bearer {emulator.token}"}
    response = requests.request(method, emulator.url + path, headers=auth, json={}, timeout=5)
    assert response.status_code in (200, 400, 404)
    assert not not_found(response)
    assert [entry["route"] for entry in emulator.requests()] == [route]


@pytest.mark.parametrize("route", admin.ADMIN_ROUTES)
def test_every_admin_route_is_answered_through_the_table(emulator: EmulatorAdmin, route: str) -> None:
    method, path = sample(route)
    auth = {"Authorization": f"Bearer {emulator.token}"}
    malformed = requests.request(method, emulator.url + path, headers=auth, data=b"{", timeout=5)
    assert (malformed.status_code, malformed.json()) == (400, {"error": "Malformed JSON body", "code": 400})
    response = requests.request(method, emulator.url + path, headers=auth, timeout=5)
    assert response.status_code in (200, 204, 400)
    assert emulator.requests() == []


@pytest.mark.parametrize(
    ("path", "route", "status"),
    [
        ("/v2/pixverse/features/", "GET /v2/pixverse/features/", 200),
        ("/v2/pixverse/features", "GET /v2/pixverse/features/", 200),
        ("/v1/pixverse/account/", "GET /v1/pixverse/account/", 404),
        ("/v2/pixverse/scheduler/available/", "GET /v2/pixverse/scheduler/available/", 404),
    ],
)
def test_only_the_features_route_takes_its_path_with_or_without_a_trailing_slash(
    emulator: EmulatorAdmin, path: str, route: str, status: int
) -> None:
    emulator.seed_v2({"email": "maya@pixverse.example", "password": "pw", "maxJobs": 2})
    auth = {"Authorization": f"Bearer {emulator.token}"}
    response = requests.get(f"{emulator.url}{path}?email=maya%40pixverse.example", headers=auth, timeout=5)
    assert response.status_code == status
    assert [entry["route"] for entry in emulator.requests()][-1] == route
