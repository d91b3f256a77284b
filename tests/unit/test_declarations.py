"""A program may declare any number of accounts, each with the fields fields.py lists, and what it
imports stays small.

The SDK's `serialize_provider` wraps `pickle._Pickler._batch_setitems` once more at every call and never
restores it, so a process that declares about 985 dynamic resources fails with RecursionError. Our
resources put the pickler back after each declaration. Each check runs in a fresh Python process (the
Pulumi runtime's mocks are process-wide, and imports are what is measured).
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
import textwrap

import pytest
from pulumi_pixverse.core.fields import ACCOUNT, ACCOUNT_V2, FieldTable
from pulumi_pixverse.core.models import Account, AccountV2
from pulumi_pixverse.dynamic.resource import PixverseAccount, PixverseAccountV2
from pulumi_pixverse.plugin.schema import schema_json
from pydantic import BaseModel

MOCKS = """
import json, pickle, sys
import pulumi

class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return [args.name + "-id", args.inputs]

    def call(self, args):
        return {}

pulumi.runtime.set_mocks(Mocks(), preview=False)
"""


def run(script: str, mocks: bool = False) -> dict[str, object]:
    """Run `script` in a fresh Python (after MOCKS when `mocks`); the JSON its last line prints."""
    code = (MOCKS if mocks else "") + textwrap.dedent(script)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_one_process_declares_more_than_a_thousand_accounts_and_leaves_the_pickler_as_it_was():
    result = run(
        """
        from pulumi_pixverse import PixverseAccount, PixverseAccountV2

        before = {name: pickle._Pickler.__dict__[name] for name in ("_batch_setitems", "save_dict")}
        declared = []
        for i in range(1100):
            declared.append(PixverseAccount(
                f"account-{i}", discord=f"token-{i}", server="100000000000000001",
                channel=str(200000000000000000 + i), max_jobs=3,
            ))
        for i in range(100):
            declared.append(PixverseAccountV2(f"v2-{i}", email=f"a{i}@x.example", password="pw", max_jobs=2))
        after = {name: pickle._Pickler.__dict__[name] for name in before}
        print(json.dumps({"declared": len(declared), "pickler_unchanged": before == after}))
        """,
        mocks=True,
    )
    assert result == {"declared": 1200, "pickler_unchanged": True}


def test_a_pool_of_more_than_a_thousand_accounts_and_what_each_records_of_its_call_stack():
    result = run(
        """
        import pulumi.runtime.resource as sdk
        from pulumi_pixverse import AccountSpec, AccountV2Spec, declare_pool

        recorded = []
        real = sdk._get_stack_trace

        def spy():
            trace = real()
            recorded.append(["/pulumi_pixverse/" in frame.pc.uri for frame in trace.frames])
            return trace

        sdk._get_stack_trace = spy
        specs = [
            AccountSpec(f"a-{i}", discord=f"t-{i}", server="100000000000000001",
                        channel=str(200000000000000000 + i), max_jobs=3)
            for i in range(1050)
        ]
        password = pulumi.Output.secret("pw")  # an Output: declared once the pool's check passes
        specs.insert(3, AccountV2Spec("v2", email="a@x.example", password=password, max_jobs=2))
        pool = declare_pool(specs)
        ours = [frames for frames in recorded if any(frames)]
        print(json.dumps({
            "declared": len(pool),
            "in_order": [type(a).__name__ for a in pool[:5]],
            "our_frames": sorted({sum(frames) for frames in ours}),
        }))
        """,
        mocks=True,
    )
    assert result["declared"] == 1051
    assert result["in_order"] == ["PixverseAccount"] * 3 + ["PixverseAccountV2", "PixverseAccount"]
    # resource.py and declare_pool: each frame is stored in the state with every
    # account and written again at every step of an update.
    assert result["our_frames"] == [2]


def test_without_the_workaround_the_sdk_fails_near_a_thousand_declarations():
    """The control: the same number of plain SDK declarations, to show what the first test guards."""
    result = run(
        """
        from pulumi import dynamic

        class Plain(dynamic.ResourceProvider):
            serialize_as_secret_always = False

        class Thing(dynamic.Resource, module="bench", name="Thing"):
            pass

        failed_at = None
        for i in range(1100):
            try:
                Thing(Plain(), f"thing-{i}", {"value": i})
            except RecursionError:
                failed_at = i
                break
        print(json.dumps({"failed_at": failed_at}))
        """,
        mocks=True,
    )
    # The SDK is pinned; should a new one stop leaking pickler wrappers, resource.py's workaround can go.
    assert result["failed_at"] is not None, "this SDK no longer leaks pickler wrappers"
    assert 500 < int(str(result["failed_at"])) < 1100


def test_the_program_side_loads_neither_pydantic_nor_requests():
    """Declaring resources needs the resource classes only; the provider process loads the models at
    its first check (or create, update) and requests at its first API call."""
    result = run(
        """
        import json, sys
        import pulumi_pixverse, pulumi_pixverse.dynamic.provider
        heavy = (
            "pydantic", "requests", "urllib3", "pulumi_pixverse.core.models", "pulumi_pixverse.client.api"
        )
        loaded = lambda: sorted(m for m in heavy if m in sys.modules)
        program = loaded()
        ids = {"server": "100000000000000001", "channel": "200000000000000001"}
        props = {"discord": "d", "maxJobs": 3, **ids}
        assert pulumi_pixverse.dynamic.provider.PixverseAccountProvider().check({}, props).failures == []
        print(json.dumps({"program": program, "after_check": loaded()}))
        """
    )
    assert result == {"program": [], "after_check": ["pulumi_pixverse.core.models", "pydantic"]}


def test_refresh_and_destroy_never_build_the_models(emulator):
    result = run(
        f"""
        import json, sys
        from pulumi.dynamic import ConfigureRequest
        from pulumi.dynamic.config import Config
        from pulumi_pixverse.dynamic.provider import PixverseAccountProvider

        provider = PixverseAccountProvider()
        raw = {{"pixverse:apiToken": {emulator.token!r}, "pixverse:apiUrl": {emulator.url!r}}}
        provider.configure(ConfigureRequest(Config(raw_config=raw, project_name="pixverse")))
        provider.read("200000000000000001", {{}})
        provider.delete("200000000000000001", {{}})
        loaded = {{name: name in sys.modules for name in ("pulumi_pixverse.core.models", "pydantic")}}
        print(json.dumps(loaded))
        """
    )
    assert result == {"pulumi_pixverse.core.models": False, "pydantic": False}


def test_a_preview_of_an_unchanged_stack_never_builds_the_models():
    result = run(
        """
        import json, sys
        from pulumi_pixverse.dynamic.provider import PixverseAccountProvider, PixverseAccountV2Provider

        v1 = {"discord": "d", "server": "100000000000000001", "channel": "200000000000000001", "maxJobs": 3}
        v2 = {"email": "a@x.example", "password": "p", "maxJobs": 2, "token": None}
        assert PixverseAccountProvider().check(v1, dict(v1)).failures == []
        assert PixverseAccountV2Provider().check(v2, dict(v2)).failures == []
        print(json.dumps({name: name in sys.modules for name in ("pulumi_pixverse.core.models", "pydantic")}))
        """
    )
    assert result == {"pulumi_pixverse.core.models": False, "pydantic": False}


@pytest.mark.parametrize(
    ("kind", "model", "resource", "names"),
    [
        (ACCOUNT, Account, PixverseAccount, ["discord", "server", "channel", "maxJobs"]),
        (ACCOUNT_V2, AccountV2, PixverseAccountV2, ["email", "password", "maxJobs", "token"]),
    ],
    ids=["v1", "v2"],
)
def test_the_models_the_resources_and_the_schema_declare_the_field_tables_fields(
    kind: FieldTable, model: type[BaseModel], resource: type, names: list[str]
) -> None:
    """fields.py's table (its names written out here, in the service's order) against what is written
    apart from it: the models' pydantic fields, the dynamic resources' constructors and attributes (by
    hand), and the schema the plugin serves (generated: each property, each input, which are secret)."""
    assert list(kind.names) == names
    inputs = [(f.name, f.required) for f in kind.inputs]
    assert [(info.alias or name, info.is_required()) for name, info in model.model_fields.items()] == inputs

    parameters = list(inspect.signature(resource.__init__).parameters.values())[2:]  # self, resource_name
    declared = [(p.name, p.default is inspect.Parameter.empty) for p in parameters if p.name != "opts"]
    assert declared == [(f.python_name, f.required) for f in kind.inputs]
    assert list(resource.__annotations__) == [f.python_name for f in kind.fields]

    served = json.loads(schema_json())["resources"][kind.token]
    assert list(served["properties"]) == [f.name for f in kind.fields]
    assert list(served["inputProperties"]) == list(kind.names)
    assert served["requiredInputs"] == [name for name, required in inputs if required]
    secret = [name for name, spec in served["inputProperties"].items() if spec.get("secret")]
    assert secret == list(kind.credentials)
