"""The platform's operations layer: alert topics (the stack's region, and us-east-1 for the
edge), Slack, alarms and dashboards, the cost budget, and AWS Backup with its off-site copy and
restore testing."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from aws_web_platform.backup.plan import BackupPlan, BackupPlanArgs, BackupPlanWiring, RestoreTarget
from aws_web_platform.cache.cache import RedisCache
from aws_web_platform.database.database import PostgresDatabase
from aws_web_platform.edge.edge import Edge
from aws_web_platform.eks.cluster import Cluster
from aws_web_platform.eks.config import Scheduling
from aws_web_platform.k8s.addons import STORAGE_CLASS, PlatformAddons
from aws_web_platform.k8s.database_dump import NAMESPACE as DUMP_NAMESPACE
from aws_web_platform.k8s.database_dump import STORE as DUMP_STORE
from aws_web_platform.k8s.database_dump import (
    DatabaseDump,
    DatabaseDumpArgs,
    DatabaseDumpWiring,
)
from aws_web_platform.k8s.database_roles import DatabaseRoles
from aws_web_platform.k8s.jobs import postgres_client_image
from aws_web_platform.kms.encryption_key import EncryptionKey
from aws_web_platform.network.layout import SubnetTier
from aws_web_platform.network.network import Network
from aws_web_platform.observability.alert_topics import AlertTopics, AlertTopicsArgs
from aws_web_platform.observability.budget import CostBudget, CostBudgetArgs, CostBudgetWiring
from aws_web_platform.observability.observability import (
    DatabaseTargets,
    EdgeTargets,
    LoadBalancerTargets,
    Observability,
    ObservabilityArgs,
)
from aws_web_platform.observability.slack import (
    SlackChannels,
    SlackChannelsArgs,
    SlackChannelsWiring,
)
from aws_web_platform.platform.context import StackContext
from aws_web_platform.platform.data import BACKUP_TAG
from aws_web_platform.stack.workloads import WorkloadsPlan
from aws_web_platform.storage.bucket import Bucket


@dataclass(frozen=True)
class Alerting:
    """Who is told: the topics per region (``stack``, and ``edge`` in us-east-1) and Slack."""

    topics: dict[str, AlertTopics]
    slack: SlackChannels | None


def alerting(ctx: StackContext, keys: dict[str, EncryptionKey], *, edge: bool) -> Alerting:
    """A topic per severity in the stack's region, and in us-east-1 when there is an edge (its
    alarms can only notify topics of their own region), e-mail subscriptions, Slack."""
    slug = ctx.slug
    notifications = ctx.config.observability.notifications
    emails = dict(notifications.emails)
    topics = {
        "stack": AlertTopics(
            f"{ctx.name}-alerts",
            AlertTopicsArgs(
                name_prefix=f"{slug}-alerts",
                kms_key_arn=keys["alerts"].arn,
                emails=emails,
                # Alertmanager's Watchdog beats there; Observability watches it.
                heartbeat=True,
            ),
            opts=ctx.opts(),
        )
    }
    if edge:
        east = ctx.opts(aws=ctx.us_east_1)
        keys["edge-alerts"] = ctx.key(
            "edge-alerts",
            f"{slug}: SNS alert topics of the edge, in us-east-1",
            ("sns-publishers",),
            east,
        )
        topics["edge"] = AlertTopics(
            f"{ctx.name}-edge-alerts",
            AlertTopicsArgs(
                name_prefix=f"{slug}-edge-alerts",
                kms_key_arn=keys["edge-alerts"].arn,
                emails=emails,
            ),
            opts=east,
        )
    slack = None
    if notifications.slack is not None:
        slack = SlackChannels(
            f"{ctx.name}-slack",
            SlackChannelsArgs.from_config(
                notifications.slack,
                SlackChannelsWiring(
                    name_prefix=slug,
                    topic_arns={
                        severity: [t.arns[severity] for t in topics.values()]
                        for severity in ("warning", "critical")
                    },
                ),
            ),
            opts=ctx.opts(),
        )
    return Alerting(topics=topics, slack=slack)


def observability(
    ctx: StackContext,
    plan: WorkloadsPlan | None,
    topics: dict[str, AlertTopics],
    *,
    eks: Cluster,
    addons: PlatformAddons,
    edge: Edge | None,
    database: PostgresDatabase,
    cache: RedisCache,
) -> Observability:
    """The alarms and dashboards of every layer, notifying the stack's (and the edge's) topics.
    Without a workload plan (no release: nothing runs) no workload or target alarm: they would
    page for apps that are not there."""
    config = ctx.config
    workloads = sorted(w.name for w in plan.workloads) if plan is not None else []
    return Observability(
        f"{ctx.name}-observability",
        ObservabilityArgs(
            alarms=config.observability.alarms,
            name_prefix=ctx.slug,
            region=config.aws_region,
            topics=topics["stack"].arns,
            cluster_name=eks.eks_name,
            namespace=config.apps.namespace,
            workloads=workloads,
            load_balancer=LoadBalancerTargets(
                load_balancer=edge.alb_arn_suffix,
                target_groups={r: tg.arn_suffix for r, tg in edge.target_groups.items()}
                if plan is not None
                else {},
            )
            if edge is not None
            else None,
            database=DatabaseTargets(
                primary_id=database.identifier,
                replica_ids=database.replica_identifiers,
                proxy_name=database.proxy.name if database.proxy else None,
                max_connections=database.settings.max_connections,
                allocated_storage_gb=config.database.allocated_storage_gb,
                memory_gib=database.memory_gib,
                proxy_client_budget=plan.proxy_client_budget if plan is not None else 0,
            ),
            cache_node_ids=cache.node_ids,
            edge=EdgeTargets(
                distribution_id=edge.distribution_id,
                web_acl_name=edge.web_acl_name,
                topics=topics["edge"].arns,
                provider=ctx.us_east_1,
            )
            if edge is not None
            else None,
            heartbeat_topic_name=topics["stack"].heartbeat.name
            if topics["stack"].heartbeat is not None
            else None,
            grafana_depends_on=[addons.releases["kube-prometheus-stack"]],
        ),
        opts=ctx.opts(kubernetes=eks.provider),
    )


def budget(ctx: StackContext, topics: dict[str, AlertTopics]) -> CostBudget | None:
    """The monthly cost budget of the stack's tagged resources, alerting the warning topic."""
    config = ctx.config
    settings = config.observability.budget
    if not settings.enabled:
        return None
    return CostBudget(
        f"{ctx.name}-budget",
        CostBudgetArgs.from_config(
            settings,
            CostBudgetWiring(
                budget_name=f"{ctx.slug}-monthly",
                topic_arn=topics["stack"].arns["warning"],
                tags={"Project": config.project, "Environment": config.environment},
            ),
        ),
        opts=ctx.opts(),
    )


