"""What an answer of the service means, decided route by route (docs/contributing/contract.md: what each route
documents; and what a real service behind a CDN and proxies answers besides).

- Success only on the route's documented statuses, with a JSON object where one is documented (and
  nothing but JSON or no body where none is).
- "Not found" only when the route documents a 404 and the answer is the service's own: its plain
  text (`Configuration not found...`) or its JSON error. Any other 404 means the URL is not the API.
- A 3xx is an error naming the host it points to; it is never followed (the token would go along).
- An answer that is not the API's (an HTML page, another content type, an empty body where words
  are due) is named by status and host, never quoted.
- The service's own words are quoted as one printable, capped line with every credential redacted.

Transient statuses (RETRYABLE_STATUSES) are retried by the transport before an answer gets here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from .errors import (
    ApiValidationError,
    AuthenticationError,
    GarbledAnswerError,
    LoginRefusedError,
    NotFoundError,
    NotTheApiError,
    PixverseError,
    RedirectError,
    RetriesExhaustedError,
    UnexpectedResponseError,
)
from .sanitize import service_words

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
"""Answers worth another attempt: timeouts, rate limits, server errors, a CDN's origin errors."""
_TRANSIENT_CAUSES = {
    408: "the service timed out waiting for the request",
    520: "a CDN error: the origin answered unexpectedly",
    521: "a CDN error: the origin is down",
    522: "a CDN error: the origin did not accept the connection in time",
    523: "a CDN error: the origin is unreachable",
    524: "a CDN error: the origin timed out",
}
TOKEN_REFUSED = "Unauthorized"
"""The service's message for a refused API token."""
_ABOUT_THE_API_TOKEN = re.compile(r"unauthori[sz]ed|authori[sz]ation|bearer|api[ _-]?(token|key)", re.I)
"""A v2 POST 401 whose words match this is about the API token; any other is PixVerse refusing the
account's login."""
_NOT_CONFIGURED = "Configuration not found"
"""How the service's own plain-text 404s begin."""
WRONG_URL_HINT = "check pixverse:apiUrl (USEAPI_API_URL): it must be the useapi.net API's base URL"
TOKEN_HINT = "API token refused (check pixverse:apiToken or USEAPI_TOKEN)"


@dataclass(frozen=True)
class Route:
    """One call of the API and what the contract documents for it."""

    method: str
    success: frozenset[int]
    """The statuses that mean success."""
    json_object: bool = False
    """Success carries a JSON object (returned to the caller)."""
    not_found: bool = False
    """The service's own 404 means "not configured" (NotFoundError)."""
    logs_in: bool = False
    """The call logs in to PixVerse (the v2 POST): a 401 may be the account's login refused."""


def meaning(route: Route, path: str, response: requests.Response, login: str | None) -> dict[str, Any]:
    """The JSON object of a successful answer ({} where the route documents no body); else raise
    the PixverseError the answer means. `login` is the email a `logs_in` call logs in with."""
    status = response.status_code
    if 300 <= status < 400:
        raise _redirect(route, path, response)
    if response.content and _is_json(response) and _json(response) is None:
        raise GarbledAnswerError(
            route.method,
            path,
            f"{host_of(response.url)} answered HTTP {status} with JSON that does not parse",
            status,
        )
    if status in route.success:
        if not route.json_object:
            if response.content and not _is_json(response):  # an empty body or JSON, as documented
                raise _not_the_api(route, path, response)
            return {}
        payload = _json(response)
        if isinstance(payload, dict):
            return payload
        if payload is None:
            raise _not_the_api(route, path, response)
        raise UnexpectedResponseError(route.method, path, "expected a JSON object in the answer", status)
    words = _service_words(response)
    if status == 404 and not (route.not_found and words is not None and _is_own_404(words, response)):
        shown = f"({words})" if words is not None else f"with {_what_body(response)}"
        raise NotTheApiError(
            route.method,
            path,
            f"{host_of(response.url)} answered HTTP 404 {shown}: the URL does not answer like the "
            f"useapi.net API; {WRONG_URL_HINT}",
            status,
        )
    if words is None:
        raise _not_the_api(route, path, response)
    raise _refusal(route, path, status, words, login)


