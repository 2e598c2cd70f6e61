"""AppService: one app workload on Kubernetes, production-grade by default.

Per workload (web, api, a worker), all in the app namespace:

* a Deployment of the release's image (pinned by digest or immutable tag), non-root (uid/gid
  1001), read-only root filesystem with emptyDirs only where it writes, no privilege
  escalation, no capabilities, RuntimeDefault seccomp, no service-account token; probes on the
  spec's paths (startup and liveness ``/health``, readiness ``/ready``); a preStop pause and a
  grace period so a stopping pod finishes its requests; rolling updates that never drop below
  the serving pods (``maxUnavailable: 0``) and fail the deploy when they stall
  (``progressDeadlineSeconds``); spread over zones and nodes, on its tier's node group;
* a HorizontalPodAutoscaler (CPU) owning the replica count when configured, and a
  PodDisruptionBudget so node drains take one pod at a time;
* a ServiceAccount bound to its own Pod Identity role (no permissions until granted:
  ``bucket.grant_read_write(app.role)``);
* its configuration as a ConfigMap (plain values only) and its secrets as an ExternalSecret
  (app keys, the database and Redis URLs built from Secrets Manager by External Secrets): no
  secret value passes through Pulumi or a ConfigMap;
* for web and api, a ClusterIP Service and a TargetGroupBinding registering the pods' IPs in the
  edge's target group;
* NetworkPolicies opening exactly its paths (the namespace denies everything else);
* for the api with migrations, a Job running them once per image (named after it), which the
  Deployments using the database wait for.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
from pydantic import BaseModel, ConfigDict, Field, model_validator

from aws_web_platform.core.fields import InputStr, Wiring, compose
from aws_web_platform.eks.cluster import Cluster
from aws_web_platform.eks.config import Scheduling, legacy_scheduling
from aws_web_platform.k8s.config import MigrationsConfig, WorkloadConfig, volume_name
from aws_web_platform.k8s.environment import env_name

UID = 1001  # the seed images' non-root user and group
DATABASE_PORT = 5432
REDIS_PORT = 6379
HTTPS_PORT = 443
#: The EKS Pod Identity agent, on every node: where the AWS SDKs fetch the role's credentials.
POD_IDENTITY_AGENT = ("169.254.170.23/32", 80)
#: Environment of the migration: npm, Prisma and Node write their caches and update checks
#: under HOME, which must be writable on a read-only root filesystem.
MIGRATION_ENV = {
    "HOME": "/tmp",
    "NPM_CONFIG_CACHE": "/tmp/.npm",
    "CHECKPOINT_DISABLE": "1",
    "PRISMA_HIDE_UPDATE_MESSAGE": "1",
}
#: Query parameters of the apps' database URLs that Prisma reads itself and strips before it
#: connects; every other parameter goes to PostgreSQL's client as libpq's.
PRISMA_ONLY_PARAMS = ("connection_limit", "pool_timeout")
#: Where the apps' health endpoints are (spec: liveness /health, readiness /ready).
LIVENESS_PATH = "/health"
READINESS_PATH = "/ready"
#: Size limit of each writable emptyDir: a runaway cache fills it, not the node's disk.
SCRATCH_SIZE = "1Gi"


class DatabaseConnection(BaseModel):
    """How a workload reaches PostgreSQL: the credentials' secret and the endpoints."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    secret_name: InputStr = Field(
        description="Secrets Manager name of the app user's credentials (username, password)."
    )
    host: InputStr = Field(description="Where queries go: the proxy, or the writer without one.")
    direct_host: InputStr = Field(description="The writer itself (migrations take advisory locks).")
    reader_hosts: Sequence[InputStr] = Field(
        default=(), description="Read replicas (list of str or Outputs). Default none."
    )
    database: str = Field(description="Database name.")
    pool_size: int = Field(ge=1, description="Prisma connection_limit per pod to the primary.")
    replica_pool_size: int = Field(
        default=2, ge=1, description="connection_limit per pod to each replica. Default 2."
    )
    connect_timeout_seconds: int = Field(
        default=30, description="Prisma connect_timeout. Default 30 (spec)."
    )


