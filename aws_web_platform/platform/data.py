"""The platform's network and data layers: the VPC, secrets, PostgreSQL, Redis, the buckets, the
image repositories and the DNS zone, each wired from its stack settings."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from aws_web_platform.cache.cache import RedisCache, RedisCacheArgs, RedisCacheWiring
from aws_web_platform.database.database import (
    PostgresDatabase,
    PostgresDatabaseArgs,
    PostgresDatabaseWiring,
)
from aws_web_platform.dns.zone import DnsZone, DnsZoneArgs, DnsZoneWiring
from aws_web_platform.kms.encryption_key import EncryptionKey
from aws_web_platform.network.network import Network, NetworkArgs, NetworkWiring
from aws_web_platform.platform.context import StackContext
from aws_web_platform.registry.config import ImageConfig
from aws_web_platform.registry.repository import ImageRepository, ImageRepositoryArgs
from aws_web_platform.secrets.app_secrets import AppSecrets, AppSecretsArgs
from aws_web_platform.storage.bucket import Bucket, BucketArgs, LifecycleRule

#: The tag (key) AWS Backup selects resources by; its value is the stack's slug.
BACKUP_TAG = "BackupPlan"


def network(ctx: StackContext, logs_key: EncryptionKey) -> Network:
    """The VPC, its flow logs encrypted with the logs key."""
    return Network(
        f"{ctx.name}-network",
        NetworkArgs.from_config(
            ctx.config.network,
            NetworkWiring(name_tag=ctx.slug, flow_logs_kms_key_arn=logs_key.arn),
        ),
        opts=ctx.opts(),
    )


def app_secrets(
    ctx: StackContext, values: dict[str, pulumi.Output[str]], key: EncryptionKey
) -> AppSecrets:
    """The apps' third-party keys, one Secrets Manager secret each."""
    return AppSecrets(
        f"{ctx.name}-app-secrets",
        AppSecretsArgs(
            values=values,
            name_prefix=f"{ctx.slug}/app",
            kms_key_arn=key.arn,
            recovery_window_days=ctx.config.app_secrets.recovery_window_days,
            protect=ctx.protect,
        ),
        opts=ctx.opts(),
    )


def database(
    ctx: StackContext,
    net: Network,
    keys: dict[str, EncryptionKey],
    runtime_classes: tuple[str, ...],
) -> PostgresDatabase:
    """PostgreSQL in the data subnets, under the data, secrets and logs keys; backed up by tag;
    a runtime login for each workload class that uses it."""
    slug = ctx.slug
    return PostgresDatabase(
        f"{ctx.name}-database",
        PostgresDatabaseArgs.from_config(
            ctx.config.database,
            PostgresDatabaseWiring(
                vpc_id=net.vpc_id,
                subnet_ids=net.data_subnet_ids,
                availability_zones=net.availability_zones,
                identifier=f"{slug}-postgres",
                storage_kms_key_arn=keys["data"].arn,
                secrets_kms_key_arn=keys["secrets"].arn,
                logs_kms_key_arn=keys["logs"].arn,
                aws_endpoints_security_group_id=net.endpoint_security_group_id,
                secret_name_prefix=slug,
                backup_tags={BACKUP_TAG: slug},
                runtime_classes=runtime_classes,
                protect=ctx.protect,
            ),
        ),
        opts=ctx.opts(),
    )


def cache(ctx: StackContext, net: Network, keys: dict[str, EncryptionKey]) -> RedisCache:
    """Redis/Valkey in the data subnets, under the data, secrets and logs keys."""
    slug = ctx.slug
    return RedisCache(
        f"{ctx.name}-cache",
        RedisCacheArgs.from_config(
            ctx.config.cache,
            RedisCacheWiring(
                vpc_id=net.vpc_id,
                subnet_ids=net.data_subnet_ids,
                availability_zones=net.availability_zones,
                replication_group_id=f"{slug[:33].rstrip('-')}-cache",
                storage_kms_key_arn=keys["data"].arn,
                secrets_kms_key_arn=keys["secrets"].arn,
                logs_kms_key_arn=keys["logs"].arn,
                secret_name=f"{slug}/cache/auth",
                protect=ctx.protect,
            ),
        ),
        opts=ctx.opts(),
    )


