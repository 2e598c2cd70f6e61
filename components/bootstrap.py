"""CiAccess: how GitHub Actions reaches an AWS account, with no stored AWS key anywhere.

Deployed once per AWS account by the small ``bootstrap/`` project (with an administrator's
own credentials), before any workflow runs. It holds:

* the account's IAM OpenID Connect provider for GitHub Actions
  (``https://token.actions.githubusercontent.com``, audience ``sts.amazonaws.com``); an account
  has at most one provider per URL, so a second bootstrap stack in the same account passes the
  existing provider's ARN instead of creating one. No thumbprint: for GitHub, IAM validates the
  issuer's certificate against its own trusted root CAs and ignores thumbprints.
* a **preview role**, assumable only by jobs of this repository triggered by a pull request
  (``sub`` = ``repo:<owner>/<repo>:pull_request``): ``ReadOnlyAccess`` minus every data-plane
  read it includes (secret values, parameters, object contents, logs, images, ...), for one
  hour. Pull-request code is run by ``pulumi preview``, so whoever can push a branch can run
  code with this role: it may describe the infrastructure, never read the data in it.
* a **deploy role**, assumable only by jobs that run in one of the given GitHub environments
  (``sub`` = ``repo:<owner>/<repo>:environment:<name>``; GitHub puts the environment in the
  subject whenever a job declares one, so the environment's protection rules, reviewers and
  branch/tag policy are what guard this role) or, when asked, on given branches. It gets
  ``AdministratorAccess`` by default (a platform deploy creates IAM roles, KMS keys, clusters)
  and an explicit deny on changing the CI provider and roles themselves, so a deploy cannot
  widen who may assume them; sessions last up to four hours (a first deploy takes an hour or
  more).

Both trust policies also require ``aud`` = ``sts.amazonaws.com`` (StringEquals), so a token
minted for another audience is refused. Neither role gets Kubernetes access by itself: the
platform stack maps them to the cluster (docs/delivery.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import pulumi
import pulumi_aws as aws
from pydantic import ConfigDict, Field, model_validator

from components.config import AccountId, ConfigModel, TagValue
from components.iam import Statement, grant, policy_document

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


class CiAccessArgs(CiAccessConfig):
    """Arguments of :class:`CiAccess`: the CiAccessConfig plus the role names' prefix."""

    model_config = ConfigDict(frozen=True)

    name_prefix: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$",
        description="Prefix of the role names (<prefix>-ci-preview, <prefix>-ci-deploy), fixed "
        "so the workflows' role ARNs are predictable. Required.",
    )


def preview_subjects(repository: str) -> list[str]:
    """The OIDC subjects that may preview: pull-request jobs of the repository, nothing else.

    A pull-request job that declares an environment gets the environment subject instead, so
    preview jobs must not declare one.
    """
    return [f"repo:{repository}:pull_request"]


def deploy_subjects(
    repository: str, environments: Sequence[str], branches: Sequence[str] = ()
) -> list[str]:
    """The OIDC subjects that may deploy: jobs in the environments, then jobs on the branches."""
    return [f"repo:{repository}:environment:{env}" for env in environments] + [
        f"repo:{repository}:ref:refs/heads/{branch}" for branch in branches
    ]


def github_trust_policy(
    provider_arn: pulumi.Input[str], subjects: Sequence[str]
) -> pulumi.Output[str]:
    """A trust policy for GitHub Actions tokens with exactly these subjects and STS audience."""
    return policy_document(
        [
            {
                "Sid": "GitHubActions",
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{GITHUB_ISSUER}:aud": STS_AUDIENCE,
                        f"{GITHUB_ISSUER}:sub": list(subjects),
                    }
                },
            }
        ]
    )


def managed_policy_arn(policy: str, partition: str) -> str:
    """An ARN for an AWS managed policy name (``ReadOnlyAccess``); ARNs are kept as given."""
    return policy if policy.startswith("arn:") else f"arn:{partition}:iam::aws:policy/{policy}"