class CacheConnection(BaseModel):
    """How a workload reaches Redis/Valkey: the AUTH secret and the primary endpoint."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    secret_name: InputStr = Field(
        description="Secrets Manager name of the AUTH secret (authToken)."
    )
    host: InputStr = Field(description="Primary endpoint.")
    port: int = Field(default=REDIS_PORT, description="Port. Default 6379.")


class AppServiceWiring(Wiring):
    """What :class:`AppService` is wired to besides its settings."""

    @model_validator(mode="before")
    @classmethod
    def _scheduling_of_0_1(cls, data: Any) -> Any:
        return legacy_scheduling(
            data,
            selector="node_selector",
            tolerations="tolerations",
            into="scheduling",
            owner="AppServiceArgs",
        )

    app_name: str = Field(
        pattern=r"^[a-z]([-a-z0-9]{0,28}[a-z0-9])?$",
        description="Name of the Kubernetes objects (Deployment, Service ...). Required.",
    )
    namespace: str = Field(description="Namespace (an AppNamespace: default-deny policies).")
    image_ref: InputStr = Field(
        description="Image to run (str or Output): by digest or release tag."
    )
    cluster: Cluster = Field(description="The EKS cluster: the Pod Identity role is bound in it.")
    scheduling: Scheduling = Field(
        default_factory=Scheduling,
        description="The tier's node group: its labels to select and its taints to tolerate "
        "(``cluster.scheduling[group]``). Default any node, no tolerations.",
    )
    config: Mapping[str, InputStr] = Field(
        default_factory=dict,
        description="Plain environment (str or Output values) for the ConfigMap; never secrets.",
    )
    app_secrets: Mapping[str, InputStr] = Field(
        default_factory=dict,
        description="App secret name -> its Secrets Manager name; each becomes an UPPER_SNAKE "
        "variable of the workload's secret.",
    )
    database_connection: DatabaseConnection | None = Field(
        default=None, description="PostgreSQL access (DATABASE_URL ...). Default none."
    )
    migration_connection: DatabaseConnection | None = Field(
        default=None,
        description="How the migration Job reaches PostgreSQL: the migration role's secret and "
        "the writer (``host``), never the proxy. Default none: the migration Job uses the "
        "workload's own connection (a single-role database).",
    )
    cache_connection: CacheConnection | None = Field(
        default=None, description="Redis access (REDIS_URL). Default none."
    )
    secret_store: str = Field(description="ClusterSecretStore the ExternalSecret reads through.")
    target_group_arn: InputStr | None = Field(
        default=None,
        description="Edge target group the pods are registered in (web, api). Default none.",
    )
    load_balancer_cidrs: list[str] = Field(
        default_factory=list,
        description="Subnets the ALB sends from (the public subnets): admitted on the port.",
    )
    data_cidrs: list[str] = Field(
        default_factory=list,
        description="Subnets of PostgreSQL and Redis (the data subnets): reachable when the "
        "workload uses them.",
    )
    clients: list[str] = Field(
        default_factory=list,
        description="Apps (names) in the namespace allowed to call this one on its port.",
    )
    calls: dict[str, int] = Field(
        default_factory=dict, description="Apps (name -> port) in the namespace it calls."
    )
    monitoring_namespace: str | None = Field(
        default="monitoring",
        description="Namespace whose Prometheus may scrape the port. Default monitoring.",
    )
    migrations: MigrationsConfig | None = Field(
        default=None,
        description="Run these migrations with this image, once per image, before the rollout. "
        "Default none.",
    )
    prerequisites: Sequence[pulumi.Resource] = Field(
        default_factory=list,
        description="Resources every object waits for: the namespace, the secret store, the "
        "load balancer controller (its TargetGroupBinding CRD).",
    )
    wait_for: Sequence[pulumi.Resource] = Field(
        default_factory=list,
        description="Resources the Deployment waits for (another workload's migration Job).",
    )
    max_surge_percent: int = Field(default=25, description="Rollout surge. Default 25 %.")
    progress_deadline_seconds: int = Field(
        default=600, description="Seconds a stalled rollout gets before it fails. Default 600."
    )
    part_of: str = Field(default="platform", description="app.kubernetes.io/part-of label.")
    version: str = Field(default="", description="app.kubernetes.io/version label (release).")


class AppServiceArgs(WorkloadConfig, AppServiceWiring):
    """Arguments of :class:`AppService`: its settings (``WorkloadConfig``) and its wiring
    (``AppServiceWiring``), every field flat."""

    @classmethod
    def from_config(cls, config: WorkloadConfig, wiring: AppServiceWiring) -> AppServiceArgs:
        """The Args of a stack file's settings and the platform's wiring."""
        return compose(cls, config, wiring)


class AppService(pulumi.ComponentResource):
    """A secure, autoscaled, zero-downtime app workload with its config, secrets and access."""

    deployment: k8s.apps.v1.Deployment
    service: k8s.core.v1.Service | None
    service_account: k8s.core.v1.ServiceAccount
    role: aws.iam.Role
    config_map: k8s.core.v1.ConfigMap
    external_secret: k8s.apiextensions.CustomResource
    secret_name: str
    autoscaler: k8s.autoscaling.v2.HorizontalPodAutoscaler | None
    disruption_budget: k8s.policy.v1.PodDisruptionBudget
    target_group_binding: k8s.apiextensions.CustomResource | None
    migration_job: k8s.batch.v1.Job | None

    def __init__(
        self, name: str, args: AppServiceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:k8s:AppService", name, None, opts)
        self._name = name
        self._args = args
        app, namespace = args.app_name, args.namespace
        self.selector = {"app.kubernetes.io/name": app}
        self.labels = {
            **self.selector,
            "app.kubernetes.io/component": args.role,
            "app.kubernetes.io/part-of": args.part_of,
            "app.kubernetes.io/managed-by": "pulumi",
        }
        if args.version:
            self.labels["app.kubernetes.io/version"] = _label_value(args.version)
        self._prerequisites = list(args.prerequisites)
        child = self._child()

        self.role = args.cluster.workload_role(f"{namespace}-{app}", namespace, app)
        association = args.cluster.workload_associations[f"{namespace}-{app}"]
        self.service_account = k8s.core.v1.ServiceAccount(
            f"{name}-sa",
            metadata=self._meta(app),
            # Pod Identity injects its own token; the Kubernetes API token is never mounted.
            automount_service_account_token=False,
            opts=child,
        )
        self.config_map = k8s.core.v1.ConfigMap(
            f"{name}-config",
            # No name: Pulumi names it with a suffix and replaces it on change, so a new
            # configuration rolls the pods.
            metadata=k8s.meta.v1.ObjectMetaArgs(namespace=namespace, labels=self.labels),
            data={
                "PORT": str(args.port),
                # Node and npm write caches under HOME: the writable /tmp, not the read-only /.
                **({"HOME": "/tmp"} if "/tmp" in args.writable_paths else {}),
                **args.config,
                **args.env,
            },
            opts=child,
        )
        self.secret_name = f"{app}-secrets"
        self.external_secret = self._external_secret()
        self._network_policies()

        env_from = [
            k8s.core.v1.EnvFromSourceArgs(
                config_map_ref=k8s.core.v1.ConfigMapEnvSourceArgs(
                    name=self.config_map.metadata.name
                )
            ),
            k8s.core.v1.EnvFromSourceArgs(
                secret_ref=k8s.core.v1.SecretEnvSourceArgs(name=self.secret_name)
            ),
        ]
        ready = [self.service_account, self.external_secret, association]
        self.migration_job = None
        if args.migrations is not None and args.migrations.enabled:
            self.migration_job = self._migration_job(env_from, ready)

        self.service = None
        self.target_group_binding = None
        if args.role in ("web", "api"):
            self.service = k8s.core.v1.Service(
                f"{name}-service",
                metadata=self._meta(app),
                spec=k8s.core.v1.ServiceSpecArgs(
                    type="ClusterIP",
                    selector=self.selector,
                    ports=[
                        k8s.core.v1.ServicePortArgs(
                            name="http", port=args.port, target_port=args.port, protocol="TCP"
                        )
                    ],
                ),
                opts=child,
            )
            if args.target_group_arn is not None:
                self.target_group_binding = k8s.apiextensions.CustomResource(
                    f"{name}-target-group-binding",
                    api_version="elbv2.k8s.aws/v1beta1",
                    kind="TargetGroupBinding",
                    metadata=self._meta(app),
                    spec={
                        "serviceRef": {"name": app, "port": args.port},
                        "targetGroupARN": args.target_group_arn,
                        # Pod IPs: the ALB skips the node hop and sees each pod's readiness.
                        "targetType": "ip",
                    },
                    opts=self._child(self.service),
                )
        self.deployment = self._deployment(
            env_from,
            depends_on=[
                *ready,
                *args.wait_for,
                *([self.migration_job] if self.migration_job is not None else []),
                # The binding first: the controller then gives the pods a readiness gate
                # (ready only once the ALB finds them healthy) from the first rollout on.
                *([self.target_group_binding] if self.target_group_binding is not None else []),
            ],
        )
        self.autoscaler = self._autoscaler()
        self.disruption_budget = k8s.policy.v1.PodDisruptionBudget(
            f"{name}-pdb",
            metadata=self._meta(app),
            spec=k8s.policy.v1.PodDisruptionBudgetSpecArgs(
                max_unavailable=1,
                selector=k8s.meta.v1.LabelSelectorArgs(match_labels=self.selector),
                # A pod that never became ready must not block a node drain.
                unhealthy_pod_eviction_policy="AlwaysAllow",
            ),
            opts=child,
        )
        self.register_outputs(
            {
                "deployment": self.deployment.metadata.name,
                "role_arn": self.role.arn,
                "config_map": self.config_map.metadata.name,
                "secret_name": self.secret_name,
            }
        )

    # --- parts --------------------------------------------------------------------------------

    def _child(self, *depends_on: Any, **options: Any) -> pulumi.ResourceOptions:
        """Options of a child: parented here, after the prerequisites and ``depends_on``."""
        return pulumi.ResourceOptions(
            parent=self, depends_on=[*self._prerequisites, *depends_on], **options
        )

    def _meta(self, name: str, labels: dict[str, str] | None = None) -> k8s.meta.v1.ObjectMetaArgs:
        return k8s.meta.v1.ObjectMetaArgs(
            name=name, namespace=self._args.namespace, labels=labels or self.labels
        )

    def _pod_spec(
        self,
        containers: list[k8s.core.v1.ContainerArgs],
        *,
        restart_policy: str | None = None,
        spread: bool = True,
    ) -> k8s.core.v1.PodSpecArgs:
        args = self._args
        spread_constraints = None
        if spread:
            spread_constraints = [
                k8s.core.v1.TopologySpreadConstraintArgs(
                    topology_key=key,
                    max_skew=1,
                    when_unsatisfiable=when,
                    label_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=self.selector),
                    # Spread each ReplicaSet on its own: a rollout's new pods spread too.
                    match_label_keys=["pod-template-hash"],
                )
                for key, when in (
                    # Best effort on zones too: each node group is one Auto Scaling group over
                    # every AZ, which cluster-autoscaler cannot grow in a chosen zone, so a
                    # strict zone spread would leave pods Pending in a zone short of capacity.
                    ("topology.kubernetes.io/zone", "ScheduleAnyway"),
                    ("kubernetes.io/hostname", "ScheduleAnyway"),
                )
            ]
        return k8s.core.v1.PodSpecArgs(
            service_account_name=self.service_account.metadata.name,
            automount_service_account_token=False,
            enable_service_links=False,
            termination_grace_period_seconds=args.termination_grace_period_seconds,
            restart_policy=restart_policy,
            node_selector=dict(args.scheduling.node_selector) or None,
            tolerations=[
                k8s.core.v1.TolerationArgs(
                    key=t.key, operator="Equal", value=t.value, effect=t.effect
                )
                for t in args.scheduling.tolerations
            ]
            or None,
            topology_spread_constraints=spread_constraints,
            security_context=k8s.core.v1.PodSecurityContextArgs(
                run_as_non_root=True,
                run_as_user=UID,
                run_as_group=UID,
                fs_group=UID,
                seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
            ),
            containers=containers,
            volumes=[
                k8s.core.v1.VolumeArgs(
                    name=volume_name(path),
                    empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(size_limit=SCRATCH_SIZE),
                )
                for path in args.writable_paths
            ],
        )

    def _container(
        self,
        name: str,
        env_from: list[k8s.core.v1.EnvFromSourceArgs],
        *,
        command: list[str] | None,
        serve: bool,
        env: dict[str, str] | None = None,
    ) -> k8s.core.v1.ContainerArgs:
        args = self._args
        http = k8s.core.v1.HTTPGetActionArgs
        return k8s.core.v1.ContainerArgs(
            name=name,
            image=args.image_ref,
            command=command or None,
            ports=[
                k8s.core.v1.ContainerPortArgs(name="http", container_port=args.port, protocol="TCP")
            ]
            if serve
            else None,
            env_from=env_from,
            env=[k8s.core.v1.EnvVarArgs(name=k, value=v) for k, v in sorted(env.items())]
            if env
            else None,
            resources=k8s.core.v1.ResourceRequirementsArgs(
                requests={"cpu": args.requests_cpu, "memory": args.requests_memory},
                limits={"cpu": args.limits_cpu, "memory": args.limits_memory},
            ),
            # Up to 2 minutes to start (Prisma client, Next.js cache warm-up) before liveness
            # counts; then restarted after 30 s unhealthy, out of the ALB after 10 s unready.
            startup_probe=k8s.core.v1.ProbeArgs(
                http_get=http(path=LIVENESS_PATH, port=args.port),
                period_seconds=5,
                timeout_seconds=2,
                failure_threshold=24,
            )
            if serve
            else None,
            liveness_probe=k8s.core.v1.ProbeArgs(
                http_get=http(path=LIVENESS_PATH, port=args.port),
                period_seconds=10,
                timeout_seconds=2,
                failure_threshold=3,
            )
            if serve
            else None,
            readiness_probe=k8s.core.v1.ProbeArgs(
                http_get=http(path=READINESS_PATH, port=args.port),
                period_seconds=5,
                timeout_seconds=2,
                failure_threshold=2,
            )
            if serve
            else None,
            # Keep serving while the ALB deregisters the pod and kube-proxy drops it; SIGTERM
            # only after that (graceful shutdown then has the rest of the grace period).
            lifecycle=k8s.core.v1.LifecycleArgs(
                pre_stop=k8s.core.v1.LifecycleHandlerArgs(
                    sleep=k8s.core.v1.SleepActionArgs(seconds=args.pre_stop_sleep_seconds)
                )
            )
            if serve and args.pre_stop_sleep_seconds
            else None,
            security_context=k8s.core.v1.SecurityContextArgs(
                allow_privilege_escalation=False,
                read_only_root_filesystem=True,
                run_as_non_root=True,
                run_as_user=UID,
                run_as_group=UID,
                privileged=False,
                capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"]),
                seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
            ),
            volume_mounts=[
                k8s.core.v1.VolumeMountArgs(name=volume_name(path), mount_path=path)
                for path in args.writable_paths
            ],
        )

    def _deployment(
        self, env_from: list[k8s.core.v1.EnvFromSourceArgs], depends_on: list[Any]
    ) -> k8s.apps.v1.Deployment:
        args = self._args
        # progressDeadlineSeconds catches a rollout that stops progressing; a healthy one takes
        # up to that long per surge batch (pods start, pass the ALB's checks, nodes are added).
        batches = math.ceil(100 / args.max_surge_percent)
        rollout = f"{args.progress_deadline_seconds * batches}s"
        return k8s.apps.v1.Deployment(
            f"{self._name}-deployment",
            metadata=self._meta(args.app_name),
            spec=k8s.apps.v1.DeploymentSpecArgs(
                # With an HPA the replica count is the HPA's: setting it here would reset it
                # on every deploy.
                replicas=None if args.autoscaling else args.replicas,
                selector=k8s.meta.v1.LabelSelectorArgs(match_labels=self.selector),
                strategy=k8s.apps.v1.DeploymentStrategyArgs(
                    type="RollingUpdate",
                    rolling_update=k8s.apps.v1.RollingUpdateDeploymentArgs(
                        max_unavailable=0, max_surge=f"{args.max_surge_percent}%"
                    ),
                ),
                progress_deadline_seconds=args.progress_deadline_seconds,
                revision_history_limit=5,
                template=k8s.core.v1.PodTemplateSpecArgs(
                    metadata=k8s.meta.v1.ObjectMetaArgs(
                        labels=self.labels,
                        # A changed secret template (a new endpoint, a new app secret) rolls
                        # the pods: environment variables are read at start only.
                        annotations={"platform.io/secret-template": self._secret_checksum},
                    ),
                    spec=self._pod_spec(
                        [
                            self._container(
                                args.role, env_from, command=list(args.command), serve=True
                            )
                        ]
                    ),
                ),
            ),
            opts=self._child(
                *depends_on,
                custom_timeouts=pulumi.CustomTimeouts(create=rollout, update=rollout),
            ),
        )

    def _autoscaler(self) -> k8s.autoscaling.v2.HorizontalPodAutoscaler | None:
        args = self._args
        if args.autoscaling is None:
            return None
        return k8s.autoscaling.v2.HorizontalPodAutoscaler(
            f"{self._name}-hpa",
            metadata=self._meta(args.app_name),
            spec=k8s.autoscaling.v2.HorizontalPodAutoscalerSpecArgs(
                scale_target_ref=k8s.autoscaling.v2.CrossVersionObjectReferenceArgs(
                    api_version="apps/v1", kind="Deployment", name=args.app_name
                ),
                min_replicas=args.autoscaling.min_replicas,
                max_replicas=args.autoscaling.max_replicas,
                metrics=[
                    k8s.autoscaling.v2.MetricSpecArgs(
                        type="Resource",
                        resource=k8s.autoscaling.v2.ResourceMetricSourceArgs(
                            name="cpu",
                            target=k8s.autoscaling.v2.MetricTargetArgs(
                                type="Utilization",
                                average_utilization=args.autoscaling.target_cpu_percent,
                            ),
                        ),
                    )
                ],
            ),
            opts=self._child(self.deployment),
        )

    def _external_secret(self) -> k8s.apiextensions.CustomResource:
        """The workload's Kubernetes secret, built by External Secrets from Secrets Manager.

        Only references and templates pass through Pulumi; External Secrets reads the values
        (through the namespace's store) and writes the secret. Connection URLs are templates
        filled with the credentials there.
        """
        args = self._args
        data: list[dict[str, Any]] = []
        template: dict[str, Any] = {}
        for secret, remote in sorted(args.app_secrets.items()):
            data.append({"secretKey": secret, "remoteRef": {"key": remote}})
            template[env_name(secret)] = f"{{{{ .{secret} }}}}"
        db = args.database_connection
        if db is not None:
            data += _credentials_data(db)
            template["DATABASE_URL"] = database_url(db.host, db, db.pool_size)
            template["DATABASE_DIRECT_URL"] = database_url(db.direct_host, db, db.pool_size)
            template["DATABASE_REPLICA_URLS"] = pulumi.Output.all(
                *[database_url(host, db, db.replica_pool_size) for host in db.reader_hosts]
            ).apply(",".join)
        cache = args.cache_connection
        if cache is not None:
            data.append(
                {
                    "secretKey": "redisAuthToken",
                    "remoteRef": {"key": cache.secret_name, "property": "authToken"},
                }
            )
            template["REDIS_URL"] = pulumi.Output.concat(
                "rediss://:{{ .redisAuthToken }}@", cache.host, f":{cache.port}"
            )
            template["REDIS_PASSWORD"] = "{{ .redisAuthToken }}"
        self._secret_checksum = pulumi.Output.json_dumps(
            {"data": data, "template": template}
        ).apply(lambda text: hashlib.sha256(text.encode()).hexdigest()[:16])
        secret_labels = {
            k: v for k, v in self.labels.items() if k != "app.kubernetes.io/managed-by"
        }
        return k8s.apiextensions.CustomResource(
            f"{self._name}-secrets",
            api_version="external-secrets.io/v1",
            kind="ExternalSecret",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=self.secret_name,
                namespace=args.namespace,
                labels=self.labels,
                # `pulumi up` waits until External Secrets has written the secret: a store or
                # permission problem fails here, clearly, not as pods that never start.
                annotations={"pulumi.com/waitFor": "condition=Ready"},
            ),
            spec={
                "refreshInterval": "1h",
                "secretStoreRef": {"name": args.secret_store, "kind": "ClusterSecretStore"},
                "target": {
                    "name": self.secret_name,
                    "creationPolicy": "Owner",
                    "template": {
                        "engineVersion": "v2",
                        "mergePolicy": "Replace",
                        "type": "Opaque",
                        "metadata": {"labels": secret_labels},
                        "data": template,
                    },
                },
                "data": data,
            },
            opts=self._child(),
        )

    def _network_policies(self) -> None:
        """Exactly this workload's paths; the namespace denies everything else (DNS aside)."""
        args = self._args
        peer = k8s.networking.v1.NetworkPolicyPeerArgs
        port = k8s.networking.v1.NetworkPolicyPortArgs
        own = [port(protocol="TCP", port=args.port)]
        ingress = []
        if args.role in ("web", "api") and args.load_balancer_cidrs:
            ingress.append(
                k8s.networking.v1.NetworkPolicyIngressRuleArgs(
                    from_=[
                        peer(ip_block=k8s.networking.v1.IPBlockArgs(cidr=c))
                        for c in args.load_balancer_cidrs
                    ],
                    ports=own,
                )
            )
        if args.clients:
            ingress.append(
                k8s.networking.v1.NetworkPolicyIngressRuleArgs(
                    from_=[
                        peer(
                            pod_selector=k8s.meta.v1.LabelSelectorArgs(
                                match_labels={"app.kubernetes.io/name": client}
                            )
                        )
                        for client in args.clients
                    ],
                    ports=own,
                )
            )
        if args.monitoring_namespace:
            ingress.append(
                k8s.networking.v1.NetworkPolicyIngressRuleArgs(
                    from_=[
                        peer(
                            namespace_selector=k8s.meta.v1.LabelSelectorArgs(
                                match_labels={
                                    "kubernetes.io/metadata.name": args.monitoring_namespace
                                }
                            )
                        )
                    ],
                    ports=own,
                )
            )
        agent_cidr, agent_port = POD_IDENTITY_AGENT
        egress = [
            # Third-party APIs (Clerk, Stripe, Sentry) and AWS APIs (through the VPC endpoints
            # or NAT): HTTPS, plus the workload's own ports (SMTP submission for e-mail).
            k8s.networking.v1.NetworkPolicyEgressRuleArgs(
                to=[peer(ip_block=k8s.networking.v1.IPBlockArgs(cidr="0.0.0.0/0"))],
                ports=[
                    port(protocol="TCP", port=p) for p in sorted({HTTPS_PORT, *args.egress_ports})
                ],
            ),
            # The node's Pod Identity agent hands out the role's credentials over HTTP.
            k8s.networking.v1.NetworkPolicyEgressRuleArgs(
                to=[peer(ip_block=k8s.networking.v1.IPBlockArgs(cidr=agent_cidr))],
                ports=[port(protocol="TCP", port=agent_port)],
            ),
        ]
        for uses, data_port in ((args.database, DATABASE_PORT), (args.cache, REDIS_PORT)):
            if uses and args.data_cidrs:
                egress.append(
                    k8s.networking.v1.NetworkPolicyEgressRuleArgs(
                        to=[
                            peer(ip_block=k8s.networking.v1.IPBlockArgs(cidr=c))
                            for c in args.data_cidrs
                        ],
                        ports=[port(protocol="TCP", port=data_port)],
                    )
                )
        for callee, callee_port in sorted(args.calls.items()):
            egress.append(
                k8s.networking.v1.NetworkPolicyEgressRuleArgs(
                    to=[
                        peer(
                            pod_selector=k8s.meta.v1.LabelSelectorArgs(
                                match_labels={"app.kubernetes.io/name": callee}
                            )
                        )
                    ],
                    ports=[port(protocol="TCP", port=callee_port)],
                )
            )
        k8s.networking.v1.NetworkPolicy(
            f"{self._name}-network-policy",
            metadata=self._meta(args.app_name),
            spec=k8s.networking.v1.NetworkPolicySpecArgs(
                pod_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=self.selector),
                policy_types=["Ingress", "Egress"],
                ingress=ingress,
                egress=egress,
            ),
            opts=self._child(),
        )

    def _migration_secret(
        self, job_app: str, db: DatabaseConnection, labels: dict[str, str]
    ) -> k8s.apiextensions.CustomResource:
        """The migration Job's secret: DATABASE_URL and DATABASE_DIRECT_URL, both the writer
        as the migration role (Prisma's migrate deploy takes advisory locks, which a pooler
        would not keep on one connection)."""
        args = self._args
        url = database_url(db.host, db, db.pool_size)
        return k8s.apiextensions.CustomResource(
            f"{self._name}-migrate-secrets",
            api_version="external-secrets.io/v1",
            kind="ExternalSecret",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=f"{job_app}-secrets",
                namespace=args.namespace,
                labels=labels,
                annotations={"pulumi.com/waitFor": "condition=Ready"},
            ),
            spec={
                "refreshInterval": "1h",
                "secretStoreRef": {"name": args.secret_store, "kind": "ClusterSecretStore"},
                "target": {
                    "name": f"{job_app}-secrets",
                    "creationPolicy": "Owner",
                    "template": {
                        "engineVersion": "v2",
                        "mergePolicy": "Replace",
                        "type": "Opaque",
                        "data": {"DATABASE_URL": url, "DATABASE_DIRECT_URL": url},
                    },
                },
                "data": _credentials_data(db),
            },
            opts=self._child(),
        )

    def _migration_job(
        self, env_from: list[k8s.core.v1.EnvFromSourceArgs], ready: list[Any]
    ) -> k8s.batch.v1.Job:
        """Migrations of this image, run once: the Job's name carries the image, so a new
        release (or a rebuilt image) is a new Job and an unchanged one is left alone."""
        args = self._args
        migrations = args.migrations
        assert migrations is not None
        job_app = f"{args.app_name}-migrate"
        prefix = "-".join(p for p in (job_app, _slug(args.version, 63)) if p)[:54].rstrip("-")
        job_name = pulumi.Output.from_input(args.image_ref).apply(
            lambda image: f"{prefix}-{hashlib.sha256(image.encode()).hexdigest()[:8]}"
        )
        labels = {**self.labels, "app.kubernetes.io/name": job_app}
        connection = args.migration_connection
        if connection is not None:
            # The migration role's own secret: the URLs of the writer with its credentials, and
            # nothing of the workload's (app secrets, the runtime role, Redis).
            secret = self._migration_secret(job_app, connection, labels)
            env_from = [
                env_from[0],
                k8s.core.v1.EnvFromSourceArgs(
                    secret_ref=k8s.core.v1.SecretEnvSourceArgs(name=f"{job_app}-secrets")
                ),
            ]
            ready = [*ready, secret]
        # The migration pods reach the writer only (DNS comes from the namespace's policy).
        k8s.networking.v1.NetworkPolicy(
            f"{self._name}-migrate-network-policy",
            metadata=self._meta(job_app, labels),
            spec=k8s.networking.v1.NetworkPolicySpecArgs(
                pod_selector=k8s.meta.v1.LabelSelectorArgs(
                    match_labels={"app.kubernetes.io/name": job_app}
                ),
                policy_types=["Ingress", "Egress"],
                egress=[
                    k8s.networking.v1.NetworkPolicyEgressRuleArgs(
                        to=[
                            k8s.networking.v1.NetworkPolicyPeerArgs(
                                ip_block=k8s.networking.v1.IPBlockArgs(cidr=c)
                            )
                            for c in args.data_cidrs
                        ],
                        ports=[
                            k8s.networking.v1.NetworkPolicyPortArgs(
                                protocol="TCP", port=DATABASE_PORT
                            )
                        ],
                    )
                ],
            ),
            opts=self._child(),
        )
        timeout = migrations.timeout_seconds
        return k8s.batch.v1.Job(
            f"{self._name}-migrate",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=job_name,
                namespace=args.namespace,
                labels=labels,
                # A failed migration is retried (replaced) by the next `pulumi up` instead of
                # being awaited again as it is.
                annotations={"pulumi.com/replaceUnready": "true"},
            ),
            spec=k8s.batch.v1.JobSpecArgs(
                backoff_limit=migrations.backoff_limit,
                active_deadline_seconds=timeout,
                template=k8s.core.v1.PodTemplateSpecArgs(
                    metadata=k8s.meta.v1.ObjectMetaArgs(labels=labels),
                    spec=self._pod_spec(
                        [
                            self._container(
                                "migrate",
                                env_from,
                                command=list(migrations.command),
                                serve=False,
                                env=MIGRATION_ENV,
                            )
                        ],
                        restart_policy="Never",
                        spread=False,
                    ),
                ),
            ),
            opts=self._child(
                *ready,
                # A Job's pod template cannot change: a changed one replaces it under its name.
                delete_before_replace=True,
                custom_timeouts=pulumi.CustomTimeouts(create=f"{timeout + 120}s"),
            ),
        )


def database_url(host: InputStr, db: DatabaseConnection, pool_size: int) -> pulumi.Output[str]:
    """An External Secrets template of a Prisma database URL: the credentials filled in by
    External Secrets (``dbUsername``, ``dbPassword``), TLS required, Prisma's pool settings."""
    params = (
        f"sslmode=require&connection_limit={pool_size}"
        f"&connect_timeout={db.connect_timeout_seconds}&pool_timeout=30"
    )
    return pulumi.Output.concat(
        "postgresql://{{ .dbUsername }}:{{ .dbPassword }}@",
        host,
        f":{DATABASE_PORT}/{db.database}?{params}",
    )


def _credentials_data(db: DatabaseConnection) -> list[dict[str, Any]]:
    """The ExternalSecret data reading a database secret's username and password."""
    return [
        {"secretKey": key, "remoteRef": {"key": db.secret_name, "property": field}}
        for key, field in (("dbUsername", "username"), ("dbPassword", "password"))
    ]


def _slug(text: str, length: int) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:length].strip("-")


def _label_value(text: str) -> str:
    """A label value: 63 characters of letters, digits, ``-_.``, alphanumeric at both ends."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text)[:63].strip("-_.")
