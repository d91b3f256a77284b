"""The account's fields and their rules (pydantic), and the record the API sends and receives.

The rules mirror what the service refuses (shared/API-CONTRACT.md), so a bad value is caught by
`pulumi preview` before anything is sent. Every problem names the field and the rule; a problem with
`discord` never repeats its value, because the value is a credential.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

FIELDS = ("discord", "server", "channel", "maxJobs")
"""Wire and state names of the account's fields, in the service's order."""

# Interpretation: "a valid Discord channel id" is a snowflake, 17 to 20 ASCII digits; server ids too.
DISCORD_ID = re.compile(r"[0-9]{17,20}")
MIN_JOBS = 1
MAX_JOBS = 10  # the service's current maximum of concurrent jobs

RULES = {
    "discord": "the account's Discord token, a non-empty string",
    "server": "a Discord server id, 17 to 20 ASCII digits",
    "channel": "a Discord channel id, 17 to 20 ASCII digits",
    "maxJobs": f"a whole number from {MIN_JOBS} to {MAX_JOBS}",
}


@dataclass(frozen=True)
class FieldProblem:
    """One input that breaks its rule: `field` is the wire name, `reason` says the rule."""

    field: str
    reason: str


class InvalidAccountError(ValueError):
    """The inputs break one or more rules; the message lists each field and its rule."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.reason for p in problems))


def _broken(field: str, got: str | None = None) -> PydanticCustomError:
    suffix = f"; got {got}" if got is not None else ""
    return PydanticCustomError("pixverse_rule", f"{field} must be {RULES[field]}{suffix}")


def _discord_id(field: str, value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise _broken(field, "a number (write ids as quoted strings)")
    if not isinstance(value, str):
        raise _broken(field, f"a {type(value).__name__}")
    if not DISCORD_ID.fullmatch(value):
        raise _broken(field, repr(value))
    return value


class Account(BaseModel):
    """A valid PixVerse account. Python names are snake_case; `maxJobs` is the wire alias."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    discord: str
    server: str
    channel: str
    max_jobs: int = Field(alias="maxJobs")

    @field_validator("discord", mode="before")
    @classmethod
    def _check_discord(cls, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise _broken("discord")
        return value

    @field_validator("server", mode="before")
    @classmethod
    def _check_server(cls, value: Any) -> str:
        return _discord_id("server", value)

    @field_validator("channel", mode="before")
    @classmethod
    def _check_channel(cls, value: Any) -> str:
        return _discord_id("channel", value)

    @field_validator("max_jobs", mode="before")
    @classmethod
    def _check_max_jobs(cls, value: Any) -> int:
        # The engine hands every number over as a float, so 5.0 is 5; bools, fractions and strings are not.
        whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        if isinstance(value, bool) or not whole:
            raise _broken("maxJobs", repr(value))
        if not MIN_JOBS <= int(value) <= MAX_JOBS:
            raise _broken("maxJobs", str(int(value)))
        return int(value)

    def wire(self) -> dict[str, Any]:
        """The JSON body the API takes (maxJobs a JSON integer) and the resource's outputs."""
        return self.model_dump(by_alias=True)


def find_problems(
    props: Mapping[str, Any], is_unknown: Callable[[Any], bool] = lambda _: False
) -> list[FieldProblem]:
    """Every rule `props` breaks, in field order; fields whose value `is_unknown` are not judged."""
    candidate = {name: props[name] for name in FIELDS if name in props and props[name] is not None}
    try:
        Account.model_validate(candidate)
    except ValidationError as exc:
        problems = [_problem(error) for error in exc.errors()]
        return [p for p in problems if not is_unknown(props.get(p.field))]
    return []


def parse_account(props: Mapping[str, Any]) -> Account:
    """The Account that `props` (wire names) describe; InvalidAccountError when a rule is broken."""
    problems = find_problems(props)
    if problems:
        raise InvalidAccountError(problems)
    return Account.model_validate({name: props[name] for name in FIELDS})


def _problem(error: Mapping[str, Any]) -> FieldProblem:
    field = str(error["loc"][0]) if error["loc"] else "account"
    field = "maxJobs" if field == "max_jobs" else field
    if error["type"] == "missing":
        return FieldProblem(field, f"{field} is required: {RULES.get(field, 'a value')}")
    return FieldProblem(field, str(error["msg"]))
