"""Each kind of account and each of its fields, described once.

The plugin's schema, the names the state stores, the rules' wording in every message, the dynamic
resources' docstrings and the reference pages (docs/resources/, `tools/gen-sdk`) are all made from
`ACCOUNT` and `ACCOUNT_V2`. Adding a field is one `Field` here (its check in `models.py` when it has a
rule beyond its type), then `tools/gen-sdk`. Standard library only: a refresh reads the names without
loading pydantic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MIN_JOBS = 1
MAX_JOBS = 10
"""v1: the service's current maximum of concurrent jobs."""
MAX_JOBS_V2 = 8
"""v2: the service's maximum; the account's PixVerse plan may allow fewer."""
DISCORD_ID_DIGITS = (17, 20)
"""Interpretation: "a valid Discord channel id" is a snowflake, 17 to 20 ASCII digits; server ids too."""

_JOBS = "How many jobs the service may run on this account at once."


@dataclass(frozen=True)
class Field:
    """One field of an account, under its wire and state name (`maxJobs`)."""

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
    output: bool = False
    """Reported by the service, never declared."""

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
class Kind:
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
    def names(self) -> tuple[str, ...]:
        """The declared fields' wire and state names, in the service's order."""
        return tuple(f.name for f in self.inputs)

    @property
    def compared(self) -> tuple[str, ...]:
        """The declared fields the service returns as they are: a create compares them with a live
        account."""
        return tuple(name for name in self.names if name not in self.write_only)

    @property
    def credentials(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.secret)

    @property
    def write_only(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.write_only)

    @property
    def rules(self) -> dict[str, str]:
        return {f.name: f.rule for f in self.inputs}


ACCOUNT = Kind(
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
        ),
        Field(
            "channel",
            "string",
            "The Discord channel id, as a string: the account's identity.",
            rule=f"a Discord channel id, {DISCORD_ID_DIGITS[0]} to {DISCORD_ID_DIGITS[1]} ASCII digits",
            replaces="A new channel replaces the account (the old one is deleted first when the token "
            "stays).",
        ),
        Field("maxJobs", "integer", _JOBS, rule=f"a whole number from {MIN_JOBS} to {MAX_JOBS}"),
    ),
)

ACCOUNT_V2 = Kind(
    "AccountV2",
    "A PixVerse v2 account on useapi.net: a PixVerse login, identified by its email.",
    "email",
    (
        Field(
            "email",
            "string",
            "The PixVerse login: the account's identity.",
            rule="the account's PixVerse login, an email address such as name@example.com",
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
        ),
        Field(
            "username",
            "string",
            "The PixVerse username the service reported when it last logged in.",
            required=False,
            output=True,
        ),
    ),
)
