"""The account lifecycle, once for both front-ends: the rules, the diff, and create/read/update/delete
against the client, each failure one line (`failures.explain`).

It knows neither front-end: the dynamic providers (`provider.py`) and the plugin (`plugin/`) hand it
plain values under the wire names (`discord`, `maxJobs`, ...; numbers may come as floats, a value not
known at preview as the engine's marker `UNKNOWN`) and take back plain values. `V1` (Discord
set-ups keyed by channel) and `V2` (PixVerse logins keyed by email) are the two kinds of account;
`ApiAccess` (`api_access.py`) is one provider configuration's way to the API.

What it loads is what the work needs: importing it loads neither pydantic nor requests; the models
come with the first check of changed inputs, create or update, the HTTP client with the first call
to the API. So a refresh, a destroy or a preview of an unchanged stack never builds the models.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pulumi.runtime.rpc import UNKNOWN

from ..client import NotFoundError
from ..client.sanitize import service_words
from .api_access import ApiAccess
from .failures import (
    OperationFailed,
    not_ours,
    overwritten,
    session_unreadable,
)
from .fields import ACCOUNT, ACCOUNT_V2, FieldTable, declared_props

if TYPE_CHECKING:
    from .models import AccountModel, FieldProblem

__all__ = [
    "FIELDS",
    "FIELDS_V2",
    "KINDS",
    "UNKNOWN",
    "V1",
    "V2",
    "AccountLifecycle",
    "ApiAccess",
    "Plan",
    "Read",
]

FIELDS = ACCOUNT.names
"""v1 wire and state names (the lifecycle reads them from `V1.KIND`)."""
FIELDS_V2 = ACCOUNT_V2.names
"""v2 wire and state names (the lifecycle reads them from `V2.KIND`)."""


def is_unknown(value: Any) -> bool:
    """True for a value that is not known yet (a preview of an output from another resource)."""
    return bool(value == UNKNOWN)


def _same(old: Any, new: Any) -> bool:
    """Equality as the service sees it: 5 and 5.0 are the same maxJobs."""
    if isinstance(old, (int, float)) and isinstance(new, (int, float)) and not isinstance(new, bool):
        return float(old) == float(new)
    return bool(old == new)


def _changed(kind: FieldTable, olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
    """The declared fields of `kind` whose new value differs from the old one, or is not known yet."""
    return [
        name for name in kind.names if is_unknown(news.get(name)) or not _same(olds.get(name), news.get(name))
    ]


@dataclass(frozen=True)
class Plan:
    """What new inputs mean for an account: the fields that `changed` (wire names, in field order),
    those of them that force a replacement, and whether the old account is deleted first."""

    changed: list[str]
    replaces: list[str]
    delete_before_replace: bool


@dataclass(frozen=True)
class Read:
    """A live account as a read returns it: its id, its outputs, and the inputs that describe it."""

    id: str
    outputs: dict[str, Any]
    inputs: dict[str, Any]


class AccountLifecycle:
    """What both kinds share: their fields, the check of new inputs, and how a failure names one."""

    KIND: FieldTable
    """The kind's fields and what they are (`fields.py`): every operation reads them there."""
    KEY: str
    """The field that identifies an account: its id."""
    CREDENTIALS: tuple[str, ...]
    """Fields that are credentials: always secret, never repeated in a message."""

    def name(self, key: Any) -> str:
        """The account as a failure names it, by its key (channel or email)."""
        raise NotImplementedError

    def _missing(self, id_: str, declared: Mapping[str, Any] | None) -> None:
        """A read found no account `id_`: fine for a refresh (the account leaves the state), a failure
        of one line for an import (nothing `declared`), which adopts only what exists."""
        if declared is None:
            raise OperationFailed(
                f"importing {self.name(id_)} failed: the service has no such account; check the {self.KEY} "
                "(an import only reads, it never creates one)"
            )

    def problems(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[FieldProblem]:
        """Every rule the new inputs break, without calling the API; values unknown in a preview are
        not judged. Fields identical to the ones in the state (`olds`) were judged when they were
        stored, and nothing is sent for them: they are not judged again (so an unchanged stack
        never loads the models)."""
        if olds and self._identical(olds, news):
            return []
        from .models import find_problems

        return find_problems(news, is_unknown, self.KIND)

    def _identical(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
        """The same fields, each of the same type and value, and nothing declared beyond them."""
        names = self.KIND.names
        same = all(type(olds.get(n)) is type(news.get(n)) and olds.get(n) == news.get(n) for n in names)
        return same and set(declared_props(news)) <= set(names)

    def plan(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Plan:
        """What the new inputs mean against the old state (`olds`: the outputs)."""
        raise NotImplementedError

    def create(
        self, service: ApiAccess, props: Mapping[str, Any], resource: str = "<name>"
    ) -> tuple[str, dict[str, Any]]:
        """Create the account `props` describe (the program's `resource` name); return its id and
        outputs. A live account of that key that differs from `props` is not this stack's: the create
        fails without a write (`not_ours`) unless `service.allow_overwrite`; an identical one is
        taken over (v1 without a write, v2 with the POST that proves its password)."""
        raise NotImplementedError

    def _refuse_unless_allowed(
        self,
        service: ApiAccess,
        key: str,
        resource: str,
        declared: Mapping[str, Any],
        live: Mapping[str, Any] | None,
    ) -> list[str]:
        """Fail without a write when `live` (None: no account there) differs from `declared` and
        overwriting is not allowed; else the fields in which it differs, which the create writes over
        (`_overwrote` then says so)."""
        differing = [] if live is None else differences(self.KIND.compared, declared, live, self.CREDENTIALS)
        if differing and not service.allow_overwrite:
            raise not_ours(self.name(key), differing, service.take_over(self, key, resource))
        return differing

    def _overwrote(self, service: ApiAccess, key: str, differing: list[str]) -> None:
        """After a create's write: a warning in the engine's log when it wrote over a live account
        that differed (`differing`, from `_refuse_unless_allowed`)."""
        if differing:
            service.warn(overwritten(self.name(key), differing, service.overwrite_source))

    def read(self, service: ApiAccess, id_: str, declared: Mapping[str, Any] | None) -> Read | None:
        """The live account `id_` (None when it is gone), given what the state holds (`declared`; None
        for an import, which has no state yet)."""
        raise NotImplementedError

    def update(self, service: ApiAccess, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
        """Write the new inputs (`olds`: the state); return every output."""
        raise NotImplementedError

    def delete(self, service: ApiAccess, id_: str, props: Mapping[str, Any]) -> None:
        """Remove the account `id_` (`props`: its state); one the service says is not configured
        counts as deleted."""
        raise NotImplementedError


class V1(AccountLifecycle):
    """PixVerse v1 accounts (Discord token, server, channel, maxJobs); the id is the channel."""

    KIND = ACCOUNT
    KEY = ACCOUNT.key
    CREDENTIALS = ACCOUNT.credentials

    def name(self, key: Any) -> str:
        return f"the account on channel {key}"

    def plan(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Plan:
        """Update in place for discord, server, maxJobs; replace for channel, deleting the old account
        first when the Discord token stays (the service keeps one token on one channel)."""
        changed = _changed(self.KIND, olds, news)
        if "channel" not in changed:
            return Plan(changed, [], False)
        token_may_stay = "discord" not in changed or is_unknown(news.get("discord"))
        return Plan(changed, ["channel"], token_may_stay)

    def create(
        self, service: ApiAccess, props: Mapping[str, Any], resource: str = "<name>"
    ) -> tuple[str, dict[str, Any]]:
        """POST the account, or adopt an identical live account without a write, or refuse a differing
        one (see AccountLifecycle.create): one request before the POST, since the process's shared list
        call tells whether the channel is there and how (a GET only where it cannot: see
        `PixverseClient.known_account`). Returns the id and the outputs."""
        from .models import parse_account

        service.before_write()
        with service.operation("creating", self.name(props.get(self.KEY)), props) as client:
            account = parse_account(props, self.KIND)
            live = client.known_account(account.key)
            differing = self._refuse_unless_allowed(service, account.key, resource, account.wire(), live)
            if live is None or not _matches(live, account):
                client.upsert_account(account.wire())
        self._overwrote(service, account.key, differing)
        return account.key, account.wire()

    def read(self, service: ApiAccess, id_: str, declared: Mapping[str, Any] | None) -> Read | None:
        """The live account, from the list call the process's reads share; None when it is gone (see
        `_missing`). The live fields are the outputs and the inputs, so a refresh ends with a clean
        state; for an import (nothing `declared`), the inputs leave the Discord token out: what an
        import prints would show it (declare it in the program instead)."""
        with service.operation("reading", self.name(id_), declared) as client:
            live = client.listed_account(id_)
        if live is None:
            self._missing(id_, declared)
            return None
        record = {name: live[name] for name in self.KIND.names if name in live}
        inputs = dict(record) if declared is not None else _without(record, self.CREDENTIALS)
        return Read(id_, record, inputs)

    def update(self, service: ApiAccess, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
        """POST the new settings (an upsert) and return every output."""
        from .models import parse_account

        service.before_write()
        with service.operation("updating", self.name(news.get(self.KEY)), news, olds) as client:
            account = parse_account(news, self.KIND)
            client.upsert_account(account.wire())
        return account.wire()

    def delete(self, service: ApiAccess, id_: str, props: Mapping[str, Any]) -> None:
        """DELETE the account; one that the service itself says is not configured counts as deleted."""
        with (
            service.operation("deleting", self.name(id_), props) as client,
            contextlib.suppress(NotFoundError),
        ):
            client.delete_account(id_)


class V2(AccountLifecycle):
    """PixVerse v2 accounts (a PixVerse login: email, password, maxJobs, token); the id is the email.

    Outputs: email, maxJobs, password and token (as declared: the service masks them), accountId and
    username from the service's session (`jwt`), which is never stored whole and never diffed.
    """

    KIND = ACCOUNT_V2
    KEY = ACCOUNT_V2.key
    CREDENTIALS = ACCOUNT_V2.credentials

    def name(self, key: Any) -> str:
        return f"the v2 account {key}"

    def plan(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Plan:
        """Update in place for password, token, maxJobs; replace for email (a new account, created
        before the old one is deleted). A state without a password is an imported account (the
        service never returns it): the password declared first is taken as the account's, no change."""
        changed = _changed(self.KIND, olds, news)
        if olds.get("password") is None:
            changed = [name for name in changed if name != "password"]
        replaces = ["email"] if "email" in changed else []
        return Plan(changed, replaces, False)

    def create(
        self, service: ApiAccess, props: Mapping[str, Any], resource: str = "<name>"
    ) -> tuple[str, dict[str, Any]]:
        """POST the account (the service logs in to PixVerse with it), or refuse a live account of the
        same email that differs (see AccountLifecycle.create). A live account equal in what the service
        returns (maxJobs; it masks the password) is POSTed too: only the service's login proves the
        declared password is the account's, so one another owner holds is never recorded (a refused
        login fails the create, LoginRefusedError, and nothing is recorded). Returns the id and the
        outputs."""
        from .models import parse_account

        name = self.name(props.get(self.KEY))
        service.before_write()
        with service.operation("creating", name, props) as client:
            account = parse_account(props, self.KIND)
            live = client.known_account_v2(account.key)
            differing = self._refuse_unless_allowed(service, account.key, resource, account.wire(), live)
            stored = client.upsert_account_v2(account.wire())
        self._overwrote(service, account.key, differing)
        return account.key, self._after_write(service, "created", name, account.wire(), stored)

    @staticmethod
    def _after_write(
        service: ApiAccess, done: str, name: str, record: Mapping[str, Any], stored: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The outputs after a write that succeeded; a session (`jwt`) that could not be read leaves
        accountId and username null, with a warning (it is information, never compared)."""
        if "unreadable" in stored:
            service.warn(session_unreadable(done, name, stored["unreadable"]))
        return _v2_outputs(record, stored)

    def read(self, service: ApiAccess, id_: str, declared: Mapping[str, Any] | None) -> Read | None:
        """The live account, from the list call the process's reads share (None when it is gone, see
        `_missing`).
        The fields the service returns (email, maxJobs) come from it; the write-only ones (password,
        token) keep their `declared` values, since the service never returns them (an import has
        none: declare them in the program)."""
        with service.operation("reading", self.name(id_), declared) as client:
            live = client.listed_account_v2(id_)
        if live is None:
            self._missing(id_, declared)
            return None
        declared = declared or {}
        kept = {name: declared[name] for name in self.KIND.write_only if declared.get(name) is not None}
        inputs = {**{name: live[name] for name in self.KIND.compared if name in live}, **kept}
        return Read(id_, _v2_outputs(inputs, live), inputs)

    def update(self, service: ApiAccess, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
        """POST the new settings (an upsert, one request) and return every output."""
        from .models import parse_account

        name = self.name(news.get(self.KEY))
        service.before_write()
        with service.operation("updating", name, news, olds) as client:
            account = parse_account(news, self.KIND)
            stored = client.upsert_account_v2(account.wire())
        return self._after_write(service, "updated", name, account.wire(), stored)

    def delete(self, service: ApiAccess, id_: str, props: Mapping[str, Any]) -> None:
        """DELETE the account; one that the service itself says is not configured counts as deleted."""
        with (
            service.operation("deleting", self.name(id_), props) as client,
            contextlib.suppress(NotFoundError),
        ):
            client.delete_account_v2(id_)


def _without(record: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: value for name, value in record.items() if name not in names}


def differences(
    fields: tuple[str, ...],
    declared: Mapping[str, Any],
    live: Mapping[str, Any],
    credentials: tuple[str, ...],
) -> list[str]:
    """The fields where `declared` and `live` differ, each as shown to a user: a credential by name
    only, any other with both values (the live one cleaned of escapes)."""
    found = []
    for name in fields:
        want, have = declared.get(name), live.get(name)
        if _same(want, have) or str(want) == str(have):
            continue
        shown = service_words(str(have))
        found.append(name if name in credentials else f"{name} (declared {want}, live {shown})")
    return found


def _matches(live: Mapping[str, Any], account: AccountModel) -> bool:
    return all(_same(live.get(name), value) for name, value in account.wire().items())


def _v2_outputs(record: Mapping[str, Any], stored: Mapping[str, Any]) -> dict[str, Any]:
    """The declared record plus the outputs the service's session reports (`Field.reported_as`: never
    `jwt` itself, whose expiry moves on its own)."""
    session = stored.get("jwt") or {}
    return {**record, **{field.name: session.get(field.reported_as) for field in ACCOUNT_V2.outputs}}


KINDS: tuple[AccountLifecycle, ...] = (V1(), V2())
"""Every kind of account, registered once: the plugin serves, the schema declares and the reference
documents each."""
