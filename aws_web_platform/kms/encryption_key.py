"""EncryptionKey: a customer-managed KMS key for one data domain, with rotation and an alias.

The platform keeps one key per data domain (docs/data.md) so that access to one kind of data
never implies access to another, and a key can be disabled without touching the rest:

======== ==========================================  =========================================
domain   encrypts                                    services in the key policy
======== ==========================================  =========================================
data     RDS storage, Performance Insights,          rds, elasticache
         ElastiCache
secrets  Secrets Manager secrets, EKS secrets        secretsmanager, eks
storage  S3 buckets, ECR images                      s3, ecr, cloudfront (OAC reads)
logs     CloudWatch Logs groups                      logs (service principal)
alerts   SNS alert topics                            sns-publishers (CloudWatch, Budgets,
                                                     Backup as service principals)
backup   AWS Backup vaults (and the copy vault in    backup
         its region)
======== ==========================================  =========================================

The key policy keeps the account root's full access, so IAM policies decide who may use the key
and the key can never be locked out. Nothing else can decrypt: a workload needs an explicit
IAM grant (the grant methods of buckets, secrets and this key add the key statement
themselves, limited to the service that holds the data). On top of that:

* services that encrypt their resources through KMS *grants* (RDS, ElastiCache, ECR, EKS) may
  be asked by principals of this account to create grants for AWS resources, through that
  service only (``kms:ViaService``, ``kms:GrantIsForAWSResource``), plus DescribeKey;
* Secrets Manager and S3 call KMS as the caller, so they need no statement here: the caller's
  IAM grant is the permission;
* CloudWatch Logs may use the logs key for this account's log groups, CloudFront may decrypt
  for this account's distributions (Origin Access Control), as service principals.
"""

from __future__ import annotations

from typing import Literal

import pulumi
import pulumi_aws as aws
from pydantic import BaseModel, ConfigDict, Field

from aws_web_platform.core.aws_context import aws_context
from aws_web_platform.core.iam import Statement, grant, kms_use_statement, label_of, policy_document

KeyService = Literal[
    "rds",
    "elasticache",
    "secretsmanager",
    "eks",
    "s3",
    "ecr",
    "cloudfront",
    "logs",
    "backup",
    "sns-publishers",
]

#: Services that encrypt their resources through KMS grants they create for the caller.
_GRANT_SERVICES = ("rds", "elasticache", "ecr", "eks", "backup")

#: Services that publish to this account's encrypted SNS topics as themselves: CloudWatch
#: alarms, AWS Budgets notifications, AWS Backup vault events.
SNS_PUBLISHERS = ("cloudwatch.amazonaws.com", "budgets.amazonaws.com", "backup.amazonaws.com")


class EncryptionKeyArgs(BaseModel):
    """Arguments of :class:`EncryptionKey`."""

    model_config = ConfigDict(frozen=True)

    description: str = Field(description="What the key protects; shown in the KMS console.")
    services: tuple[KeyService, ...] = Field(
        description="AWS services allowed to use the key on behalf of this account's principals "
        "(or as themselves, for logs and cloudfront). Required: a key no service can use is "
        "useless, one every service can use is too broad."
    )
    alias: str = Field(
        pattern=r"^alias/[a-zA-Z0-9/_-]+$",
        description="Alias (alias/<name>) so people and tools find the key without its id.",
    )
    rotation_period_days: int = Field(
        default=365,
        ge=90,
        le=2560,
        description="Days between automatic rotations of the key material. Default 365.",
    )
    deletion_window_days: int = Field(
        default=30,
        ge=7,
        le=30,
        description="Days a deleted key can still be restored. Default 30, the longest: a "
        "destroyed key makes everything it encrypted unreadable.",
    )
    protect: bool = Field(
        default=True,
        description="Pulumi protect: the key cannot be deleted by a deploy. Default true.",
    )


