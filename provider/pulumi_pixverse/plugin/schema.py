"""The plugin's Pulumi package schema: the provider's config and the two resources, a description on
every property. Languages read it to type-check programs (Pulumi YAML) and to generate SDKs."""

from __future__ import annotations

import json
from typing import Any

ACCOUNT = "pixverse:index:Account"
ACCOUNT_V2 = "pixverse:index:AccountV2"

_CONFIG: dict[str, dict[str, Any]] = {
    "apiToken": {
        "type": "string",
        "secret": True,
        "description": "The useapi.net API token (a secret). Default: the environment variable USEAPI_TOKEN. "
        "Needed by create, read, update and delete; a preview works without it.",
    },
    "apiUrl": {
        "type": "string",
        "description": "The API's base URL. Default: USEAPI_API_URL, else https://api.useapi.net.",
    },
    "connectTimeout": {
        "type": "number",
        "description": "Seconds to wait for a connection. Default: USEAPI_CONNECT_TIMEOUT, else 5.",
    },
    "readTimeout": {
        "type": "number",
        "description": "Seconds to wait for an answer. Default: USEAPI_READ_TIMEOUT, else 30.",
    },
    "requestTimeout": {
        "type": "number",
        "description": "Seconds one call may take in all (every attempt and the waits between). "
        "Default: USEAPI_REQUEST_TIMEOUT, else 120.",
    },
    "maxRetries": {
        "type": "integer",
        "description": "Retries after the first attempt, for 429, 5xx, timeouts and dropped connections. "
        "Default: USEAPI_MAX_RETRIES, else 4.",
    },
    "allowOverwrite": {
        "type": "boolean",
        "description": "Let a create write the declared values over a live account of the same channel or "
        "email that differs from them (an account this stack did not make). Default: USEAPI_ALLOW_OVERWRITE, "
        "else false: such a create fails, naming the fields that differ; an identical account is taken "
        "over without a write either way.",
    },
}

_MAX_JOBS = "How many jobs the service may run on this account at once"

_V1_INPUTS: dict[str, dict[str, Any]] = {
    "discord": {
        "type": "string",
        "secret": True,
        "description": "The account's Discord token (a secret). The service keeps one token on one channel.",
    },
    "server": {
        "type": "string",
        "description": "The Discord server (guild) id, 17 to 20 digits, as a string.",
    },
    "channel": {
        "type": "string",
        "description": "The Discord channel id, 17 to 20 digits, as a string: the account's identity. "
        "A new channel replaces the account (the old one is deleted first when the token stays).",
    },
    "maxJobs": {"type": "integer", "description": f"{_MAX_JOBS}, 1 to 10."},
}

_V2_INPUTS: dict[str, dict[str, Any]] = {
    "email": {
        "type": "string",
        "description": "The PixVerse login email: the account's identity. "
        "A new email replaces the account (the new one is created first).",
    },
    "password": {
        "type": "string",
        "secret": True,
        "description": "The PixVerse password (a secret). Write-only: the service never returns it, "
        "so a refresh cannot see it changed outside Pulumi.",
    },
    "maxJobs": {
        "type": "integer",
        "description": f"{_MAX_JOBS}, 1 to 8, no more than the account's PixVerse plan allows.",
    },
    "token": {
        "type": "string",
        "secret": True,
        "description": 'An optional PixVerse token (a secret), "for development or debugging only".',
    },
}

_V2_OUTPUTS: dict[str, dict[str, Any]] = {
    "accountId": {
        "type": "integer",
        "description": "The PixVerse account id the service reported when it last logged in.",
    },
    "username": {
        "type": "string",
        "description": "The PixVerse username the service reported when it last logged in.",
    },
}

SCHEMA: dict[str, Any] = {
    "name": "pixverse",
    "displayName": "PixVerse accounts on useapi.net",
    "description": "Manage useapi.net PixVerse accounts: v1 (a Discord bot set-up) and v2 "
    "(a PixVerse login).",
    "keywords": ["pulumi", "pixverse", "useapi", "category/utility"],
    "license": "Apache-2.0",
    "config": {"variables": _CONFIG},
    "language": {  # for the SDKs in sdk/ (tools/gen-sdk)
        "nodejs": {
            "packageName": "pulumi-pixverse",
            "dependencies": {"@pulumi/pulumi": "3.276.0"},  # 3.248.0 fails on the generated code
            "respectSchemaVersion": True,
        },
        "python": {
            "packageName": "pulumi_pixverse_sdk",  # pulumi_pixverse is this package (README, "SDKs")
            "respectSchemaVersion": True,
            "pyproject": {"enabled": True},
        },
    },
    "provider": {
        "description": "The pixverse provider: one useapi.net subscription (API token and URL). Declare "
        "more than one to manage the accounts of several subscriptions from one stack.",
        "inputProperties": _CONFIG,
    },
    "resources": {
        ACCOUNT: {
            "description": "A PixVerse v1 account on useapi.net: a Discord bot set-up, identified by its "
            "channel.",
            "properties": _V1_INPUTS,
            "required": list(_V1_INPUTS),
            "inputProperties": _V1_INPUTS,
            "requiredInputs": list(_V1_INPUTS),
        },
        ACCOUNT_V2: {
            "description": "A PixVerse v2 account on useapi.net: a PixVerse login, identified by its email.",
            "properties": {**_V2_INPUTS, **_V2_OUTPUTS},
            "required": ["email", "maxJobs"],  # an imported account has no password until declared
            "inputProperties": _V2_INPUTS,
            "requiredInputs": ["email", "password", "maxJobs"],
        },
    },
}


def schema_json(version: str) -> str:
    """The schema as the engine asks for it, at the plugin's `version`."""
    return json.dumps({**SCHEMA, "version": version})
