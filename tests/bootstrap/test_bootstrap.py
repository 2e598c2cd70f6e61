"""Specification of CiAccess and the bootstrap project: who may assume the CI roles, and what
they may do (aws_web_platform/bootstrap/, bootstrap/, docs/delivery.md)."""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from aws_web_platform.bootstrap.ci_access import (
    CiAccess,
    CiAccessArgs,
    deploy_subjects,
    preview_subjects,
)
from aws_web_platform.bootstrap.config import GITHUB_ISSUER, PREVIEW_DENIED_ACTIONS, CiAccessConfig
from aws_web_platform.offline import Recording, Registered
from aws_web_platform.stack.loading import ConfigError
from tests.conftest import built
from tools.plan import PROJECT_ROOT, load_stack_file, run_main, run_stack, stack_names

BOOTSTRAP = PROJECT_ROOT / "bootstrap"
REPO = "example-org/learning-platform"
ROLE = "aws:iam/role:Role"
PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
INLINE = "aws:iam/rolePolicy:RolePolicy"
EXISTING = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"


def make(**overrides: Any) -> tuple[CiAccess, Recording]:
    args = {"repository": REPO, "deploy_environments": ("dev",), "name_prefix": "lp-dev"}
    return built(CiAccess, "ci", CiAccessArgs(**(args | overrides)))


def trust(rec: Recording, role: str) -> dict[str, Any]:
    (statement,) = json.loads(rec.find(ROLE, f"ci-{role}")["assumeRolePolicy"])["Statement"]
    return statement


def may_assume(statement: dict[str, Any], sub: str, aud: str = "sts.amazonaws.com") -> bool:
    """IAM's evaluation of the trust statement's conditions for a token with these claims."""
    claims = {f"{GITHUB_ISSUER}:sub": sub, f"{GITHUB_ISSUER}:aud": aud}
    for operator, conditions in statement.get("Condition", {}).items():
        for key, expected in conditions.items():
            values = expected if isinstance(expected, list) else [expected]
            if operator == "StringEquals":
                matched = claims.get(key) in values
            elif operator == "StringLike":
                matched = any(fnmatch.fnmatchcase(claims.get(key, ""), v) for v in values)
            else:
                raise AssertionError(f"unexpected condition operator {operator}")
            if not matched:
                return False
    return statement["Effect"] == "Allow"


def attached(rec: Recording, role: str) -> set[str]:
    role_name = rec.find(ROLE, f"ci-{role}").outputs["name"]
    return {a["policyArn"] for a in rec.all_of(ATTACHMENT) if a["role"] == role_name}


def inline_statements(rec: Recording, name: str) -> list[dict[str, Any]]:
    return json.loads(rec.find(INLINE, name)["policy"])["Statement"]


# --------------------------------------------------------------------------------------------
# The OIDC provider
# --------------------------------------------------------------------------------------------


def test_the_provider_trusts_github_actions_tokens_for_sts() -> None:
    _, rec = make()
    provider = rec.find(PROVIDER, "ci-github")
    assert provider["url"] == "https://token.actions.githubusercontent.com"
    assert provider["clientIdLists"] == ["sts.amazonaws.com"]
    # IAM validates GitHub's certificate with its own trusted CAs: no thumbprint to go stale.
    assert "thumbprintLists" not in provider.inputs


def test_both_roles_trust_the_provider_for_web_identity_only() -> None:
    _, rec = make()
    provider_arn = rec.find(PROVIDER, "ci-github").outputs["arn"]
    assert provider_arn.endswith(":oidc-provider/token.actions.githubusercontent.com")
    for role in ("preview", "deploy"):
        statement = trust(rec, role)
        assert statement["Principal"] == {"Federated": provider_arn}
        assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
        assert set(statement["Condition"]) == {"StringEquals"}  # no wildcard matching


def test_an_existing_provider_is_used_instead_of_creating_a_second_one() -> None:
    access, rec = make(existing_provider_arn=EXISTING)
    assert rec.all_of(PROVIDER) == []
    assert access.provider is None
    for role in ("preview", "deploy"):
        assert trust(rec, role)["Principal"] == {"Federated": EXISTING}
    component = rec.find("platform:bootstrap:CiAccess", "ci")
    assert component.outputs["provider_arn"] == EXISTING


