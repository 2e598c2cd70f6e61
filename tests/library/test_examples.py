"""examples/: programs composing a few components on their own, run through the offline plan.

They are the library's contract with platform engineers: if a component's API changes in a way
that breaks a composing program, these fail before anyone else's program does.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aws_web_platform.offline import Recording
from aws_web_platform.stack.loading import ConfigError
from tools.plan import PROJECT_ROOT, load_stack_file, main, run_stack, stack_names

EXAMPLE = PROJECT_ROOT / "examples" / "data-service"


@pytest.fixture(scope="module")
def demo() -> Recording:
    recording = run_stack("demo", EXAMPLE)
    assert recording.error is None, recording.error
    return recording


def test_the_example_has_its_own_project_and_stack_file() -> None:
    stack_file = load_stack_file("demo", EXAMPLE)
    assert stack_file.project == "data-service"
    assert stack_names(EXAMPLE) == ["demo"]
    assert stack_file.placeholder_secrets == ()  # not the platform: no app secrets


def test_the_example_composes_network_database_and_bucket(demo: Recording) -> None:
    components = {r.type for r in demo.resources if not r.custom}
    assert {
        "platform:network:Network",
        "platform:database:PostgresDatabase",
        "platform:storage:Bucket",
        "platform:kms:EncryptionKey",
    } <= components
    assert "platform:index:Platform" not in components  # on its own, not the whole platform
    assert not demo.all_of("aws:eks/cluster:Cluster")
    assert len(demo.all_of("aws:ec2/natGateway:NatGateway")) == 1  # natStrategy: single
    assert demo.find("aws:ec2/vpc:Vpc", "network-vpc")["cidrBlock"] == "10.42.0.0/16"
    assert demo.find("aws:rds/instance:Instance", "db-primary")["instanceClass"] == "db.t4g.medium"


def test_the_example_wires_access_with_intent_methods(demo: Recording) -> None:
    app_sg = demo.find("aws:ec2/securityGroup:SecurityGroup", "app-sg")
    rules = [
        r
        for r in demo.all_of("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r.get("referencedSecurityGroupId") == app_sg.id
    ]
    assert {r["fromPort"] for r in rules} == {5432}
    assert len(rules) == 2  # the database and its proxy
    policy = demo.find("aws:iam/rolePolicy:RolePolicy", "reports-read-write-reports-app-role")
    assert "reports/*" in str(policy["policy"])


def test_the_example_tags_everything_and_uses_explicit_providers(demo: Recording) -> None:
    provider = demo.find("pulumi:providers:aws", "aws")
    assert set(provider["defaultTags"]["tags"]) == {
        "Project",
        "Environment",
        "ManagedBy",
        "Owner",
        "CostCenter",
    }
    assert all(r.provider for r in demo.cloud_resources())


def test_the_example_stack_file_turns_protection_off(demo: Recording) -> None:
    assert not demo.find("aws:rds/instance:Instance", "db-primary").protect
    assert not demo.find("aws:kms/key:Key", "data-key").protect


def test_bad_example_config_names_the_key_and_registers_nothing(tmp_path: Path) -> None:
    for name in ("Pulumi.yaml", "Pulumi.demo.yaml", "__main__.py"):
        shutil.copy(EXAMPLE / name, tmp_path / name)
    stack_file = tmp_path / "Pulumi.demo.yaml"
    stack_file.write_text(stack_file.read_text().replace("azCount: 2", "azCount: 7"))
    recording = run_stack("demo", tmp_path)
    assert isinstance(recording.error, ConfigError)
    assert "data-service:network.azCount" in str(recording.error)
    assert "(got 7)" in str(recording.error)
    assert recording.cloud_resources() == []


def test_the_offline_plan_runs_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--stack", "demo", "--root", str(EXAMPLE)]) == 0
    assert "Offline plan of stack 'demo' (project data-service" in capsys.readouterr().out


def test_the_example_passes_the_policy_pack(demo: Recording) -> None:
    from tools.policy import evaluate, render

    # The example's own protect knob is off (a demo): the pack is told so, as CI would be.
    violations = evaluate(demo, config={"stateful-resources-protected": {"protectData": False}})
    assert violations == [], render(violations)


def test_the_policy_pack_would_catch_an_unprotected_example_database(demo: Recording) -> None:
    from tools.policy import evaluate

    violations = evaluate(demo, config={"stateful-resources-protected": {"protectData": True}})
    flagged = {(v.policy, v.name) for v in violations}
    assert ("stateful-resources-protected", "db-primary") in flagged
