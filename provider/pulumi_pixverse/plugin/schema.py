"""The plugin's Pulumi package schema: the provider's config, the two resources and the read-only
functions (`lookups`), a description on every property. Languages read it to type-check programs
(Pulumi YAML) and to generate SDKs. The resources and the accounts the inventories list are made
from the field table (`fields.py`), when the schema is asked for."""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib.metadata import metadata
from typing import Any

from ..client.config import SETTINGS, Setting
from ..core.accounts import KINDS
from ..core.fields import ACCOUNT, ACCOUNT_V2, Field, FieldTable

DISTRIBUTION = "pulumi-pixverse"
"""The Python distribution whose metadata (pyproject.toml) names the version and the repository."""

GET_ACCOUNTS = "pixverse:index:getAccounts"
GET_ACCOUNTS_V2 = "pixverse:index:getAccountsV2"
GET_FEATURES = "pixverse:index:getFeatures"
GET_CAPACITY = "pixverse:index:getCapacity"


def config_variables(settings: Sequence[Setting] = SETTINGS) -> dict[str, dict[str, Any]]:
    """The provider's config (`pixverse:*`, and an explicit provider's inputs), one per setting."""
    return {s.key: {"type": s.type, **({"secret": True} if s.secret else {}), "description": s.describe()}
            for s in settings}  # fmt: skip


def resource(kind: FieldTable) -> dict[str, Any]:
    """A kind of account as a resource: its fields, each described, credentials secret. A write-only
    field is not required in the state (an imported account has none until it is declared)."""

    def spec(field: Field) -> dict[str, Any]:
        return {
            "type": field.type,
            **({"secret": True} if field.secret else {}),
            "description": field.describe(),
        }

    inputs = {field.name: spec(field) for field in kind.inputs}
    return {
        "description": kind.description,
        "properties": {field.name: spec(field) for field in kind.fields},
        "required": [f.name for f in kind.inputs if f.required and not f.write_only],
        "inputProperties": inputs,
        "requiredInputs": [f.name for f in kind.inputs if f.required],
    }


_SDK_README = """\
The Pulumi SDK of the pixverse provider: useapi.net PixVerse accounts as resources, v1 (`Account`: a
Discord bot set-up, identified by its channel) and v2 (`AccountV2`: a PixVerse login, identified by its
email), functions that read the pool (`getAccounts`, `getAccountsV2`, `getFeatures`, `getCapacity`),
and the provider's settings (`apiToken`, `apiUrl`, timeouts, retries).

At `pulumi up` the Pulumi engine downloads the provider plugin, `pulumi-resource-pixverse` at this SDK's
version, from the project's releases by itself; or install it beforehand with
`pulumi plugin install resource pixverse VERSION --server URL`.

License: Apache-2.0. Documentation, releases and issues: the project's repository (`homepage`).
"""


def _object(
    description: str, properties: dict[str, tuple[str, str]], optional: tuple[str, ...] = ()
) -> dict[str, Any]:
    """An object type: each property a (type, description), the type a schema type or `[]Name`, a
    list of the type `pixverse:index:Name`; all required but the `optional` ones."""

    def shape(kind: str, text: str) -> dict[str, Any]:
        if kind.startswith("[]"):
            return {
                "type": "array",
                "items": {"$ref": f"#/types/pixverse:index:{kind[2:]}"},
                "description": text,
            }
        return {"type": kind, "description": text}

    return {
        "type": "object",
        "description": description,
        "properties": {name: shape(*spec) for name, spec in properties.items()},
        "required": [name for name in properties if name not in optional],
    }


def _fields(kind: FieldTable, *names: str) -> dict[str, tuple[str, str]]:
    """Fields of a kind of account, as `_object` takes properties: each (type, description)."""
    return {name: (kind.field(name).type, kind.field(name).description) for name in names}