def test_an_existing_provider_must_be_the_github_one() -> None:
    with pytest.raises(ValidationError, match="existing_provider_arn"):
        CiAccessArgs(
            repository=REPO,
            deploy_environments=("dev",),
            name_prefix="lp-dev",
            existing_provider_arn="arn:aws:iam::123456789012:oidc-provider/accounts.google.com",
        )


# --------------------------------------------------------------------------------------------
# Who may assume which role
# --------------------------------------------------------------------------------------------


def test_the_preview_role_is_assumable_only_from_pull_requests_of_the_repository() -> None:
    _, rec = make()
    statement = trust(rec, "preview")
    assert statement["Condition"]["StringEquals"] == {
        f"{GITHUB_ISSUER}:aud": "sts.amazonaws.com",
        f"{GITHUB_ISSUER}:sub": [f"repo:{REPO}:pull_request"],
    }
    assert may_assume(statement, f"repo:{REPO}:pull_request")
    assert not may_assume(statement, f"repo:{REPO}:ref:refs/heads/main")
    assert not may_assume(statement, f"repo:{REPO}:environment:dev")
    assert not may_assume(statement, f"repo:{REPO}:environment:production")
    assert not may_assume(statement, "repo:example-org/other-repo:pull_request")
    assert not may_assume(statement, f"repo:{REPO}:pull_request", aud="https://github.com/x")


def test_the_deploy_role_is_assumable_only_from_jobs_in_its_environments() -> None:
    _, rec = make(deploy_environments=("production",))
    statement = trust(rec, "deploy")
    assert statement["Condition"]["StringEquals"] == {
        f"{GITHUB_ISSUER}:aud": "sts.amazonaws.com",
        f"{GITHUB_ISSUER}:sub": [f"repo:{REPO}:environment:production"],
    }
    assert may_assume(statement, f"repo:{REPO}:environment:production")
    assert not may_assume(statement, f"repo:{REPO}:pull_request")
    assert not may_assume(statement, f"repo:{REPO}:environment:dev")
    assert not may_assume(statement, f"repo:{REPO}:ref:refs/heads/main")
    assert not may_assume(statement, f"repo:{REPO}:ref:refs/tags/v2026.12.0")
    assert not may_assume(statement, "repo:example-org/other-repo:environment:production")
    assert not may_assume(statement, f"repo:{REPO}:environment:production", aud="other")


def test_branches_may_be_trusted_for_deploys_without_an_environment_when_asked() -> None:
    _, rec = make(deploy_branches=("main",))
    statement = trust(rec, "deploy")
    assert may_assume(statement, f"repo:{REPO}:ref:refs/heads/main")
    assert may_assume(statement, f"repo:{REPO}:environment:dev")
    assert not may_assume(statement, f"repo:{REPO}:ref:refs/heads/feature")
    assert not may_assume(statement, f"repo:{REPO}:pull_request")


def test_subjects_are_built_exactly_as_github_writes_them() -> None:
    assert preview_subjects("o/r") == ["repo:o/r:pull_request"]
    assert deploy_subjects("o/r", ["dev", "production"], ["main"]) == [
        "repo:o/r:environment:dev",
        "repo:o/r:environment:production",
        "repo:o/r:ref:refs/heads/main",
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("repository", "example-org/*"),
        ("repository", "example-org"),
        ("deploy_environments", ()),
        ("deploy_environments", ("prod*",)),
        ("deploy_environments", ("dev", "dev")),
        ("deploy_branches", ("refs/heads/main",)),
        ("deploy_branches", ("release/*",)),
    ],
)
def test_wildcards_and_empty_trust_are_rejected(field: str, value: Any) -> None:
    args = {"repository": REPO, "deploy_environments": ("dev",), "name_prefix": "lp-dev"}
    with pytest.raises(ValidationError):
        CiAccessArgs(**(args | {field: value}))


# --------------------------------------------------------------------------------------------
# What the roles may do
# --------------------------------------------------------------------------------------------


def test_the_preview_role_reads_configuration_but_no_data() -> None:
    _, rec = make()
    assert attached(rec, "preview") == {"arn:aws:iam::aws:policy/ReadOnlyAccess"}
    (deny,) = inline_statements(rec, "ci-preview-no-data-reads")
    assert deny["Effect"] == "Deny"
    assert deny["Resource"] == "*"
    assert set(deny["Action"]) == set(PREVIEW_DENIED_ACTIONS)
    for action in (
        "secretsmanager:GetSecretValue",
        "ssm:GetParameter",
        "ssm:GetParameters",
        "kms:Decrypt",
        "s3:GetObject",
        "logs:GetLogEvents",
        "ecr:BatchGetImage",
    ):
        assert action in deny["Action"], action