class CiAccess(pulumi.ComponentResource):
    """The GitHub OIDC provider and the CI's preview and deploy roles of one AWS account."""

    provider: aws.iam.OpenIdConnectProvider | None
    provider_arn: pulumi.Output[str]
    preview_role: aws.iam.Role
    deploy_role: aws.iam.Role
    preview_role_arn: pulumi.Output[str]
    deploy_role_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: CiAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:bootstrap:CiAccess", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        partition = aws.get_partition(opts=pulumi.InvokeOptions(parent=self)).partition

        self.provider = None
        if args.existing_provider_arn is not None:
            self.provider_arn = pulumi.Output.from_input(args.existing_provider_arn)
        else:
            self.provider = aws.iam.OpenIdConnectProvider(
                f"{name}-github",
                url=GITHUB_ISSUER_URL,
                client_id_lists=[STS_AUDIENCE],
                opts=child,
            )
            self.provider_arn = self.provider.arn

        self.preview_role = aws.iam.Role(
            f"{name}-preview",
            name=f"{args.name_prefix}-ci-preview",
            description=f"pulumi preview from pull requests of {args.repository} (read-only)",
            assume_role_policy=github_trust_policy(
                self.provider_arn, preview_subjects(args.repository)
            ),
            max_session_duration=args.preview_max_session_hours * 3600,
            opts=child,
        )
        self._attach(f"{name}-preview", self.preview_role, args.preview_policies, partition)
        grant(
            f"{name}-preview-no-data-reads",
            self.preview_role,
            [
                {
                    "Sid": "NoDataPlaneReads",
                    "Effect": "Deny",
                    "Action": list(PREVIEW_DENIED_ACTIONS),
                    "Resource": "*",
                }
            ],
            parent=self,
        )

        boundary = args.deploy_permissions_boundary
        self.deploy_role = aws.iam.Role(
            f"{name}-deploy",
            name=f"{args.name_prefix}-ci-deploy",
            description=f"pulumi up from {args.repository}: environments "
            f"{', '.join(args.deploy_environments)}",
            assume_role_policy=github_trust_policy(
                self.provider_arn,
                deploy_subjects(args.repository, args.deploy_environments, args.deploy_branches),
            ),
            max_session_duration=args.deploy_max_session_hours * 3600,
            permissions_boundary=managed_policy_arn(boundary, partition) if boundary else None,
            opts=child,
        )
        self._attach(f"{name}-deploy", self.deploy_role, args.deploy_policies, partition)
        grant(
            f"{name}-deploy-protect-ci-access",
            self.deploy_role,
            [self.protection_statement()],
            parent=self,
        )

        self.preview_role_arn = self.preview_role.arn
        self.deploy_role_arn = self.deploy_role.arn
        self.register_outputs(
            {
                "provider_arn": self.provider_arn,
                "preview_role_arn": self.preview_role_arn,
                "deploy_role_arn": self.deploy_role_arn,
            }
        )

    def protection_statement(self) -> Statement:
        """Deny every change to the CI provider and roles (reads stay allowed): a deploy may
        not widen a trust policy, add a policy to the preview role or drop this very deny."""
        return {
            "Sid": "ProtectCiAccess",
            "Effect": "Deny",
            "NotAction": ["iam:Get*", "iam:List*"],
            "Resource": [self.provider_arn, self.preview_role.arn, self.deploy_role.arn],
        }

    def _attach(
        self, prefix: str, role: aws.iam.Role, policies: Sequence[str], partition: str
    ) -> None:
        for policy in policies:
            aws.iam.RolePolicyAttachment(
                f"{prefix}-{_policy_label(policy)}",
                role=role.name,
                policy_arn=managed_policy_arn(policy, partition),
                opts=pulumi.ResourceOptions(parent=self),
            )
