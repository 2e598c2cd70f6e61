"""The offline plan (``python -m tools.plan``): what it prints, writes and refuses."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tools.plan import PROJECT_ROOT, load_stack_file, main, mask_secrets, stack_names


@dataclass(frozen=True)
class PlanRun:
    status: int
    out: str
    out_dir: Path


@pytest.fixture(scope="module")
def dev_plan(tmp_path_factory: pytest.TempPathFactory) -> PlanRun:
    """`python -m tools.plan --stack dev --json ... --diagrams ...`, run once for the tests that
    read what it prints and writes (a plan of the whole stack takes seconds)."""
    out_dir = tmp_path_factory.mktemp("plan")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(
            [
                "--stack",
                "dev",
                "--json",
                str(out_dir / "plan.json"),
                "--diagrams",
                str(out_dir),
                "--markdown",
                str(out_dir / "plan.md"),
            ]
        )
    return PlanRun(status, out.getvalue(), out_dir)


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of the project's program and stack files to change freely."""
    for name in ["Pulumi.yaml", "__main__.py", *[f"Pulumi.{s}.yaml" for s in stack_names()]]:
        shutil.copy(PROJECT_ROOT / name, tmp_path / name)
    return tmp_path


def test_prod_plan_prints_the_tree_counts_and_outputs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--stack", "prod"]) == 0
    out = capsys.readouterr().out
    assert "Offline plan of stack 'prod'" in out
    assert "└─ platform:index:Platform  platform" in out
    assert "platform:network:Network  platform-network" in out
    assert "  9  aws:ec2/subnet:Subnet" in out
    assert "  3  aws:ec2/natGateway:NatGateway" in out
    assert "  1  aws:ec2/flowLog:FlowLog" in out
    assert "aws:ec2/vpcEndpoint:VpcEndpoint  platform-network-ecr-api-endpoint" in out
    assert 'vpcCidr: "10.20.0.0/16"' in out


def test_dev_plan_shows_a_single_nat(dev_plan: PlanRun) -> None:
    assert dev_plan.status == 0
    assert "  1  aws:ec2/natGateway:NatGateway" in dev_plan.out


def test_json_lists_every_resource_with_its_inputs(dev_plan: PlanRun) -> None:
    plan = json.loads((dev_plan.out_dir / "plan.json").read_text())
    assert plan["stack"] == "dev" and plan["region"] == "eu-west-1"
    vpc = next(r for r in plan["resources"] if r["type"] == "aws:ec2/vpc:Vpc")
    assert vpc["inputs"]["cidrBlock"] == "10.10.0.0/16"
    assert vpc["parent"].endswith("platform:network:Network::platform-network")
    assert plan["outputs"]["vpcCidr"] == "10.10.0.0/16"


def test_a_bad_value_exits_2_naming_the_key_and_registers_nothing(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack_file = project_copy / "Pulumi.dev.yaml"
    stack_file.write_text(stack_file.read_text().replace("azCount: 2", "azCount: 5"))
    assert main(["--stack", "dev", "--root", str(project_copy)]) == 2
    err = capsys.readouterr().err
    assert "platform:network.azCount: Input should be less than or equal to 3 (got 5)" in err
    assert "allowed: an integer from 2 to 3" in err
    assert "(0 resources registered)" in err


def test_any_stack_file_can_be_planned_not_only_dev_and_prod(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    staging = (project_copy / "Pulumi.dev.yaml").read_text().replace("10.10.0.0/16", "10.30.0.0/16")
    (project_copy / "Pulumi.staging.yaml").write_text(staging)
    assert main(["--stack", "staging", "--root", str(project_copy)]) == 0
    out = capsys.readouterr().out
    assert "Offline plan of stack 'staging'" in out and '"10.30.0.0/16"' in out


def test_an_unknown_stack_exits_2_listing_the_stacks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--stack", "nope"]) == 2
    assert "no stack file Pulumi.nope.yaml; stacks here: dev, prod" in capsys.readouterr().err


def test_secure_values_become_secret_placeholders(project_copy: Path) -> None:
    stack_file = project_copy / "Pulumi.dev.yaml"
    stack_file.write_text(
        stack_file.read_text() + "  platform:someToken:\n    secure: v1:AAAABBBB\n"
    )
    loaded = load_stack_file("dev", project_copy)
    assert "platform:someToken" in loaded.secret_keys
    assert "AAAABBBB" not in loaded.config["platform:someToken"]


def test_secrets_are_masked_in_the_json(tmp_path: Path) -> None:
    inputs = {"name": "db", "password": "hunter2", "nested": {"token": "t", "ok": 1}}
    masked = mask_secrets(inputs, {"password", "nested.token"})
    assert masked == {
        "name": "db",
        "password": "[secret]",
        "nested": {"token": "[secret]", "ok": 1},
    }


def test_the_module_runs_as_a_command() -> None:
    # The small example program: the command line is what is tested here, and the platform's
    # stacks are planned through main() by the tests above.
    result = subprocess.run(
        [sys.executable, "-m", "tools.plan", "--root", "examples/data-service", "--stack", "demo"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Offline plan of stack 'demo'" in result.stdout
    assert "Policy: 12 policies, 0 violations" in result.stdout


def test_plan_prints_cost_deploy_time_and_policy_result(dev_plan: PlanRun) -> None:
    assert dev_plan.status == 0
    out = dev_plan.out
    assert "Monthly cost estimate of stack 'dev' in eu-west-1: $" in out
    assert "Compared with the seed's anchor ($2,125.00/month)" in out
    assert "Against this stack's monthly budget ($600.00" in out
    assert "Estimated first deploy: ~" in out
    assert "aws:eks/cluster:Cluster  platform-cluster-cluster" in out  # on dev's critical path
    assert "Policy: 12 policies, 0 violations" in out


def test_plan_writes_the_architecture_diagram(dev_plan: PlanRun) -> None:
    mermaid = (dev_plan.out_dir / "dev.mmd").read_text()
    assert "flowchart" in mermaid and "Network: platform-network" in mermaid
    assert (dev_plan.out_dir / "dev.svg").exists()  # graphviz-pure is a dev dependency
    assert f"Architecture diagram: {dev_plan.out_dir / 'dev.mmd'}" in dev_plan.out


def test_a_policy_violation_makes_the_plan_exit_1(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack_file = project_copy / "Pulumi.dev.yaml"
    text = stack_file.read_text()
    assert "    backupRetentionDays: 30\n" in text
    stack_file.write_text(
        text.replace("    backupRetentionDays: 30\n", "    backupRetentionDays: 7\n")
    )
    assert main(["--stack", "dev", "--root", str(project_copy)]) == 1
    out = capsys.readouterr().out
    assert "Policy: 12 policies, 1 violation" in out
    assert "backups-retained-30-days" in out
    assert "platform-database-primary" in out


def test_plan_writes_the_pull_request_summary_with_the_mermaid_diagram(dev_plan: PlanRun) -> None:
    summary = (dev_plan.out_dir / "plan.md").read_text()
    assert summary.startswith("### Offline plan of `dev`")
    assert re.search(r"/month\*\* estimated \(\d+% of its \$600\.00 budget\)", summary)
    assert "**Policy: 12 policies, 0 violations**" in summary
    assert "| **total** |" in summary and "First-deploy critical path" in summary
    mermaid = summary.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert mermaid == (dev_plan.out_dir / "dev.mmd").read_text().rstrip() + "\n"
