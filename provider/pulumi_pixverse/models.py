"""The accounts' fields and their rules (pydantic), and the records the API sends and receives.

v1 accounts (Discord bot set-ups keyed by channel) are `Account`; v2 accounts (PixVerse logins keyed
by email) are `AccountV2`; their fields and the rules' wording are those of `fields.py`. The rules
mirror what the service refuses (docs/contributing/contract.md), so a bad value is caught by `pulumi preview`
before anything is sent. Every problem names the field and the rule; a problem with a credential
(`discord`, `password`, `token`) never repeats its value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from .fields import ACCOUNT, ACCOUNT_V2, DISCORD_ID_DIGITS, MAX_JOBS, MAX_JOBS_V2, MIN_JOBS

FIELDS = ACCOUNT.names
"""v1 wire and state names of the account's fields, in the service's order."""
FIELDS_V2 = ACCOUNT_V2.names
"""v2 wire and state names of the account's fields, in the service's order; `token` is optional."""
RULES = ACCOUNT.rules
RULES_V2 = ACCOUNT_V2.rules

DISCORD_ID = re.compile(f"[0-9]{{{DISCORD_ID_DIGITS[0]},{DISCORD_ID_DIGITS[1]}}}")
# Interpretation: a plausible email address is something@something.something, without whitespace.
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


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


class _WireAccount(BaseModel):
    """What both versions share: frozen, wire names as aliases, rule messages, the wire record."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    FIELDS: ClassVar[tuple[str, ...]]
    RULES: ClassVar[dict[str, str]]

    @classmethod
    def _broken(cls, field: str, got: str | None = None) -> PydanticCustomError:
        suffix = f"; got {got}" if got is not None else ""
        return PydanticCustomError("pixverse_rule", f"{field} must be {cls.RULES[field]}{suffix}")

    @classmethod
    def _secret(cls, field: str, value: Any) -> str:
        """A credential: a string that is not blank. Its value is never put in the message."""
        if not isinstance(value, str) or not value.strip():
            raise cls._broken(field)
        return value

    @classmethod
    def _max_jobs(cls, value: Any, highest: int) -> int:
        # The engine hands every number over as a float, so 5.0 is 5; bools, fractions and strings are not.
        whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        if isinstance(value, bool) or not whole:
            raise cls._broken("maxJobs", repr(value))
        if not MIN_JOBS <= int(value) <= highest:
            raise cls._broken("maxJobs", str(int(value)))
        return int(value)

    def wire(self) -> dict[str, Any]:
        """The JSON body the API takes (maxJobs a JSON integer, optional fields only when given) and
        the resource's outputs."""
        return self.model_dump(by_alias=True, exclude_none=True)


class Account(_WireAccount):
    """A valid PixVerse v1 account. Python names are snake_case; `maxJobs` is the wire alias."""

    FIELDS = FIELDS
    RULES = RULES

    discord: str = Field(repr=False)
    server: str
    channel: str
    max_jobs: int = Field(alias="maxJobs")

    @field_validator("discord", mode="before")
    @classmethod
    def _check_discord(cls, value: Any) -> str:
        return cls._secret("discord", value)

    @field_validator("server", "channel", mode="before")
    @classmethod
    def _check_discord_id(cls, value: Any, info: ValidationInfo) -> str:
        field = str(info.field_name)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise cls._broken(field, "a number (write ids as quoted strings)")
        if not isinstance(value, str):
            raise cls._broken(field, f"a {type(value).__name__}")
        if not DISCORD_ID.fullmatch(value):
            raise cls._broken(field, repr(value))
        return value

    @field_validator("max_jobs", mode="before")
    @classmethod
    def _check_max_jobs(cls, value: Any) -> int:
        return cls._max_jobs(value, MAX_JOBS)


class AccountV2(_WireAccount):
    """A valid PixVerse v2 account. Python names are snake_case; `maxJobs` is the wire alias.
    `token` is None when not given, and then left out of the wire record."""

    FIELDS = FIELDS_V2
    RULES = RULES_V2

    email: str
    password: str = Field(repr=False)
    max_jobs: int = Field(alias="maxJobs")
    token: str | None = Field(default=None, repr=False)

    @field_validator("email", mode="before")
    @classmethod
    def _check_email(cls, value: Any) -> str:
        if not isinstance(value, str):
            raise cls._broken("email", f"a {type(value).__name__}")
        if not EMAIL.fullmatch(value):
            raise cls._broken("email", repr(value))
        return value

    @field_validator("password", "token", mode="before")
    @classmethod
    def _check_credential(cls, value: Any, info: ValidationInfo) -> str:
        return cls._secret(str(info.field_name), value)

    @field_validator("max_jobs", mode="before")
    @classmethod
    def _check_max_jobs(cls, value: Any) -> int:
        return cls._max_jobs(value, MAX_JOBS_V2)


_Model = TypeVar("_Model", bound=_WireAccount)


def find_problems(
    props: Mapping[str, Any], is_unknown: Callable[[Any], bool] = lambda _: False
) -> list[FieldProblem]:
    """Every v1 rule `props` (wire names) breaks, in field order; fields whose value `is_unknown`
    are not judged."""
    return _find_problems(Account, props, is_unknown)


def find_problems_v2(
    props: Mapping[str, Any], is_unknown: Callable[[Any], bool] = lambda _: False
) -> list[FieldProblem]:
    """Every v2 rule `props` (wire names) breaks, in field order; fields whose value `is_unknown`
    are not judged. A null `token` counts as not given."""
    return _find_problems(AccountV2, props, is_unknown)


def parse_account(props: Mapping[str, Any]) -> Account:
    """The v1 Account that `props` (wire names) describe; InvalidAccountError when a rule is broken."""
    return _parse(Account, props)


def parse_account_v2(props: Mapping[str, Any]) -> AccountV2:
    """The v2 AccountV2 that `props` (wire names) describe; InvalidAccountError when a rule is broken."""
    return _parse(AccountV2, props)


def _candidate(model: type[_WireAccount], props: Mapping[str, Any]) -> dict[str, Any]:
    """The model's fields of `props`, a null value counting as absent."""
    return {name: props[name] for name in model.FIELDS if props.get(name) is not None}


def _find_problems(
    model: type[_WireAccount], props: Mapping[str, Any], is_unknown: Callable[[Any], bool]
) -> list[FieldProblem]:
    try:
        model.model_validate(_candidate(model, props))
    except ValidationError as exc:
        problems = [_problem(model, error) for error in exc.errors()]
        return [p for p in problems if not is_unknown(props.get(p.field))]
    return []


def _parse(model: type[_Model], props: Mapping[str, Any]) -> _Model:
    problems = _find_problems(model, props, lambda _: False)
    if problems:
        raise InvalidAccountError(problems)
    return model.model_validate(_candidate(model, props))


def _problem(model: type[_WireAccount], error: Mapping[str, Any]) -> FieldProblem:
    name = str(error["loc"][0]) if error["loc"] else "account"
    info = model.model_fields.get(name)
    field = info.alias if info is not None and info.alias else name
    if error["type"] == "missing":
        return FieldProblem(field, f"{field} is required: {model.RULES.get(field, 'a value')}")
    return FieldProblem(field, str(error["msg"]))