def test_the_deploy_role_is_administrator_by_default_and_configurable() -> None:
    _, rec = make()
    assert attached(rec, "deploy") == {"arn:aws:iam::aws:policy/AdministratorAccess"}
    custom = "arn:aws:iam::123456789012:policy/platform-deploy"
    _, rec = make(deploy_policies=(custom, "PowerUserAccess"))
    assert attached(rec, "deploy") == {custom, "arn:aws:iam::aws:policy/PowerUserAccess"}
    assert rec.find(ROLE, "ci-deploy").inputs.get("permissionsBoundary") is None


def test_the_deploy_role_may_get_a_permissions_boundary() -> None:
    _, rec = make(deploy_permissions_boundary="job-function/SystemAdministrator")
    boundary = rec.find(ROLE, "ci-deploy")["permissionsBoundary"]
    assert boundary == "arn:aws:iam::aws:policy/job-function/SystemAdministrator"


def test_the_deploy_role_cannot_change_the_ci_provider_or_roles() -> None:
    _, rec = make()
    (deny,) = inline_statements(rec, "ci-deploy-protect-ci-access")
    protected = {
        rec.find(PROVIDER, "ci-github").outputs["arn"],
        rec.find(ROLE, "ci-preview").outputs["arn"],
        rec.find(ROLE, "ci-deploy").outputs["arn"],
    }
    assert deny["Effect"] == "Deny"
    assert set(deny["Resource"]) == protected
    # Everything but reading them: trust policy, attachments, inline policies (this one too).
    assert deny["NotAction"] == ["iam:Get*", "iam:List*"]
    deploy_role_name = rec.find(ROLE, "ci-deploy").outputs["name"]
    assert rec.find(INLINE, "ci-deploy-protect-ci-access")["role"] == deploy_role_name


def test_the_protection_covers_an_existing_provider_too() -> None:
    _, rec = make(existing_provider_arn=EXISTING)
    (deny,) = inline_statements(rec, "ci-deploy-protect-ci-access")
    assert EXISTING in deny["Resource"]


def test_sessions_last_one_hour_for_previews_and_four_for_deploys() -> None:
    _, rec = make()
    assert rec.find(ROLE, "ci-preview")["maxSessionDuration"] == 3600
    assert rec.find(ROLE, "ci-deploy")["maxSessionDuration"] == 4 * 3600
    _, rec = make(deploy_max_session_hours=8)
    assert rec.find(ROLE, "ci-deploy")["maxSessionDuration"] == 8 * 3600
    with pytest.raises(ValidationError):
        CiAccessArgs(
            repository=REPO,
            deploy_environments=("dev",),
            name_prefix="lp-dev",
            deploy_max_session_hours=13,  # IAM's limit is 12 hours
        )


def test_role_names_are_fixed_so_the_workflow_variables_stay_valid() -> None:
    _, rec = make(name_prefix="learning-platform-prod")
    assert rec.find(ROLE, "ci-preview")["name"] == "learning-platform-prod-ci-preview"
    assert rec.find(ROLE, "ci-deploy")["name"] == "learning-platform-prod-ci-deploy"
    component = rec.find("platform:bootstrap:CiAccess", "ci")
    assert component.registered_outputs
    assert component.outputs["preview_role_arn"] == rec.find(ROLE, "ci-preview").outputs["arn"]
    assert component.outputs["deploy_role_arn"] == rec.find(ROLE, "ci-deploy").outputs["arn"]
    assert set(component.outputs) == {"provider_arn", "preview_role_arn", "deploy_role_arn"}


# --------------------------------------------------------------------------------------------
# The bootstrap project
# --------------------------------------------------------------------------------------------


def bootstrap_stacks() -> list[str]:
    return stack_names(BOOTSTRAP)


