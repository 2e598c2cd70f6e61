"""Data that survives: stateful resources protected where the stack holds data, backups kept
30 days."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import (
    PolicyConfigSchema,
    ResourceValidationArgs,
)

from .common import (
    BACKUP_PLAN,
    BACKUP_VAULT,
    BUCKETS,
    CACHE_GROUP,
    ECR_REPOSITORY,
    EKS_CLUSTER,
    KMS_KEY,
    MIN_BACKUP_DAYS,
    PROTECT_DATA,
    PROTECT_POLICY,
    RDS_CLUSTER,
    RDS_INSTANCE,
    SECRET,
    Check,
    as_number,
    days_text,
    is_replica,
    is_true,
    items_of,
    read,
    resource_policy,
)


def protect_data_enabled(config: Mapping[str, Any]) -> bool:
    """The policy's ``protectData`` setting; anything but an explicit false means protect."""
    return config.get(PROTECT_DATA, True) is not False


def _protected(
    what: str, *, deletion_protection: bool = False, skip_replicas: bool = False
) -> Check:
    def check(args: ResourceValidationArgs) -> Iterator[str]:
        if not protect_data_enabled(args.get_config()):
            return
        if skip_replicas and is_replica(args):
            return  # a replica holds no data of its own and is rebuilt from the primary
        if not args.opts.protect:
            yield (
                f"{what} is not protected: pass protect=True (ResourceOptions) so no deploy can "
                "delete it; the stack holds real data (protectData)"
            )
        if deletion_protection and not is_true(read(args.props, "deletionProtection")):
            yield f"{what}: deletionProtection is not true: AWS must refuse to delete it too"

    return check


STATEFUL_RESOURCES_PROTECTED = resource_policy(
    PROTECT_POLICY,
    "Where the stack holds real data (policy config protectData, default true; the stacks set it "
    "from platform:protectData), stateful resources are protected: RDS primaries and clusters "
    "(Pulumi protect and deletion protection), ElastiCache, S3 buckets, KMS keys, Secrets "
    "Manager secrets, ECR repositories, Backup vaults and the EKS cluster (Pulumi protect). A "
    "rename or a removed line must not destroy data or the key that decrypts it.",
    {
        RDS_INSTANCE: _protected("RDS instance", deletion_protection=True, skip_replicas=True),
        RDS_CLUSTER: _protected("RDS cluster", deletion_protection=True),
        CACHE_GROUP: _protected("ElastiCache replication group"),
        **dict.fromkeys(BUCKETS, _protected("S3 bucket")),
        KMS_KEY: _protected("KMS key"),
        SECRET: _protected("Secrets Manager secret"),
        ECR_REPOSITORY: _protected("ECR repository"),
        BACKUP_VAULT: _protected("Backup vault"),
        EKS_CLUSTER: _protected("EKS cluster"),
    },
    config_schema=PolicyConfigSchema(
        properties={
            PROTECT_DATA: {
                "type": "boolean",
                "default": True,
                "description": "Whether the stack holds real data (platform:protectData of its "
                "stack file). False only for stacks that may be torn down (dev).",
            }
        }
    ),
)


def _rds_backups(args: ResourceValidationArgs) -> Iterator[str]:
    if args.resource_type == RDS_INSTANCE and is_replica(args):
        return  # replicas keep no backups; their primary does
    days = as_number(read(args.props, "backupRetentionPeriod"))
    if days is None or days < MIN_BACKUP_DAYS:
        yield (
            f"backupRetentionPeriod is {days_text(days)}: keep at least {MIN_BACKUP_DAYS} days of "
            "automated backups (point-in-time recovery)"
        )


def _backup_plan(args: ResourceValidationArgs) -> Iterator[str]:
    for rule in items_of(read(args.props, "rules")):
        name = read(rule, "ruleName") or "?"
        days = as_number(read(rule, "lifecycle", "deleteAfter"))
        if days is not None and days < MIN_BACKUP_DAYS:
            yield (
                f"rule {name}: recovery points are deleted after {days:g} days; keep "
                f"{MIN_BACKUP_DAYS}"
            )
        for copy in items_of(read(rule, "copyActions")):
            days = as_number(read(copy, "lifecycle", "deleteAfter"))
            if days is not None and days < MIN_BACKUP_DAYS:
                yield (
                    f"rule {name}: copies to {read(copy, 'destinationVaultArn')} are deleted "
                    f"after {days:g} days; keep {MIN_BACKUP_DAYS}"
                )


BACKUPS_RETAINED = resource_policy(
    "backups-retained-30-days",
    f"Backups of record are kept at least {MIN_BACKUP_DAYS} days: RDS automated backups of "
    "primaries and clusters (read replicas have none of their own), and AWS Backup recovery "
    "points and their off-site copies (no lifecycle means kept indefinitely). A problem noticed "
    "after a month-end must still be recoverable. ElastiCache snapshots are not checked: the "
    "cache holds derived data and is not the backup of record.",
    {RDS_INSTANCE: _rds_backups, RDS_CLUSTER: _rds_backups, BACKUP_PLAN: _backup_plan},
)
