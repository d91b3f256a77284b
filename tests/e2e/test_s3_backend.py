"""A team's shared backend (docs/teams.md) on an S3-compatible object store: the CLI's S3 backend,
PULUMI_BACKEND_URL=s3://…?endpoint=… of a throwaway store (tests/e2e/s3.py: a real S3 server, the Versity
S3 Gateway, on loopback), its credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, through plain
`pulumi` commands against the emulator:

- each front-end's lifecycle (the dynamic provider of this project's program; the plugin, from Pulumi
  YAML): create, update, destroy, with the state an object of the bucket and no credential in plain
  text there (the harness's leak scans read every object of the bucket);
- two stacks deploying at once: disjoint accounts both succeed; a channel the first one made is refused
  to the second as an account it did not make, and nothing is overwritten (on the emulator, in each
  stack's state object);
- the same stack twice at once: the second run stops on the lock object, with its exact message, the
  first is undisturbed, and the next run is clean;
- an `up` killed mid-create leaves its lock object in the bucket: `pulumi cancel` clears it, then
  `pulumi refresh --clear-pending-creates` and `pulumi up` converge;
- `python -m pulumi_pixverse audit` and `adopt` on the bucket-backed stack.

All but the dynamic provider's lifecycle are the PostgreSQL backend's cases (tests/e2e/shared_backend.py).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from harness import StackUnderTest, new_stack, new_yaml_stack
from s3 import Server, locks, state
from shared_backend import (
    PROJECT,
    HeldState,
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
    pulumi_cli, s3_server, emulator, api_token, tmp_path_factory, monkeypatch
) -> Callable[..., StackUnderTest]:
    """A fresh stack on the S3 backend (`new_stack` or `new_yaml_stack`), the store's credentials in its
    environment (as a pipeline gives them) and its secret key counted as a credential; the leak scans
    read the bucket's objects."""
    for name, value in s3_server.client_env().items():
        monkeypatch.setenv(name, value)

    def make(name: str, new: Callable[..., StackUnderTest] = new_stack) -> StackUnderTest:
        stack = new(name, emulator, tmp_path_factory, backend_url=s3_server.url)
        stack.backend_dir = s3_server.bucket_dir  # where the leak scan looks
        return on_backend(stack, api_token, s3_server.secret_key)

    return make


def lock_keys(server: Server) -> Callable[[StackUnderTest], list[str]]:
    """The keys of the lock objects the bucket holds on a stack."""
    return lambda stack: locks(server, f"organization/{PROJECT}/{stack.name}")


def state_object(server: Server) -> HeldState:
    """A stack's state as the bucket holds it (its object)."""
    return lambda stack: state(server, project(stack), stack.name)


def test_the_dynamic_provider_s_lifecycle_with_its_state_in_the_bucket(make_stack, emulator, s3_server):
    the_dynamic_provider_s_lifecycle(make_stack("s3-dynamic"), emulator, state_object(s3_server))


def test_the_plugin_s_lifecycle_with_its_state_in_the_bucket(make_stack, emulator, s3_server):
    the_plugin_s_lifecycle(make_stack("s3-yaml", new_yaml_stack), emulator, state_object(s3_server))


def test_two_stacks_at_once_disjoint_both_succeed_a_channel_the_first_made_is_refused_to_the_second(
    make_stack, emulator, gate, s3_server
):
    first, second = make_stack("s3-first"), make_stack("s3-second")
    two_stacks_at_once_disjoint_both_succeed_a_channel_the_first_made_is_refused_to_the_second(
        first, second, emulator, gate, lock_keys(s3_server), state_object(s3_server)
    )


def test_the_same_stack_twice_at_once_the_second_stops_on_the_lock(make_stack, emulator, gate, s3_server):
    stack = make_stack("s3-twice")
    # The lock's URL: the backend's, the endpoint escaped and the CLI's own checksum setting added.
    endpoint = rf"http%3A%2F%2F127\.0\.0\.1%3A{s3_server.port}"
    settings = (
        f"endpoint={endpoint}&region=us-east-1&request_checksum_calculation=when_required&use_path_style=true"
    )
    the_same_stack_twice_the_second_stops_on_the_lock(
        stack, emulator, gate, lock_keys(s3_server), rf"s3://pulumi/{lock_path(stack)}\?{settings}"
    )


def test_a_killed_up_leaves_its_lock_in_the_bucket_cancel_clears_it_refresh_and_up_converge(
    make_stack, emulator, gate, s3_server
):
    stack = make_stack("s3-killed")
    canceled = a_killed_up_s_lock_is_cleared_then_refresh_and_up_converge(
        stack, emulator, gate, lock_keys(s3_server)
    )
    print(canceled)  # the closing note's record of what `pulumi cancel` printed


def test_audit_and_adopt_on_the_bucket_backed_stack(make_stack, emulator):
    audit_and_adopt(make_stack("s3-audit"), emulator)
