"""One version names everything: the package's (pyproject.toml) is the plugin's, the schema's, every SDK's
and every release artifact's."""

from __future__ import annotations

import json
import shutil
import subprocess
from importlib.metadata import version
from pathlib import Path

import release
import tomllib
from pulumi_pixverse.plugin.schema import schema_json

REPO_ROOT = Path(__file__).resolve().parents[2]
SDK = REPO_ROOT / "sdk"


def test_the_package_version_is_the_plugins_the_schemas_the_sdks_and_the_artifacts():
    package = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["version"]
    nodejs = json.loads((SDK / "nodejs" / "package.json").read_text())
    versions = {
        "the installed package (the plugin reports it)": version("pulumi-pixverse"),
        "the plugin's schema": json.loads(schema_json())["version"],
        "sdk/schema.json": json.loads((SDK / "schema.json").read_text())["version"],
        "sdk/nodejs/package.json": nodejs["version"],
        "sdk/nodejs/package.json, pulumi.version": nodejs["pulumi"]["version"],
        "sdk/python/pyproject.toml": tomllib.loads((SDK / "python" / "pyproject.toml").read_text())[
            "project"
        ]["version"],
        "sdk/python's pulumi-plugin.json": json.loads(
            (SDK / "python" / "pulumi_pixverse_sdk" / "pulumi-plugin.json").read_text()
        )["version"],
        "sdk/go's pulumi-plugin.json": json.loads(
            (SDK / "go" / "pixverse" / "pulumi-plugin.json").read_text()
        )["version"],
        "tools/release.py": release.VERSION,
    }
    assert {where: v for where, v in versions.items() if v != package} == {}


def test_the_plugin_archive_is_named_as_the_pulumi_engine_looks_it_up():
    """pulumi-resource-<name>-v<version>-<os>-<arch>.tar.gz, the os and arch as Go names them (the
    engine is a Go program and asks for its own GOOS and GOARCH), the version pyproject.toml's."""
    package = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["version"]
    go = shutil.which("go")
    assert go, "go is not on PATH: run the tests with tools/test"
    asked = subprocess.run([go, "env", "GOOS", "GOARCH"], capture_output=True, text=True, check=True)
    goos, goarch = asked.stdout.split()
    assert release.plugin_archive_name() == f"pulumi-resource-pixverse-v{package}-{goos}-{goarch}.tar.gz"
