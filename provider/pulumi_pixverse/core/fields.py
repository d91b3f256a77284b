"""Each kind of account and each of its fields, described once: the table that drives the code.

Everything that handles an account's fields reads them here: the models and their rules' wording
(`models.py`), the readers of the service's records (`client/records.py`), the lifecycle, the diff
and the names the state stores (`accounts.py`), the dynamic resources' properties and docstrings
(`resource.py`), the pool's rules (`pool.py`), `adopt`, `migrate`, `audit`, the functions (`lookups`),
the plugin's schema and so its SDKs, and the reference pages (docs/resources/, `tools/gen-sdk`).
Standard library only: a refresh reads the names without loading pydantic.

A new optional field (docs/contributing/adding-a-field.md) takes two files edited by hand:

1. here, one `Field` in its kind: `required=False`, its `rule` as a check says it, and `bounds` for
   an integer or `pattern` for a string of a given form;
2. the emulator's rule, its own on purpose (it stands in for the vendor, not for this table):
   `emulator/backend.py`, an entry of `OPTIONAL_V1` for a v1 account;

then `tools/gen-sdk` writes the schema, the SDKs, the reference pages and the dynamic resources' and
pool specs' typed signatures (tools/gen_code.py) again. A new kind of account
is a new API of the service: a `FieldTable` here and twelve files more (the contributor page lists them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MIN_JOBS = 1
MAX_JOBS = 10
"""v1: the service's current maximum of concurrent jobs."""
MAX_JOBS_V2 = 8
"""v2: the service's maximum; the account's PixVerse plan may allow fewer."""
DISCORD_ID_DIGITS = (17, 20)
"""Interpretation: "a valid Discord channel id" is a snowflake, 17 to 20 ASCII digits; server ids too."""
DISCORD_ID = f"[0-9]{{{DISCORD_ID_DIGITS[0]},{DISCORD_ID_DIGITS[1]}}}"
EMAIL = r"[^@\s]+@[^@\s]+\.[^@\s]+"
"""Interpretation: a plausible email address is something@something.something, without whitespace."""

_JOBS = "How many jobs the service may run on this account at once."


@dataclass(frozen=True)
class Field:
    """One field of an account, under its wire and state name (`maxJobs`).

    Its type says how it is checked and read: an integer is a whole number (5.0 is 5; a whole-number
    string or float the service sends is read as one), within `bounds` when given; a string matches
    `pattern` when given, else is any string that is not blank."""

    name: str
    type: str
    """Its schema type: string or integer."""
    description: str
    rule: str = ""
    """What a valid value is, as a check says it: `NAME must be RULE`. Outputs have none."""
    secret: bool = False
    """A credential: secret in inputs and outputs, never repeated in a message."""
    write_only: bool = False
    """The service never returns it (it masks it): kept as declared, drift in it unseen."""
    replaces: str = ""
    """What a new value does when it replaces the account; empty: it updates in place."""
    required: bool = True
    """False: optional, null counting as not given, left out of what is sent when not given."""
    output: bool = False
    """Reported by the service, never declared."""
    bounds: tuple[int, int] | None = None
    """An integer's lowest and highest valid values."""
    pattern: str = ""
    """A string's form: a regular expression the whole value matches."""
    identifier: bool = False
    """A numeric id written as a string: read as its digits when the service sends a number, and
    refused as a number when a program declares one (quote it)."""
    reported_as: str = ""
    """An output's name in the session (`jwt`) the service reports with the account."""

    @property
    def python_name(self) -> str:
        """The attribute's name in Python programs: `max_jobs`."""
        return re.sub(r"(?<!^)(?=[A-Z])", "_", self.name).lower()

    def describe(self) -> str:
        """The whole description: what it is, its rule, what a change does."""
        parts = [self.description]
        if self.rule:
            parts.append(f"Must be {self.rule}.")
        parts.append(self.replaces or ("" if self.output else "A change updates the account in place."))
        return " ".join(part for part in parts if part)


