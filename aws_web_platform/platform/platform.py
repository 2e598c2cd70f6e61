"""Platform: the whole environment, composed from the components for one StackConfig."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_docker as docker
import pulumi_random as random

from aws_web_platform.backup.plan import BackupPlan, BackupPlanArgs, RestoreTarget
from aws_web_platform.cache.cache import RedisCache, RedisCacheArgs
from aws_web_platform.database.database import PostgresDatabase, PostgresDatabaseArgs
from aws_web_platform.database.tuning import INSTANCE_CLASSES
from aws_web_platform.dns.zone import DnsZone, DnsZoneArgs
from aws_web_platform.edge.edge import Edge, EdgeArgs
from aws_web_platform.eks.cluster import Cluster, ClusterArgs
from aws_web_platform.k8s.addons import APP_SECRET_STORE, PlatformAddons, PlatformAddonsArgs
from aws_web_platform.k8s.app_service import (
    AppService,
    AppServiceArgs,
    CacheConnection,
    DatabaseConnection,
)
from aws_web_platform.kms.encryption_key import EncryptionKey, EncryptionKeyArgs, KeyService
from aws_web_platform.network.layout import SubnetTier, plan_subnets
from aws_web_platform.network.network import Network, NetworkArgs
from aws_web_platform.observability.alert_topics import AlertTopics, AlertTopicsArgs
from aws_web_platform.observability.budget import CostBudget, CostBudgetArgs
from aws_web_platform.observability.observability import (
    DatabaseTargets,
    EdgeTargets,
    LoadBalancerTargets,
    Observability,
    ObservabilityArgs,
)
from aws_web_platform.observability.slack import SlackChannels, SlackChannelsArgs
from aws_web_platform.registry.repository import ImageRepository, ImageRepositoryArgs
from aws_web_platform.secrets.app_secrets import AppSecrets, AppSecretsArgs
from aws_web_platform.stack.config import StackConfig
from aws_web_platform.storage.bucket import Bucket, BucketArgs, LifecycleRule

#: Kubernetes taint effects by the EKS node group API's names.
TAINT_EFFECTS = {
    "NO_SCHEDULE": "NoSchedule",
    "NO_EXECUTE": "NoExecute",
    "PREFER_NO_SCHEDULE": "PreferNoSchedule",
}
#: The data domains and the services each domain's key serves (docs/data.md).
KEY_DOMAINS: dict[str, tuple[str, tuple[KeyService, ...]]] = {
    "data": ("RDS and ElastiCache storage, Performance Insights", ("rds", "elasticache")),
    "secrets": ("Secrets Manager secrets and EKS secrets", ("secretsmanager", "eks")),
    "storage": ("S3 buckets and ECR images", ("s3", "ecr", "cloudfront")),
    "logs": ("CloudWatch Logs groups", ("logs",)),
    "alerts": ("SNS alert topics", ("sns-publishers",)),
    "backup": ("AWS Backup vault", ("backup",)),
}
#: The tag (key) AWS Backup selects resources by; its value is the stack's slug.
BACKUP_TAG = "BackupPlan"


class Platform(pulumi.ComponentResource):
    """Every component of one environment, wired together from a :class:`StackConfig`.

    It owns the providers all children use: AWS in the stack's region with the common tags as
    default tags (so every taggable resource carries Project, Environment, ManagedBy, Owner and
    CostCenter without repeating them) and limited to the allowed accounts; the same in
    us-east-1 for what CloudFront needs there (its certificate, the WAF, their logs and their
    key); pulumi-random for generated passwords; docker for image builds.
    """

    aws_provider: aws.Provider
    us_east_1_provider: aws.Provider
    keys: dict[str, EncryptionKey]
    network: Network
    app_secrets: AppSecrets
    database: PostgresDatabase
    cache: RedisCache
    buckets: dict[str, Bucket]
    repositories: dict[str, ImageRepository]
    dns: DnsZone
    cluster: Cluster
    addons: PlatformAddons
    edge: Edge | None
    apps: dict[str, AppService]
    alerts: dict[str, AlertTopics]
    slack: SlackChannels | None
    observability: Observability
    budget: CostBudget | None
    backup: BackupPlan

    def __init__(
        self,
        name: str,
        config: StackConfig,
        app_secret_values: dict[str, pulumi.Output[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("platform:index:Platform", name, None, opts)
        self.config = config
        self.aws_provider, self.us_east_1_provider = (
            aws.Provider(
                provider_name,
                region=region,
                default_tags=aws.ProviderDefaultTagsArgs(tags=config.common_tags()),
                allowed_account_ids=list(config.allowed_account_ids) or None,
                opts=pulumi.ResourceOptions(parent=self),
            )
            for provider_name, region in (
                (f"{name}-aws", config.aws_region),
                (f"{name}-aws-us-east-1", "us-east-1"),
            )
        )
        providers = {
            "aws": self.aws_provider,
            "random": random.Provider(f"{name}-random", opts=pulumi.ResourceOptions(parent=self)),
            "docker": docker.Provider(f"{name}-docker", opts=pulumi.ResourceOptions(parent=self)),
        }
        child = pulumi.ResourceOptions(parent=self, providers=providers)
        protect = config.protect_data
        slug = config.slug

        self.keys = {
            domain: self._key(name, domain, f"{slug}: {description}", services, child)
            for domain, (description, services) in KEY_DOMAINS.items()
        }
        # Log groups can only use a key of their own region: the WAF's are in us-east-1.
        self.keys["edge-logs"] = self._key(
            name,
            "edge-logs",
            f"{slug}: CloudWatch Logs groups of the edge, in us-east-1 (WAF)",
            ("logs",),
            pulumi.ResourceOptions(
                parent=self, providers={**providers, "aws": self.us_east_1_provider}
            ),
        )
        logs_key = self.keys["logs"].arn

        self.network = Network(
            f"{name}-network",
            NetworkArgs(
                **config.network.model_dump(),
                name_tag=slug,
                flow_logs_kms_key_arn=logs_key,
            ),
            opts=child,
        )

        self.app_secrets = AppSecrets(
            f"{name}-app-secrets",
            AppSecretsArgs(
                values=app_secret_values or {},
                name_prefix=f"{slug}/app",
                kms_key_arn=self.keys["secrets"].arn,
                recovery_window_days=config.app_secrets.recovery_window_days,
                protect=protect,
            ),
            opts=child,
        )

        self.database = PostgresDatabase(
            f"{name}-database",
            PostgresDatabaseArgs(
                **config.database.model_dump(),
                vpc_id=self.network.vpc_id,
                subnet_ids=self.network.data_subnet_ids,
                availability_zones=self.network.availability_zones,
                identifier=f"{slug}-postgres",
                storage_kms_key_arn=self.keys["data"].arn,
                secrets_kms_key_arn=self.keys["secrets"].arn,
                logs_kms_key_arn=logs_key,
                aws_endpoints_security_group_id=self.network.endpoint_security_group_id,
                secret_name_prefix=slug,
                backup_tags={BACKUP_TAG: slug},
                protect=protect,
            ),
            opts=child,
        )

        self.cache = RedisCache(
            f"{name}-cache",
            RedisCacheArgs(
                **config.cache.model_dump(),
                vpc_id=self.network.vpc_id,
                subnet_ids=self.network.data_subnet_ids,
                availability_zones=self.network.availability_zones,
                replication_group_id=f"{slug[:33].rstrip('-')}-cache",
                storage_kms_key_arn=self.keys["data"].arn,
                secrets_kms_key_arn=self.keys["secrets"].arn,
                logs_kms_key_arn=logs_key,
                secret_name=f"{slug}/cache/auth",
                protect=protect,
            ),
            opts=child,
        )

        self.buckets = self._buckets(name, child)
        self.repositories = {
            app: ImageRepository(
                f"{name}-{app}-images",
                ImageRepositoryArgs(
                    repository_name=f"{slug}/{app}",
                    kms_key_arn=self.keys["storage"].arn,
                    release=config.release,
                    keep_releases=config.registry.keep_releases,
                    untagged_expiry_days=config.registry.untagged_expiry_days,
                    build=config.registry.images[app].build
                    if app in config.registry.images
                    else None,
                    ref=config.registry.images[app].ref if app in config.registry.images else None,
                    protect=protect,
                ),
                opts=child,
            )
            for app in config.registry.repositories
        }

        self.dns = DnsZone(
            f"{name}-dns", DnsZoneArgs(**config.dns.model_dump(), protect=protect), opts=child
        )
        # By default the private endpoint answers the whole VPC: a deploy runner in the
        # private subnets reaches the Kubernetes API.
        cluster_config = config.cluster.model_copy(
            update={
                "private_endpoint_access_cidrs": config.cluster.private_endpoint_access_cidrs
                or (str(config.network.cidr),)
            }
        )
        self.cluster = Cluster(
            f"{name}-cluster",
            ClusterArgs(
                **cluster_config.model_dump(),
                cluster_name=slug,
                vpc_id=self.network.vpc_id,
                subnet_ids=self.network.private_subnet_ids,
                secrets_kms_key_arn=self.keys["secrets"].arn,
                logs_kms_key_arn=logs_key,
                node_tags=config.common_tags(),
                protect=config.protect_data,
                container_log_retention_days={
                    group.removesuffix("_retention_days"): days
                    for group, days in config.observability.container_logs.model_dump().items()
                },
            ),
            opts=child,
        )
        # Pods use the nodes' (cluster) security group; which pods may reach the data tier is
        # narrowed further by the apps' NetworkPolicies.
        nodes = self.cluster.node_security_group_id
        self.database.allow_from(nodes, label="eks-nodes")
        self.cache.allow_from(nodes, label="eks-nodes")

        system = config.cluster.node_groups.get("system")
        self.addons = PlatformAddons(
            f"{name}-addons",
            PlatformAddonsArgs(
                **config.addons.model_dump(),
                cluster=self.cluster,
                vpc_id=self.network.vpc_id,
                domain=config.dns.domain,
                zone_id=self.dns.zone_id,
                zone_arn=self.dns.zone_arn,
                app_secret_names=[
                    *(s.secret_name for s in self.app_secrets.secrets.values()),
                    self.database.app_secret.secret_name,
                    self.cache.auth_secret.secret_name,
                ],
                secrets_kms_key_arn=self.keys["secrets"].arn,
                system_node_labels=dict(system.labels) if system else {},
                system_node_taints=[t.model_dump() for t in system.taints] if system else [],
                postgres_host=self.database.writer_endpoint,
                postgres_database=config.database.database_name,
                postgres_monitoring_secret=self.database.monitoring_secret.secret_name,
                redis_host=self.cache.primary_endpoint,
                redis_auth_secret=self.cache.auth_secret.secret_name,
                region=config.aws_region,
                reclaim_volumes=protect,
            ),
            opts=pulumi.ResourceOptions(
                parent=self, providers={**providers, "kubernetes": self.cluster.provider}
            ),
        )

        self.edge = None
        if config.dns.delegated:
            self.edge = Edge(
                f"{name}-edge",
                EdgeArgs(
                    **config.edge.model_dump(),
                    domain=config.dns.domain,
                    zone_id=self.dns.zone_id,
                    vpc_id=self.network.vpc_id,
                    public_subnet_ids=self.network.public_subnet_ids,
                    targets_security_group_id=nodes,
                    logs_bucket=self.buckets["logs"],
                    certificates_bucket=self.buckets["certificates"],
                    us_east_1_provider=self.us_east_1_provider,
                    waf_logs_kms_key_arn=self.keys["edge-logs"].arn,
                    name_prefix=slug,
                    protect=protect,
                ),
                opts=child,
            )
        else:
            pulumi.log.warn(
                f"platform:dns.delegated is false: the edge (CloudFront, WAF, ALB, certificates) "
                f"is not deployed. Delegate {config.dns.domain} to the dnsNameServers output, "
                "remove the key and run `pulumi up` again.",
                resource=self,
            )

        self.apps = self._apps(name, providers)
        self._operations(name, providers)

        self.register_outputs(self.stack_outputs())

    def _key(
        self,
        name: str,
        domain: str,
        description: str,
        services: tuple[KeyService, ...],
        opts: pulumi.ResourceOptions,
    ) -> EncryptionKey:
        """The stack's KMS key for one domain: alias/<slug>/<domain>, rotation and deletion
        window from platform:kms, protected with the data."""
        config = self.config
        return EncryptionKey(
            f"{name}-{domain}-key",
            EncryptionKeyArgs(
                description=description,
                services=services,
                alias=f"alias/{config.slug}/{domain}",
                rotation_period_days=config.kms.rotation_period_days,
                deletion_window_days=config.kms.deletion_window_days,
                protect=config.protect_data,
            ),
            opts=opts,
        )

    def _apps(self, name: str, providers: dict[str, Any]) -> dict[str, AppService]:
        """The workloads (platform:apps), the api first: its migration Job runs before the
        Deployments that use the database roll."""
        config = self.config
        apps = config.apps
        namespace = apps.namespace
        layout = plan_subnets(config.network.cidr, config.network.az_count)
        cidrs = {
            tier: [str(c) for (t, _), c in sorted(layout.items()) if t == tier]
            for tier in (SubnetTier.PUBLIC, SubnetTier.DATA)
        }
        by_role = {w.role: n for n, w in apps.workloads.items() if w.role in ("web", "api")}
        api_name, web_name = by_role["api"], by_role["web"]
        api_port = apps.workloads[api_name].port
        site_url = self.edge.site_url if self.edge is not None else f"https://{config.dns.domain}"
        common = {
            "NODE_ENV": apps.node_env,
            "LOG_LEVEL": apps.log_level,
            "REDIS_PREFIX": apps.redis_prefix,
            "VERSION": config.release,
            "AWS_REGION": config.aws_region,
            "PUBLIC_URL": site_url,
            "API_INTERNAL_URL": f"http://{api_name}.{namespace}.svc.cluster.local:{api_port}",
        }
        prerequisites: list[Any] = [
            self.addons.namespaces[namespace],
            self.addons.secret_stores[APP_SECRET_STORE],
            self.addons.releases["aws-load-balancer-controller"],
        ]
        opts = pulumi.ResourceOptions(
            parent=self, providers={**providers, "kubernetes": self.cluster.provider}
        )
        services: dict[str, AppService] = {}
        ordered = sorted(apps.workloads.items(), key=lambda item: (item[0] != api_name, item[0]))
        for app, workload in ordered:
            group = config.cluster.node_groups[apps.placement[workload.tier]]
            settings: dict[str, Any] = dict(common)
            if workload.database:
                settings |= {
                    "DATABASE_HOST": self.database.app_endpoint,
                    "DATABASE_READER_HOSTS": pulumi.Output.all(
                        *self.database.reader_endpoints
                    ).apply(",".join),
                    "DATABASE_PORT": str(self.database.port),
                    "DATABASE_NAME": config.database.database_name,
                }
            if workload.cache:
                settings |= {
                    "REDIS_HOST": self.cache.primary_endpoint,
                    "REDIS_PORT": str(self.cache.port),
                    "REDIS_TLS": "true",
                }
            for bucket in sorted(workload.buckets):
                settings[f"S3_{bucket.upper()}_BUCKET"] = self.buckets[bucket].name
            api = services.get(api_name)
            service = AppService(
                f"{name}-app-{app}",
                AppServiceArgs(
                    **workload.model_dump(),
                    app_name=app,
                    namespace=namespace,
                    image_ref=self.repositories[workload.image].image_ref,
                    cluster=self.cluster,
                    node_selector=dict(group.labels),
                    tolerations=[
                        {
                            "key": t.key,
                            "value": t.value or "",
                            "effect": TAINT_EFFECTS[t.effect],
                        }
                        for t in group.taints
                    ],
                    config=settings,
                    app_secrets={
                        s: self.app_secrets.secrets[s].secret_name for s in workload.secrets
                    },
                    database_connection=DatabaseConnection(
                        secret_name=self.database.app_secret.secret_name,
                        host=self.database.app_endpoint,
                        direct_host=self.database.writer_endpoint,
                        reader_hosts=self.database.reader_endpoints,
                        database=config.database.database_name,
                        pool_size=workload.database_pool_size,
                        replica_pool_size=workload.database_replica_pool_size,
                    )
                    if workload.database
                    else None,
                    cache_connection=CacheConnection(
                        secret_name=self.cache.auth_secret.secret_name,
                        host=self.cache.primary_endpoint,
                        port=self.cache.port,
                    )
                    if workload.cache
                    else None,
                    secret_store=APP_SECRET_STORE,
                    target_group_arn=self.edge.target_groups[workload.role].arn
                    if self.edge is not None and workload.role in ("web", "api")
                    else None,
                    load_balancer_cidrs=cidrs[SubnetTier.PUBLIC],
                    data_cidrs=cidrs[SubnetTier.DATA],
                    clients=[web_name] if app == api_name else [],
                    calls={api_name: api_port} if app == web_name else {},
                    migrations=apps.migrations if app == api_name else None,
                    prerequisites=prerequisites,
                    # New code may need the new schema: whatever uses the database rolls after
                    # the migrations.
                    wait_for=[api.migration_job]
                    if api is not None and api.migration_job is not None and workload.database
                    else [],
                    max_surge_percent=apps.max_surge_percent,
                    progress_deadline_seconds=apps.progress_deadline_seconds,
                    part_of=config.project,
                    version=config.release,
                ),
                opts=opts,
            )
            for bucket, access in sorted(workload.buckets.items()):
                grant_access = {
                    "read": self.buckets[bucket].grant_read,
                    "write": self.buckets[bucket].grant_write,
                    "read_write": self.buckets[bucket].grant_read_write,
                }[access]
                grant_access(service.role)
            services[app] = service
        return services

    def _operations(self, name: str, providers: dict[str, Any]) -> None:
        """Alert topics (stack region, and us-east-1 for the edge), Slack, alarms and
        dashboards, the cost budget, AWS Backup with its off-site copy and restore testing."""
        config = self.config
        slug = config.slug
        ops = config.observability
        child = pulumi.ResourceOptions(parent=self, providers=providers)
        east = pulumi.ResourceOptions(
            parent=self, providers={**providers, "aws": self.us_east_1_provider}
        )
        emails = dict(ops.notifications.emails)
        self.alerts = {
            "stack": AlertTopics(
                f"{name}-alerts",
                AlertTopicsArgs(
                    name_prefix=f"{slug}-alerts",
                    kms_key_arn=self.keys["alerts"].arn,
                    emails=emails,
                ),
                opts=child,
            )
        }
        if self.edge is not None:
            self.keys["edge-alerts"] = self._key(
                name,
                "edge-alerts",
                f"{slug}: SNS alert topics of the edge, in us-east-1",
                ("sns-publishers",),
                east,
            )
            self.alerts["edge"] = AlertTopics(
                f"{name}-edge-alerts",
                AlertTopicsArgs(
                    name_prefix=f"{slug}-edge-alerts",
                    kms_key_arn=self.keys["edge-alerts"].arn,
                    emails=emails,
                ),
                opts=east,
            )
        self.slack = None
        if ops.notifications.slack is not None:
            self.slack = SlackChannels(
                f"{name}-slack",
                SlackChannelsArgs(
                    **ops.notifications.slack.model_dump(),
                    name_prefix=slug,
                    topic_arns={
                        severity: [t.arns[severity] for t in self.alerts.values()]
                        for severity in ("warning", "critical")
                    },
                ),
                opts=child,
            )

        database = config.database
        users = [w for w in config.apps.workloads.values() if w.database]
        edge = self.edge
        self.observability = Observability(
            f"{name}-observability",
            ObservabilityArgs(
                alarms=ops.alarms,
                name_prefix=slug,
                region=config.aws_region,
                topics=self.alerts["stack"].arns,
                cluster_name=self.cluster.eks_name,
                namespace=config.apps.namespace,
                workloads=sorted(self.apps),
                load_balancer=LoadBalancerTargets(
                    load_balancer=edge.alb_arn_suffix,
                    target_groups={r: tg.arn_suffix for r, tg in edge.target_groups.items()},
                )
                if edge is not None
                else None,
                database=DatabaseTargets(
                    primary_id=self.database.identifier,
                    replica_ids=self.database.replica_identifiers,
                    proxy_name=self.database.proxy.name if self.database.proxy else None,
                    max_connections=self.database.settings.max_connections,
                    allocated_storage_gb=database.allocated_storage_gb,
                    memory_gib=INSTANCE_CLASSES[database.instance_class].memory_gib,
                    proxy_client_budget=sum(w.max_replicas * w.database_pool_size for w in users),
                ),
                cache_node_ids=self.cache.node_ids,
                edge=EdgeTargets(
                    distribution_id=edge.distribution_id,
                    web_acl_name=edge.web_acl_name,
                    topics=self.alerts["edge"].arns,
                    provider=self.us_east_1_provider,
                )
                if edge is not None
                else None,
                grafana_depends_on=[self.addons.releases["kube-prometheus-stack"]],
            ),
            opts=pulumi.ResourceOptions(
                parent=self, providers={**providers, "kubernetes": self.cluster.provider}
            ),
        )

        self.budget = None
        if ops.budget.enabled:
            self.budget = CostBudget(
                f"{name}-budget",
                CostBudgetArgs(
                    **ops.budget.model_dump(),
                    budget_name=f"{slug}-monthly",
                    topic_arn=self.alerts["stack"].arns["warning"],
                    tags={"Project": config.project, "Environment": config.environment},
                ),
                opts=child,
            )

        backup = config.backup
        copy_provider = None
        if backup.copy_region:
            copy_provider = aws.Provider(
                f"{name}-aws-backup-copy",
                region=backup.copy_region,
                default_tags=aws.ProviderDefaultTagsArgs(tags=config.common_tags()),
                allowed_account_ids=list(config.allowed_account_ids) or None,
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.keys["backup-copy"] = self._key(
                name,
                "backup-copy",
                f"{slug}: AWS Backup copy vault, in {backup.copy_region}",
                ("backup",),
                pulumi.ResourceOptions(parent=self, providers={**providers, "aws": copy_provider}),
            )
        self.backup = BackupPlan(
            f"{name}-backup",
            BackupPlanArgs(
                **backup.model_dump(),
                name_prefix=slug,
                kms_key_arn=self.keys["backup"].arn,
                copy_kms_key_arn=self.keys["backup-copy"].arn if copy_provider else None,
                copy_provider=copy_provider,
                selection_tag=(BACKUP_TAG, slug),
                source_kms_key_arns=[self.keys["data"].arn, self.keys["storage"].arn],
                notification_topic_arn=self.alerts["stack"].arns["warning"],
                restore_target=RestoreTarget(
                    subnet_group_name=self.database.subnet_group_name,
                    security_group_ids=[self.database.security_group_id],
                    parameter_group_name=self.database.parameter_group_name,
                ),
                protect=config.protect_data,
            ),
            opts=child,
        )

    def _buckets(self, name: str, child: pulumi.ResourceOptions) -> dict[str, Bucket]:
        """The spec's buckets (seed 004): uploads, certificates, backups; and the logs bucket."""
        storage = self.config.storage
        protect = self.config.protect_data
        key = self.keys["storage"].arn
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
            opts=child,
        )
        common = {
            "kms_key_arn": key,
            "noncurrent_version_expiration_days": storage.noncurrent_version_expiration_days,
            "abort_incomplete_upload_days": storage.abort_incomplete_upload_days,
            "access_logs_bucket": logs.name,
            "protect": protect,
        }
        # The buckets that hold data nobody can rebuild are backed up (AWS Backup, by tag).
        backed_up = {BACKUP_TAG: self.config.slug}
        uploads = Bucket(
            f"{name}-uploads",
            BucketArgs(**common, cors_origins=storage.uploads_cors_origins, tags=backed_up),
            opts=child,
        )
        # Served under /certificates/* by CloudFront (OAC); the Edge writes its policy.
        certificates = Bucket(
            f"{name}-certificates",
            BucketArgs(**common, read_by_cloudfront=self.config.dns.delegated, tags=backed_up),
            opts=child,
        )
        backups = Bucket(
            f"{name}-backups",
            BucketArgs(
                **common,
                lifecycle_rules=(
                    LifecycleRule(
                        prefix="daily/",
                        expire_after_days=storage.backups_retention_days,
                        infrequent_access_after_days=storage.backups_infrequent_access_after_days,
                    ),
                ),
            ),
            opts=child,
        )
        return {"logs": logs, "uploads": uploads, "certificates": certificates, "backups": backups}

    def stack_outputs(self) -> dict[str, Any]:
        """What the stack exports (camelCase, as Pulumi outputs are named). No secret values:
        secrets are exported by ARN only."""
        database, cache = self.database, self.cache
        return {
            "region": self.config.aws_region,
            "environment": self.config.environment,
            "vpcId": self.network.vpc_id,
            "vpcCidr": self.network.vpc_cidr,
            "availabilityZones": self.network.availability_zones,
            "publicSubnetIds": self.network.public_subnet_ids,
            "privateSubnetIds": self.network.private_subnet_ids,
            "dataSubnetIds": self.network.data_subnet_ids,
            "natPublicIps": self.network.nat_public_ips,
            "kmsKeyArns": {domain: key.arn for domain, key in self.keys.items()},
            # The primary's RDS identifier: the deploy job snapshots it before each release.
            "databaseIdentifier": database.identifier,
            "databaseWriterEndpoint": database.writer_endpoint,
            "databaseReaderEndpoints": database.reader_endpoints,
            "databaseProxyEndpoint": database.proxy_endpoint,
            "databasePort": database.port,
            "databaseSubnetGroupName": database.subnet_group_name,
            "databaseSecurityGroupId": database.security_group_id,
            "databaseParameterGroupName": database.parameter_group_name,
            "databaseMasterSecretArn": database.master_secret.arn,
            "databaseAppSecretArn": database.app_secret.arn,
            "cachePrimaryEndpoint": cache.primary_endpoint,
            "cacheReaderEndpoint": cache.reader_endpoint,
            "cachePort": cache.port,
            "cacheAuthSecretArn": cache.auth_secret.arn,
            "appSecretArns": self.app_secrets.arns,
            "bucketNames": {role: bucket.name for role, bucket in self.buckets.items()},
            "repositoryUrls": {app: r.repository_url for app, r in self.repositories.items()},
            "images": {app: r.image_ref for app, r in self.repositories.items()},
            "dnsZoneId": self.dns.zone_id,
            "dnsNameServers": self.dns.name_servers,
            "clusterName": self.cluster.cluster_name,
            "clusterEndpoint": self.cluster.endpoint,
            "clusterOidcIssuer": self.cluster.oidc_issuer,
            "nodeSecurityGroupId": self.cluster.node_security_group_id,
            "kubeconfig": self.cluster.kubeconfig,
            **self._edge_outputs(),
            "appRoleArns": {app: service.role.arn for app, service in self.apps.items()},
            "alertTopicArns": {region: topics.arns for region, topics in self.alerts.items()},
            "dashboardName": self.observability.dashboard.dashboard_name,
            "backupVaultArn": self.backup.vault.arn,
            "backupRoleArn": self.backup.role.arn,
            "backupCopyVaultArn": self.backup.copy_vault.arn if self.backup.copy_vault else None,
        }

    def _edge_outputs(self) -> dict[str, Any]:
        edge = self.edge
        if edge is None:
            return {}
        return {
            "siteUrl": edge.site_url,
            "cdnDistributionId": edge.distribution_id,
            "cdnDomainName": edge.distribution_domain_name,
            "webAclArn": edge.web_acl_arn,
            "albDnsName": edge.alb_dns_name,
            "targetGroupArns": {app: tg.arn for app, tg in edge.target_groups.items()},
        }
