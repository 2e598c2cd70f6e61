"""Bucket: one S3 bucket with secure defaults, and intent methods to grant access to it.

Defaults: every kind of public access blocked, ACLs off (BucketOwnerEnforced), default
encryption with the storage key and an S3 Bucket Key (or SSE-S3 where a service cannot write
with KMS, e.g. load balancer access logs), versioning on, a policy refusing anything but TLS 1.2+,
lifecycle rules (old versions expire, unfinished uploads are aborted, optional expiry and
transition per prefix), server access logs to the logs bucket, force-destroy off and Pulumi
protect in protected stacks.

Grants are least privilege and live with the grantee:

* ``grant_read(role, prefix)``, ``grant_write(role, prefix)``, ``grant_read_write(role, prefix)``
  attach an inline policy to the role for this bucket (and prefix) only, with the matching use
  of the bucket's key through S3 only;
* ``grant_cloudfront_read(distribution_arn)`` writes the bucket policy that lets exactly that
  CloudFront distribution read objects through Origin Access Control. A bucket read by
  CloudFront is created with ``read_by_cloudfront=True`` and gets its (single) bucket policy from
  this call, since the distribution exists only after the bucket.
"""

from __future__ import annotations

from typing import Literal

import pulumi
import pulumi_aws as aws
from pydantic import BaseModel, ConfigDict, Field

from aws_web_platform.core.aws_context import aws_context
from aws_web_platform.core.fields import InputStr
from aws_web_platform.core.iam import Statement, grant, kms_use_statement, label_of, policy_document

#: Services that can deliver logs into a bucket, and the prefix each writes under.
LogDeliveryService = Literal["s3", "alb", "cloudfront"]
LOG_PREFIXES: dict[str, str] = {"s3": "s3/", "alb": "alb/", "cloudfront": "cloudfront/"}


class LifecycleRule(BaseModel):
    """Expiry and transition of the objects under one prefix."""

    model_config = ConfigDict(frozen=True)

    prefix: str = Field(description="Key prefix the rule applies to, e.g. daily/.")
    expire_after_days: int | None = Field(
        default=None, ge=1, description="Delete objects this many days after creation."
    )
    infrequent_access_after_days: int | None = Field(
        default=None, ge=30, description="Move objects to STANDARD_IA after this many days."
    )


