"""Settings of the bootstrap stack: its tags and GitHub Actions' access (who may preview, who
may deploy)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from aws_web_platform.core.fields import AccountId, ConfigModel, TagValue

#: GitHub's OIDC issuer: the provider URL and the prefix of its condition keys in IAM.
GITHUB_ISSUER = "token.actions.githubusercontent.com"
GITHUB_ISSUER_URL = f"https://{GITHUB_ISSUER}"
#: The audience aws-actions/configure-aws-credentials requests (its default).
STS_AUDIENCE = "sts.amazonaws.com"
#: Longest session IAM allows for a role (hours).
MAX_SESSION_HOURS = 12

#: Reads that AWS's ReadOnlyAccess includes but a preview never needs: they return the data
#: (secret values, parameters, object and item contents, logs, container images, console
#: output), not the shape of the infrastructure. Refresh is off and state lives in the Pulumi
#: backend, so a preview only calls Describe/List/Get-configuration APIs.
PREVIEW_DENIED_ACTIONS: tuple[str, ...] = (
    "secretsmanager:GetSecretValue",
    "secretsmanager:BatchGetSecretValue",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "ssm:GetParameterHistory",
    "kms:Decrypt",
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:GetObjectAttributes",
    "s3:GetObjectTorrent",
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "logs:GetLogEvents",
    "logs:FilterLogEvents",
    "logs:StartQuery",
    "logs:GetQueryResults",
    "logs:StartLiveTail",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
    "rds:DownloadDBLogFilePortion",
    "rds:DownloadCompleteDBLogFile",
    "ec2:GetPasswordData",
    "ec2:GetConsoleOutput",
    "ec2:GetConsoleScreenshot",
    "lambda:GetFunction",
    "sqs:ReceiveMessage",
    "kinesis:GetRecords",
    "athena:GetQueryResults",
)

Repository = Annotated[
    str,
    Field(
        # '@' too: GitHub's immutable subject claims were announced as owner-<id>/repo-<id>,
        # and a later docs change shows owner@<id>/repo@<id>; copy what the repository shows.
        pattern=r"^[A-Za-z0-9_.@-]+/[A-Za-z0-9_.@-]+$",
        json_schema_extra={
            "allowed": "owner/repo exactly as in the OIDC subject claim, e.g. "
            "example-org/learning-platform (with immutable subject claims, the prefix the "
            "repository's OIDC settings show, such as owner-<id>/repo-<id>)"
        },
    ),
]
EnvironmentName = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9_.-]{1,255}$",
        json_schema_extra={
            "allowed": "a GitHub environment name: letters, digits, _ . - (no wildcards)"
        },
    ),
]
BranchName = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$",
        json_schema_extra={"allowed": "a branch name such as main (no wildcards, no refs/)"},
    ),
]
ManagedPolicy = Annotated[
    str,
    Field(
        pattern=r"^([A-Za-z0-9+=,.@_/-]+|arn:aws[a-z-]*:iam::(aws|\d{12}):policy/[\w+=,.@/-]+)$",
        json_schema_extra={
            "allowed": "an AWS managed policy name (ReadOnlyAccess, job-function/ViewOnlyAccess) "
            "or a policy ARN"
        },
    ),
]
ProviderArn = Annotated[
    str,
    Field(
        pattern=r"^arn:aws[a-z-]*:iam::\d{12}:oidc-provider/token\.actions\.githubusercontent\.com$",
        json_schema_extra={
            "allowed": "arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com"
        },
    ),
]


def _policy_label(policy: str) -> str:
    """A stable, readable key for a policy attachment's logical name."""
    name = policy.rsplit("/", 1)[-1]
    return "".join(c if c.isalnum() else "-" for c in name).lower()


