"""The app workloads: one AppService per workload of the stack's workload plan.

Every decision (node group, peers, ports, what the environment holds, the migration Job) is the
plan's (:func:`aws_web_platform.stack.workloads.plan_workloads`), the same one the stack's
validation checked; this module only connects each workload to the resources it uses.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from aws_web_platform.cache.cache import RedisCache
from aws_web_platform.database.database import PostgresDatabase
from aws_web_platform.edge.edge import Edge
from aws_web_platform.eks.cluster import Cluster
from aws_web_platform.k8s.addons import APP_SECRET_STORE, PlatformAddons
from aws_web_platform.k8s.app_service import (
    AppService,
    AppServiceArgs,
    AppServiceWiring,
    CacheConnection,
    DatabaseConnection,
)
from aws_web_platform.k8s.database_roles import DatabaseRoles
from aws_web_platform.k8s.environment import (
    CacheEndpoint,
    DatabaseEndpoints,
    StackEnvironment,
    platform_config,
)
from aws_web_platform.network.layout import SubnetTier
from aws_web_platform.network.network import Network
from aws_web_platform.platform.context import StackContext
from aws_web_platform.registry.repository import ImageRepository
from aws_web_platform.secrets.app_secrets import AppSecrets
from aws_web_platform.stack.workloads import WorkloadPlan, WorkloadsPlan
from aws_web_platform.storage.bucket import Bucket


def apps(
    ctx: StackContext,
    plan: WorkloadsPlan,
    release: str,
    *,
    net: Network,
    eks: Cluster,
    addons: PlatformAddons,
    edge: Edge | None,
    secrets: AppSecrets,
    database: PostgresDatabase,
    database_roles: DatabaseRoles,
    cache: RedisCache,
    buckets: Mapping[str, Bucket],
    repositories: Mapping[str, ImageRepository],
) -> dict[str, AppService]:
    """The workloads in the plan's order, the api first: the role bootstrap runs before its
    migration Job, which runs before the Deployments that use the database roll."""
    config = ctx.config
    settings = config.apps
    namespace = settings.namespace
    api = plan.api
    stack = StackEnvironment(
        node_env=settings.node_env,
        log_level=settings.log_level,
        redis_prefix=settings.redis_prefix,
        version=release,
        aws_region=config.aws_region,
        public_url=edge.site_url if edge is not None else f"https://{config.dns.domain}",
        api_internal_url=f"http://{api.name}.{namespace}.svc.cluster.local:{api.config.port}",
    )
    prerequisites = [
        addons.namespaces[namespace],
        addons.secret_stores[APP_SECRET_STORE],
        addons.releases["aws-load-balancer-controller"],
    ]
    services: dict[str, AppService] = {}
    for planned in plan.workloads:
        workload = planned.config
        migration = services[api.name].migration_job if api.name in services else None
        service = AppService(
            f"{ctx.name}-app-{planned.name}",
            AppServiceArgs.from_config(
                workload,
                AppServiceWiring(
                    app_name=planned.name,
                    namespace=namespace,
                    image_ref=_image(repositories[workload.image], planned.name),
                    cluster=eks,
                    scheduling=planned.scheduling,
                    config=platform_config(
                        stack,
                        database=DatabaseEndpoints(
                            host=database.app_endpoint,
                            reader_hosts=database.reader_endpoints,
                            port=database.port,
                            name=config.database.database_name,
                        )
                        if workload.database
                        else None,
                        cache=CacheEndpoint(host=cache.primary_endpoint, port=cache.port)
                        if workload.cache
                        else None,
                        buckets={bucket: buckets[bucket].name for bucket in workload.buckets},
                    ),
                    app_secrets={s: secrets.secrets[s].secret_name for s in workload.secrets},
                    database_connection=_database_connection(ctx, planned, database),
                    migration_connection=_migration_connection(ctx, planned, database)
                    if planned.migrates
                    else None,
                    cache_connection=CacheConnection(
                        secret_name=cache.auth_secret.secret_name,
                        host=cache.primary_endpoint,
                        port=cache.port,
                    )
                    if workload.cache
                    else None,
                    secret_store=APP_SECRET_STORE,
                    target_group_arn=edge.target_groups[planned.target_group].arn
                    if edge is not None and planned.target_group is not None
                    else None,
                    load_balancer_cidrs=net.tier_cidrs[SubnetTier.PUBLIC],
                    data_cidrs=net.tier_cidrs[SubnetTier.DATA],
                    clients=list(planned.clients),
                    calls=dict(planned.calls),
                    migrations=settings.migrations if planned.migrates else None,
                    # The roles must exist before anything logs in as one.
                    prerequisites=[*prerequisites, database_roles.job]
                    if workload.database or planned.migrates
                    else prerequisites,
                    # New code may need the new schema: whatever uses the database rolls after
                    # the migrations.
                    wait_for=[migration] if migration is not None and workload.database else [],
                    max_surge_percent=settings.max_surge_percent,
                    progress_deadline_seconds=settings.progress_deadline_seconds,
                    part_of=config.project,
                    version=release,
                ),
            ),
            opts=ctx.opts(kubernetes=eks.provider),
        )
        for bucket, access in sorted(workload.buckets.items()):
            grant = {
                "read": buckets[bucket].grant_read,
                "write": buckets[bucket].grant_write,
                "read_write": buckets[bucket].grant_read_write,
            }[access]
            grant(service.role)
        services[planned.name] = service
    return services


def _database_connection(
    ctx: StackContext, planned: WorkloadPlan, database: PostgresDatabase
) -> DatabaseConnection | None:
    """How a database workload reaches PostgreSQL: its class's runtime role, the proxy (or
    writer), the writer for Prisma's directUrl, the replicas, and its pool sizes."""
    workload = planned.config
    if not workload.database:
        return None
    return DatabaseConnection(
        secret_name=database.runtime_secrets[workload.role].secret_name,
        host=database.app_endpoint,
        direct_host=database.writer_endpoint,
        reader_hosts=database.reader_endpoints,
        database=ctx.config.database.database_name,
        pool_size=workload.database_pool_size,
        replica_pool_size=workload.database_replica_pool_size,
    )


def _migration_connection(
    ctx: StackContext, planned: WorkloadPlan, database: PostgresDatabase
) -> DatabaseConnection:
    """How the migration Job reaches PostgreSQL: the migration role, on the writer itself."""
    return DatabaseConnection(
        secret_name=database.migration_secret.secret_name,
        host=database.writer_endpoint,
        direct_host=database.writer_endpoint,
        database=ctx.config.database.database_name,
        pool_size=1,
    )


def _image(repository: ImageRepository, workload: str) -> pulumi.Output[str]:
    if repository.image_ref is None:
        raise ValueError(f"workload {workload}: its repository has no image (no release)")
    return repository.image_ref
