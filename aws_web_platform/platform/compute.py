"""The platform's compute layer: the EKS cluster and the add-ons every workload relies on."""

from __future__ import annotations

import pulumi

from aws_web_platform.cache.cache import RedisCache
from aws_web_platform.database.database import PostgresDatabase
from aws_web_platform.dns.zone import DnsZone
from aws_web_platform.eks.cluster import Cluster, ClusterArgs, ClusterWiring
from aws_web_platform.eks.config import Scheduling
from aws_web_platform.k8s.addons import (
    NamespaceStore,
    PlatformAddons,
    PlatformAddonsArgs,
    PlatformAddonsWiring,
)
from aws_web_platform.k8s.alerting import AlertRouting
from aws_web_platform.k8s.database_dump import NAMESPACE as DATABASE_DUMP_NAMESPACE
from aws_web_platform.k8s.database_dump import STORE as DATABASE_BACKUP_STORE
from aws_web_platform.k8s.database_roles import NAMESPACE as DATABASE_ROLES_NAMESPACE
from aws_web_platform.k8s.database_roles import STORE as DATABASE_ADMIN_STORE
from aws_web_platform.k8s.database_roles import DatabaseRoles, DatabaseRolesArgs
from aws_web_platform.k8s.jobs import postgres_client_image
from aws_web_platform.kms.encryption_key import EncryptionKey
from aws_web_platform.network.layout import SubnetTier
from aws_web_platform.network.network import Network
from aws_web_platform.observability.alert_topics import AlertTopics
from aws_web_platform.platform.context import StackContext
from aws_web_platform.secrets.app_secrets import AppSecrets


def _heartbeat_arn(alerts: AlertTopics) -> pulumi.Output[str]:
    if alerts.heartbeat is None:
        raise ValueError("the stack's alert topics are made with a heartbeat topic")
    return alerts.heartbeat.arn


def cluster(ctx: StackContext, net: Network, keys: dict[str, EncryptionKey]) -> Cluster:
    """EKS in the private subnets. By default its private endpoint answers the whole VPC, so a
    deploy runner in the private subnets reaches the Kubernetes API."""
    config = ctx.config
    settings = config.cluster.model_copy(
        update={
            "private_endpoint_access_cidrs": config.cluster.private_endpoint_access_cidrs
            or (str(config.network.cidr),)
        }
    )
    return Cluster(
        f"{ctx.name}-cluster",
        ClusterArgs.from_config(
            settings,
            ClusterWiring(
                cluster_name=ctx.slug,
                vpc_id=net.vpc_id,
                subnet_ids=net.private_subnet_ids,
                secrets_kms_key_arn=keys["secrets"].arn,
                logs_kms_key_arn=keys["logs"].arn,
                node_tags=config.common_tags(),
                protect=ctx.protect,
                container_log_retention_days=(
                    config.observability.container_logs.retention_by_group()
                ),
            ),
        ),
        opts=ctx.opts(),
    )


def addons(
    ctx: StackContext,
    eks: Cluster,
    *,
    net: Network,
    dns: DnsZone,
    secrets: AppSecrets,
    database: PostgresDatabase,
    cache: RedisCache,
    key: EncryptionKey,
    alerts: AlertTopics,
) -> PlatformAddons:
    """The add-ons on the system node group: load balancer controller, autoscaler, DNS, External
    Secrets (the apps may read their own secrets, never the database master), monitoring."""
    config = ctx.config
    return PlatformAddons(
        f"{ctx.name}-addons",
        PlatformAddonsArgs.from_config(
            config.addons,
            PlatformAddonsWiring(
                cluster=eks,
                vpc_id=net.vpc_id,
                domain=config.dns.domain,
                zone_id=dns.zone_id,
                zone_arn=dns.zone_arn,
                app_secret_names=[
                    *(s.secret_name for s in secrets.secrets.values()),
                    *(s.secret_name for s in database.runtime_secrets.values()),
                    database.migration_secret.secret_name,
                    cache.auth_secret.secret_name,
                ],
                namespace_stores={
                    DATABASE_ADMIN_STORE: NamespaceStore(
                        namespace=DATABASE_ROLES_NAMESPACE,
                        secret_names=[
                            database.master_secret.secret_name,
                            *(s.secret_name for s in database.role_secrets.values()),
                        ],
                    ),
                    DATABASE_BACKUP_STORE: NamespaceStore(
                        namespace=DATABASE_DUMP_NAMESPACE,
                        secret_names=[database.backup_secret.secret_name],
                    ),
                },
                secrets_kms_key_arn=key.arn,
                system_scheduling=eks.scheduling.get("system", Scheduling()),
                postgres_host=database.writer_endpoint,
                postgres_database=config.database.database_name,
                postgres_monitoring_secret=database.monitoring_secret.secret_name,
                redis_host=cache.primary_endpoint,
                redis_auth_secret=cache.auth_secret.secret_name,
                region=config.aws_region,
                reclaim_volumes=ctx.protect,
                alert_routing=AlertRouting(
                    warning_topic_arn=alerts.arns["warning"],
                    critical_topic_arn=alerts.arns["critical"],
                    heartbeat_topic_arn=_heartbeat_arn(alerts),
                    region=config.aws_region,
                ),
            ),
        ),
        opts=ctx.opts(kubernetes=eks.provider),
    )


def database_roles(
    ctx: StackContext,
    eks: Cluster,
    addons: PlatformAddons,
    database: PostgresDatabase,
    net: Network,
) -> DatabaseRoles:
    """The role bootstrap: the database's roles, created with the master's credentials in a
    namespace of their own, before the migrations and the apps connect."""
    config = ctx.config
    return DatabaseRoles(
        f"{ctx.name}-database-roles",
        DatabaseRolesArgs(
            plan=database.role_plan,
            host=database.writer_endpoint,
            master_secret_name=database.master_secret.secret_name,
            login_secret_names={r: s.secret_name for r, s in database.role_secrets.items()},
            secret_store=DATABASE_ADMIN_STORE,
            image=postgres_client_image(config.database.engine_version),
            password_version=database.password_version,
            data_cidrs=net.tier_cidrs[SubnetTier.DATA],
            scheduling=eks.scheduling.get("system", Scheduling()),
            prerequisites=[
                addons.store_namespaces[DATABASE_ROLES_NAMESPACE],
                addons.secret_stores[DATABASE_ADMIN_STORE],
                database.primary,
            ],
        ),
        opts=ctx.opts(kubernetes=eks.provider),
    )
