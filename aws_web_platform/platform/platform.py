"""Platform: the whole environment of one stack, composed from the components.

Data flows one way: StackConfig -> the workload plan -> the layers below -> the stack's
outputs. Platform owns the providers; the wiring of each layer is a module of functions beside
this one (``data``, ``compute``, ``edge``, ``apps``, ``operations``), each taking the
:class:`~aws_web_platform.platform.context.StackContext` and the components it connects.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_docker as docker
import pulumi_random as random

from aws_web_platform.backup.plan import BackupPlan
from aws_web_platform.cache.cache import RedisCache
from aws_web_platform.core.aws_context import aws_context
from aws_web_platform.database.database import PostgresDatabase
from aws_web_platform.dns.zone import DnsZone
from aws_web_platform.edge.edge import Edge
from aws_web_platform.eks.cluster import Cluster
from aws_web_platform.k8s.addons import PlatformAddons
from aws_web_platform.k8s.app_service import AppService
from aws_web_platform.k8s.database_dump import DatabaseDump
from aws_web_platform.k8s.database_roles import DatabaseRoles
from aws_web_platform.kms.encryption_key import EncryptionKey, KeyService
from aws_web_platform.network.network import Network
from aws_web_platform.observability.alert_topics import AlertTopics
from aws_web_platform.observability.budget import CostBudget
from aws_web_platform.observability.observability import Observability
from aws_web_platform.observability.slack import SlackChannels
from aws_web_platform.platform import apps, compute, data, operations
from aws_web_platform.platform import edge as edge_layer
from aws_web_platform.platform.context import StackContext
from aws_web_platform.registry.release import NO_RELEASE, ReleaseImage, release_images
from aws_web_platform.registry.repository import ImageRepository
from aws_web_platform.secrets.app_secrets import AppSecrets
from aws_web_platform.stack.config import StackConfig
from aws_web_platform.stack.workloads import plan_workloads
from aws_web_platform.storage.bucket import Bucket

#: The data domains and the services each domain's key serves (docs/data.md).
KEY_DOMAINS: dict[str, tuple[str, tuple[KeyService, ...]]] = {
    "data": ("RDS and ElastiCache storage, Performance Insights", ("rds", "elasticache")),
    "secrets": ("Secrets Manager secrets and EKS secrets", ("secretsmanager", "eks")),
    "storage": ("S3 buckets and ECR images", ("s3", "ecr", "cloudfront")),
    "logs": ("CloudWatch Logs groups", ("logs",)),
    "alerts": ("SNS alert topics", ("sns-publishers",)),
    "backup": ("AWS Backup vault", ("backup",)),
}


class Platform(pulumi.ComponentResource):
    """Every component of one environment, wired together from a :class:`StackConfig`.

    It owns the providers all children use: AWS in the stack's region with the common tags as
    default tags (so every taggable resource carries Project, Environment, ManagedBy, Owner and
    CostCenter without repeating them) and limited to the allowed accounts; the same in
    us-east-1 for what CloudFront needs there (its certificate, the WAF, their logs and their
    key); pulumi-random for generated passwords; docker only when an image is built.
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
    database_roles: DatabaseRoles
    edge: Edge | None
    apps: dict[str, AppService]
    """The app workloads: none without a release."""
    release_images: dict[str, ReleaseImage]
    """The release's images found in ECR, by app image (none without a release)."""
    alerts: dict[str, AlertTopics]
    slack: SlackChannels | None
    observability: Observability
    budget: CostBudget | None
    backup: BackupPlan
    database_dump: DatabaseDump

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
        providers: dict[str, pulumi.ProviderResource] = {
            "aws": self.aws_provider,
            "random": random.Provider(f"{name}-random", opts=pulumi.ResourceOptions(parent=self)),
        }
        if any(image.build for image in config.registry.images.values()):
            # Only when the program builds an image: pulumi-docker's provider sets up its Docker
            # client when it is configured (provider/provider.go, Configure), so preview and up
            # would fail on any runner without a Docker daemon (pulumi-docker#1106, #536).
            providers["docker"] = docker.Provider(
                f"{name}-docker", opts=pulumi.ResourceOptions(parent=self)
            )
        ctx = StackContext(
            name=name,
            config=config,
            parent=self,
            providers=providers,
            us_east_1=self.us_east_1_provider,
        )
        slug = config.slug
        plan = plan_workloads(config)
        # Before any resource but the providers: a release whose images are not in ECR stops
        # here, with nothing changed.
        self.release_images = self._release_images(ctx)

        self.keys = {
            domain: ctx.key(domain, f"{slug}: {description}", services, ctx.opts())
            for domain, (description, services) in KEY_DOMAINS.items()
        }
        # Log groups can only use a key of their own region: the WAF's are in us-east-1.
        self.keys["edge-logs"] = ctx.key(
            "edge-logs",
            f"{slug}: CloudWatch Logs groups of the edge, in us-east-1 (WAF)",
            ("logs",),
            ctx.opts(aws=self.us_east_1_provider),
        )
        keys = self.keys

        self.network = data.network(ctx, keys["logs"])
        self.app_secrets = data.app_secrets(ctx, app_secret_values or {}, keys["secrets"])
        self.database = data.database(ctx, self.network, keys, plan.database_classes)
        self.cache = data.cache(ctx, self.network, keys)
        self.buckets = data.buckets(ctx, keys["storage"])
        self.repositories = data.repositories(
            ctx, keys["storage"], {app: i.digest for app, i in self.release_images.items()}
        )
        self.dns = data.dns(ctx)

        self.cluster = compute.cluster(ctx, self.network, keys)
        # Pods use the nodes' (cluster) security group; which pods may reach the data tier is
        # narrowed further by the apps' NetworkPolicies.
        nodes = self.cluster.node_security_group_id
        self.database.allow_from(nodes, label="eks-nodes")
        self.cache.allow_from(nodes, label="eks-nodes")
        # Before the add-ons: Alertmanager publishes to the topics.
        alerting = operations.alerting(ctx, keys, edge=config.dns.delegated)
        self.alerts, self.slack = alerting.topics, alerting.slack
        self.addons = compute.addons(
            ctx,
            self.cluster,
            alerts=self.alerts["stack"],
            net=self.network,
            dns=self.dns,
            secrets=self.app_secrets,
            database=self.database,
            cache=self.cache,
            key=keys["secrets"],
        )
        self.alerts["stack"].grant_publish(self.addons.roles["alertmanager"])
        self.database_roles = compute.database_roles(
            ctx, self.cluster, self.addons, self.database, self.network
        )
        self.edge = edge_layer.edge(
            ctx,
            net=self.network,
            dns=self.dns,
            eks=self.cluster,
            buckets=self.buckets,
            waf_logs_key=keys["edge-logs"],
        )
        self.apps = {}
        if config.release is None:
            pulumi.log.warn(NO_RELEASE, self)
        else:
            self.apps = apps.apps(
                ctx,
                plan,
                config.release,
                net=self.network,
                eks=self.cluster,
                addons=self.addons,
                edge=self.edge,
                secrets=self.app_secrets,
                database=self.database,
                database_roles=self.database_roles,
                cache=self.cache,
                buckets=self.buckets,
                repositories=self.repositories,
            )

        self.observability = operations.observability(
            ctx,
            plan if config.release is not None else None,
            self.alerts,
            eks=self.cluster,
            addons=self.addons,
            edge=self.edge,
            database=self.database,
            cache=self.cache,
        )
        self.budget = operations.budget(ctx, self.alerts)
        self.backup = operations.backup(ctx, keys, self.alerts, self.database)
        self.database_dump = operations.database_dump(
            ctx,
            eks=self.cluster,
            addons=self.addons,
            database=self.database,
            roles=self.database_roles,
            backups=self.buckets["backups"],
            net=self.network,
        )

        self.register_outputs(self.stack_outputs())

    def _release_images(self, ctx: StackContext) -> dict[str, ReleaseImage]:
        """The release's pushed images, each looked up in ECR (none without a release)."""
        release = self.config.release
        if release is None:
            return {}
        context = aws_context(self, self.aws_provider)
        return release_images(
            data.pushed_images(ctx),
            release,
            provider=self.aws_provider,
            registry=f"{context.account_id}.dkr.ecr.{self.config.aws_region}.amazonaws.com",
        )

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
            # The secret of each login role (migrator, app_api, app_worker, monitoring, backup).
            "databaseRoleSecretArns": {r: s.arn for r, s in database.role_secrets.items()},
            "cachePrimaryEndpoint": cache.primary_endpoint,
            "cacheReaderEndpoint": cache.reader_endpoint,
            "cachePort": cache.port,
            "cacheAuthSecretArn": cache.auth_secret.arn,
            "appSecretArns": self.app_secrets.arns,
            "bucketNames": {role: bucket.name for role, bucket in self.buckets.items()},
            "repositoryUrls": {app: r.repository_url for app, r in self.repositories.items()},
            # The release deployed (None: the platform without the apps) and its images.
            "release": self.config.release,
            "images": {
                app: r.image_ref for app, r in self.repositories.items() if r.image_ref is not None
            },
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