def _listed(kind: FieldTable) -> tuple[dict[str, tuple[str, str]], tuple[str, ...]]:
    """What an inventory shows of an account of `kind` (`FieldTable.listed`), as `_object` takes properties,
    and which of them are optional."""
    listed = kind.listed
    return _fields(kind, *(f.name for f in listed)), tuple(f.name for f in listed if not f.required)


def _types() -> dict[str, dict[str, Any]]:
    """The object types of the functions' results."""
    v1, v1_optional = _listed(ACCOUNT)
    v2, v2_optional = _listed(ACCOUNT_V2)
    return {
        "pixverse:index:AccountInfo": _object(
            "A v1 account the service holds (its Discord token left out).", v1, v1_optional
        ),
        "pixverse:index:AccountV2Info": _object(
            "A v2 account the service holds (its password and session token left out).",
            {**v2, "sessionExpires": ("string", "When the service's PixVerse session ends (ISO 8601, UTC).")},
            optional=(*v2_optional, "sessionExpires"),
        ),
        **_SCHEDULER_TYPES,
    }


_SCHEDULER_TYPES: dict[str, dict[str, Any]] = {  # the scheduler's view (getCapacity)
    "pixverse:index:CapacityAccount": _object(
        "One v2 account in the scheduler's view (a number the service does not send is empty).",
        {
            **_fields(ACCOUNT_V2, "email", "maxJobs"),
            "executing": ("integer", "Jobs running on it now."),
            "available": ("integer", "Jobs it can take now."),
        },
        optional=("maxJobs", "executing", "available"),
    ),
    "pixverse:index:ExecutingJob": _object(
        "A job running now (its reply URL and reference left out).",
        {
            "id": ("string", "The job's id, as the service writes it (its earlier `video_id`)."),
            "type": ("string", "The kind of job: video, image or music."),
            "started": ("string", "When it started (ISO 8601, UTC)."),
            "elapsed": (
                "string",
                "How long it has run, as the service writes it (minutes:seconds, `03:57`).",
            ),
            "elapsedSeconds": ("integer", "How long it has run, in seconds."),
        },
        optional=("id", "type", "started", "elapsed", "elapsedSeconds"),
    ),
}

_FUNCTIONS: dict[str, dict[str, Any]] = {
    GET_ACCOUNTS: {
        "description": "The v1 accounts the subscription holds, declared in this stack or not (one GET). "
        "Discord tokens are left out: an inventory needs none, and a function's result is plain data "
        "that programs export and print; manage an account by declaring it (or read it with "
        "`Account.get`, which keeps the token secret).",
        "outputs": _object(
            "The v1 accounts.",
            {"accounts": ("[]AccountInfo", "The v1 accounts, by channel.")},
        ),
    },
    GET_ACCOUNTS_V2: {
        "description": "The v2 accounts the subscription holds, declared in this stack or not (one GET). "
        "Passwords and session tokens are never returned by the service.",
        "outputs": _object(
            "The v2 accounts.",
            {"accounts": ("[]AccountV2Info", "The v2 accounts, by email.")},
        ),
    },
    GET_FEATURES: {
        "description": "The PixVerse plan and credits of one v2 account (one GET). Every value but email "
        "and planRenews may be empty: the service documents each as optional.",
        "inputs": _object("The account.", _fields(ACCOUNT_V2, "email")),
        "outputs": _object(
            "The account's plan.",
            {
                **_fields(ACCOUNT_V2, "email"),
                "planName": ("string", "The plan's name."),
                "concurrentGenerations": (
                    "integer",
                    "Generations the plan runs at once: the account's maxJobs should not exceed it.",
                ),
                "creditDaily": ("integer", "Daily credits left."),
                "creditMonthly": ("integer", "Monthly credits left."),
                "creditPackage": ("integer", "Credits of purchased packages left."),
                "planExpires": (
                    "string",
                    "When the plan's current period ends (ISO 8601, UTC); empty when the service sets none.",
                ),
                "planRenews": (
                    "boolean",
                    "Whether the plan renews when its period ends (paid automatically, a next plan named, "
                    "a renewal date not before planExpires), so planExpires is not its end.",
                ),
            },
            optional=(
                "planName",
                "concurrentGenerations",
                "creditDaily",
                "creditMonthly",
                "creditPackage",
                "planExpires",
            ),
        ),
    },
    GET_CAPACITY: {
        "description": "The scheduler's view of the v2 pool now (one GET): per account its maxJobs, jobs "
        "executing and jobs it can take; the jobs executing.",
        "outputs": _object(
            "The pool's capacity now.",
            {
                "accounts": ("[]CapacityAccount", "Each v2 account's capacity."),
                "executing": ("[]ExecutingJob", "The jobs executing now."),
                "jobsExecuting": ("integer", "How many jobs are executing now."),
            },
        ),
    },
}


