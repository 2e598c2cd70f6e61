"""PlatformAddons: the Helm add-ons every app relies on, and the apps' namespaces.

Each add-on is a Helm release of its project's official chart at a version pinned in config,
runs on the system node group when there is one, and calls AWS only through its own Pod
Identity role (:meth:`Cluster.workload_role`) with the narrowest policy it allows
(:mod:`aws_web_platform.k8s.addon_policies`):

* AWS Load Balancer Controller: binds the apps' pods to the ALB target groups Pulumi creates
  (TargetGroupBinding); its webhook for Services is off, so it never creates load balancers on
  its own.
* cluster-autoscaler rather than Karpenter: the node groups are EKS managed node groups with
  min/max from config, which cluster-autoscaler scales as they are (auto-discovered by the tags
  EKS puts on their Auto Scaling groups), with no extra node role, instance profile,
  interruption queue or EventBridge rules to run; spot interruptions are handled by the managed
  node groups' capacity rebalancing. Karpenter pays off with many heterogeneous workloads; three
  node groups do not need it.
* metrics-server, for the HorizontalPodAutoscalers.
* external-dns, limited to the stack's hosted zone and, by default, never deleting a record.
* External Secrets Operator and a ClusterSecretStore on Secrets Manager, limited to the stack's
  secrets: apps get Kubernetes secrets without any secret value passing through Pulumi or Git.
* kube-prometheus-stack: Prometheus scraping every 15 s and keeping 30 days (spec) on an
  encrypted gp3 volume, Grafana with a generated admin password, node_exporter on every node;
  plus the postgres and redis exporters (spec: node_exporter, redis_exporter), reading their
  credentials through External Secrets.
* The apps' namespaces (:class:`AppNamespace`): Pod Security 'restricted', quotas, limits.

Every Helm release and Kubernetes object waits for the node groups and the managed add-ons
(``cluster.ready``), and uses the cluster's Kubernetes provider.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pulumi_random as random
from pydantic import BaseModel, ConfigDict, Field, model_validator

from aws_web_platform.core.aws_context import aws_context
from aws_web_platform.core.fields import InputStr, Wiring, compose
from aws_web_platform.core.iam import grant, policy_document
from aws_web_platform.eks.cluster import Cluster
from aws_web_platform.eks.config import Scheduling, legacy_scheduling
from aws_web_platform.k8s.addon_policies import (
    assume_roles_policy,
    cluster_autoscaler_policy,
    external_dns_policy,
    load_balancer_controller_policy,
    secret_arn_pattern,
    secret_store_policy,
)
from aws_web_platform.k8s.alerting import (
    ALERTMANAGER_SERVICE_ACCOUNT,
    AlertRouting,
    alertmanager_config,
    workload_rules,
)
from aws_web_platform.k8s.config import AddonsConfig
from aws_web_platform.k8s.namespace import (
    AppNamespace,
    AppNamespaceArgs,
    AppNamespaceWiring,
    isolate,
)

CHARTS: dict[str, tuple[str, str]] = {
    # name: (chart, repository)
    "aws-load-balancer-controller": (
        "aws-load-balancer-controller",
        "https://aws.github.io/eks-charts",
    ),
    "cluster-autoscaler": ("cluster-autoscaler", "https://kubernetes.github.io/autoscaler"),
    "metrics-server": ("metrics-server", "https://kubernetes-sigs.github.io/metrics-server/"),
    "external-dns": ("external-dns", "https://kubernetes-sigs.github.io/external-dns/"),
    "external-secrets": ("external-secrets", "https://charts.external-secrets.io"),
    "kube-prometheus-stack": (
        "kube-prometheus-stack",
        "https://prometheus-community.github.io/helm-charts",
    ),
    "postgres-exporter": (
        "prometheus-postgres-exporter",
        "https://prometheus-community.github.io/helm-charts",
    ),
    "redis-exporter": (
        "prometheus-redis-exporter",
        "https://prometheus-community.github.io/helm-charts",
    ),
}
#: Secret stores: the apps' (their namespaces only) and monitoring's (the exporters' credentials).
APP_SECRET_STORE = "aws-secrets-manager"
MONITORING_SECRET_STORE = "aws-secrets-manager-monitoring"
#: Grafana's service account (fixed, so its Pod Identity association can name it).
GRAFANA_SERVICE_ACCOUNT = "grafana"
STORAGE_CLASS = "gp3-encrypted"


class NamespaceStore(BaseModel):
    """A namespace of its own and a ClusterSecretStore serving only it: for platform jobs
    whose secrets no other namespace may sync (the database master, the dump's role)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    namespace: str = Field(pattern=r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
    secret_names: list[str] = Field(
        min_length=1, description="Secrets Manager names the store may read, and nothing else."
    )


class PlatformAddonsWiring(Wiring):
    """What :class:`PlatformAddons` is wired to besides its settings."""

    @model_validator(mode="before")
    @classmethod
    def _scheduling_of_0_1(cls, data: Any) -> Any:
        return legacy_scheduling(
            data,
            selector="system_node_labels",
            tolerations="system_node_taints",
            into="system_scheduling",
            owner="PlatformAddonsArgs",
        )

    cluster: Cluster = Field(description="The EKS cluster the add-ons run in. Required.")
    vpc_id: InputStr = Field(
        description="VPC id (the load balancer controller needs it). Required."
    )
    domain: str = Field(description="The stack's domain: external-dns manages records under it.")
    zone_id: InputStr = Field(description="Hosted zone id external-dns is limited to. Required.")
    zone_arn: InputStr = Field(description="Hosted zone ARN external-dns may change. Required.")
    app_secret_names: list[str] = Field(
        description="Secrets Manager names the app namespaces may read through External Secrets "
        "(app secrets, the apps' database user, the cache AUTH). Never the database master."
    )
    secrets_kms_key_arn: InputStr = Field(description="Key (ARN) those secrets are encrypted with.")
    namespace_stores: dict[str, NamespaceStore] = Field(
        default_factory=dict,
        description="Further stores by name, each with a namespace of its own (Pod Security "
        "restricted, every connection denied but DNS) that only it serves. Default none.",
    )
    alert_routing: AlertRouting | None = Field(
        default=None,
        description="The SNS topics Alertmanager routes critical and warning alerts (and its "
        "Watchdog heartbeat) to, with a role of its own that may publish there "
        "(``roles['alertmanager']``; grant it with ``topics.grant_publish``). Default none: "
        "the chart's own configuration, whose only receiver is 'null' (nobody is told).",
    )
    system_scheduling: Scheduling = Field(
        default_factory=Scheduling,
        description="The system node group the add-ons run on: its labels to select and its "
        "taints to tolerate (``cluster.scheduling['system']``). Default none: schedule "
        "anywhere, e.g. a dev cluster with one node group.",
    )
    postgres_host: InputStr = Field(description="Writer endpoint of PostgreSQL, for its exporter.")
    postgres_database: str = Field(default="app", description="Database the exporter connects to.")
    postgres_monitoring_secret: str = Field(
        description="Secrets Manager name of the exporter's database credentials."
    )
    redis_host: InputStr = Field(description="Primary endpoint of Redis/Valkey, for its exporter.")
    redis_auth_secret: str = Field(
        description="Secrets Manager name of the Redis AUTH secret (with authToken)."
    )
    region: str = Field(
        default="us-east-1",
        description="The stack's region: Grafana's CloudWatch data source reads it by default.",
    )
    reclaim_volumes: bool = Field(
        default=True,
        description="Keep EBS volumes when their PersistentVolumeClaim is deleted (Retain). "
        "Default true: Prometheus data survives a mistaken uninstall; dev sets false.",
    )


class PlatformAddonsArgs(AddonsConfig, PlatformAddonsWiring):
    """Arguments of :class:`PlatformAddons`: its settings (``AddonsConfig``) and its wiring
    (``PlatformAddonsWiring``), every field flat."""

    @classmethod
    def from_config(cls, config: AddonsConfig, wiring: PlatformAddonsWiring) -> PlatformAddonsArgs:
        """The Args of a stack file's settings and the platform's wiring."""
        return compose(cls, config, wiring)


class PlatformAddons(pulumi.ComponentResource):
    """Load balancer controller, autoscaler, metrics, DNS, secrets, monitoring, namespaces."""

    releases: dict[str, k8s.helm.v3.Release]
    secret_stores: dict[str, k8s.apiextensions.CustomResource]
    store_namespaces: dict[str, k8s.core.v1.Namespace]
    """The namespace of each of ``namespace_stores``, by namespace name."""
    namespaces: dict[str, AppNamespace]
    roles: dict[str, aws.iam.Role]
    grafana_admin_secret: k8s.core.v1.Secret

    def __init__(
        self, name: str, args: PlatformAddonsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:k8s:PlatformAddons", name, None, opts)
        self._args = args
        self._name = name
        cluster = args.cluster
        context = aws_context(self)
        region, partition, account = context.region, context.partition, context.account_id
        self.releases = {}
        self.roles = {}
        self._placement: dict[str, Any] = {
            "nodeSelector": dict(args.system_scheduling.node_selector),
            "tolerations": [t.as_dict() for t in args.system_scheduling.tolerations],
        }

        namespaces = {
            "monitoring": self._namespace("monitoring", "baseline"),
            # node_exporter reads the host (hostNetwork, hostPID, host paths): alone here.
            "node-exporter": self._namespace("node-exporter", "privileged"),
            "external-dns": self._namespace("external-dns", "restricted"),
            "external-secrets": self._namespace("external-secrets", "restricted"),
        }
        self.store_namespaces = {}
        for store in args.namespace_stores.values():
            created = self._namespace(store.namespace, "restricted")
            isolate(
                f"{name}-{store.namespace}",
                store.namespace,
                pulumi.ResourceOptions(parent=self, depends_on=[created]),
            )
            self.store_namespaces[store.namespace] = created

        # --- ingress to the pods -----------------------------------------------------------
        self.roles["aws-load-balancer-controller"] = cluster.workload_role(
            "aws-load-balancer-controller",
            "kube-system",
            "aws-load-balancer-controller",
            load_balancer_controller_policy(partition),
        )
        self._release(
            "aws-load-balancer-controller",
            "kube-system",
            depends_on=[cluster.workload_associations["aws-load-balancer-controller"]],
            values={
                "clusterName": cluster.cluster_name,
                # Set explicitly: with IMDS hop limit 1 the controller cannot discover them.
                "region": region,
                "vpcId": args.vpc_id,
                "replicaCount": 2,
                "serviceAccount": {"create": True, "name": "aws-load-balancer-controller"},
                # Only TargetGroupBinding: never turn Services into load balancers by itself.
                "enableServiceMutatorWebhook": False,
                "podDisruptionBudget": {"maxUnavailable": 1},
                **self._placement,
            },
        )

        # --- capacity ---------------------------------------------------------------------
        self.roles["cluster-autoscaler"] = cluster.workload_role(
            "cluster-autoscaler",
            "kube-system",
            "cluster-autoscaler",
            cluster_autoscaler_policy(cluster.eks_name),
        )
        self._release(
            "cluster-autoscaler",
            "kube-system",
            depends_on=[cluster.workload_associations["cluster-autoscaler"]],
            values={
                "autoDiscovery": {"clusterName": cluster.cluster_name},
                "awsRegion": region,
                "rbac": {"serviceAccount": {"create": True, "name": "cluster-autoscaler"}},
                "extraArgs": {
                    "balance-similar-node-groups": True,
                    "skip-nodes-with-system-pods": False,
                    "expander": "least-waste",
                },
                **self._placement,
            },
        )
        self._release(
            "metrics-server",
            "kube-system",
            values={
                "replicas": 2,
                "podDisruptionBudget": {"enabled": True, "minAvailable": 1},
                **self._placement,
            },
        )

        # --- DNS --------------------------------------------------------------------------
        self.roles["external-dns"] = cluster.workload_role(
            "external-dns", "external-dns", "external-dns", external_dns_policy(args.zone_arn)
        )
        self._release(
            "external-dns",
            "external-dns",
            depends_on=[namespaces["external-dns"], cluster.workload_associations["external-dns"]],
            values={
                "provider": {"name": "aws"},
                "env": [{"name": "AWS_DEFAULT_REGION", "value": region}],
                "domainFilters": [args.domain],
                "extraArgs": [
                    pulumi.Output.concat("--zone-id-filter=", args.zone_id),
                    "--aws-zone-type=public",
                ],
                "policy": args.external_dns_policy,
                "registry": "txt",
                "txtOwnerId": cluster.cluster_name,
                "serviceAccount": {"create": True, "name": "external-dns"},
                **self._placement,
            },
        )

        # --- secrets ----------------------------------------------------------------------
        self._secret_stores(name, namespaces["external-secrets"], region, partition, account)

        # --- monitoring -------------------------------------------------------------------
        self._monitoring_namespace = namespaces["monitoring"]
        prometheus = self._monitoring(name, namespaces["monitoring"], namespaces["node-exporter"])
        self._exporters(name, namespaces["monitoring"], prometheus)

        self.namespaces = {
            namespace: AppNamespace(
                f"{name}-{namespace}-namespace",
                AppNamespaceArgs.from_config(quota, AppNamespaceWiring(namespace=namespace)),
                opts=pulumi.ResourceOptions(parent=self, depends_on=cluster.ready),
            )
            for namespace, quota in sorted(args.app_namespaces.items())
        }
        self.register_outputs(
            {
                "releases": {
                    k: r.status.apply(lambda s: s.status) for k, r in self.releases.items()
                },
                "app_namespaces": sorted(self.namespaces),
                "secret_stores": sorted(self.secret_stores),
            }
        )

    # --- parts --------------------------------------------------------------------------------

    def _namespace(self, namespace: str, level: str) -> k8s.core.v1.Namespace:
        """A platform namespace enforcing Pod Security ``level``; warning at 'restricted'."""
        return k8s.core.v1.Namespace(
            f"{self._name}-{namespace}",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=namespace,
                labels={
                    "pod-security.kubernetes.io/enforce": level,
                    "pod-security.kubernetes.io/warn": "restricted",
                },
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=self._args.cluster.ready),
        )

    def _release(
        self,
        key: str,
        namespace: str,
        *,
        values: dict[str, Any],
        depends_on: list[pulumi.Resource] | None = None,
    ) -> k8s.helm.v3.Release:
        """A Helm release of an official chart at its pinned version, after the node groups."""
        chart, repository = CHARTS[key]
        version = getattr(self._args.charts, key.replace("-", "_"))
        release = k8s.helm.v3.Release(
            f"{self._name}-{key}",
            name=key,
            chart=chart,
            version=version,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=repository),
            namespace=namespace,
            values=values,
            atomic=True,  # a failed upgrade rolls back instead of leaving a half-applied release
            cleanup_on_fail=True,
            timeout=600,
            max_history=10,
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[*self._args.cluster.ready, *(depends_on or [])]
            ),
        )
        self.releases[key] = release
        return release

    def _monitoring(
        self, name: str, namespace: k8s.core.v1.Namespace, node_exporter: k8s.core.v1.Namespace
    ) -> k8s.helm.v3.Release:
        """kube-prometheus-stack on an encrypted gp3 volume, Grafana's password generated."""
        args = self._args
        storage_class = k8s.storage.v1.StorageClass(
            f"{name}-gp3-encrypted",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=STORAGE_CLASS),
            provisioner="ebs.csi.aws.com",
            parameters={"type": "gp3", "encrypted": "true"},
            volume_binding_mode="WaitForFirstConsumer",  # the volume follows the pod's AZ
            allow_volume_expansion=True,
            reclaim_policy="Retain" if args.reclaim_volumes else "Delete",
            opts=pulumi.ResourceOptions(parent=self, depends_on=args.cluster.ready),
        )
        password = random.RandomPassword(
            f"{name}-grafana-admin-password",
            length=32,
            special=False,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.grafana_admin_secret = k8s.core.v1.Secret(
            f"{name}-grafana-admin",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="grafana-admin", namespace="monitoring"),
            string_data={
                "admin-user": "admin",
                "admin-password": pulumi.Output.secret(password.result),
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[namespace]),
        )
        monitoring = args.monitoring
        # Grafana reads the ALB, CloudFront and WAF metrics (application and edge views) from
        # CloudWatch, as its own service account: read-only, metrics and alarms only.
        self.roles["grafana"] = args.cluster.workload_role(
            "grafana",
            "monitoring",
            GRAFANA_SERVICE_ACCOUNT,
            [
                {
                    "Sid": "ReadCloudWatchMetrics",
                    "Effect": "Allow",
                    "Action": [
                        "cloudwatch:DescribeAlarms",
                        "cloudwatch:DescribeAlarmsForMetric",
                        "cloudwatch:DescribeAlarmHistory",
                        "cloudwatch:GetMetricData",
                        "cloudwatch:GetMetricStatistics",
                        "cloudwatch:ListMetrics",
                        "ec2:DescribeRegions",
                        "tag:GetResources",
                    ],
                    "Resource": "*",
                }
            ],
        )
        alerting: dict[str, Any] = {}
        alerting_ready: list[pulumi.Resource] = []
        if args.alert_routing is not None:
            # Alertmanager publishes to the alert topics as its own service account; the grant
            # to publish comes from the topics (AlertTopics.grant_publish).
            self.roles["alertmanager"] = args.cluster.workload_role(
                "alertmanager", "monitoring", ALERTMANAGER_SERVICE_ACCOUNT
            )
            alerting_ready.append(args.cluster.workload_associations["alertmanager"])
            alerting = {
                "config": alertmanager_config(args.alert_routing),
                "serviceAccount": {"create": True, "name": ALERTMANAGER_SERVICE_ACCOUNT},
            }
        return self._release(
            "kube-prometheus-stack",
            "monitoring",
            values={
                "additionalPrometheusRulesMap": workload_rules(sorted(args.app_namespaces)),
                "prometheus": {
                    "prometheusSpec": {
                        "scrapeInterval": f"{monitoring.scrape_interval_seconds}s",
                        "evaluationInterval": f"{monitoring.scrape_interval_seconds}s",
                        "retention": f"{monitoring.retention_days}d",
                        # Pick up the ServiceMonitors of every chart, not only this one's.
                        "serviceMonitorSelectorNilUsesHelmValues": False,
                        "podMonitorSelectorNilUsesHelmValues": False,
                        "ruleSelectorNilUsesHelmValues": False,
                        "storageSpec": {
                            "volumeClaimTemplate": {
                                "spec": {
                                    "storageClassName": STORAGE_CLASS,
                                    "accessModes": ["ReadWriteOnce"],
                                    "resources": {
                                        "requests": {"storage": f"{monitoring.storage_gb}Gi"}
                                    },
                                }
                            }
                        },
                        **self._placement,
                    }
                },
                "grafana": {
                    "admin": {
                        "existingSecret": "grafana-admin",
                        "userKey": "admin-user",
                        "passwordKey": "admin-password",
                    },
                    "serviceAccount": {"name": GRAFANA_SERVICE_ACCOUNT},
                    # Dashboards come as ConfigMaps labelled grafana_dashboard=1 (Observability).
                    "sidecar": {"dashboards": {"enabled": True, "label": "grafana_dashboard"}},
                    "additionalDataSources": [
                        {
                            "name": "CloudWatch",
                            "type": "cloudwatch",
                            "uid": "cloudwatch",
                            "access": "proxy",
                            "jsonData": {"authType": "default", "defaultRegion": args.region},
                        }
                    ],
                    **self._placement,
                },
                "alertmanager": {"alertmanagerSpec": self._placement, **alerting},
                "prometheusOperator": self._placement,
                "kube-state-metrics": self._placement,
                "nodeExporter": {"enabled": True},
                "prometheus-node-exporter": {"namespaceOverride": "node-exporter"},
                # EKS runs these out of reach: scraping them would only raise false alerts.
                "kubeControllerManager": {"enabled": False},
                "kubeScheduler": {"enabled": False},
                "kubeEtcd": {"enabled": False},
                "kubeProxy": {"enabled": False},
            },
            depends_on=[
                namespace,
                node_exporter,
                storage_class,
                self.grafana_admin_secret,
                # Pods get Pod Identity credentials only if created after the association.
                args.cluster.workload_associations["grafana"],
                *alerting_ready,
            ],
        )

    def _exporters(
        self, name: str, namespace: k8s.core.v1.Namespace, prometheus: k8s.helm.v3.Release
    ) -> None:
        """postgres and redis exporters, their credentials from Secrets Manager via ESO; after
        kube-prometheus-stack, whose CRDs their ServiceMonitors need."""
        args = self._args
        postgres_secret = self._external_secret(
            f"{name}-postgres-exporter-credentials",
            "postgres-exporter-credentials",
            args.postgres_monitoring_secret,
            {"username": "username", "password": "password"},
        )
        redis_secret = self._external_secret(
            f"{name}-redis-exporter-credentials",
            "redis-exporter-credentials",
            args.redis_auth_secret,
            {"authToken": "authToken"},
        )
        self._release(
            "postgres-exporter",
            "monitoring",
            values={
                "config": {
                    "datasource": {
                        "host": args.postgres_host,
                        "port": "5432",
                        "database": args.postgres_database,
                        "sslmode": "require",
                        "userSecret": {"name": "postgres-exporter-credentials", "key": "username"},
                        "passwordSecret": {
                            "name": "postgres-exporter-credentials",
                            "key": "password",
                        },
                    }
                },
                "serviceMonitor": {"enabled": True},
                **self._placement,
            },
            depends_on=[namespace, prometheus, postgres_secret],
        )
        self._release(
            "redis-exporter",
            "monitoring",
            values={
                "redisAddress": pulumi.Output.concat("rediss://", args.redis_host, ":6379"),
                "auth": {
                    "enabled": True,
                    "secret": {"name": "redis-exporter-credentials", "key": "authToken"},
                },
                "serviceMonitor": {"enabled": True},
                **self._placement,
            },
            depends_on=[namespace, prometheus, redis_secret],
        )

    def _external_secret(
        self, resource_name: str, secret: str, remote: str, properties: dict[str, str]
    ) -> k8s.apiextensions.CustomResource:
        """A Kubernetes secret in monitoring, kept in sync with a Secrets Manager secret."""
        return k8s.apiextensions.CustomResource(
            resource_name,
            api_version="external-secrets.io/v1",
            kind="ExternalSecret",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=secret, namespace="monitoring"),
            spec={
                "refreshInterval": "1h",
                "secretStoreRef": {"name": MONITORING_SECRET_STORE, "kind": "ClusterSecretStore"},
                "target": {"name": secret, "creationPolicy": "Owner"},
                "data": [
                    {"secretKey": key, "remoteRef": {"key": remote, "property": field}}
                    for key, field in properties.items()
                ],
            },
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[
                    self.secret_stores[MONITORING_SECRET_STORE],
                    self._monitoring_namespace,
                ],
            ),
        )

    def _secret_stores(
        self,
        name: str,
        namespace: k8s.core.v1.Namespace,
        region: str,
        partition: str,
        account: str,
    ) -> None:
        """External Secrets and its stores, each store able to read only its own secrets.

        The controller's Pod Identity role can do nothing but assume the stores' roles; a store
        serves only the namespaces listed in its conditions, so an app namespace can never
        sync the exporters' credentials, and nothing can sync the database master secret.
        """
        args = self._args
        cluster = args.cluster
        controller = cluster.workload_role(
            "external-secrets", "external-secrets", "external-secrets"
        )
        child = pulumi.ResourceOptions(parent=self)
        readable: dict[str, tuple[list[str], list[str]]] = {
            APP_SECRET_STORE: (sorted(args.app_namespaces), list(args.app_secret_names)),
            MONITORING_SECRET_STORE: (
                ["monitoring"],
                [args.postgres_monitoring_secret, args.redis_auth_secret],
            ),
            **{
                store: ([scoped.namespace], list(scoped.secret_names))
                for store, scoped in sorted(args.namespace_stores.items())
            },
        }
        roles: dict[str, aws.iam.Role] = {}
        for store, (_, names) in readable.items():
            role = aws.iam.Role(
                f"{name}-{store}-role",
                assume_role_policy=policy_document(
                    [
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": controller.arn},
                            "Action": ["sts:AssumeRole", "sts:TagSession"],
                        }
                    ]
                ),
                description=f"External Secrets store {store}: reads its secrets only",
                opts=child,
            )
            grant(
                f"{name}-{store}-read",
                role,
                secret_store_policy(
                    secret_arns=[secret_arn_pattern(partition, region, account, n) for n in names],
                    kms_key_arn=args.secrets_kms_key_arn,
                    region=region,
                ),
                parent=self,
            )
            roles[store] = role
        self.roles["external-secrets"] = controller
        assume = grant(
            f"{name}-external-secrets-assume-stores",
            controller,
            assume_roles_policy([r.arn for r in roles.values()]),
            parent=self,
        )
        release = self._release(
            "external-secrets",
            "external-secrets",
            values={
                "installCRDs": True,
                "serviceAccount": {"create": True, "name": "external-secrets"},
                # Editing a namespace must not be enough to create ExternalSecrets in it.
                "rbac": {"aggregateToEdit": False, "aggregateToView": False},
                **self._placement,
                "webhook": self._placement,
                "certController": self._placement,
            },
            depends_on=[namespace, assume, cluster.workload_associations["external-secrets"]],
        )
        self.secret_stores = {
            store: k8s.apiextensions.CustomResource(
                f"{name}-{store}",
                api_version="external-secrets.io/v1",
                kind="ClusterSecretStore",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=store),
                spec={
                    "provider": {
                        "aws": {
                            "service": "SecretsManager",
                            "region": region,
                            "role": roles[store].arn,
                        }
                    },
                    "conditions": [{"namespaces": namespaces}],
                },
                opts=pulumi.ResourceOptions(
                    parent=self,
                    depends_on=[
                        release,
                        *(
                            self.store_namespaces[n]
                            for n in namespaces
                            if n in self.store_namespaces
                        ),
                    ],
                ),
            )
            for store, (namespaces, _) in readable.items()
        }