def test_there_is_a_bootstrap_stack_file_per_account() -> None:
    assert bootstrap_stacks() == ["dev", "prod"]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_each_bootstrap_stack_file_plans_cleanly(stack: str) -> None:
    rec = run_stack(stack, BOOTSTRAP, raise_errors=True)
    assert rec.error is None
    assert len(rec.all_of(PROVIDER)) == 1
    assert len(rec.all_of(ROLE)) == 2
    assert set(rec.outputs) == {
        "oidcProviderArn",
        "previewRoleArn",
        "deployRoleArn",
        "deployEnvironments",
    }
    assert rec.outputs["deployRoleArn"].endswith(f"role/learning-platform-{stack}-ci-deploy")


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_bootstrap_resources_use_the_explicit_tagged_provider(stack: str) -> None:
    stack_file = load_stack_file(stack, BOOTSTRAP)
    assert json.loads(stack_file.config["pulumi:disable-default-providers"]) == ["*"]
    rec = run_stack(stack, BOOTSTRAP, raise_errors=True)
    (provider,) = [r for r in rec.resources if r.type == "pulumi:providers:aws"]
    assert provider["region"] == stack_file.region
    assert provider["defaultTags"]["tags"] == {
        "Project": "learning-platform",
        "Environment": stack,
        "ManagedBy": "pulumi",
        "Owner": "platform-team",
        "CostCenter": "CC-1000",
    }
    for resource in rec.cloud_resources():
        found: Registered | None = rec.provider_of(resource)
        assert found is not None and found.urn == provider.urn, resource.name


def test_the_bootstrap_stacks_trust_the_environments_of_their_deploy_jobs() -> None:
    environments = {
        stack: run_stack(stack, BOOTSTRAP, raise_errors=True).outputs["deployEnvironments"]
        for stack in bootstrap_stacks()
    }
    assert environments == {"dev": ["dev"], "prod": ["production"]}


def bad_run(ci: dict[str, Any]) -> Recording:
    stack_file = load_stack_file("dev", BOOTSTRAP)
    config = dict(stack_file.config) | {"platform-bootstrap:ci": json.dumps(ci)}
    return run_main(
        BOOTSTRAP, project="platform-bootstrap", stack="dev", config=config, raise_errors=False
    )


def test_bad_bootstrap_config_fails_naming_the_key_value_and_what_is_allowed() -> None:
    rec = bad_run({"repository": "example-org/*", "deployEnvironments": ["dev"]})
    assert isinstance(rec.error, ConfigError)
    message = str(rec.error)
    assert "platform-bootstrap:ci.repository" in message
    assert "example-org/*" in message
    assert "owner/repo" in message  # what is allowed
    assert rec.cloud_resources() == []


def test_bad_bootstrap_config_names_unknown_and_missing_keys() -> None:
    rec = bad_run({"repo": REPO})
    assert isinstance(rec.error, ConfigError)
    message = str(rec.error)
    assert "platform-bootstrap:ci.repo: unknown key" in message
    assert "platform-bootstrap:ci.repository: required" in message
    assert "platform-bootstrap:ci.deployEnvironments: required" in message
    assert rec.cloud_resources() == []


def test_the_bootstrap_project_shares_the_platforms_virtual_environment() -> None:
    project = yaml.safe_load((BOOTSTRAP / "Pulumi.yaml").read_text())
    assert project["runtime"]["options"]["virtualenv"] == "../.venv"
    assert (BOOTSTRAP / ".." / ".venv").resolve() == (PROJECT_ROOT / ".venv").resolve()
    assert Path(BOOTSTRAP / "__main__.py").exists()


def test_a_policy_listed_twice_is_rejected_before_it_would_clash() -> None:
    args = {"repository": REPO, "deploy_environments": ("dev",), "name_prefix": "lp-dev"}
    with pytest.raises(ValidationError, match="deployPolicies names one policy twice"):
        CiAccessArgs(
            **args,
            deploy_policies=("AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess"),
        )


@pytest.mark.parametrize(
    "repository", ["example-org/learning-platform", "owner-123/repo-456", "owner@123/repo@456"]
)
def test_the_repository_takes_classic_and_immutable_subject_forms(repository: str) -> None:
    config = CiAccessConfig.model_validate(
        {"repository": repository, "deployEnvironments": ["production"]}
    )
    assert preview_subjects(config.repository) == [f"repo:{repository}:pull_request"]


@pytest.mark.parametrize("repository", ["learning-platform", "org/repo:ref", "org/*"])
def test_a_repository_that_is_not_owner_slash_repo_is_refused(repository: str) -> None:
    with pytest.raises(ValidationError):
        CiAccessConfig.model_validate(
            {"repository": repository, "deployEnvironments": ["production"]}
        )