def package(kinds: Sequence[FieldTable] | None = None) -> dict[str, Any]:
    """The package schema, declaring these kinds of account (default: every kind, `accounts.KINDS`)."""
    kinds = [kind.KIND for kind in KINDS] if kinds is None else kinds
    return {
        "name": "pixverse",
        "displayName": "PixVerse accounts on useapi.net",
        "description": "Manage useapi.net PixVerse accounts: v1 (a Discord bot set-up) and v2 "
        "(a PixVerse login).",
        "keywords": ["pulumi", "pixverse", "useapi", "kind/native", "category/utility"],
        "license": "Apache-2.0",
        "config": {"variables": config_variables()},
        "language": {  # for the SDKs in sdk/ (tools/gen-sdk)
            "nodejs": {
                "packageName": "pulumi-pixverse",
                "dependencies": {"@pulumi/pulumi": "^3.276.0"},  # 3.248.0 fails on the generated code
                "respectSchemaVersion": True,
                "readme": _SDK_README,
            },
            "python": {
                "packageName": "pulumi_pixverse_sdk",  # pulumi_pixverse is this package (docs/plugin.md)
                "respectSchemaVersion": True,
                "pyproject": {"enabled": True},
                "readme": _SDK_README,
            },
        },
        "provider": {
            "description": "The pixverse provider: one useapi.net subscription (API token and URL). Declare "
            "more than one to manage the accounts of several subscriptions from one stack.",
            "inputProperties": config_variables(),
        },
        "resources": {kind.token: resource(kind) for kind in kinds},
        "types": _types(),
        "functions": _FUNCTIONS,
    }


def release() -> dict[str, str]:
    """What the package's metadata says of this release, for the schema: its version, repository and
    publisher, and `pluginDownloadURL`: the repository's GitHub releases, where the release workflow
    publishes `pulumi-resource-pixverse-v{version}-{os}-{arch}.tar.gz` and the engine looks for it."""
    meta = metadata(DISTRIBUTION)
    urls = dict(entry.split(", ", 1) for entry in meta.get_all("Project-URL") or [])
    repository = urls["Repository"]
    owner_and_name = repository.removeprefix("https://github.com/")
    return {
        "version": meta["Version"],
        "repository": repository,
        "homepage": urls["Homepage"],
        "publisher": owner_and_name.partition("/")[0],
        "pluginDownloadURL": f"github://api.github.com/{owner_and_name}",
    }


def go_options(repository: str) -> dict[str, Any]:
    """The Go SDK's options: the module `<repository>/sdk/go` (sdk/go, its go.mod written by the
    generator), its package `pixverse` in it, the plugin at the schema's version."""
    return {
        "importBasePath": f"{repository.removeprefix('https://')}/sdk/go/pixverse",
        "respectSchemaVersion": True,
    }


def schema_json() -> str:
    """The schema as the engine asks for it, at this release (`release()`)."""
    meta = release()
    schema = package()
    schema["language"]["go"] = go_options(meta["repository"])
    return json.dumps({**schema, **meta}, indent=2) + "\n"
