"""A team's shared backend (docs/teams.md): the CLI's PostgreSQL backend, PULUMI_BACKEND_URL=postgres://…
of a throwaway cluster (tests/e2e/postgres.py), through plain `pulumi` commands against the emulator:

- each front-end's lifecycle (the dynamic provider of this project's program; the plugin, from Pulumi
  YAML): create, update, destroy, with the state in the database's rows and no credential in plain text
  there (the harness's leak scans read every row, decoded, and the database's dump);
- two stacks deploying at once: disjoint accounts both succeed; a channel the first one made is refused
  to the second as an account it did not make, and nothing is overwritten;
- the same stack twice at once: the second run stops on the backend's lock, with its exact message,
  the first is undisturbed, and the next run is clean;
- an `up` killed mid-create leaves its lock in the database: `pulumi cancel` clears it, then
  `pulumi refresh --clear-pending-creates` and `pulumi up` converge;
- `python -m pulumi_pixverse audit` and `adopt` on the database-backed stack.

All but the dynamic provider's lifecycle are shared with the S3 backend's tests
(tests/e2e/shared_backend.py).

Where two runs must overlap, the emulator holds a request until the test lets it go (`Gate`): the order
is an event, never a timing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from harness import StackUnderTest, new_stack, new_yaml_stack
from postgres import key, locks, rows
from shared_backend import (
    PROJECT,
    a_killed_up_s_lock_is_cleared_then_refresh_and_up_converge,
    audit_and_adopt,
    lock_path,
    on_backend,
    project,
    the_dynamic_provider_s_lifecycle,
    the_plugin_s_lifecycle,
    the_same_stack_twice_the_second_stops_on_the_lock,
    two_stacks_at_once_disjoint_both_succeed_a_channel_the_first_made_is_refused_to_the_second,
)


@pytest.fixture
def make_stack(
    pulumi_cli, pg_cluster, emulator, api_token, tmp_path_factory
) -> Callable[..., StackUnderTest]:
    """A fresh stack on the PostgreSQL backend (`new_stack` or `new_yaml_stack`); the database's
    password counts as a credential (`on_backend`)."""

    def make(name: str, new: Callable[..., StackUnderTest] = new_stack) -> StackUnderTest:
        stack = new(name, emulator, tmp_path_factory, backend_url=pg_cluster.url)
        return on_backend(stack, api_token, pg_cluster.password)

    return make


def state_row(stack: StackUnderTest) -> dict[str, Any]:
    """The stack's state as the database holds it (its row, decoded)."""
    url = stack.backend_url
    return dict(json.loads(rows(url)[key(url, f".pulumi/stacks/{project(stack)}/{stack.name}.json")]))


def lock_keys(stack: StackUnderTest) -> list[str]:
    return locks(stack.backend_url, f"organization/{PROJECT}/{stack.name}")


def test_the_dynamic_provider_s_lifecycle_with_its_state_in_the_database(make_stack, emulator):
    the_dynamic_provider_s_lifecycle(make_stack("pg-dynamic"), emulator, state_row)


def test_the_plugin_s_lifecycle_with_its_state_in_the_database(make_stack, emulator):
    the_plugin_s_lifecycle(make_stack("pg-yaml", new_yaml_stack), emulator, state_row)


def test_two_stacks_at_once_disjoint_both_succeed_a_channel_the_first_made_is_refused_to_the_second(
    make_stack, emulator, gate
):
    first, second = make_stack("pg-first"), make_stack("pg-second")
    two_stacks_at_once_disjoint_both_succeed_a_channel_the_first_made_is_refused_to_the_second(
        first, second, emulator, gate, lock_keys, state_row
    )


def test_the_same_stack_twice_at_once_the_second_stops_on_the_lock(make_stack, emulator, gate, pg_cluster):
    stack = make_stack("pg-twice")
    masked = rf"postgres://\*\*\*\*:\*\*\*\*@127\.0\.0\.1:{pg_cluster.port}"  # the credentials masked
    where = rf"{masked}/pulumi/{lock_path(stack)}\?sslmode=disable"
    the_same_stack_twice_the_second_stops_on_the_lock(stack, emulator, gate, lock_keys, where)


def test_a_killed_up_leaves_its_lock_in_the_database_cancel_clears_it_refresh_and_up_converge(
    make_stack, emulator, gate
):
    stack = make_stack("pg-killed")
    a_killed_up_s_lock_is_cleared_then_refresh_and_up_converge(stack, emulator, gate, lock_keys)


def test_audit_and_adopt_on_the_database_backed_stack(make_stack, emulator):
    audit_and_adopt(make_stack("pg-audit"), emulator)
