"""Settings of what runs on Kubernetes: the Helm add-ons, the app namespaces and the workloads."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, cast

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from aws_web_platform.core.fields import ConfigModel
from aws_web_platform.k8s.environment import PLATFORM_ENV, env_name, shadows_platform
from aws_web_platform.k8s.workload_budget import (
    cpu_millicores,
    memory_bytes,
)
from aws_web_platform.registry.config import AppImageName
from aws_web_platform.secrets.config import AppSecretName

ChartVersion = Annotated[
    str,
    Field(
        pattern=r"^\d+\.\d+\.\d+$", json_schema_extra={"allowed": "a chart version such as 1.2.3"}
    ),
]
Quantity = Annotated[
    str,
    Field(
        pattern=r"^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti)?$",
        json_schema_extra={"allowed": "a Kubernetes quantity such as 500m, 2, 512Mi or 4Gi"},
    ),
]


class ChartVersionsConfig(ConfigModel):
    """Helm chart versions of the platform add-ons, pinned."""

    aws_load_balancer_controller: ChartVersion = Field(
        default="3.5.0", description="aws-load-balancer-controller (eks-charts)."
    )
    cluster_autoscaler: ChartVersion = Field(
        default="9.59.0", description="cluster-autoscaler (kubernetes/autoscaler)."
    )
    external_dns: ChartVersion = Field(
        default="1.22.0", description="external-dns (kubernetes-sigs)."
    )
    external_secrets: ChartVersion = Field(
        default="2.10.0", description="external-secrets (External Secrets Operator)."
    )
    kube_prometheus_stack: ChartVersion = Field(
        default="85.2.0", description="kube-prometheus-stack (prometheus-community)."
    )
    metrics_server: ChartVersion = Field(
        default="3.13.0", description="metrics-server (kubernetes-sigs), for the HPAs."
    )
    postgres_exporter: ChartVersion = Field(
        default="8.1.1", description="prometheus-postgres-exporter (prometheus-community)."
    )
    redis_exporter: ChartVersion = Field(
        default="6.30.1", description="prometheus-redis-exporter (prometheus-community)."
    )


class MonitoringConfig(ConfigModel):
    """Prometheus and Grafana (kube-prometheus-stack)."""

    scrape_interval_seconds: int = Field(
        default=15, ge=5, le=300, description="Seconds between scrapes. Default 15 (spec)."
    )
    retention_days: int = Field(
        default=30, ge=1, le=3650, description="Days Prometheus keeps metrics. Default 30 (spec)."
    )
    storage_gb: int = Field(
        default=100,
        ge=10,
        le=16384,
        description="Prometheus volume (gp3, encrypted) in GB. Default 100: 30 days of a "
        "cluster this size with room to spare.",
    )


class NamespaceQuotaConfig(ConfigModel):
    """ResourceQuota and LimitRange of one app namespace."""

    requests_cpu: Quantity = Field(
        default="64",
        description="Total CPU requests. Default 64: the default workloads at their maxReplicas "
        "plus a rollout's surge need about 51.",
    )
    requests_memory: Quantity = Field(
        default="128Gi", description="Total memory requests. Default 128Gi (about 101 needed)."
    )
    limits_cpu: Quantity = Field(
        default="120", description="Total CPU limits. Default 120 (about 101 needed)."
    )
    limits_memory: Quantity = Field(
        default="160Gi", description="Total memory limits. Default 160Gi (about 101 needed)."
    )
    pods: int = Field(default=200, ge=1, le=10000, description="Most pods. Default 200.")
    default_request_cpu: Quantity = Field(
        default="100m", description="CPU request of a container that sets none. Default 100m."
    )
    default_request_memory: Quantity = Field(
        default="128Mi", description="Memory request of a container that sets none."
    )
    default_limit_cpu: Quantity = Field(
        default="500m", description="CPU limit of a container that sets none. Default 500m."
    )
    default_limit_memory: Quantity = Field(
        default="512Mi", description="Memory limit of a container that sets none. Default 512Mi."
    )
    max_limit_cpu: Quantity = Field(
        default="4", description="Largest CPU limit one container may ask for. Default 4."
    )
    max_limit_memory: Quantity = Field(
        default="8Gi", description="Largest memory limit one container may ask for. Default 8Gi."
    )


class AddonsConfig(ConfigModel):
    """The platform's Helm add-ons and the apps' namespaces."""

    charts: ChartVersionsConfig = Field(
        default=ChartVersionsConfig(), description="Pinned Helm chart versions."
    )
    monitoring: MonitoringConfig = Field(
        default=MonitoringConfig(), description="Prometheus and Grafana settings."
    )
    external_dns_policy: Literal["upsert-only", "sync"] = Field(
        default="upsert-only",
        description="upsert-only (default): external-dns creates and updates records but never "
        "deletes one, so a mistaken annotation cannot take the site off DNS. sync also deletes.",
    )
    app_namespaces: dict[
        Annotated[str, Field(pattern=r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")], NamespaceQuotaConfig
    ] = Field(
        default_factory=lambda: {"app": NamespaceQuotaConfig()},
        description="Namespaces of the apps (web, API, workers), each with Pod Security "
        "'restricted', a ResourceQuota and a LimitRange. Default one namespace, app.",
    )


# --------------------------------------------------------------------------------------------

K8sName = Annotated[
    str,
    Field(
        pattern=r"^[a-z]([-a-z0-9]{0,28}[a-z0-9])?$",
        json_schema_extra={"allowed": "a lowercase DNS label of up to 30 characters"},
    ),
]
ContainerPath = Annotated[
    str,
    Field(
        pattern=r"^/[A-Za-z0-9_./-]*$",
        json_schema_extra={"allowed": "an absolute path such as /tmp"},
    ),
]
EnvName = Annotated[
    str,
    Field(
        pattern=r"^[A-Z][A-Z0-9_]*$",
        json_schema_extra={"allowed": "an UPPER_SNAKE_CASE variable name"},
    ),
]
BucketRole = Literal["uploads", "certificates"]
BucketAccess = Literal["read", "write", "read_write"]
#: Names of objects the namespace already has (its policies) or a workload derives.
RESERVED_WORKLOAD_NAMES = frozenset({"default-deny", "allow-dns"})


def volume_name(path: str) -> str:
    """The emptyDir volume of a writable path: ``/app/.next/cache`` -> ``app-next-cache``."""
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")[:63] or "root"


class AutoscalingConfig(ConfigModel):
    """A HorizontalPodAutoscaler on CPU (autoscaling/v2)."""

    min_replicas: int = Field(
        ge=1, le=500, description="Fewest pods the HPA keeps running. Required."
    )
    max_replicas: int = Field(ge=1, le=500, description="Most pods the HPA may run. Required.")
    target_cpu_percent: int = Field(
        default=70,
        ge=10,
        le=100,
        description="Average CPU use, in percent of the pods' requests, the HPA keeps. Default "
        "70 (spec).",
    )

    @model_validator(mode="after")
    def _ordered(self) -> AutoscalingConfig:
        if self.min_replicas > self.max_replicas:
            raise ValueError(
                f"$.minReplicas {self.min_replicas} is above $.maxReplicas {self.max_replicas}"
            )
        return self


class WorkloadConfig(ConfigModel):
    """One app workload: a Deployment and everything around it (AppService)."""

    role: Literal["web", "api", "worker"] = Field(
        description="web and api serve HTTP behind the ALB (a Service and a TargetGroupBinding "
        "to the edge's target group of that name); a worker consumes the Redis queue and "
        "serves only its health checks. Required."
    )
    image: AppImageName = Field(description="Repository (platform:registry) of its image.")
    command: tuple[str, ...] = Field(
        default=(),
        description="Container command. Default: the image's entrypoint.",
    )
    port: int = Field(
        ge=1024,
        le=65535,
        description="Container HTTP port (non-root: 1024 or above). web and api serve traffic "
        "there; workers their /health and /ready for the probes.",
    )
    replicas: int = Field(
        default=2,
        ge=1,
        le=500,
        description="Pods when there is no autoscaling. Default 2: one can be replaced while "
        "the other serves.",
    )
    autoscaling: AutoscalingConfig | None = Field(
        default=None,
        description="HPA bounds; the HPA then owns the replica count. Default none (replicas).",
    )
    requests_cpu: Quantity = Field(
        default="250m", description="CPU request per pod: what the scheduler reserves."
    )
    requests_memory: Quantity = Field(
        default="512Mi", description="Memory request per pod: what the scheduler reserves."
    )
    limits_cpu: Quantity = Field(
        default="1", description="CPU limit per pod: throttled above it, never killed."
    )
    limits_memory: Quantity = Field(
        default="512Mi",
        description="Memory limit per pod. Default equal to the request: memory cannot be "
        "reclaimed, so a pod above its request is the first the node evicts.",
    )
    tier: Literal["apps", "workers"] = Field(
        default="apps",
        description="Node placement (platform:apps.placement maps it to a node group). Default "
        "apps.",
    )
    writable_paths: tuple[ContainerPath, ...] = Field(
        default=("/tmp",),
        description="Writable emptyDir mounts; the root filesystem is read-only. Default /tmp.",
    )
    secrets: tuple[AppSecretName, ...] = Field(
        default=(),
        description="App secrets (platform:appSecrets.names) the workload gets, as UPPER_SNAKE "
        "environment variables. Default none: each workload lists only what it uses.",
    )
    database: bool = Field(
        default=False,
        description="Reaches PostgreSQL: DATABASE_URL (through the proxy when there is one) "
        "and the replicas' URLs in its secret, and a network path to the data subnets.",
    )
    cache: bool = Field(
        default=False,
        description="Reaches Redis/Valkey: REDIS_URL in its secret, and a network path to it.",
    )
    database_pool_size: int = Field(
        default=5,
        ge=1,
        le=200,
        description="Prisma connection_limit of each pod to the primary (through the proxy when "
        "there is one). Default 5.",
    )
    database_replica_pool_size: int = Field(
        default=2,
        ge=1,
        le=200,
        description="connection_limit of each pod to each read replica (DATABASE_REPLICA_URLS). "
        "Replicas have no proxy: every pod's pool counts against max_connections. Default 2.",
    )
    egress_ports: tuple[Annotated[int, Field(ge=1, le=65535)], ...] = Field(
        default=(),
        description="More TCP ports the workload may reach on the internet besides HTTPS "
        "(e-mail submission: 587, 465). Default none.",
    )
    buckets: dict[BucketRole, BucketAccess] = Field(
        default_factory=dict[BucketRole, BucketAccess],
        description="S3 access granted to its Pod Identity role (uploads, certificates; backups "
        "belong to the backup job only). Default none.",
    )
    env: dict[EnvName, str] = Field(
        default_factory=dict, description="More plain (non-secret) environment variables."
    )
    termination_grace_period_seconds: int = Field(
        default=60,
        ge=10,
        le=3600,
        description="Seconds a stopping pod gets to finish its requests or jobs. Default 60.",
    )
    pre_stop_sleep_seconds: int = Field(
        default=10,
        ge=0,
        le=120,
        description="Seconds a stopping pod keeps serving before it gets SIGTERM, while the ALB "
        "and kube-proxy stop sending it traffic. Default 10.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> WorkloadConfig:
        problems: list[str] = []
        volumes = [volume_name(p) for p in self.writable_paths]
        if len(set(volumes)) != len(volumes):
            problems.append(
                f"$.writablePaths {list(self.writable_paths)} repeat a path (volumes {volumes})"
            )
        shadowed = sorted(n for n in self.env if shadows_platform(n))
        shadowed += sorted(env_name(s) for s in self.secrets if shadows_platform(env_name(s)))
        if shadowed:
            problems.append(
                f"$.env/$.secrets {', '.join(shadowed)} would shadow what the platform sets "
                f"({', '.join(sorted(PLATFORM_ENV))}, DATABASE_*, REDIS_*, S3_*)"
            )
        if self.pre_stop_sleep_seconds >= self.termination_grace_period_seconds:
            problems.append(
                f"$.preStopSleepSeconds {self.pre_stop_sleep_seconds} must be below "
                f"$.terminationGracePeriodSeconds {self.termination_grace_period_seconds}"
            )
        for request, limit, what, parse in (
            (self.requests_cpu, self.limits_cpu, "Cpu", cpu_millicores),
            (self.requests_memory, self.limits_memory, "Memory", memory_bytes),
        ):
            try:
                above = parse(request) > parse(limit)
            except ValueError as error:
                problems.append(f"$.requests{what}/$.limits{what}: {error}")
                continue
            if above:
                problems.append(f"$.requests{what} {request} is above $.limits{what} {limit}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def max_replicas(self) -> int:
        return self.autoscaling.max_replicas if self.autoscaling else self.replicas


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` onto ``base``: nested mappings merge, anything else replaces."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], cast(dict[str, Any], value))
        else:
            merged[key] = value
    return merged


def _default_workloads() -> dict[str, WorkloadConfig]:
    """The seed's workloads at the spec's production sizes."""
    worker = {"role": "worker", "image": "worker", "port": 3100, "tier": "workers"}
    data = {"database": True, "cache": True}
    return {
        "web": WorkloadConfig.model_validate(
            {
                "role": "web",
                "image": "web",
                "port": 3001,
                "autoscaling": {"minReplicas": 4, "maxReplicas": 15},
                "requestsCpu": "500m",
                "requestsMemory": "1Gi",
                "limitsCpu": "1",
                "limitsMemory": "1Gi",
                "writablePaths": ["/tmp", "/app/.next/cache"],
                "secrets": ["clerkSecretKey", "clerkPublishableKey", "sentryDsn"],
                # Next.js standalone listens on HOSTNAME: all interfaces, not the pod's name.
                "env": {"HOSTNAME": "0.0.0.0"},
            }
        ),
        "api": WorkloadConfig.model_validate(
            {
                "role": "api",
                "image": "api",
                "port": 3000,
                "autoscaling": {"minReplicas": 3, "maxReplicas": 20, "targetCpuPercent": 70},
                "requestsCpu": "1",
                "requestsMemory": "2Gi",
                "limitsCpu": "2",
                "limitsMemory": "2Gi",
                "secrets": [
                    "jwtSecret",
                    "clerkSecretKey",
                    "oauthGoogleClientSecret",
                    "stripeSecretKey",
                    "stripeWebhookSecret",
                    "sentryDsn",
                ],
                **data,
                "databasePoolSize": 50,
                "databaseReplicaPoolSize": 10,
                "buckets": {"uploads": "read_write", "certificates": "write"},
            }
        ),
        "ai": WorkloadConfig.model_validate(
            {
                **worker,
                **data,
                "autoscaling": {"minReplicas": 2, "maxReplicas": 10},
                "requestsCpu": "500m",
                "requestsMemory": "1Gi",
                "limitsCpu": "1",
                "limitsMemory": "1Gi",
                "secrets": ["sentryDsn"],
                "env": {"WORKER_QUEUE": "ai"},
            }
        ),
        "pdf": WorkloadConfig.model_validate(
            {
                **worker,
                **data,
                "autoscaling": {"minReplicas": 2, "maxReplicas": 10},
                "requestsCpu": "500m",
                "requestsMemory": "1Gi",
                "limitsCpu": "1",
                "limitsMemory": "1Gi",
                "secrets": ["sentryDsn"],
                "buckets": {"certificates": "write"},
                "env": {"WORKER_QUEUE": "pdf"},
            }
        ),
        "email": WorkloadConfig.model_validate(
            {
                **worker,
                **data,
                "autoscaling": {"minReplicas": 2, "maxReplicas": 6},
                "requestsCpu": "250m",
                "requestsMemory": "512Mi",
                "limitsCpu": "500m",
                "limitsMemory": "512Mi",
                "secrets": ["smtpPassword", "sentryDsn"],
                # SMTP submission (STARTTLS and implicit TLS).
                "egressPorts": [587, 465],
                "env": {"WORKER_QUEUE": "email"},
            }
        ),
    }


class MigrationsConfig(ConfigModel):
    """The database migration Job of each release (with the api image)."""

    enabled: bool = Field(
        default=True, description="Run the migrations before the api rolls out. Default true."
    )
    command: tuple[str, ...] = Field(
        default=("node_modules/.bin/prisma", "migrate", "deploy"),
        min_length=1,
        description="Migration command, run in the api image's working directory. Default "
        "Prisma's `migrate deploy` (spec), which applies pending migrations only, so a re-run "
        "is harmless; called directly rather than through npx, which would write a cache to "
        "the read-only filesystem and might download.",
    )
    timeout_seconds: int = Field(
        default=600,
        ge=60,
        le=7200,
        description="Longest a migration may run before the Job (and the deploy) fails.",
    )
    backoff_limit: int = Field(
        default=1, ge=0, le=6, description="Retries of a failed migration. Default 1."
    )


class AppsConfig(ConfigModel):
    """The apps: web, API and workers on Kubernetes (AppService)."""

    namespace: K8sName = Field(
        default="app",
        description="Namespace of the workloads (one of platform:addons.appNamespaces).",
    )
    node_env: Literal["production", "development", "test"] = Field(
        default="production", description="NODE_ENV of every workload (spec: per environment)."
    )
    log_level: Literal["debug", "info", "warn", "error"] = Field(
        default="info", description="LOG_LEVEL (spec: info; debug in dev)."
    )
    redis_prefix: str = Field(
        default="prod:",
        pattern=r"^[a-z0-9_-]+:$",
        description="REDIS_PREFIX (spec: prod:, dev:, test:), keeping environments' keys apart.",
        json_schema_extra={"allowed": "lowercase letters, digits, _ or - ending in ':'"},
    )
    placement: dict[Literal["apps", "workers"], K8sName] = Field(
        default_factory=lambda: {"apps": "apps", "workers": "workers"},
        description="Node group (platform:cluster.nodeGroups) of each tier. Default apps and "
        "workers.",
    )
    max_surge_percent: int = Field(
        default=25,
        ge=1,
        le=100,
        description="Extra pods a rollout starts before stopping old ones (maxUnavailable is "
        "0: zero downtime, spec). Default 25.",
    )
    progress_deadline_seconds: int = Field(
        default=600,
        ge=60,
        le=3600,
        description="A rollout making no progress this long fails (and fails `pulumi up`).",
    )
    migrations: MigrationsConfig = Field(
        default=MigrationsConfig(), description="The release's database migration Job."
    )
    workloads: dict[K8sName, WorkloadConfig] = Field(
        default_factory=_default_workloads,
        description="The workloads by name. Default: web, api and the ai, pdf and email workers "
        "at the spec's production sizes. Keys given for a default workload override only "
        "those keys (nested mappings merge); a new name adds a workload; null removes one.",
        json_schema_extra={
            "default": "web, api, ai, pdf, email (see docs/workloads.md)",
        },
    )

    @field_validator("workloads", mode="before")
    @classmethod
    def _merge_onto_the_defaults(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        merged: dict[str, Any] = {
            name: workload.model_dump(by_alias=True)
            for name, workload in _default_workloads().items()
        }
        for name, given in cast(dict[str, Any], value).items():
            if given is None:
                merged.pop(name, None)
            elif isinstance(given, WorkloadConfig):
                merged[name] = given
            elif name in merged and isinstance(given, dict):
                merged[name] = _deep_merge(merged[name], cast(dict[str, Any], given))
            else:
                merged[name] = given
        return merged

    @model_validator(mode="after")
    def _one_web_and_one_api(self) -> AppsConfig:
        problems: list[str] = []
        for name in sorted(self.workloads):
            if name in RESERVED_WORKLOAD_NAMES or name.endswith("-migrate"):
                problems.append(
                    f"$.workloads.{name}: the name is taken by the namespace's policies or a "
                    "migration Job (default-deny, allow-dns, *-migrate)"
                )
        for role in ("web", "api"):
            named = sorted(n for n, w in self.workloads.items() if w.role == role)
            if len(named) != 1:
                problems.append(
                    f"$.workloads needs exactly one workload with role {role} (the edge has one "
                    f"{role} target group); found {named or 'none'}"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self