def key_policy(
    *, account: str, partition: str, region: str, services: tuple[str, ...]
) -> list[Statement]:
    """The key policy's statements (pure: values are plain strings)."""
    statements: list[Statement] = [
        {
            "Sid": "AccountRootFullAccess",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ]
    for service in services:
        via = {
            "kms:CallerAccount": account,
            "kms:ViaService": f"{service}.{region}.amazonaws.com",
        }
        if service in _GRANT_SERVICES:
            statements += [
                {
                    "Sid": f"GrantsFor{service.capitalize()}Resources",
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                    "Resource": "*",
                    "Condition": {
                        "StringEquals": via,
                        "Bool": {"kms:GrantIsForAWSResource": "true"},
                    },
                },
                {
                    "Sid": f"DescribeFor{service.capitalize()}",
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": "kms:DescribeKey",
                    "Resource": "*",
                    "Condition": {"StringEquals": via},
                },
            ]
        elif service == "logs":
            statements.append(
                {
                    "Sid": "CloudWatchLogsOfThisAccount",
                    "Effect": "Allow",
                    "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                    "Action": [
                        "kms:Encrypt*",
                        "kms:Decrypt*",
                        "kms:ReEncrypt*",
                        "kms:GenerateDataKey*",
                        "kms:Describe*",
                    ],
                    "Resource": "*",
                    "Condition": {
                        "ArnLike": {
                            "kms:EncryptionContext:aws:logs:arn": (
                                f"arn:{partition}:logs:{region}:{account}:log-group:*"
                            )
                        }
                    },
                }
            )
        elif service == "sns-publishers":
            # Encrypted topics need the publisher to make a data key; it does so only for
            # resources of this account (confused-deputy guard).
            statements.append(
                {
                    "Sid": "AlertPublishersOfThisAccount",
                    "Effect": "Allow",
                    "Principal": {"Service": list(SNS_PUBLISHERS)},
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account}},
                }
            )
        elif service == "cloudfront":
            statements.append(
                {
                    "Sid": "CloudFrontOriginAccessControlReads",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudfront.amazonaws.com"},
                    "Action": "kms:Decrypt",
                    "Resource": "*",
                    "Condition": {
                        "ArnLike": {
                            "AWS:SourceArn": f"arn:{partition}:cloudfront::{account}:distribution/*"
                        }
                    },
                }
            )
    return statements


class EncryptionKey(pulumi.ComponentResource):
    """A customer-managed, rotating KMS key with an alias and a per-service key policy."""

    key: aws.kms.Key
    arn: pulumi.Output[str]
    key_id: pulumi.Output[str]
    alias_name: str

    def __init__(
        self, name: str, args: EncryptionKeyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:kms:EncryptionKey", name, None, opts)
        context = aws_context(self)
        self._region, account, partition = context.region, context.account_id, context.partition

        self.key = aws.kms.Key(
            f"{name}-key",
            description=args.description,
            enable_key_rotation=True,
            rotation_period_in_days=args.rotation_period_days,
            deletion_window_in_days=args.deletion_window_days,
            policy=policy_document(
                key_policy(
                    account=account,
                    partition=partition,
                    region=self._region,
                    services=args.services,
                )
            ),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        aws.kms.Alias(
            f"{name}-alias",
            name=args.alias,
            target_key_id=self.key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.arn = self.key.arn
        self.key_id = self.key.key_id
        self.alias_name = args.alias
        self.register_outputs({"arn": self.arn, "key_id": self.key_id, "alias": self.alias_name})

    def grant_decrypt(self, role: aws.iam.Role, via_service: str) -> aws.iam.RolePolicy:
        """Let ``role`` decrypt with this key, only through ``via_service`` (e.g. s3)."""
        return grant(
            f"{label_of(self)}-decrypt-{label_of(role)}",
            role,
            [kms_use_statement(self.arn, via_service, self._region, ["kms:Decrypt"])],
            parent=self,
        )

    def grant_encrypt_decrypt(self, role: aws.iam.Role, via_service: str) -> aws.iam.RolePolicy:
        """Let ``role`` encrypt and decrypt with this key, only through ``via_service``."""
        actions = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
        return grant(
            f"{label_of(self)}-use-{label_of(role)}",
            role,
            [kms_use_statement(self.arn, via_service, self._region, actions)],
            parent=self,
        )