def backup(
    ctx: StackContext,
    keys: dict[str, EncryptionKey],
    topics: dict[str, AlertTopics],
    database: PostgresDatabase,
) -> BackupPlan:
    """AWS Backup of what is tagged for it, with the off-site copy in its own region and key."""
    config = ctx.config
    settings = config.backup
    slug = ctx.slug
    copy_provider = None
    if settings.copy_region:
        copy_provider = aws.Provider(
            f"{ctx.name}-aws-backup-copy",
            region=settings.copy_region,
            default_tags=aws.ProviderDefaultTagsArgs(tags=config.common_tags()),
            allowed_account_ids=list(config.allowed_account_ids) or None,
            opts=pulumi.ResourceOptions(parent=ctx.parent),
        )
        keys["backup-copy"] = ctx.key(
            "backup-copy",
            f"{slug}: AWS Backup copy vault, in {settings.copy_region}",
            ("backup",),
            ctx.opts(aws=copy_provider),
        )
    return BackupPlan(
        f"{ctx.name}-backup",
        BackupPlanArgs.from_config(
            settings,
            BackupPlanWiring(
                name_prefix=slug,
                kms_key_arn=keys["backup"].arn,
                copy_kms_key_arn=keys["backup-copy"].arn if copy_provider else None,
                copy_provider=copy_provider,
                selection_tag=(BACKUP_TAG, slug),
                source_kms_key_arns=[keys["data"].arn, keys["storage"].arn],
                notification_topic_arn=topics["stack"].arns["warning"],
                restore_target=RestoreTarget(
                    subnet_group_name=database.subnet_group_name,
                    security_group_ids=[database.security_group_id],
                    parameter_group_name=database.parameter_group_name,
                ),
                protect=ctx.protect,
            ),
        ),
        opts=ctx.opts(),
    )


def database_dump(
    ctx: StackContext,
    *,
    eks: Cluster,
    addons: PlatformAddons,
    database: PostgresDatabase,
    roles: DatabaseRoles,
    backups: Bucket,
    net: Network,
) -> DatabaseDump:
    """The daily logical dump into the backups bucket, as the backup role, paging on failure."""
    config = ctx.config
    return DatabaseDump(
        f"{ctx.name}-database-dump",
        DatabaseDumpArgs.from_config(
            config.backup.database_dump,
            DatabaseDumpWiring(
                cluster=eks,
                bucket=backups,
                host=database.writer_endpoint,
                database=config.database.database_name,
                username=database.role_plan.backup,
                secret_name=database.backup_secret.secret_name,
                secret_store=DUMP_STORE,
                image=postgres_client_image(config.database.engine_version),
                region=config.aws_region,
                data_cidrs=net.tier_cidrs[SubnetTier.DATA],
                storage_class=STORAGE_CLASS,
                default_scratch_gb=config.database.allocated_storage_gb,
                scheduling=eks.scheduling.get("system", Scheduling()),
                prerequisites=[
                    addons.store_namespaces[DUMP_NAMESPACE],
                    addons.secret_stores[DUMP_STORE],
                    addons.releases["kube-prometheus-stack"],
                    roles.job,
                ],
            ),
        ),
        opts=ctx.opts(kubernetes=eks.provider),
    )
