"""A program that declares a v2 account and reads its plan in the same program (docs/functions.md,
"Declare an account and read it in one program"), per language through plain `pulumi` commands, each
on a fresh stack: the first preview succeeds, shows the plan as not yet known and sends no features
request; the first `up` creates the account, then reads its plan; a second preview shows no change and
reads the plan at preview. Without the dependency the first preview fails with the service's answer.

The TypeScript, Python and Go programs name the email as a literal, so that `dependsOn` alone is what
holds the read back (an argument taken from the account's outputs, `creator.email`, would make these
SDKs wait as well); the YAML program passes `${creator.id}` (see the docs for why); the dynamic
provider's program is the one users write, `get_features(creator.email)`, which waits for `creator`."""

from __future__ import annotations

import pytest
from harness import REPO_ROOT, V2_TYPE, CommandFailed, SdkExampleStack, StackUnderTest, Step, new_yaml_stack

PASSWORD = "pw-depends-e2e-3c9d"
PLAN = 4
"""The plan's concurrent generations, set in the emulator before the account exists."""
FEATURES = "GET /v2/pixverse/features/"
CREATE = "POST /v2/pixverse/accounts/{email}"


def email(front_end: str) -> str:
    return f"creator-{front_end}@depends.example"


TYPESCRIPT = """import * as pulumi from "@pulumi/pulumi";
import * as pixverse from "pulumi-pixverse";

const config = new pulumi.Config();
const creator = new pixverse.AccountV2("creator-1", {
    email: "EMAIL",
    password: config.requireSecret("creatorPassword"),
    maxJobs: 3,
});
export const plan = pixverse.getFeaturesOutput({ email: "EMAIL" }, { dependsOn: [creator] });
"""

PYTHON = """import pulumi
import pulumi_pixverse_sdk as pixverse

config = pulumi.Config()
creator = pixverse.AccountV2(
    "creator-1", email="EMAIL", password=config.require_secret("creatorPassword"), max_jobs=3
)
plan = pixverse.get_features_output(email="EMAIL", opts=pulumi.InvokeOutputOptions(depends_on=[creator]))
pulumi.export("plan", plan)
"""

GO = """package main

import (
	"github.com/pulumi-pixverse/pulumi-pixverse/sdk/go/pixverse"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		creator, err := pixverse.NewAccountV2(ctx, "creator-1", &pixverse.AccountV2Args{
			Email:    pulumi.String("EMAIL"),
			Password: cfg.RequireSecret("creatorPassword"),
			MaxJobs:  pulumi.Int(3),
		})
		if err != nil {
			return err
		}
		plan := pixverse.GetFeaturesOutput(ctx, pixverse.GetFeaturesOutputArgs{Email: pulumi.String("EMAIL")},
			pulumi.DependsOn([]pulumi.Resource{creator}))
		ctx.Export("plan", plan)
		return nil
	})
}
"""
SDK_PROGRAMS = {
    "typescript": ("index.ts", TYPESCRIPT),
    "python": ("__main__.py", PYTHON),
    "go": ("main.go", GO),
}

DYNAMIC = """import pulumi
import pulumi_pixverse

config = pulumi.Config()
creator = pulumi_pixverse.PixverseAccountV2(
    "creator-1", email="EMAIL", password=config.require_secret("creatorPassword"), max_jobs=3
)
plan = pulumi_pixverse.get_features(creator.email)
pulumi.export("plan", plan)
"""


class DynamicProgramStack(StackUnderTest):
    """A Python project of its own on the dynamic provider: a Pulumi.yaml and the program DYNAMIC,
    this repository's virtualenv linked in as a user's project has its own."""

    def make_project(self) -> None:
        (self.work_dir / "Pulumi.yaml").write_text(
            "name: pixverse-depends\nruntime:\n  name: python\n  options:\n    virtualenv: .venv\n"
        )
        (self.work_dir / "__main__.py").write_text(DYNAMIC.replace("EMAIL", email("dynamic")))
        (self.work_dir / ".venv").symlink_to(REPO_ROOT / ".venv")