def retries_exhausted(route: Route, path: str, response: requests.Response, attempts: str) -> PixverseError:
    """The error for a transient status that outlasted every retry (its body is never quoted)."""
    status = response.status_code
    cause = f" ({_TRANSIENT_CAUSES[status]})" if status in _TRANSIENT_CAUSES else ""
    return RetriesExhaustedError(
        route.method, path, f"still failing after {attempts}: last cause HTTP {status}{cause}", status
    )


def host_of(url: str) -> str:
    """The host (and port) of `url`, never its user info, path or query."""
    parts = urlsplit(url)
    host = parts.hostname or "an unnamed host"
    return f"{host}:{parts.port}" if parts.port else host


def _refusal(route: Route, path: str, status: int, words: str, login: str | None) -> PixverseError:
    """The error for an answer in the API's own words that is not success (a 404 here is the
    service's own, on a route that documents one)."""
    if status == 400:
        return ApiValidationError(route.method, path, words, status)
    if status == 401:
        about_token = words in ("", TOKEN_REFUSED) or _ABOUT_THE_API_TOKEN.search(words) is not None
        if route.logs_in and login is not None and not about_token:
            return LoginRefusedError(route.method, path, login, words, status)
        return AuthenticationError(route.method, path, TOKEN_HINT, status)
    if status == 404:
        return NotFoundError(route.method, path, words, status)
    return UnexpectedResponseError(route.method, path, words, status)


def _origin(url: str) -> str:
    """`scheme://host[:port]` of `url`: where a redirect points, without its path or query."""
    return f"{urlsplit(url).scheme}://{host_of(url)}"


def _is_own_404(words: str, response: requests.Response) -> bool:
    """The service's own "not configured": its plain text, or its JSON error body."""
    return words.startswith(_NOT_CONFIGURED) or _is_json(response)


def _redirect(route: Route, path: str, response: requests.Response) -> RedirectError:
    location = response.headers.get("Location")
    target = _origin(urljoin(response.url, location)) if location else "nowhere (no Location)"
    return RedirectError(
        route.method,
        path,
        f"{host_of(response.url)} redirects (HTTP {response.status_code}) to {service_words(target)}; "
        f"not followed, so the API token never goes to another address: set pixverse:apiUrl to the "
        "address the API answers at",
        response.status_code,
    )


def _not_the_api(route: Route, path: str, response: requests.Response) -> NotTheApiError:
    return NotTheApiError(
        route.method,
        path,
        f"{host_of(response.url)} answered HTTP {response.status_code} with {_what_body(response)}, "
        f"not an answer of the useapi.net API; {WRONG_URL_HINT}",
        response.status_code,
    )


def _service_words(response: requests.Response) -> str | None:
    """The service's own words in an error answer: the `error` of its JSON error body (with
    `errorDetails`), or its plain text; None when the answer is not the API's."""
    if _is_json(response):
        payload = _json(response)
        if not isinstance(payload, dict) or not isinstance(payload.get("error"), str):
            return None
        details = payload.get("errorDetails")
        message = f"{payload['error']} ({details})" if details else payload["error"]
        return service_words(message)
    if _content_type(response) == "text/plain" and response.text.strip():
        return service_words(response.text)
    return None


def _what_body(response: requests.Response) -> str:
    kind = _content_type(response)
    if not response.content:
        return "an empty answer"
    if kind == "text/html" or response.content.lstrip()[:1] == b"<":
        return "an HTML page"
    if _is_json(response):
        return "JSON that is not the API's"
    return f"a {service_words(kind) or 'untyped'} answer"


def _content_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()


def _is_json(response: requests.Response) -> bool:
    kind = _content_type(response)
    return kind == "application/json" or kind.endswith("+json")


def _json(response: requests.Response) -> Any:
    """The answer's JSON value, None when it is not JSON (or JSON `null`, which no route sends)."""
    if not _is_json(response):
        return None
    try:
        return response.json()
    except (ValueError, RecursionError):  # RecursionError: a body nested too deep
        return None