def buckets(ctx: StackContext, key: EncryptionKey) -> dict[str, Bucket]:
    """The spec's buckets (uploads, certificates, backups; docs/requirements.md) and the logs
    bucket the others, the ALB and CloudFront log to."""
    storage = ctx.config.storage
    protect = ctx.protect
    name = ctx.name
    logs = Bucket(
        f"{name}-logs",
        BucketArgs(
            # Load balancer access logs can only be written to SSE-S3 buckets.
            kms_key_arn=None,
            expire_after_days=storage.logs_expiration_days,
            noncurrent_version_expiration_days=7,
            log_delivery_services=("s3", "alb", "cloudfront"),
            protect=protect,
        ),
        opts=ctx.opts(),
    )

    def data_bucket(
        role: str,
        *,
        tags: dict[str, str] | None = None,
        cors_origins: tuple[str, ...] = (),
        read_by_cloudfront: bool = False,
        lifecycle_rules: tuple[LifecycleRule, ...] = (),
    ) -> Bucket:
        """A bucket of data: the storage key, old versions and stale uploads expired, access
        logged to the logs bucket."""
        return Bucket(
            f"{name}-{role}",
            BucketArgs(
                kms_key_arn=key.arn,
                noncurrent_version_expiration_days=storage.noncurrent_version_expiration_days,
                abort_incomplete_upload_days=storage.abort_incomplete_upload_days,
                access_logs_bucket=logs.name,
                lifecycle_rules=lifecycle_rules,
                cors_origins=cors_origins,
                read_by_cloudfront=read_by_cloudfront,
                tags=tags or {},
                protect=protect,
            ),
            opts=ctx.opts(),
        )

    # The buckets that hold data nobody can rebuild are backed up (AWS Backup, by tag).
    backed_up = {BACKUP_TAG: ctx.slug}
    uploads = data_bucket("uploads", cors_origins=storage.uploads_cors_origins, tags=backed_up)
    # Served under /certificates/* by CloudFront (OAC); the Edge writes its policy.
    certificates = data_bucket(
        "certificates", read_by_cloudfront=ctx.config.dns.delegated, tags=backed_up
    )
    backups = data_bucket(
        "backups",
        lifecycle_rules=(
            LifecycleRule(
                prefix="daily/",
                expire_after_days=storage.backups_retention_days,
                infrequent_access_after_days=storage.backups_infrequent_access_after_days,
            ),
        ),
    )
    return {"logs": logs, "uploads": uploads, "certificates": certificates, "backups": backups}


def repository_name(ctx: StackContext, app: str) -> str:
    """The ECR repository of an app image: ``<slug>/<app>``."""
    return f"{ctx.slug}/{app}"


def pushed_images(ctx: StackContext) -> dict[str, str]:
    """The repositories (by app image) whose release image the apps' CI pushes: every image a
    workload runs that this program neither builds nor takes from elsewhere (``ref``)."""
    config = ctx.config
    used = {workload.image for workload in config.apps.workloads.values()}
    images: dict[str, ImageConfig] = {str(k): v for k, v in config.registry.images.items()}
    return {
        app: repository_name(ctx, app)
        for app in sorted(used)
        if not (
            (image := images.get(app)) is not None
            and (image.build is not None or image.ref is not None)
        )
    }


def repositories(
    ctx: StackContext, key: EncryptionKey, digests: Mapping[str, str]
) -> dict[str, ImageRepository]:
    """One ECR repository per app image, and the image of the release each deploys (pinned to
    the digest the release check found, ``digests`` by app)."""
    config = ctx.config
    registry = config.registry
    found: dict[str, ImageRepository] = {}
    for app in registry.repositories:
        image = registry.images.get(app)
        found[app] = ImageRepository(
            f"{ctx.name}-{app}-images",
            ImageRepositoryArgs(
                repository_name=repository_name(ctx, app),
                kms_key_arn=key.arn,
                release=config.release,
                digest=digests.get(app),
                keep_releases=registry.keep_releases,
                untagged_expiry_days=registry.untagged_expiry_days,
                build=image.build if image else None,
                ref=image.ref if image else None,
                protect=ctx.protect,
            ),
            opts=ctx.opts(),
        )
    return found


def dns(ctx: StackContext) -> DnsZone:
    """The stack's public zone (created, or an existing one looked up)."""
    return DnsZone(
        f"{ctx.name}-dns",
        DnsZoneArgs.from_config(ctx.config.dns, DnsZoneWiring(protect=ctx.protect)),
        opts=ctx.opts(),
    )
