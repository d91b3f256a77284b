"""Each field and setting is described once (pulumi_pixverse/core/fields.py, client/config.py's SETTINGS); the
schema, the reference pages and Pulumi.yaml's settings are made from those tables."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path

import gen_code
import gen_docs
from pulumi_pixverse.client.config import SETTINGS, Setting
from pulumi_pixverse.core.fields import ACCOUNT, ACCOUNT_V2, Field
from pulumi_pixverse.plugin.schema import config_variables, package

REPO_ROOT = Path(__file__).resolve().parents[2]
KINDS = [ACCOUNT, ACCOUNT_V2]
REGION = Field("region", "string", "The region the account's jobs run in.", rule="a region such as eu-west")
RETRY_PAUSE = Setting(
    "retryPause", "USEAPI_RETRY_PAUSE", "retry_pause", "number", "Seconds between tries.", 2.0
)


def test_the_committed_reference_pages_are_what_the_tables_generate():
    stale = [
        str(path)
        for path, text in gen_docs.pages(KINDS, SETTINGS).items()
        if (REPO_ROOT / path).read_text() != text
    ]
    assert stale == [], f"{stale} differ from fields.py / SETTINGS: run tools/gen-sdk"


def test_the_committed_typed_signatures_are_what_the_table_generates():
    stale = [str(path) for path, text in gen_code.files(gen_code.TABLES).items() if (REPO_ROOT / path).read_text() != text]
    assert stale == [], f"{stale} differ from fields.py: run tools/gen-sdk"


def test_a_field_added_to_a_kind_appears_in_the_schema_and_on_its_page():
    kind = dataclasses.replace(ACCOUNT, fields=(*ACCOUNT.fields, REGION))
    declared = package([kind])["resources"]["pixverse:index:Account"]
    assert declared["inputProperties"]["region"] == {"type": "string", "description": REGION.describe()}
    assert "region" in declared["requiredInputs"] and "region" in declared["properties"]
    assert "must be a region such as eu-west" in REGION.describe().lower()
    page = gen_docs.reference_page(kind)
    assert f"| `region` | same | string |  | {REGION.describe()} |" in page.splitlines()


def test_a_setting_added_appears_in_the_schema_the_configuration_page_and_the_project():
    settings = [*SETTINGS, RETRY_PAUSE]
    assert config_variables(settings)["retryPause"] == {
        "type": "number",
        "description": "Seconds between tries. Default: the environment variable USEAPI_RETRY_PAUSE, else 2.",
    }
    written = gen_docs.pages(KINDS, settings)
    assert "| `pixverse:retryPause` | `USEAPI_RETRY_PAUSE` | number | `2` | Seconds between tries. |" in (
        written[gen_docs.CONFIGURATION].splitlines()
    )
    assert "  retryPause:" in written[gen_docs.PROJECT].splitlines()


def test_the_schema_states_each_fields_rule_and_the_dynamic_resources_their_attributes():
    from pulumi_pixverse.dynamic.resource import PixverseAccount, PixverseAccountV2

    schema = json.loads((REPO_ROOT / "sdk" / "schema.json").read_text())
    for kind, resource in ((ACCOUNT, PixverseAccount), (ACCOUNT_V2, PixverseAccountV2)):
        declared = schema["resources"][kind.token]["properties"]
        for field in kind.fields:
            assert declared[field.name]["description"] == field.describe()
            assert f"    {field.python_name}: {field.describe()}" in (resource.__doc__ or "").splitlines()


def _prose_and_code(path: Path) -> str:
    """A tracked file's text without what the generators write into it."""
    text = path.read_text(errors="replace")
    for begin, end in gen_docs.MARKERS.values():
        while begin in text and end in text:
            before, _, rest = text.partition(begin)
            text = before + rest.partition(end)[2]
    return text


def test_each_rule_description_and_default_is_written_once():
    """No tracked file but the tables repeats a field's rule or description or a setting's description
    (tests and the generated SDKs and pages aside)."""
    listed = subprocess.run(["git", "ls-files"], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    generated = ("sdk/", "tests/", "docs/resources/")
    tables = {"provider/pulumi_pixverse/core/fields.py", "provider/pulumi_pixverse/client/config.py"}
    files = [n for n in listed.stdout.splitlines() if not n.startswith(generated) and n not in tables]
    texts = {name: _prose_and_code(REPO_ROOT / name) for name in files if (REPO_ROOT / name).is_file()}
    wordings = [f.rule for kind in KINDS for f in kind.fields if f.rule]
    wordings += [f.description for kind in KINDS for f in kind.fields]
    wordings += [s.description for s in SETTINGS]
    repeated = {w: [n for n, text in texts.items() if w in text] for w in wordings}
    assert {w: names for w, names in repeated.items() if names} == {}
