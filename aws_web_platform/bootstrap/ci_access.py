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

import pulumi
import pulumi_aws as aws
from pydantic import Field

from aws_web_platform.bootstrap.config import (
    GITHUB_ISSUER,
    GITHUB_ISSUER_URL,
    PREVIEW_DENIED_ACTIONS,
    STS_AUDIENCE,
    CiAccessConfig,
    _policy_label,
)
from aws_web_platform.core.aws_context import aws_context
from aws_web_platform.core.fields import Wiring, compose
from aws_web_platform.core.iam import Statement, grant, policy_document


class CiAccessWiring(Wiring):
    """What :class:`CiAccess` is wired to besides its settings."""

    name_prefix: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$",
        description="Prefix of the role names (<prefix>-ci-preview, <prefix>-ci-deploy), fixed "
        "so the workflows' role ARNs are predictable. Required.",
    )


class CiAccessArgs(CiAccessConfig, CiAccessWiring):
    """Arguments of :class:`CiAccess`: its settings (``CiAccessConfig``) and its wiring
    (``CiAccessWiring``), every field flat."""

    @classmethod
    def from_config(cls, config: CiAccessConfig, wiring: CiAccessWiring) -> CiAccessArgs:
        """The Args of a stack file's settings and the platform's wiring."""
        return compose(cls, config, wiring)


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
        partition = aws_context(self).partition

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
