"""The whole program (``__main__.py``) run for each stack file, as ``pulumi up`` would run it."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

import yaml

from components.testing import Recording
from tools.plan import PROJECT_ROOT, run_stack

StackRun = Callable[[str], Recording]

COMMON_TAG_KEYS = {"Project", "Environment", "ManagedBy", "Owner", "CostCenter"}


def count(rec: Recording, type_: str) -> int:
    return len(rec.all_of(type_))


def test_every_stack_file_plans_without_error(stack_run: StackRun, stack_name: str) -> None:
    rec = stack_run(stack_name)
    assert rec.error is None
    assert rec.cloud_resources()


def test_prod_spans_three_zones_with_three_tiers_and_a_nat_per_zone(stack_run: StackRun) -> None:
    prod = stack_run("prod")
    assert count(prod, "aws:ec2/subnet:Subnet") == 9
    zones = {s["availabilityZone"] for s in prod.all_of("aws:ec2/subnet:Subnet")}
    assert len(zones) == 3
    assert count(prod, "aws:ec2/natGateway:NatGateway") == 3
    assert count(prod, "aws:ec2/flowLog:FlowLog") == 1
    assert count(prod, "aws:ec2/vpcEndpoint:VpcEndpoint") >= 7  # S3 + at least six interface


def test_dev_is_turned_down_to_two_zones_and_a_single_nat(stack_run: StackRun) -> None:
    dev = stack_run("dev")
    assert count(dev, "aws:ec2/subnet:Subnet") == 6
    assert count(dev, "aws:ec2/natGateway:NatGateway") == 1


def test_every_aws_resource_uses_the_platforms_tagged_provider(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    providers = {r.urn for r in rec.resources if r.type == "pulumi:providers:aws"}
    assert len(providers) >= 1
    for resource in rec.cloud_resources():
        if resource.package == "aws":
            provider = rec.provider_of(resource)
            assert provider is not None and provider.urn in providers, resource.name
            assert set(provider["defaultTags"]["tags"]) == COMMON_TAG_KEYS, resource.name


def test_common_tags_come_from_the_stack_file(stack_run: StackRun) -> None:
    prod = stack_run("prod")
    provider = prod.find("pulumi:providers:aws", "platform-aws")
    assert provider["defaultTags"]["tags"] == {
        "Project": "learning-platform",
        "Environment": "prod",
        "ManagedBy": "pulumi",
        "Owner": "platform-team",
        "CostCenter": "CC-1000",
    }
    assert provider["region"] == "eu-west-1"


def test_every_stack_file_disables_default_providers(stack_name: str) -> None:
    config = yaml.safe_load((PROJECT_ROOT / f"Pulumi.{stack_name}.yaml").read_text())["config"]
    assert config["pulumi:disable-default-providers"] == ["*"]


def test_stack_files_hold_no_plaintext_secrets(stack_name: str) -> None:
    """Anything that looks like a credential must be a ``secure:`` value set with --secret."""
    config = yaml.safe_load((PROJECT_ROOT / f"Pulumi.{stack_name}.yaml").read_text())["config"]
    suspicious = re.compile(r"(password|secret|token|apikey|api_key|privatekey|dsn)", re.I)

    def walk(value: object, path: str) -> None:
        if isinstance(value, dict):
            if set(value) == {"secure"}:
                return
            for key, inner in value.items():
                walk(inner, f"{path}.{key}")
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                walk(inner, f"{path}[{index}]")
        else:
            assert not suspicious.search(path.rsplit(".", 1)[-1]), f"plaintext secret at {path}"

    for key, value in config.items():
        walk(value, key)


def test_two_runs_register_the_same_resources_with_the_same_inputs(stack_name: str) -> None:
    """No timestamps or random values at plan time: `pulumi preview` shows no spurious diff."""
    first = run_stack(stack_name, PROJECT_ROOT, raise_errors=True)
    second = run_stack(stack_name, PROJECT_ROOT, raise_errors=True)

    def snapshot(rec: Recording) -> dict[str, object]:
        return {r.urn: (r.inputs, r.parent, r.provider, r.protect) for r in rec.resources}

    assert snapshot(first) == snapshot(second)
    assert first.outputs == second.outputs


def test_stack_exports_the_network(stack_run: StackRun) -> None:
    prod = stack_run("prod")
    vpc = prod.find("aws:ec2/vpc:Vpc", "platform-network-vpc")
    assert prod.outputs["vpcId"] == vpc.id
    assert prod.outputs["vpcCidr"] == "10.20.0.0/16"
    assert len(prod.outputs["privateSubnetIds"]) == 3
    assert len(prod.outputs["natPublicIps"]) == 3


def test_no_resource_name_is_registered_twice(stack_run: StackRun, stack_name: str) -> None:
    names = Counter((r.type, r.name) for r in stack_run(stack_name).resources)
    assert [key for key, n in names.items() if n > 1] == []


def test_no_secret_is_exported_in_plaintext(stack_run: StackRun, stack_name: str) -> None:
    rec = stack_run(stack_name)
    for key, value in rec.outputs.items():
        assert "plan-placeholder-secret" not in str(value) or key in rec.secret_outputs, key
