"""The accounts' models (pydantic), made from the field table (`fields.py`): one per kind of account.

`model(kind)` builds a kind's model from its `FieldTable`: one attribute per declared field under its
Python name (`max_jobs`), validated under its wire name (`maxJobs`), with the check its type, `bounds`
and `pattern` call for, worded by its `rule`. v1 accounts (Discord bot set-ups keyed by channel) are
`Account`, v2 accounts (PixVerse logins keyed by email) `AccountV2`. The rules mirror what the service
refuses (docs/contributing/contract.md), so a bad value is caught by `pulumi preview` before anything
is sent. Every problem names the field and the rule; a problem with a credential (`discord`,
`password`, `token`) never repeats its value. A field the table does not have is refused, naming it:
nothing a program declares is dropped silently.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, create_model
from pydantic import Field as Attribute
from pydantic_core import PydanticCustomError

from .fields import ACCOUNT, ACCOUNT_V2, Field, FieldTable, declared_props

FIELDS = ACCOUNT.names
"""v1 wire and state names of the account's fields, in the service's order."""
FIELDS_V2 = ACCOUNT_V2.names
"""v2 wire and state names of the account's fields, in the service's order; `token` is optional."""


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


class AccountModel(BaseModel):
    """A valid account of one kind (`KIND`): frozen, validated under the wire names, refusing any
    other field."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    KIND: ClassVar[FieldTable]

    @property
    def key(self) -> str:
        """The account's id: the value of its kind's key field (channel, email)."""
        return str(getattr(self, self.KIND.field(self.KIND.key).python_name))

    def wire(self) -> dict[str, Any]:
        """The JSON body the API takes (integers as JSON integers, optional fields only when given) and
        the resource's outputs."""
        return self.model_dump(by_alias=True, exclude_none=True)


def _broken(field: Field, got: str | None = None) -> PydanticCustomError:
    suffix = f"; got {got}" if got is not None else ""
    return PydanticCustomError("pixverse_rule", f"{field.name} must be {field.rule}{suffix}")


def _whole_number(field: Field, value: Any) -> int:
    # The engine hands every number over as a float, so 5.0 is 5; bools, fractions and strings are not.
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if isinstance(value, bool) or not whole:
        raise _broken(field, repr(value))
    if field.bounds is not None and not field.bounds[0] <= int(value) <= field.bounds[1]:
        raise _broken(field, str(int(value)))
    return int(value)


def _text(field: Field, value: Any) -> str:
    """A string of the field's `pattern`, else any string that is not blank (its value then never
    shown: a credential's)."""
    if not field.pattern:
        if not isinstance(value, str) or not value.strip():
            raise _broken(field)
        return value
    if field.identifier and isinstance(value, (int, float)) and not isinstance(value, bool):
        raise _broken(field, "a number (write ids as quoted strings)")
    if not isinstance(value, str):
        raise _broken(field, f"a {type(value).__name__}")
    if not re.fullmatch(field.pattern, value):
        raise _broken(field, repr(value))
    return value


def _attribute(field: Field) -> Any:
    """A field as `create_model` takes it: its type with its check, and its wire name (alias)."""
    check: Callable[[Any], Any] = functools.partial(
        _whole_number if field.type == "integer" else _text, field
    )
    python_type: Any = int if field.type == "integer" else str
    annotation = python_type if field.required else python_type | None
    default = ... if field.required else None
    return (
        Annotated[annotation, BeforeValidator(check)],
        Attribute(default, alias=field.name, repr=not field.secret),
    )


@functools.cache
def model(kind: FieldTable) -> type[AccountModel]:
    """The model of `kind` (built once per table): its declared fields, in the table's order."""
    attributes: dict[str, Any] = {field.python_name: _attribute(field) for field in kind.inputs}
    built = create_model(kind.name, __base__=AccountModel, __module__=__name__, **attributes)
    built.KIND = kind
    return built


Account = model(ACCOUNT)
"""A valid PixVerse v1 account. Python names are snake_case; `maxJobs` is the wire alias."""
AccountV2 = model(ACCOUNT_V2)
"""A valid PixVerse v2 account; `token` is None when not given, and then left out of the wire record."""


def find_problems(
    props: Mapping[str, Any], is_unknown: Callable[[Any], bool] = lambda _: False, kind: FieldTable = ACCOUNT
) -> list[FieldProblem]:
    """Every rule of `kind` (default: v1) that `props` (wire names) break, in field order; fields
    whose value `is_unknown` are not judged; a null counts as not given."""
    try:
        model(kind).model_validate(declared_props(props))
    except ValidationError as exc:
        problems = [_problem(kind, error) for error in exc.errors()]
        return [p for p in problems if not is_unknown(props.get(p.field))]
    return []


def find_problems_v2(
    props: Mapping[str, Any], is_unknown: Callable[[Any], bool] = lambda _: False
) -> list[FieldProblem]:
    """Every v2 rule `props` break (`find_problems`); a null `token` counts as not given."""
    return find_problems(props, is_unknown, ACCOUNT_V2)


def parse_account(props: Mapping[str, Any], kind: FieldTable = ACCOUNT) -> AccountModel:
    """The account of `kind` (default: v1) that `props` (wire names) describe; InvalidAccountError
    when a rule is broken."""
    problems = find_problems(props, kind=kind)
    if problems:
        raise InvalidAccountError(problems)
    return model(kind).model_validate(declared_props(props))


def parse_account_v2(props: Mapping[str, Any]) -> AccountModel:
    """The v2 account that `props` (wire names) describe (`parse_account`)."""
    return parse_account(props, ACCOUNT_V2)


def _problem(kind: FieldTable, error: Mapping[str, Any]) -> FieldProblem:
    """One validation error as a check reports it, under the field's wire name (pydantic's `loc`)."""
    field = str(error["loc"][0]) if error["loc"] else "account"
    if error["type"] == "missing":
        return FieldProblem(field, f"{field} is required: {kind.rules.get(field) or 'a value'}")
    if error["type"] == "extra_forbidden":
        fields = ", ".join(kind.names)
        return FieldProblem(field, f"{field} is not a field of {kind.name}, whose fields are {fields}")
    return FieldProblem(field, str(error["msg"]))
