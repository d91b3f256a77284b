"""The Python signatures that name each field for static types (the dynamic resources' constructors
and attributes, the pool's specs) against the field table (`fields.py`): a field added to the table
fails here, naming what to add, until they match. The names states and programs refer to stay."""

from __future__ import annotations

import dataclasses
import inspect

import pytest
from pulumi_pixverse import AccountSpec, AccountV2Spec, PixverseAccount, PixverseAccountV2
from pulumi_pixverse.core.fields import ACCOUNT, ACCOUNT_V2, Field, FieldTable
from pulumi_pixverse.dynamic.provider import PixverseAccountProvider, PixverseAccountV2Provider

RESOURCES = [(PixverseAccount, ACCOUNT), (PixverseAccountV2, ACCOUNT_V2)]
SPECS = [(AccountSpec, ACCOUNT), (AccountV2Spec, ACCOUNT_V2)]


def python_type(field: Field) -> str:
    return "int" if field.type == "integer" else "str"


def argument(field: Field) -> str:
    """The annotation a field's argument has: an Input of its type, `| None` when optional."""
    return f"pulumi.Input[{python_type(field)}]" + ("" if field.required else " | None")


def arguments(kind: FieldTable) -> dict[str, tuple[str, bool]]:
    """Each declared field's argument: its annotation, and whether it must be given."""
    return {field.python_name: (argument(field), field.required) for field in kind.inputs}


@pytest.mark.parametrize(("resource", "kind"), RESOURCES)
def test_a_resource_takes_each_declared_field_as_a_keyword_argument_in_the_tables_order(
    resource: type, kind: FieldTable
) -> None:
    parameters = list(inspect.signature(resource.__init__).parameters.values())
    fields = [p for p in parameters if p.kind is p.KEYWORD_ONLY and p.name != "opts"]
    declared = {p.name: (p.annotation, p.default is p.empty) for p in fields}
    assert declared == arguments(kind), (
        f"resource.py: {resource.__name__}'s keyword arguments must be {kind.name}'s declared fields, "
        f"in order: {', '.join(arguments(kind))}"
    )
    assert [p.name for p in parameters] == ["self", "resource_name", *arguments(kind), "opts"]
    assert all(p.default is None for p in fields if not declared[p.name][1])


@pytest.mark.parametrize(("resource", "kind"), RESOURCES)
def test_a_resource_has_an_attribute_per_field(resource: type, kind: FieldTable) -> None:
    annotations = dict(resource.__annotations__)
    assert list(annotations) == [field.python_name for field in kind.fields], (
        f"resource.py: {resource.__name__} declares an Output attribute per field of {kind.name}"
    )
    for field in kind.fields:
        assert annotations[field.python_name].startswith(f"pulumi.Output[{python_type(field)}")


@pytest.mark.parametrize(("spec", "kind"), SPECS)
def test_a_pool_spec_holds_its_resources_arguments(spec: type, kind: FieldTable) -> None:
    fields = dataclasses.fields(spec)
    assert [f.name for f in fields] == ["name", *arguments(kind), "label"], (
        f"pool.py: {spec.__name__}'s attributes must be the name, {kind.name}'s declared fields in order, "
        "and the label"
    )
    declared = {f.name: (f.type, f.default is dataclasses.MISSING) for f in fields[1:-1]}
    assert declared == arguments(kind)
    assert all(f.default is None for f in fields[1:-1] if not declared[f.name][1])


def test_the_names_programs_and_states_refer_to_stay() -> None:
    assert [(c.__module__, c.__qualname__) for c in (PixverseAccount, PixverseAccountV2)] == [
        ("pulumi_pixverse.resource", "PixverseAccount"),
        ("pulumi_pixverse.resource", "PixverseAccountV2"),
    ]
    assert [PixverseAccount._resource_type_name, PixverseAccountV2._resource_type_name] == [
        "dynamic/pixverse:Account",
        "dynamic/pixverse:AccountV2",
    ]
    providers = (PixverseAccountProvider, PixverseAccountV2Provider)
    assert [f"{c.__module__}.{c.__qualname__}" for c in providers] == [
        "pulumi_pixverse.provider.PixverseAccountProvider",
        "pulumi_pixverse.provider.PixverseAccountV2Provider",
    ]


def test_the_transport_redacts_every_credential_the_table_names() -> None:
    """client/transport.py's list, kept apart from the table (the client does not read the core), names
    the same fields: a new credential left out would reach messages unredacted."""
    from pulumi_pixverse.client.transport import CREDENTIAL_FIELDS

    assert sorted(CREDENTIAL_FIELDS) == sorted({*ACCOUNT.credentials, *ACCOUNT_V2.credentials})
