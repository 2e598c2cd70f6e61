"""Specification of the CI/CD workflows (.github/workflows, docs/delivery.md).

actionlint checks each file (syntax, expressions, action inputs, script injection, deprecated
action versions); the tests below check what the workflows promise: who previews and deploys
what, on which trigger, with which permissions and credentials, in which order.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from aws_web_platform.bootstrap.config import CiAccessConfig
from aws_web_platform.offline import Recording
from tools.plan import PROJECT_ROOT

WORKFLOW_DIR = PROJECT_ROOT / ".github" / "workflows"
WORKFLOWS = sorted(WORKFLOW_DIR.glob("*.y*ml"))
ACTIONLINT = Path(sys.executable).parent / "actionlint"

#: The major version each action is pinned to (current majors, none on a deprecated runtime).
PINNED = {
    "actions/checkout": "v7",
    "actions/setup-python": "v7",
    "aws-actions/configure-aws-credentials": "v6",
    "pulumi/auth-actions": "v2",
    "pulumi/actions": "v7",
}
#: Every permission a job may be given, and why.
ALLOWED_PERMISSIONS = {
    ("contents", "read"),  # checkout
    ("id-token", "write"),  # OIDC tokens for AWS and Pulumi Cloud
    ("pull-requests", "write"),  # the preview comment
}

Workflow = dict[Any, Any]
Job = dict[str, Any]
Step = dict[str, Any]


def load(path: Path) -> Workflow:
    return yaml.safe_load(path.read_text())


def triggers(workflow: Workflow) -> dict[str, Any]:
    """The ``on:`` mapping (YAML 1.1 reads the key ``on`` as True)."""
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return dict(on or {})


def action(step: Step) -> str | None:
    """``owner/repo`` of the action a step uses (None for a run step)."""
    uses = step.get("uses")
    return uses.split("@", 1)[0] if uses else None


def pulumi_steps(job: Job, command: str) -> list[Step]:
    return [
        s
        for s in job.get("steps", [])
        if action(s) == "pulumi/actions" and s.get("with", {}).get("command") == command
    ]


def stacks_of(job: Job, step: Step) -> set[str]:
    """The stacks a pulumi/actions step runs on, through the job's matrix if it has one."""
    name = str(step["with"]["stack-name"]).rsplit("/", 1)[-1]
    if name == "${{ matrix.stack }}":
        include = job["strategy"]["matrix"]["include"]
        return {entry["stack"] for entry in include}
    return {name}


def all_jobs() -> list[tuple[str, Workflow, str, Job]]:
    found = []
    for path in WORKFLOWS:
        workflow = load(path)
        for job_id, job in workflow["jobs"].items():
            found.append((path.name, workflow, job_id, job))
    return found


def deploy_jobs(stack: str) -> list[tuple[str, Workflow, Job]]:
    return [
        (name, workflow, job)
        for name, workflow, _, job in all_jobs()
        for step in pulumi_steps(job, "up")
        if stack in stacks_of(job, step)
    ]


def index_of(steps: list[Step], predicate: Any) -> int:
    matches = [i for i, step in enumerate(steps) if predicate(step)]
    assert len(matches) == 1, f"expected one matching step, found {len(matches)}"
    return matches[0]


# --------------------------------------------------------------------------------------------
# actionlint
# --------------------------------------------------------------------------------------------