@dataclass(frozen=True)
class FieldTable:
    """A kind of account: its resource name (`Account`), what it is, the field that identifies one,
    and its fields in the service's order."""

    name: str
    description: str
    key: str
    fields: tuple[Field, ...]

    @property
    def token(self) -> str:
        """The plugin's type token."""
        return f"pixverse:index:{self.name}"

    @property
    def inputs(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if not f.output)

    @property
    def outputs(self) -> tuple[Field, ...]:
        """The fields the service reports and a program never declares."""
        return tuple(f for f in self.fields if f.output)

    @property
    def returned(self) -> tuple[Field, ...]:
        """The declared fields the service returns as they are (all but the write-only ones)."""
        return tuple(f for f in self.inputs if not f.write_only)

    @property
    def listed(self) -> tuple[Field, ...]:
        """What an inventory of the service's accounts shows of one (`getAccounts`, `getAccountsV2`):
        the key, the other fields the service returns but credentials, then the outputs."""
        key = self.field(self.key)
        shown = [f for f in self.returned if not f.secret and f is not key]
        return (key, *shown, *self.outputs)

    @property
    def names(self) -> tuple[str, ...]:
        """The declared fields' wire and state names, in the service's order."""
        return tuple(f.name for f in self.inputs)

    @property
    def compared(self) -> tuple[str, ...]:
        """The declared fields the service returns as they are: a create compares them with a live
        account."""
        return tuple(f.name for f in self.returned)

    @property
    def credentials(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.secret)

    @property
    def write_only(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.write_only)

    @property
    def rules(self) -> dict[str, str]:
        return {f.name: f.rule for f in self.inputs}

    def field(self, name: str) -> Field:
        """The field of that wire name; KeyError when the kind has none."""
        for field in self.fields:
            if field.name == name:
                return field
        raise KeyError(name)


def declared_props(props: Mapping[str, Any]) -> dict[str, Any]:
    """The properties a program declared, as a check judges them: all but the ones the engine and the
    SDK add (their names begin with `__`: the dynamic provider's `__provider`) and the null ones (null
    counts as not given)."""
    return {name: value for name, value in props.items() if value is not None and not name.startswith("__")}


ACCOUNT = FieldTable(
    "Account",
    "A PixVerse v1 account on useapi.net: a Discord bot set-up, identified by its channel.",
    "channel",
    (
        Field(
            "discord",
            "string",
            "The account's Discord token, a secret. The service keeps one token on one channel.",
            rule="the account's Discord token, a non-empty string",
            secret=True,
        ),
        Field(
            "server",
            "string",
            "The Discord server (guild) id, as a string.",
            rule=f"a Discord server id, {DISCORD_ID_DIGITS[0]} to {DISCORD_ID_DIGITS[1]} ASCII digits",
            pattern=DISCORD_ID,
            identifier=True,
        ),
        Field(
            "channel",
            "string",
            "The Discord channel id, as a string: the account's identity.",
            rule=f"a Discord channel id, {DISCORD_ID_DIGITS[0]} to {DISCORD_ID_DIGITS[1]} ASCII digits",
            pattern=DISCORD_ID,
            identifier=True,
            replaces="A new channel replaces the account (the old one is deleted first when the token "
            "stays).",
        ),
        Field(
            "maxJobs",
            "integer",
            _JOBS,
            rule=f"a whole number from {MIN_JOBS} to {MAX_JOBS}",
            bounds=(MIN_JOBS, MAX_JOBS),
        ),
    ),
)

ACCOUNT_V2 = FieldTable(
    "AccountV2",
    "A PixVerse v2 account on useapi.net: a PixVerse login, identified by its email.",
    "email",
    (
        Field(
            "email",
            "string",
            "The PixVerse login: the account's identity.",
            rule="the account's PixVerse login, an email address such as name@example.com",
            pattern=EMAIL,
            replaces="A new email replaces the account (the new one is created first).",
        ),
        Field(
            "password",
            "string",
            "The PixVerse password, a secret. Write-only: the service never returns it, so a refresh "
            "cannot see it changed outside Pulumi.",
            rule="the account's PixVerse password, a non-empty string",
            secret=True,
            write_only=True,
        ),
        Field(
            "maxJobs",
            "integer",
            f"{_JOBS} No more than the account's PixVerse plan runs at once (`getFeatures`).",
            rule=f"a whole number from {MIN_JOBS} to {MAX_JOBS_V2}",
            bounds=(MIN_JOBS, MAX_JOBS_V2),
        ),
        Field(
            "token",
            "string",
            'An optional PixVerse token, a secret, "for development or debugging only". Write-only.',
            rule="a PixVerse token, a non-empty string when given",
            secret=True,
            write_only=True,
            required=False,
        ),
        Field(
            "accountId",
            "integer",
            "The PixVerse account id the service reported when it last logged in.",
            required=False,
            output=True,
            reported_as="AccountId",
        ),
        Field(
            "username",
            "string",
            "The PixVerse username the service reported when it last logged in.",
            required=False,
            output=True,
            reported_as="Username",
        ),
    ),
)