class CiAccessConfig(ConfigModel):
    """GitHub Actions' access to the account: who may preview, who may deploy."""

    repository: Repository = Field(
        description="The repository whose workflows may assume the roles, as owner/repo in its "
        "OIDC subject claim (case-sensitive). Required: trusting a whole owner would let any of "
        "its repositories deploy."
    )
    deploy_environments: tuple[EnvironmentName, ...] = Field(
        min_length=1,
        description="GitHub environments whose jobs may assume the deploy role (subject "
        "repo:<repo>:environment:<name>). Required, at least one: the environment's protection "
        "rules (reviewers, branch and tag policy) are the gate in front of the deploy role.",
    )
    deploy_branches: tuple[BranchName, ...] = Field(
        default=(),
        description="Branches whose jobs may assume the deploy role without an environment "
        "(subject repo:<repo>:ref:refs/heads/<branch>). Default none: every deploy job runs in "
        "an environment, so no job can deploy past its protection rules.",
    )
    existing_provider_arn: ProviderArn | None = Field(
        default=None,
        description="ARN of the account's GitHub OIDC provider when it exists already (an "
        "account has one provider per URL, e.g. made by another bootstrap stack). Default: "
        "create it.",
    )
    preview_policies: tuple[ManagedPolicy, ...] = Field(
        default=("ReadOnlyAccess",),
        min_length=1,
        description="Managed policies (AWS managed names or ARNs) of the preview role, on top "
        "of which the data-plane reads in PREVIEW_DENIED_ACTIONS are always denied. Default "
        "ReadOnlyAccess: a preview reads any resource's configuration.",
    )
    deploy_policies: tuple[ManagedPolicy, ...] = Field(
        default=("AdministratorAccess",),
        min_length=1,
        description="Managed policies of the deploy role. Default AdministratorAccess: the "
        "platform creates IAM roles and policies, KMS keys, clusters and DNS, which a narrower "
        "policy would have to enumerate and keep up with.",
    )
    deploy_permissions_boundary: ManagedPolicy | None = Field(
        default=None,
        description="Permissions boundary (policy name or ARN) of the deploy role, for "
        "accounts whose guardrails require one. Default none; the deny on the CI resources "
        "applies either way.",
    )
    preview_max_session_hours: int = Field(
        default=1,
        ge=1,
        le=MAX_SESSION_HOURS,
        description="Longest session of the preview role, in hours. Default 1, IAM's minimum: a "
        "preview takes minutes.",
    )
    deploy_max_session_hours: int = Field(
        default=4,
        ge=1,
        le=MAX_SESSION_HOURS,
        description="Longest session of the deploy role, in hours. Default 4: a first deploy "
        "(cluster, database, CDN) takes over an hour and credentials must not expire mid-way. "
        "The workflows request exactly this (role-duration-seconds).",
    )

    @model_validator(mode="after")
    def _check_lists(self) -> CiAccessConfig:
        for key, values in (
            ("deployEnvironments", self.deploy_environments),
            ("deployBranches", self.deploy_branches),
        ):
            if len(set(values)) != len(values):
                raise ValueError(f"$.{key} lists a value twice: {list(values)}")
        for key, policies in (
            ("previewPolicies", self.preview_policies),
            ("deployPolicies", self.deploy_policies),
        ):
            labels = [_policy_label(p) for p in policies]
            if len(set(labels)) != len(labels):
                raise ValueError(
                    f"$.{key} names one policy twice (or two with the same name): {list(policies)}"
                )
        full_refs = [b for b in self.deploy_branches if b.startswith("refs/")]
        if full_refs:
            raise ValueError(
                f"$.deployBranches takes branch names, not refs: {full_refs} (write main, "
                "not refs/heads/main)"
            )
        return self


class BootstrapConfig(ConfigModel):
    """The bootstrap stack's configuration (``platform-bootstrap:*`` keys): tags and CI access."""

    project: TagValue = Field(
        description="Product name, for the Project tag and the role names. Required."
    )
    owner: TagValue = Field(description="Team answerable for the CI access (Owner tag). Required.")
    cost_center: TagValue = Field(description="Cost center (CostCenter tag). Required.")
    environment: str | None = Field(
        default=None,
        pattern=r"^[a-z][a-z0-9-]{0,15}$",
        description="Environment the account serves, for the Environment tag and the role "
        "names. Default: the stack's name.",
        json_schema_extra={
            "allowed": "1 to 16 lowercase letters, digits or '-', starting with a letter"
        },
    )
    allowed_account_ids: tuple[AccountId, ...] = Field(
        default=(),
        description="AWS accounts this stack may be deployed to; the provider refuses any "
        "other. Default any; set it so an administrator's credentials for the wrong account "
        "fail instead of creating CI roles there.",
    )
    ci: CiAccessConfig = Field(description="GitHub Actions' access (see CiAccessConfig).")

    def name_prefix(self, stack: str) -> str:
        """``<project>-<environment>`` in lowercase letters, digits and '-' (role names)."""
        text = f"{self.project}-{self.environment or stack}".lower()
        slug = "".join(c if c.isalnum() else "-" for c in text)
        return "-".join(part for part in slug.split("-") if part)[:40].strip("-")

    def common_tags(self, stack: str) -> dict[str, str]:
        """The provider's default tags, as on the platform's stacks."""
        return {
            "Project": self.project,
            "Environment": self.environment or stack,
            "ManagedBy": "pulumi",
            "Owner": self.owner,
            "CostCenter": self.cost_center,
        }