@pytest.fixture
def plans(service) -> None:
    """The emulator emptied; the plan of each account a program will create set beforehand."""
    service.reset()
    for front_end in ("typescript", "python", "go", "yaml", "dynamic"):
        service.plan(email(front_end), gen_simultaneously=PLAN)


def features_requests(step: Step) -> list[str]:
    return [route for route in step.routes() if route == FEATURES]


def assert_reads_once_the_account_exists(stack: StackUnderTest, service, front_end: str) -> None:
    """First preview, first up, second preview of the program, on a stack that has no account yet."""
    step = Step(service)
    printed = stack.preview()
    assert "plan: [unknown]" in printed  # not read: the account is still to be created
    assert features_requests(step) == []
    step = Step(service)
    stack.up()
    routes = step.routes()
    assert FEATURES in routes[routes.index(CREATE) :]  # read once the account exists
    plan = stack.outputs()["plan"]
    assert plan["email"] == email(front_end) and plan["concurrentGenerations"] == PLAN
    step = Step(service)
    stack.preview("--expect-no-changes")
    assert features_requests(step) == [FEATURES]  # the account exists: read at preview, as before
    stack.assert_no_token_leaked()


def sdk_stack(language: str, service, api_token, tmp_path_factory) -> SdkExampleStack:
    """A fresh stack of examples/<language> whose program is SDK_PROGRAMS[language]."""
    stack = SdkExampleStack(language, tmp_path_factory.mktemp(language), service.url)
    stack.set_api_token(api_token)
    stack.set_secret("creatorPassword", PASSWORD)
    name, program = SDK_PROGRAMS[language]
    (stack.work_dir / name).write_text(program.replace("EMAIL", email(language)))
    return stack


def test_typescript_without_the_dependency_the_first_preview_fails_with_it_reads_once_created(
    pulumi_cli, service, api_token, plans, tmp_path_factory
):
    stack = sdk_stack("typescript", service, api_token, tmp_path_factory)
    program = stack.work_dir / "index.ts"
    declared = program.read_text()
    program.write_text(declared.replace(", { dependsOn: [creator] }", ""))
    with pytest.raises(CommandFailed) as failed:
        stack.preview()
    assert f"Required param email ({email('typescript')}) is not configured" in failed.value.output
    program.write_text(declared)
    assert_reads_once_the_account_exists(stack, service, "typescript")


@pytest.mark.parametrize("language", ["python", "go"])
def test_an_sdk_program_reads_the_plan_once_the_account_exists(
    pulumi_cli, service, api_token, plans, tmp_path_factory, language
):
    stack = sdk_stack(language, service, api_token, tmp_path_factory)
    assert_reads_once_the_account_exists(stack, service, language)


def test_a_yaml_program_reads_the_plan_once_the_account_exists(
    pulumi_cli, service, api_token, plans, tmp_path_factory
):
    stack = new_yaml_stack("depends", service, tmp_path_factory)
    stack.set_api_token(api_token)
    stack.set_secret("creatorPassword", PASSWORD)
    creator = {"email": email("yaml"), "password": "${creatorPassword}", "maxJobs": 3}
    read = {"function": "pixverse:index:getFeatures", "arguments": {"email": "${creator.id}"}}
    stack.write_program(
        {"creator": {"type": V2_TYPE, "properties": creator}},
        {"plan": {"fn::invoke": read}},
        secrets=("creatorPassword",),
    )
    assert_reads_once_the_account_exists(stack, service, "yaml")


def test_the_dynamic_provider_reads_the_plan_once_the_account_exists(
    pulumi_cli, service, api_token, plans, tmp_path_factory
):
    stack = DynamicProgramStack("dynamic", tmp_path_factory.mktemp("dynamic"), service.url)
    stack.set_api_token(api_token)
    stack.set_secret("creatorPassword", PASSWORD)
    assert_reads_once_the_account_exists(stack, service, "dynamic")