def actionlint(*paths: Path) -> subprocess.CompletedProcess[str]:
    assert ACTIONLINT.exists(), f"actionlint is not installed next to {sys.executable}"
    return subprocess.run(
        [str(ACTIONLINT), "-no-color", *map(str, paths)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_there_are_workflows_for_pull_requests_dev_and_prod() -> None:
    assert {p.name for p in WORKFLOWS} >= {"pull-request.yml", "deploy-dev.yml", "release-prod.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actionlint_finds_nothing_in_the_workflow(path: Path) -> None:
    result = actionlint(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_actionlint_catches_script_injection_so_the_lint_test_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "name: bad\n"
        "on: pull_request\n"
        "permissions: {}\n"
        "jobs:\n"
        "  greet:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        '      - run: echo "${{ github.event.pull_request.title }}"\n'
    )
    result = actionlint(bad)
    assert result.returncode != 0
    assert "github.event.pull_request.title" in result.stdout
    assert "potentially untrusted" in result.stdout


def test_no_run_script_contains_an_expression_everything_comes_in_through_env() -> None:
    for name, _, job_id, job in all_jobs():
        for step in job.get("steps", []):
            assert "${{" not in step.get("run", ""), (name, job_id, step.get("name"))


# --------------------------------------------------------------------------------------------
# Pull requests
# --------------------------------------------------------------------------------------------


def pull_request_workflow() -> Workflow:
    return load(WORKFLOW_DIR / "pull-request.yml")


def test_pull_requests_to_main_run_make_test_on_python_3_11() -> None:
    workflow = pull_request_workflow()
    assert triggers(workflow) == {"pull_request": {"branches": ["main"]}}
    steps = workflow["jobs"]["test"]["steps"]
    assert any(s.get("run") == "make test" for s in steps)
    python = next(s for s in steps if action(s) == "actions/setup-python")
    assert python["with"]["python-version"] == "3.11"


def test_pull_requests_preview_dev_and_prod_and_comment_the_result() -> None:
    job = pull_request_workflow()["jobs"]["preview"]
    (preview,) = pulumi_steps(job, "preview")
    assert stacks_of(job, preview) == {"dev", "prod"}
    assert preview["with"]["comment-on-pr"] is True
    assert preview["with"]["github-token"] == "${{ secrets.GITHUB_TOKEN }}"
    assert job["strategy"]["fail-fast"] is False  # one stack's failure hides not the other's


def test_pull_requests_get_the_offline_plan_of_every_stack_with_its_diagram_as_a_comment() -> None:
    job = pull_request_workflow()["jobs"]["plan"]
    script = "\n".join(s.get("run", "") for s in job["steps"])
    assert "for file in Pulumi.*.yaml" in script  # every stack file, a new one included
    assert "python -m tools.plan --stack" in script and "--markdown" in script
    assert "gh pr comment" in script and "--edit-last" in script
    assert "GITHUB_STEP_SUMMARY" in script
    assert not {action(s) for s in job["steps"]} & {
        "aws-actions/configure-aws-credentials",
        "pulumi/auth-actions",
    }  # no cloud credentials: it is the offline plan


def test_the_preview_runs_the_policy_pack_with_the_stacks_policy_config() -> None:
    job = pull_request_workflow()["jobs"]["preview"]
    (preview,) = pulumi_steps(job, "preview")
    config_step = next(s for s in job["steps"] if "tools.policy config" in s.get("run", ""))
    assert '--stack "$STACK"' in config_step["run"]
    assert job["env"]["STACK"] == "${{ matrix.stack }}"
    config_file = re.search(r'> "\$RUNNER_TEMP/([\w.-]+)"', config_step["run"])
    assert config_file is not None
    assert preview["with"]["policyPackConfigs"] == f"${{{{ runner.temp }}}}/{config_file[1]}"
    assert preview["with"]["policyPacks"] == "${{ github.workspace }}/policy"
    assert job["steps"].index(config_step) < job["steps"].index(preview)


def test_superseded_pull_request_runs_are_cancelled() -> None:
    concurrency = pull_request_workflow()["concurrency"]
    assert "github.event.pull_request.number" in concurrency["group"]
    assert concurrency["cancel-in-progress"] is True


def test_previews_skip_fork_pull_requests_and_declare_no_environment() -> None:
    """Forks get no OIDC token, and a job with an environment would not carry the subject
    ``repo:<repo>:pull_request`` the preview role trusts."""
    job = pull_request_workflow()["jobs"]["preview"]
    assert job["if"] == "github.event.pull_request.head.repo.full_name == github.repository"
    assert "environment" not in job


def test_no_pull_request_workflow_deploys() -> None:
    for name, workflow, job_id, job in all_jobs():
        if "pull_request" in triggers(workflow) or "pull_request_target" in triggers(workflow):
            assert not pulumi_steps(job, "up"), (name, job_id)
            assert not pulumi_steps(job, "destroy"), (name, job_id)


# --------------------------------------------------------------------------------------------
# Deploys
# --------------------------------------------------------------------------------------------


def test_dev_is_deployed_only_on_push_to_main_in_the_dev_environment() -> None:
    jobs = deploy_jobs("dev")
    assert jobs
    for name, workflow, job in jobs:
        assert triggers(workflow) == {"push": {"branches": ["main"]}}, name
        assert job["environment"] == "dev"


def test_prod_is_deployed_only_from_release_tags_or_by_hand_in_production() -> None:
    jobs = deploy_jobs("prod")
    assert jobs
    for name, workflow, job in jobs:
        on = triggers(workflow)
        assert set(on) == {"push", "workflow_dispatch"}, name
        assert set(on["push"]) == {"tags"}, "a branch push must never release"
        assert all(tag.startswith("v") for tag in on["push"]["tags"])
        assert on["workflow_dispatch"]["inputs"]["release"]["required"] is True
        assert job["environment"] == "production"
        assert "refs/tags/v" in job["if"] and "refs/heads/main" in job["if"]


def test_a_release_sets_platform_release_to_the_validated_version() -> None:
    (_, _, job) = deploy_jobs("prod")[0]
    steps = job["steps"]
    release = next(s for s in steps if s.get("id") == "release")
    assert release["env"]["INPUT_RELEASE"] == "${{ inputs.release }}"
    assert '"${REF_NAME#v}"' in release["run"]
    assert "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$" in release["run"]  # StackConfig.release
    (up,) = pulumi_steps(job, "up")
    config_map = yaml.safe_load(up["with"]["config-map"])
    assert config_map == {
        "platform:release": {"value": "${{ steps.release.outputs.version }}", "secret": False}
    }


def test_the_pre_release_snapshot_is_taken_after_aws_credentials_and_before_the_up() -> None:
    (_, _, job) = deploy_jobs("prod")[0]
    steps = job["steps"]
    credentials = [
        i for i, s in enumerate(steps) if action(s) == "aws-actions/configure-aws-credentials"
    ]
    snapshot = index_of(steps, lambda s: "create-db-snapshot" in s.get("run", ""))
    up = index_of(steps, lambda s: s in pulumi_steps(job, "up"))
    assert credentials[0] < snapshot < up
    script = steps[snapshot]["run"]
    assert "pulumi stack output --json" in script
    assert ".databaseIdentifier" in script
    assert 'snapshot="pre-release-' in script
    assert "aws rds wait db-snapshot-available" in script
    # Nothing between the snapshot and the up may fail the release but the up and the fresh
    # credentials it runs with.
    renew = {"aws-actions/configure-aws-credentials", "pulumi/auth-actions"}
    for step in steps[snapshot + 1 : up]:
        assert step.get("continue-on-error") is True or action(step) in renew, step.get("name")


def test_the_prod_up_runs_with_credentials_taken_after_the_snapshot() -> None:
    """The snapshot may wait up to 2 hours: the up gets a full session of its own."""
    (_, _, job) = deploy_jobs("prod")[0]
    steps = job["steps"]
    snapshot = index_of(steps, lambda s: "create-db-snapshot" in s.get("run", ""))
    up = index_of(steps, lambda s: s in pulumi_steps(job, "up"))
    between = {action(s) for s in steps[snapshot + 1 : up]}
    assert {"aws-actions/configure-aws-credentials", "pulumi/auth-actions"} <= between


def test_the_snapshot_reads_an_output_the_prod_stack_really_exports(
    stack_run: Callable[[str], Recording],
) -> None:
    (_, _, job) = deploy_jobs("prod")[0]
    script = next(s for s in job["steps"] if "create-db-snapshot" in s.get("run", ""))["run"]
    output = re.search(r"jq -r '\.(\w+) // empty'", script)
    assert output is not None
    prod = stack_run("prod")
    primary = prod.find("aws:rds/instance:Instance", "platform-database-primary")
    assert prod.outputs[output[1]] == primary["identifier"]


def test_pre_release_snapshots_older_than_90_days_are_pruned() -> None:
    (_, _, job) = deploy_jobs("prod")[0]
    prune = next(s for s in job["steps"] if "delete-db-snapshot" in s.get("run", ""))
    assert "90 days ago" in prune["run"]
    assert "starts_with(DBSnapshotIdentifier, 'pre-release-')" in prune["run"]
    assert "--snapshot-type manual" in prune["run"]


def test_two_deploys_of_one_stack_never_run_at_once_and_none_is_cancelled() -> None:
    for stack in ("dev", "prod"):
        for name, _, job in deploy_jobs(stack):
            assert job["concurrency"] == {
                "group": f"pulumi-up-{stack}",
                "cancel-in-progress": False,
            }, name


def test_deploys_run_the_policy_pack_too() -> None:
    for stack in ("dev", "prod"):
        for _, _, job in deploy_jobs(stack):
            (up,) = pulumi_steps(job, "up")
            assert up["with"]["policyPacks"] == "${{ github.workspace }}/policy"
            assert up["with"]["policyPackConfigs"].endswith("/policy-config.json")


def test_prod_jobs_run_on_a_configurable_runner_inside_the_vpc() -> None:
    preview = pull_request_workflow()["jobs"]["preview"]
    prod = next(e for e in preview["strategy"]["matrix"]["include"] if e["stack"] == "prod")
    assert "vars.PROD_RUNS_ON" in prod["runs-on"]
    assert preview["runs-on"] == "${{ fromJSON(matrix.runs-on) }}"
    for _, _, job in deploy_jobs("prod"):
        assert "vars.PROD_RUNS_ON" in job["runs-on"]
        assert "self-hosted" in job["runs-on"]


# --------------------------------------------------------------------------------------------
# Credentials and permissions
# --------------------------------------------------------------------------------------------


def test_every_job_gets_only_the_permissions_it_needs() -> None:
    for name, workflow, job_id, job in all_jobs():
        assert workflow["permissions"] == {}, f"{name}: default permissions must be none"
        granted = set(job["permissions"].items())
        assert granted <= ALLOWED_PERMISSIONS, (name, job_id, granted)
        uses = {action(s) for s in job.get("steps", [])}
        assert (("contents", "read") in granted) == ("actions/checkout" in uses)
        needs_oidc = bool(uses & {"aws-actions/configure-aws-credentials", "pulumi/auth-actions"})
        assert (("id-token", "write") in granted) == needs_oidc, (name, job_id)
        comments = any(
            s.get("with", {}).get("comment-on-pr") or "gh pr comment" in s.get("run", "")
            for s in job.get("steps", [])
        )
        assert (("pull-requests", "write") in granted) == comments, (name, job_id)


def test_aws_and_pulumi_credentials_come_from_oidc_only() -> None:
    for path in WORKFLOWS:
        text = path.read_text()
        for forbidden in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "aws-access-key-id"):
            assert forbidden not in text, (path.name, forbidden)
        assert not re.search(r"secrets\.(AWS_|PULUMI_)", text), path.name
        assert re.findall(r"secrets\.(\w+)", text) in ([], ["GITHUB_TOKEN"]), path.name
    for _, _, job_id, job in all_jobs():
        steps = job.get("steps", [])
        for step in steps:
            if action(step) == "aws-actions/configure-aws-credentials":
                assert set(step["with"]) >= {"role-to-assume", "aws-region"}
                assert "vars." in step["with"]["role-to-assume"] or "matrix.role" in str(
                    step["with"]["role-to-assume"]
                )
        runs_pulumi = [i for i, s in enumerate(steps) if action(s) == "pulumi/actions"]
        if any(s.get("with", {}).get("command") for s in steps if action(s) == "pulumi/actions"):
            auth = [i for i, s in enumerate(steps) if action(s) == "pulumi/auth-actions"]
            assert auth, job_id
            assert all(auth[0] < i for i in runs_pulumi if steps[i]["with"].get("command")), job_id


def test_preview_roles_come_from_repository_and_deploy_roles_from_environment_vars() -> None:
    preview = pull_request_workflow()["jobs"]["preview"]
    roles = {e["stack"]: e["role"] for e in preview["strategy"]["matrix"]["include"]}
    assert roles == {
        "dev": "${{ vars.AWS_PREVIEW_ROLE_ARN_DEV }}",
        "prod": "${{ vars.AWS_PREVIEW_ROLE_ARN_PROD }}",
    }
    for stack in ("dev", "prod"):
        for _, _, job in deploy_jobs(stack):
            step = next(
                s for s in job["steps"] if action(s) == "aws-actions/configure-aws-credentials"
            )
            assert step["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"


def test_sessions_last_as_long_as_the_bootstrap_roles_allow() -> None:
    defaults = CiAccessConfig.model_fields
    preview_hours = defaults["preview_max_session_hours"].default
    deploy_hours = defaults["deploy_max_session_hours"].default
    preview = pull_request_workflow()["jobs"]["preview"]
    step = next(s for s in preview["steps"] if action(s) == "aws-actions/configure-aws-credentials")
    assert step["with"]["role-duration-seconds"] == preview_hours * 3600
    for stack in ("dev", "prod"):
        for _, _, job in deploy_jobs(stack):
            step = next(
                s for s in job["steps"] if action(s) == "aws-actions/configure-aws-credentials"
            )
            assert step["with"]["role-duration-seconds"] == deploy_hours * 3600
            assert job["timeout-minutes"] > deploy_hours * 60 - 60


def test_deploy_environments_are_the_ones_the_bootstrap_deploy_roles_trust() -> None:
    for stack, bootstrap_stack in (("dev", "dev"), ("prod", "prod")):
        stack_file = yaml.safe_load(
            (PROJECT_ROOT / "bootstrap" / f"Pulumi.{bootstrap_stack}.yaml").read_text()
        )
        trusted = stack_file["config"]["platform-bootstrap:ci"]["deployEnvironments"]
        for _, _, job in deploy_jobs(stack):
            assert job["environment"] in trusted


# --------------------------------------------------------------------------------------------
# Versions
# --------------------------------------------------------------------------------------------


def test_actions_are_pinned_to_the_chosen_major_versions() -> None:
    for name, _, job_id, job in all_jobs():
        for step in job.get("steps", []):
            if "uses" not in step:
                continue
            repo, _, version = step["uses"].partition("@")
            assert repo in PINNED, f"{name}/{job_id}: {repo} has no chosen version"
            assert version == PINNED[repo], f"{name}/{job_id}: {step['uses']}"


def test_the_pulumi_cli_is_the_version_of_the_pinned_sdk() -> None:
    pins = dict(
        line.split("==", 1)
        for line in (PROJECT_ROOT / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    for path in WORKFLOWS:
        workflow = load(path)
        uses_pulumi = any(
            action(s) == "pulumi/actions"
            for job in workflow["jobs"].values()
            for s in job.get("steps", [])
        )
        if uses_pulumi:
            assert workflow["env"]["PULUMI_VERSION"] == pins["pulumi"], path.name
        for job in workflow["jobs"].values():
            for step in job.get("steps", []):
                if action(step) == "pulumi/actions":
                    assert step["with"]["pulumi-version"] == "${{ env.PULUMI_VERSION }}"