class BucketArgs(BaseModel):
    """Arguments of :class:`Bucket`."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    kms_key_arn: InputStr | None = Field(
        default=None,
        description="Key (ARN, str or Output) for default encryption (SSE-KMS with an S3 Bucket "
        "Key, which cuts KMS requests ~99 %). Default None: SSE-S3, for buckets services write "
        "to without KMS support (load balancer access logs).",
    )
    versioning: bool = Field(
        default=True,
        description="Keep every version of every object. Default true: an overwrite or delete "
        "can be undone.",
    )
    noncurrent_version_expiration_days: int = Field(
        default=30, ge=1, description="Days old versions are kept. Default 30."
    )
    abort_incomplete_upload_days: int = Field(
        default=7, ge=1, description="Days before unfinished multipart uploads are removed."
    )
    expire_after_days: int | None = Field(
        default=None, ge=1, description="Delete every object after this many days. Default never."
    )
    lifecycle_rules: tuple[LifecycleRule, ...] = Field(
        default=(), description="Per-prefix expiry and transitions. Default none."
    )
    cors_origins: tuple[str, ...] = Field(
        default=(),
        description="Browser origins allowed to GET/PUT/POST/HEAD (presigned uploads). Default "
        "none: no CORS configuration at all.",
    )
    access_logs_bucket: InputStr | None = Field(
        default=None,
        description="Name (str or Output) of the bucket receiving this bucket's server access "
        "logs, under s3/<this bucket's logical name>/. Default None: not logged (only the logs "
        "bucket itself should be).",
    )
    log_delivery_services: tuple[LogDeliveryService, ...] = Field(
        default=(),
        description="Services allowed to deliver logs into this bucket, each under its own "
        "prefix (s3/, alb/, cloudfront/). Default none: only for the logs bucket.",
    )
    read_by_cloudfront: bool = Field(
        default=False,
        description="The bucket is an origin of a CloudFront distribution: its policy is "
        "written by grant_cloudfront_read, which must then be called. Default false.",
    )
    tags: dict[str, str] = Field(
        default_factory=dict,
        description="Tags of the bucket beyond the provider's defaults, e.g. the AWS Backup "
        "selection tag. Default none.",
    )
    protect: bool = Field(
        default=True,
        description="Pulumi protect and no force-destroy: a deploy can never delete the bucket "
        "or its objects. Default true.",
    )


class Bucket(pulumi.ComponentResource):
    """A private, encrypted, versioned S3 bucket with TLS-only access and explicit grants."""

    bucket: aws.s3.Bucket
    name: pulumi.Output[str]
    arn: pulumi.Output[str]
    regional_domain_name: pulumi.Output[str]
    policy: aws.s3.BucketPolicy | None

    def __init__(
        self, name: str, args: BucketArgs | None = None, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:storage:Bucket", name, None, opts)
        args = args or BucketArgs()
        self._args = args
        child = pulumi.ResourceOptions(parent=self)
        context = aws_context(self)
        self._region = context.region
        self._account = context.account_id
        self._partition = context.partition

        self.bucket = aws.s3.Bucket(
            f"{name}-bucket",
            force_destroy=not args.protect,
            tags=args.tags or None,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        self.name = self.bucket.bucket
        self.arn = self.bucket.arn
        self.regional_domain_name = self.bucket.bucket_regional_domain_name

        ownership = aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=self.bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=child,
        )
        self._public_access_block = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        by_default = (
            aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs
        )
        encryption = (
            by_default(sse_algorithm="aws:kms", kms_master_key_id=args.kms_key_arn)
            if args.kms_key_arn is not None
            else by_default(sse_algorithm="AES256")
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=self.bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=encryption,
                    bucket_key_enabled=args.kms_key_arn is not None,
                )
            ],
            opts=child,
        )
        versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=self.bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                status="Enabled" if args.versioning else "Suspended"
            ),
            opts=child,
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=self.bucket.id,
            rules=self._lifecycle_rules(args),
            # Rules on versions only make sense once versioning is on.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]),
        )
        if args.cors_origins:
            aws.s3.BucketCorsConfiguration(
                f"{name}-cors",
                bucket=self.bucket.id,
                cors_rules=[
                    aws.s3.BucketCorsConfigurationCorsRuleArgs(
                        allowed_origins=list(args.cors_origins),
                        allowed_methods=["GET", "PUT", "POST", "HEAD"],
                        allowed_headers=["*"],
                        expose_headers=["ETag"],
                        max_age_seconds=3000,
                    )
                ],
                opts=child,
            )
        if args.access_logs_bucket is not None:
            aws.s3.BucketLogging(
                f"{name}-access-logs",
                bucket=self.bucket.id,
                target_bucket=args.access_logs_bucket,
                target_prefix=f"{LOG_PREFIXES['s3']}{name}/",
                opts=child,
            )

        self._policy_depends = [ownership, self._public_access_block]
        self.policy = None
        if not args.read_by_cloudfront:
            self.policy = self._write_policy([])
        self.register_outputs(
            {"name": self.name, "arn": self.arn, "regional_domain_name": self.regional_domain_name}
        )

    # --- intent -------------------------------------------------------------------------------

    def grant_read(self, role: aws.iam.Role, prefix: str = "") -> aws.iam.RolePolicy:
        """Let ``role`` list and read objects (under ``prefix``)."""
        return self._grant("read", role, prefix, ["s3:GetObject"], ["kms:Decrypt"])

    def grant_write(self, role: aws.iam.Role, prefix: str = "") -> aws.iam.RolePolicy:
        """Let ``role`` put objects (under ``prefix``), but not read or delete them."""
        return self._grant(
            "write",
            role,
            prefix,
            ["s3:PutObject", "s3:AbortMultipartUpload"],
            ["kms:GenerateDataKey", "kms:Decrypt"],  # Decrypt: multipart uploads read parts
            list_bucket=False,
        )

    def grant_read_write(self, role: aws.iam.Role, prefix: str = "") -> aws.iam.RolePolicy:
        """Let ``role`` list, read, put and delete objects (under ``prefix``)."""
        return self._grant(
            "read-write",
            role,
            prefix,
            ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
            ["kms:Decrypt", "kms:GenerateDataKey"],
        )

    def grant_cloudfront_read(self, distribution_arn: pulumi.Input[str]) -> aws.s3.BucketPolicy:
        """Write the bucket policy letting exactly this distribution read objects through OAC."""
        if not self._args.read_by_cloudfront:
            raise ValueError(
                f"{label_of(self)} was not created with read_by_cloudfront=True, so its policy "
                "is already written; create it with read_by_cloudfront=True"
            )
        if self.policy is not None:
            raise ValueError(f"{label_of(self)} already has its CloudFront reader")
        self.policy = self._write_policy(
            [
                {
                    "Sid": "CloudFrontOriginAccessControlRead",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudfront.amazonaws.com"},
                    "Action": "s3:GetObject",
                    "Resource": pulumi.Output.concat(self.arn, "/*"),
                    "Condition": {"StringEquals": {"AWS:SourceArn": distribution_arn}},
                }
            ]
        )
        return self.policy

    # --- parts --------------------------------------------------------------------------------

    def _grant(
        self,
        kind: str,
        role: aws.iam.Role,
        prefix: str,
        object_actions: list[str],
        key_actions: list[str],
        *,
        list_bucket: bool = True,
    ) -> aws.iam.RolePolicy:
        statements: list[Statement] = [
            {
                "Effect": "Allow",
                "Action": object_actions,
                "Resource": pulumi.Output.concat(self.arn, "/", prefix, "*"),
            }
        ]
        if list_bucket:
            listing: Statement = {
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": self.arn,
            }
            if prefix:
                listing["Condition"] = {"StringLike": {"s3:prefix": [f"{prefix}*"]}}
            statements.append(listing)
        if self._args.kms_key_arn is not None:
            statements.append(
                kms_use_statement(self._args.kms_key_arn, "s3", self._region, key_actions)
            )
        suffix = f"-{prefix.strip('/').replace('/', '-')}" if prefix else ""
        return grant(f"{label_of(self)}-{kind}{suffix}-{label_of(role)}", role, statements, self)

    def _write_policy(self, extra: list[Statement]) -> aws.s3.BucketPolicy:
        """The bucket's one policy: TLS 1.2+ only, log delivery if asked, plus ``extra``."""
        objects = pulumi.Output.concat(self.arn, "/*")
        statements: list[Statement] = [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [self.arn, objects],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                "Sid": "DenyOutdatedTls",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [self.arn, objects],
                "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
            },
        ]
        statements += self._log_delivery_statements()
        statements += extra
        return aws.s3.BucketPolicy(
            f"{label_of(self)}-policy",
            bucket=self.bucket.id,
            policy=policy_document(statements),
            # A policy with a public-looking principal is refused until the block is in place.
            opts=pulumi.ResourceOptions(parent=self, depends_on=self._policy_depends),
        )

    def _log_delivery_statements(self) -> list[Statement]:
        account, partition = self._account, self._partition
        statements: list[Statement] = []
        for service in self._args.log_delivery_services:
            prefix = pulumi.Output.concat(self.arn, "/", LOG_PREFIXES[service])
            if service == "s3":
                statements.append(
                    {
                        "Sid": "S3ServerAccessLogs",
                        "Effect": "Allow",
                        "Principal": {"Service": "logging.s3.amazonaws.com"},
                        "Action": "s3:PutObject",
                        "Resource": pulumi.Output.concat(prefix, "*"),
                        # Only buckets of this account may log here.
                        "Condition": {"StringEquals": {"aws:SourceAccount": account}},
                    }
                )
            elif service == "alb":
                # Regions older than August 2022 deliver as the regional ELB account, newer ones
                # as the log delivery service: allow both, only under this account's prefix.
                elb_account = aws.elb.get_service_account_output(
                    opts=pulumi.InvokeOutputOptions(parent=self)
                ).arn
                statements.append(
                    {
                        "Sid": "LoadBalancerAccessLogs",
                        "Effect": "Allow",
                        "Principal": {
                            "AWS": elb_account,
                            "Service": "logdelivery.elasticloadbalancing.amazonaws.com",
                        },
                        "Action": "s3:PutObject",
                        "Resource": pulumi.Output.concat(prefix, "AWSLogs/", account, "/*"),
                    }
                )
            elif service == "cloudfront":
                # CloudFront standard logging v2 (vended logs), delivered from us-east-1.
                condition = {
                    "StringEquals": {"aws:SourceAccount": account},
                    "ArnLike": {"aws:SourceArn": f"arn:{partition}:logs:us-east-1:{account}:*"},
                }
                statements += [
                    {
                        "Sid": "CloudFrontLogDeliveryWrite",
                        "Effect": "Allow",
                        "Principal": {"Service": "delivery.logs.amazonaws.com"},
                        "Action": "s3:PutObject",
                        "Resource": pulumi.Output.concat(prefix, "*"),
                        "Condition": {
                            **condition,
                            "StringEquals": {
                                "aws:SourceAccount": account,
                                "s3:x-amz-acl": "bucket-owner-full-control",
                            },
                        },
                    },
                    {
                        "Sid": "CloudFrontLogDeliveryAclCheck",
                        "Effect": "Allow",
                        "Principal": {"Service": "delivery.logs.amazonaws.com"},
                        "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
                        "Resource": self.arn,
                        "Condition": condition,
                    },
                ]
        return statements

    @staticmethod
    def _lifecycle_rules(args: BucketArgs) -> list[aws.s3.BucketLifecycleConfigurationRuleArgs]:
        rules = [
            aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="housekeeping",
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                    days_after_initiation=args.abort_incomplete_upload_days
                ),
                noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                    noncurrent_days=args.noncurrent_version_expiration_days
                ),
                expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                    days=args.expire_after_days
                )
                if args.expire_after_days
                else aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                    expired_object_delete_marker=True
                ),
            )
        ]
        for rule in args.lifecycle_rules:
            rules.append(
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id=f"prefix-{rule.prefix.strip('/').replace('/', '-') or 'all'}",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=rule.prefix),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                        days=rule.expire_after_days
                    )
                    if rule.expire_after_days
                    else None,
                    transitions=[
                        aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(
                            days=rule.infrequent_access_after_days, storage_class="STANDARD_IA"
                        )
                    ]
                    if rule.infrequent_access_after_days
                    else None,
                )
            )
        return rules
