"""Typed stack configuration: every knob of the platform, parsed from the stack file.

Data flows one way: ``Pulumi.<stack>.yaml`` -> :class:`StackConfig` -> ``Platform`` -> components.
This module and ``__main__.py`` are the only places that read ``pulumi.Config``; components take
their typed Args, so platform engineers can use them in their own programs.

Conventions:

* Keys live under the project's namespace (``platform:``) and are camelCase, as Pulumi keys are:
  ``platform:network`` holds ``{cidr, azCount, natStrategy, ...}``. Python code uses snake_case.
* Defaults are the production-safe values from ``SPEC.md``. The dev stack file turns them down
  (sizes, counts, HA); the code never branches on the stack's name.
* A bad value stops the program before any resource is registered, with one message naming the
  full key path (``platform:network.azCount``), the bad value and what is allowed.
* Secrets are never read here in plaintext: a key of this model set with ``--secret`` is refused,
  because its value would end up in plaintext (tags, names) in the state.
"""

from __future__ import annotations

import ipaddress
import json
import re
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

import pulumi
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic.config import JsonDict

from components.config_messages import config_key, describe_error
from components.eks_capacity import (
    AMI_ARCHITECTURES,
    INSTANCE_TYPES,
    architecture_mismatches,
    ip_budget,
)
from components.network_layout import (
    LayoutError,
    SubnetTier,
    parse_vpc_cidr,
    plan_subnets,
    usable_ips,
)
from components.postgres_tuning import (
    ConnectionBudget,
    PostgresSettings,
    check_fit,
    connection_budget,
    tune,
)
from components.time_windows import daily_minutes, daily_overlaps_weekly, weekly_minutes
from components.workload_budget import (
    Demand,
    Quota,
    cpu_millicores,
    memory_bytes,
    over_capacity,
    over_quota,
    surge_pods,
)

#: The project directory (where Pulumi.yaml is): build contexts are relative to it.
PROJECT_DIR = Path(__file__).resolve().parent.parent

# --------------------------------------------------------------------------------------------
# Shared building blocks
# --------------------------------------------------------------------------------------------


class ConfigModel(BaseModel):
    """Base of every config model: camelCase keys, unknown keys rejected, immutable."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
        validate_default=True,
    )


#: Retention periods CloudWatch Logs accepts (days); any other number is rejected by the API.
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                      2192, 2557, 2922, 3288, 3653)  # fmt: skip
LogRetentionDays = Literal[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
                           1827, 2192, 2557, 2922, 3288, 3653]  # fmt: skip

#: AWS tag values: up to 256 letters, digits, spaces and ``_ . : / = + - @``.
TagValue = Annotated[
    str,
    Field(
        min_length=1,
        max_length=256,
        pattern=r"^[\w .:/=+\-@]+$",
        json_schema_extra={
            "allowed": "1 to 256 characters: letters, digits, spaces and _ . : / = + - @"
        },
    ),
]

AccountId = Annotated[
    str, Field(pattern=r"^\d{12}$", json_schema_extra={"allowed": "a 12-digit AWS account id"})
]

IPv4NetworkText = Annotated[
    str,
    AfterValidator(lambda v: str(ipaddress.IPv4Network(v, strict=True))),
    Field(json_schema_extra={"allowed": "an IPv4 network in CIDR notation, e.g. 203.0.113.0/24"}),
]
IamPrincipalArn = Annotated[
    str,
    Field(
        pattern=r"^arn:aws[a-z-]*:iam::\d{12}:(role|user)/[\w+=,.@/-]+$",
        json_schema_extra={"allowed": "an IAM role or user ARN"},
    ),
]

#: Interface endpoints the network knows how to create (service name after com.amazonaws.<region>.).
EndpointService = Literal[
    "autoscaling",
    "ec2",
    "ec2messages",
    "ecr.api",
    "ecr.dkr",
    "eks",
    "eks-auth",
    "elasticloadbalancing",
    "kms",
    "logs",
    "monitoring",
    "secretsmanager",
    "sns",
    "sqs",
    "ssm",
    "ssmmessages",
    "sts",
    "xray",
]

#: What private nodes need to reach AWS when the VPC has no NAT (EKS private-cluster guide).
ENDPOINTS_REQUIRED_WITHOUT_NAT: tuple[str, ...] = (
    "ec2",
    "ecr.api",
    "ecr.dkr",
    "eks-auth",
    "elasticloadbalancing",
    "logs",
    "sts",
)

NatStrategy = Literal["per_az", "single", "none"]


def _check_vpc_cidr(value: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
    try:
        return parse_vpc_cidr(value)
    except LayoutError as error:
        raise ValueError(str(error)) from None


def _require_text(value: Any) -> Any:
    if not isinstance(value, (str, ipaddress.IPv4Network)):
        raise ValueError("must be text in CIDR notation")  # pydantic would take 167772160 too
    return value


VpcCidr = Annotated[
    ipaddress.IPv4Network,
    BeforeValidator(_require_text),
    AfterValidator(_check_vpc_cidr),
    Field(
        json_schema_extra={
            "allowed": "an IPv4 network in CIDR notation with prefix /16 to /20, e.g. 10.0.0.0/16"
        }
    ),
]

# --------------------------------------------------------------------------------------------
# Network
# --------------------------------------------------------------------------------------------


class FlowLogsConfig(ConfigModel):
    """VPC flow logs, always on: the record of who talked to what, for incidents and audits."""

    retention_days: LogRetentionDays = Field(
        default=30,
        description="Days CloudWatch keeps flow logs. Default 30: long enough to investigate an "
        "incident reported weeks later, bounded in cost; dev keeps 7.",
    )
    traffic_type: Literal["ALL", "ACCEPT", "REJECT"] = Field(
        default="ALL",
        description="Which traffic is logged. Default ALL: accepted flows matter as much as "
        "rejected ones when tracing an intrusion.",
    )
    max_aggregation_interval: Literal[60, 600] = Field(
        default=60,
        description="Seconds over which flows are aggregated into one record. Default 60, the "
        "finest AWS offers, so records line up with 1-minute alarms.",
    )


class NetworkConfig(ConfigModel):
    """The VPC: CIDR, AZ spread, NAT strategy, endpoints and flow logs."""

    cidr: VpcCidr = Field(
        default=ipaddress.IPv4Network("10.0.0.0/16"),
        description="VPC CIDR. Default 10.0.0.0/16, the largest VPC AWS allows, so each AZ gets a "
        "/19 private subnet for VPC-CNI pod IPs. Subnets are carved from it by a fixed grid "
        "(docs/network.md).",
    )
    az_count: int = Field(
        default=3,
        ge=2,
        le=3,
        description="Availability zones to spread over (the first ones of the region, looked up "
        "at run time). Default 3: the cluster and the database survive the loss of an AZ with "
        "capacity to spare. Raising it later adds subnets without moving existing ones.",
    )
    nat_strategy: NatStrategy = Field(
        default="per_az",
        description="Egress for private subnets. per_az (default): one NAT gateway per AZ, so "
        "losing an AZ never cuts the others off the internet. single: one NAT gateway for all "
        "AZs (cheaper, for dev). none: no internet egress; nodes reach AWS through endpoints.",
    )
    interface_endpoints: tuple[EndpointService, ...] = Field(
        default=("ecr.api", "ecr.dkr", "sts", "logs", "secretsmanager", "ssm"),
        description="Interface VPC endpoints (service names) in the private subnets, with private "
        "DNS. Default: what nodes and pods call most (image pulls, Pod Identity credentials, "
        "logs, secrets, SSM), so that traffic stays private and off NAT data charges. The S3 "
        "gateway endpoint is always created (it is free).",
    )
    flow_logs: FlowLogsConfig = Field(
        default=FlowLogsConfig(),
        description="VPC flow logs to CloudWatch Logs. Always on; this tunes retention and scope.",
    )

    @field_validator("interface_endpoints")
    @classmethod
    def _no_duplicate_endpoints(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        duplicates = sorted({service for service in value if value.count(service) > 1})
        if duplicates:
            raise ValueError(f"each endpoint may appear once; repeated: {', '.join(duplicates)}")
        return value

    @model_validator(mode="after")
    def _endpoints_cover_no_nat(self) -> NetworkConfig:
        if self.nat_strategy == "none":
            missing = [
                s for s in ENDPOINTS_REQUIRED_WITHOUT_NAT if s not in self.interface_endpoints
            ]
            if missing:
                raise ValueError(
                    "$.natStrategy 'none' leaves private subnets without internet egress, so "
                    "nodes reach AWS only through endpoints: add to $.interfaceEndpoints "
                    f"{', '.join(missing)} (or use natStrategy 'single' or 'per_az')"
                )
        return self


# --------------------------------------------------------------------------------------------
# Encryption keys and app secrets
# --------------------------------------------------------------------------------------------


class KmsConfig(ConfigModel):
    """Customer-managed KMS keys, one per data domain (see docs/data.md)."""

    rotation_period_days: int = Field(
        default=365,
        ge=90,
        le=2560,
        description="Days between automatic rotations of each key's material. Default 365, the "
        "yearly rotation most compliance frameworks ask for; AWS allows 90..2560.",
    )
    deletion_window_days: int = Field(
        default=30,
        ge=7,
        le=30,
        description="Days a deleted key waits before it is destroyed, during which deletion can "
        "be cancelled. Default 30, the longest: a destroyed key makes its data unreadable; dev "
        "uses 7.",
    )


#: Name of the secret config key holding the app secrets' values (set with --secret --path).
APP_SECRET_VALUES_KEY = "appSecretValues"

AppSecretName = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-zA-Z0-9]{1,63}$",
        json_schema_extra={"allowed": "a camelCase name of 2 to 64 letters and digits"},
    ),
]


class AppSecretsConfig(ConfigModel):
    """Third-party keys of the apps, kept in Secrets Manager; values set with --secret."""

    names: tuple[AppSecretName, ...] = Field(
        default=(
            "jwtSecret",
            "clerkSecretKey",
            "clerkPublishableKey",
            "smtpPassword",
            "oauthGoogleClientSecret",
            "stripeSecretKey",
            "stripeWebhookSecret",
            "sentryDsn",
        ),
        description="The app secrets, each a Secrets Manager secret whose value is "
        "platform:appSecretValues.<name>, set with `pulumi config set --secret --path "
        "'appSecretValues.<name>' <value>`. Default: the keys the seed apps use (JWT, Clerk, "
        "SMTP, OAuth, Stripe, Sentry).",
    )
    recovery_window_days: int = Field(
        default=30,
        description="Days a deleted secret can still be restored. Default 30, the longest; dev "
        "uses 0 (deleted at once) so a torn-down stack can be recreated with the same names.",
        json_schema_extra={"allowed": "0 (delete at once) or a number of days from 7 to 30"},
    )

    @field_validator("names")
    @classmethod
    def _unique_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        duplicates = sorted({name for name in value if value.count(name) > 1})
        if duplicates:
            raise ValueError(f"each secret may appear once; repeated: {', '.join(duplicates)}")
        return value

    @field_validator("recovery_window_days")
    @classmethod
    def _recovery_window(cls, value: int) -> int:
        if value != 0 and not 7 <= value <= 30:
            raise ValueError("Secrets Manager takes 0 or 7..30 days")
        return value


# --------------------------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------------------------

RdsInstanceClass = Literal[
    "db.t4g.micro", "db.t4g.small", "db.t4g.medium", "db.t4g.large", "db.t4g.xlarge",
    "db.t4g.2xlarge", "db.m6g.large", "db.m6g.xlarge", "db.m6g.2xlarge", "db.m6g.4xlarge",
    "db.m7g.large", "db.m7g.xlarge", "db.m7g.2xlarge", "db.m7g.4xlarge", "db.r6g.large",
    "db.r6g.xlarge", "db.r6g.2xlarge", "db.r6g.4xlarge", "db.r7g.large", "db.r7g.xlarge",
    "db.r7g.2xlarge", "db.r7g.4xlarge",
]  # fmt: skip

PerformanceInsightsRetention = Literal[7, 31, 62, 93, 124, 155, 186, 217, 248, 279, 310, 341,
                                       372, 403, 434, 465, 496, 527, 558, 589, 620, 651, 682,
                                       713, 731]  # fmt: skip

DailyWindow = Annotated[
    str,
    Field(json_schema_extra={"allowed": "a daily UTC window hh24:mi-hh24:mi of 30+ minutes"}),
]
WeeklyWindow = Annotated[
    str,
    Field(
        json_schema_extra={"allowed": "a weekly UTC window ddd:hh24:mi-ddd:hh24:mi of 30+ minutes"}
    ),
]


class PostgresParameters(ConfigModel):
    """Overrides of the derived PostgreSQL tuning; omitted keys keep the derived value."""

    shared_buffers_mb: int | None = Field(
        default=None,
        ge=16,
        description="shared_buffers in MiB. Default: 25 % of the class's "
        "memory (the spec's 1 GB of 4 GB).",
    )
    effective_cache_size_mb: int | None = Field(
        default=None,
        ge=16,
        description="effective_cache_size in MiB. Default: 75 % of the "
        "class's memory (the spec's 3 GB of 4 GB).",
    )
    maintenance_work_mem_mb: int | None = Field(
        default=None,
        ge=1,
        description="maintenance_work_mem in MiB. Default: 1/16 of the "
        "class's memory, at most 2 GiB (the spec's 256 MB of 4 GB).",
    )
    work_mem_kb: int | None = Field(
        default=None,
        ge=64,
        description="work_mem in kB. Default: (memory - shared_buffers) / "
        "(3 x max_connections), the spec's 2 MB on 4 GB.",
    )
    wal_buffers_mb: int | None = Field(
        default=None,
        ge=1,
        le=512,
        description="wal_buffers in MiB. Default: 16 (spec), at most 1/32 of shared_buffers.",
    )
    min_wal_size_mb: int | None = Field(
        default=None,
        ge=32,
        description="min_wal_size in MiB. Default: 2048 (spec), at most a quarter of max_wal_size.",
    )
    max_wal_size_mb: int | None = Field(
        default=None,
        ge=64,
        description="max_wal_size in MiB. Default: 8192 (spec), at most "
        "1/5 of the allocated storage.",
    )
    max_connections: int | None = Field(
        default=None,
        ge=10,
        description="max_connections. Default: 500 (spec), at most RDS's "
        "memory-based cap for the class.",
    )
    max_worker_processes: int | None = Field(
        default=None,
        ge=1,
        le=64,
        description="max_worker_processes. Default: 8 (spec), at least the class's vCPUs.",
    )
    max_parallel_workers: int | None = Field(
        default=None,
        ge=0,
        le=64,
        description="max_parallel_workers. Default: 8 (spec), at most the class's vCPUs.",
    )
    max_parallel_workers_per_gather: int | None = Field(
        default=None,
        ge=0,
        le=32,
        description="max_parallel_workers_per_gather. Default: 4 "
        "(spec), at most half the class's vCPUs.",
    )
    checkpoint_completion_target: float | None = Field(
        default=None,
        ge=0.1,
        le=1.0,
        description="checkpoint_completion_target. Default 0.9 "
        "(spec): spread checkpoint writes over the interval.",
    )
    random_page_cost: float | None = Field(
        default=None,
        ge=1.0,
        le=10.0,
        description="random_page_cost. Default 1.1 (spec): SSD "
        "(gp3) random reads cost about as much as sequential ones.",
    )
    effective_io_concurrency: int | None = Field(
        default=None,
        ge=1,
        le=1000,
        description="effective_io_concurrency. Default 200 (spec), suited to SSD storage.",
    )
    slow_query_ms: int | None = Field(
        default=None,
        ge=-1,
        description="log_min_duration_statement in ms: slower statements "
        "are logged. Default 500, the spec's API p95 alarm threshold; -1 turns it off.",
    )

    def overrides(self) -> dict[str, int | float]:
        """The set keys, named as in PostgresSettings."""
        return {k: v for k, v in self.model_dump().items() if v is not None}


class ProxyConfig(ConfigModel):
    """RDS Proxy: connection pooling in front of the primary (the spec's PgBouncer, managed)."""

    enabled: bool = Field(
        default=True,
        description="Put RDS Proxy in front of the primary. Default true: 20 API pods x 50 "
        "pooled connections (spec) are more than max_connections; the proxy multiplexes them "
        "and keeps connections across failovers. Dev may turn it off.",
    )
    max_connections_percent: int = Field(
        default=80,
        ge=1,
        le=100,
        description="Share of max_connections the proxy may open. Default 80: the rest is kept "
        "for migrations, administration and direct readers.",
    )
    max_idle_connections_percent: int = Field(
        default=50,
        ge=0,
        le=100,
        description="Share of max_connections the proxy keeps open while idle. Default 50: warm "
        "connections for bursts without pinning the whole budget.",
    )
    idle_client_timeout_seconds: int = Field(
        default=1800,
        ge=1,
        le=28800,
        description="Seconds an idle client connection is kept. Default 1800 (RDS's default).",
    )
    borrow_timeout_seconds: int = Field(
        default=30,
        ge=0,
        le=300,
        description="Seconds a client waits for a database connection from the pool. Default "
        "30, the spec's connect timeout.",
    )

    @model_validator(mode="after")
    def _idle_within_max(self) -> ProxyConfig:
        if self.max_idle_connections_percent > self.max_connections_percent:
            raise ValueError(
                f"$.maxIdleConnectionsPercent ({self.max_idle_connections_percent}) exceeds "
                f"$.maxConnectionsPercent ({self.max_connections_percent}); RDS refuses it"
            )
        return self


class PoolConfig(ConfigModel):
    """The API's connection pools, for the connection budget check."""

    api_max_replicas: int = Field(
        default=20,
        ge=1,
        le=1000,
        description="Most API pods at once (the HPA's maximum). Default 20 (spec).",
    )
    size_per_replica: int = Field(
        default=50,
        ge=1,
        le=1000,
        description="Connections in each API pod's pool. Default 50 (spec).",
    )
    min_per_replica: int = Field(
        default=2,
        ge=0,
        le=1000,
        description="Connections each pool keeps open. Default 2 (spec).",
    )
    reserved_connections: int = Field(
        default=20,
        ge=0,
        le=1000,
        description="Connections kept out of the pools: superuser slots, migrations, "
        "administration, replication. Default 20.",
    )


class DatabaseConfig(ConfigModel):
    """PostgreSQL on RDS: primary, read replicas, tuning, backups, proxy."""

    engine_version: str = Field(
        default="16",
        pattern=r"^1[3-9](\.\d+)?$",
        description="PostgreSQL version: a major ('16', minor upgrades applied automatically in "
        "the maintenance window) or major.minor. Default 16 (spec).",
        json_schema_extra={"allowed": "a PostgreSQL major version 13..19, optionally .minor"},
    )
    instance_class: RdsInstanceClass = Field(
        default="db.r6g.xlarge",
        description="Instance class of the primary (and replicas). Default db.r6g.xlarge, the "
        "spec's cost anchor (4 vCPUs, 32 GiB). Tuning is derived from its memory.",
    )
    allocated_storage_gb: int = Field(
        default=100,
        ge=20,
        le=65536,
        description="Initial gp3 storage in GB. Default 100: gp3's baseline 3,000 IOPS and "
        "room for WAL.",
    )
    max_allocated_storage_gb: int = Field(
        default=1000,
        ge=22,
        le=65536,
        description="Storage autoscaling ceiling in GB. Default 1000: storage grows without a "
        "deploy, with a bound on cost.",
    )
    multi_az: bool = Field(
        default=True,
        description="Synchronous standby in another AZ with automatic failover. Default true; "
        "dev turns it off.",
    )
    read_replicas: int = Field(
        default=2,
        ge=0,
        le=5,
        description="Read replicas, each in another AZ. Default 2 (spec: primary + 2 read "
        "replicas); dev 0.",
    )
    database_name: str = Field(
        default="app",
        pattern=r"^[a-z][a-z0-9_]{0,62}$",
        description="Database created on the primary. Default app.",
        json_schema_extra={"allowed": "a lowercase identifier of up to 63 characters"},
    )
    master_username: str = Field(
        default="app_admin",
        pattern=r"^[a-z][a-z0-9_]{0,15}$",
        description="Master user; its password is generated and kept by RDS in Secrets "
        "Manager. Default app_admin ('postgres' and 'rdsadmin' are reserved or discouraged).",
        json_schema_extra={"allowed": "a lowercase identifier of up to 16 characters"},
    )
    app_username: str = Field(
        default="app",
        pattern=r"^[a-z][a-z0-9_]{0,15}$",
        description="Database user of the apps, with a generated password in Secrets Manager "
        "that the proxy accepts; the release migration creates the role. Default app.",
        json_schema_extra={"allowed": "a lowercase identifier of up to 16 characters"},
    )
    monitoring_username: str = Field(
        default="monitoring",
        pattern=r"^[a-z][a-z0-9_]{0,15}$",
        description="Database user of the postgres exporter (role pg_monitor, created by the "
        "release migration), with a generated password in Secrets Manager. Default monitoring.",
        json_schema_extra={"allowed": "a lowercase identifier of up to 16 characters"},
    )
    backup_retention_days: int = Field(
        default=30,
        ge=0,
        le=35,
        description="Days of automated backups and point-in-time recovery. Default 30 (spec).",
    )
    backup_window: DailyWindow = Field(
        default="02:00-03:00",
        description="Daily backup window (UTC). Default 02:00-03:00, the quietest hours.",
    )
    maintenance_window: WeeklyWindow = Field(
        default="sun:04:00-sun:05:00",
        description="Weekly maintenance window (UTC), where minor upgrades and pending "
        "parameter changes apply. Default sun:04:00-sun:05:00, after the backup window.",
    )
    performance_insights_retention_days: PerformanceInsightsRetention = Field(
        default=7,
        description="Days Performance Insights keeps query statistics. Default 7, the free tier.",
    )
    monitoring_interval_seconds: Literal[0, 1, 5, 10, 15, 30, 60] = Field(
        default=15,
        description="Enhanced Monitoring interval (OS metrics). Default 15, the spec's scrape "
        "interval; 0 turns it off.",
    )
    log_retention_days: LogRetentionDays = Field(
        default=30,
        description="Days CloudWatch keeps the exported postgresql and upgrade logs. Default 30.",
    )
    parameters: PostgresParameters = Field(
        default=PostgresParameters(),
        description="Overrides of the tuning derived from the instance class (docs/data.md).",
    )
    apply_immediately: bool = Field(
        default=False,
        description="Apply modifications at once instead of in the maintenance window. Default "
        "false: a resize or parameter change never restarts the primary mid-day; dev sets true.",
    )
    proxy: ProxyConfig = Field(
        default=ProxyConfig(), description="RDS Proxy in front of the primary (see ProxyConfig)."
    )
    pool: PoolConfig = Field(
        default=PoolConfig(), description="The API's pools, checked against max_connections."
    )

    @field_validator("backup_window")
    @classmethod
    def _daily(cls, value: str) -> str:
        daily_minutes(value)
        return value

    @field_validator("maintenance_window")
    @classmethod
    def _weekly(cls, value: str) -> str:
        weekly_minutes(value)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> DatabaseConfig:
        problems: list[str] = []
        if self.max_allocated_storage_gb * 10 < self.allocated_storage_gb * 11:
            problems.append(
                f"$.maxAllocatedStorageGb ({self.max_allocated_storage_gb}) must be at least "
                f"10 % above $.allocatedStorageGb ({self.allocated_storage_gb}) for storage "
                "autoscaling"
            )
        if self.read_replicas and self.backup_retention_days < 1:
            problems.append(
                "$.readReplicas need automated backups on the primary: $.backupRetentionDays >= 1"
            )
        if daily_overlaps_weekly(self.backup_window, self.maintenance_window):
            problems.append(
                f"$.backupWindow {self.backup_window} overlaps $.maintenanceWindow "
                f"{self.maintenance_window}; AWS refuses overlapping windows"
            )
        tuned = self.tuning()
        for problem in check_fit(tuned, self.instance_class, self.allocated_storage_gb):
            problems.append(_settings_to_keys(problem))
        problems.extend(_settings_to_keys(why) for why in self.connection_budget().problems())
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def tuning(self) -> PostgresSettings:
        """The PostgreSQL settings: derived from the class and storage, with overrides."""
        return tune(self.instance_class, self.allocated_storage_gb, self.parameters.overrides())

    def connection_budget(self) -> ConnectionBudget:
        """How the API's pools fit max_connections, through the proxy or directly."""
        return connection_budget(
            max_connections=self.tuning().max_connections,
            api_max_replicas=self.pool.api_max_replicas,
            pool_size_per_replica=self.pool.size_per_replica,
            pool_min_per_replica=self.pool.min_per_replica,
            reserved=self.pool.reserved_connections,
            proxy_enabled=self.proxy.enabled,
            proxy_max_connections_percent=self.proxy.max_connections_percent,
        )


def _settings_to_keys(text: str) -> str:
    """Name PostgresSettings fields (and pool terms) in a message by their config keys."""
    for field in sorted(PostgresSettings.__dataclass_fields__, key=len, reverse=True):
        text = re.sub(rf"\b(?<![.$]){field}\b", f"$.parameters.{to_camel(field)}", text)
    text = re.sub(r"(?<![.$\w])((?:proxy|pool)\.[a-zA-Z]+)", r"$.\1", text)
    return text


# --------------------------------------------------------------------------------------------
# Redis / Valkey
# --------------------------------------------------------------------------------------------

#: Engine versions the platform supports, with their parameter group family. Redis OSS 7 and
#: Valkey (a Redis 7.2-compatible fork, cheaper on ElastiCache) both serve BullMQ and sessions.
CACHE_PARAMETER_FAMILIES: dict[tuple[str, str], str] = {
    ("valkey", "7.2"): "valkey7",
    ("valkey", "8.0"): "valkey8",
    ("valkey", "8.1"): "valkey8",
    ("redis", "7.0"): "redis7",
    ("redis", "7.1"): "redis7",
}


class CacheConfig(ConfigModel):
    """ElastiCache (Valkey or Redis OSS): cache, sessions, rate limits, BullMQ, pub/sub."""

    engine: Literal["valkey", "redis"] = Field(
        default="valkey",
        description="Engine. Default valkey: Redis 7.2-compatible (BullMQ, sessions, pub/sub "
        "work unchanged) at a lower ElastiCache price.",
    )
    engine_version: str = Field(
        default="8.0",
        description="Engine version. Default 8.0 for valkey (use 7.0/7.1 with redis).",
        json_schema_extra={
            "allowed": "valkey: 7.2, 8.0 or 8.1; redis: 7.0 or 7.1",
        },
    )
    node_type: str = Field(
        default="cache.r6g.large",
        pattern=r"^cache\.[a-z0-9]+\.[a-z0-9]+$",
        description="Node type. Default cache.r6g.large, the spec's cost anchor (13 GiB).",
        json_schema_extra={"allowed": "an ElastiCache node type such as cache.r6g.large"},
    )
    cluster_mode: bool = Field(
        default=False,
        description="Shard the keyspace (Redis Cluster). Default false: one primary is enough "
        "for the spec's load and BullMQ needs multi-key commands in one slot. The spec's "
        "scale-out is clusterMode true with shards 3 and replicasPerShard 1.",
    )
    shards: int = Field(
        default=1,
        ge=1,
        le=500,
        description="Shards (node groups) when clusterMode is true; 1 otherwise. Default 1.",
    )
    replicas_per_shard: int = Field(
        default=2,
        ge=0,
        le=5,
        description="Replicas of each primary, in other AZs. Default 2 (1 primary + 2 "
        "replicas, automatic failover and Multi-AZ on); dev 0.",
    )
    snapshot_retention_days: int = Field(
        default=7,
        ge=0,
        le=35,
        description="Days daily snapshots are kept. Default 7; 0 turns snapshots off.",
    )
    snapshot_window: DailyWindow = Field(
        default="03:00-04:00", description="Daily snapshot window (UTC). Default 03:00-04:00."
    )
    maintenance_window: WeeklyWindow = Field(
        default="sun:05:00-sun:06:00",
        description="Weekly maintenance window (UTC). Default sun:05:00-sun:06:00, after the "
        "database's.",
    )
    maxmemory_policy: Literal[
        "allkeys-lru", "allkeys-lfu", "volatile-lru", "volatile-lfu", "noeviction"
    ] = Field(
        default="allkeys-lru",
        description="What is evicted when memory is full. Default allkeys-lru (spec). BullMQ "
        "prefers noeviction: with allkeys-lru a full cache can evict queued jobs.",
    )
    idle_timeout_seconds: int = Field(
        default=300,
        ge=0,
        le=86400,
        description="Seconds before an idle client is disconnected (timeout). Default 300 (spec).",
    )
    tcp_keepalive_seconds: int = Field(
        default=300,
        ge=0,
        le=86400,
        description="TCP keepalive interval (tcp-keepalive). Default 300 (spec).",
    )
    log_retention_days: LogRetentionDays = Field(
        default=30, description="Days CloudWatch keeps the slow and engine logs. Default 30."
    )
    apply_immediately: bool = Field(
        default=False,
        description="Apply modifications at once instead of in the maintenance window. Default "
        "false: a node change never fails over mid-day; dev sets true.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> CacheConfig:
        problems: list[str] = []
        if (self.engine, self.engine_version) not in CACHE_PARAMETER_FAMILIES:
            allowed = ", ".join(v for e, v in CACHE_PARAMETER_FAMILIES if e == self.engine)
            problems.append(
                f"$.engineVersion {self.engine_version!r} is not supported for $.engine "
                f"{self.engine}; allowed: {allowed}"
            )
        if not self.cluster_mode and self.shards != 1:
            problems.append("$.shards > 1 needs $.clusterMode true")
        for key, window in (
            ("snapshotWindow", self.snapshot_window),
            ("maintenanceWindow", self.maintenance_window),
        ):
            try:
                start, end = (
                    weekly_minutes(window) if key == "maintenanceWindow" else daily_minutes(window)
                )
            except ValueError as error:
                problems.append(f"$.{key}: {error}")
                continue
            if end - start < 60:
                problems.append(
                    f"$.{key} {window} is shorter than the 60 minutes ElastiCache needs"
                )
        if self.snapshot_retention_days and not problems:
            try:
                if daily_overlaps_weekly(self.snapshot_window, self.maintenance_window):
                    problems.append(
                        f"$.snapshotWindow {self.snapshot_window} overlaps $.maintenanceWindow "
                        f"{self.maintenance_window}"
                    )
            except ValueError as error:
                problems.append(f"$.snapshotWindow or $.maintenanceWindow: {error}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def parameter_family(self) -> str:
        return CACHE_PARAMETER_FAMILIES[(self.engine, self.engine_version)]


# --------------------------------------------------------------------------------------------
# S3 and ECR
# --------------------------------------------------------------------------------------------


class StorageConfig(ConfigModel):
    """The platform's buckets: uploads, certificates, backups and logs."""

    uploads_cors_origins: tuple[Annotated[str, Field(pattern=r"^https://[^\s/]+$")], ...] = Field(
        default=(),
        description="Web origins (https://host) allowed to upload to and read from the uploads "
        "bucket with presigned URLs. Default none: no browser access until the web's origin is "
        "set.",
        json_schema_extra={"allowed": "a list of https://host origins"},
    )
    noncurrent_version_expiration_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="Days an overwritten or deleted object version is kept (versioning is on "
        "everywhere). Default 30: long enough to undo a mistake.",
    )
    abort_incomplete_upload_days: int = Field(
        default=7,
        ge=1,
        le=365,
        description="Days before parts of an unfinished multipart upload are deleted. Default 7.",
    )
    backups_retention_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="Days daily dumps under backups/daily/ are kept. Default 30 (spec).",
    )
    backups_infrequent_access_after_days: int | None = Field(
        default=None,
        ge=30,
        description="Move dumps to STANDARD_IA after this many days. Default none: with 30-day "
        "retention it never pays (STANDARD_IA bills at least 30 days); only set it with a "
        "retention at least 30 days longer.",
    )
    logs_expiration_days: int = Field(
        default=90,
        ge=1,
        le=3650,
        description="Days access logs (S3, ALB, CloudFront, WAF) are kept. Default 90.",
    )

    @model_validator(mode="after")
    def _transition_pays(self) -> StorageConfig:
        after = self.backups_infrequent_access_after_days
        if after is not None and after + 30 > self.backups_retention_days:
            raise ValueError(
                f"$.backupsInfrequentAccessAfterDays {after} with $.backupsRetentionDays "
                f"{self.backups_retention_days}: STANDARD_IA bills 30 days at least, so the move "
                "costs more than it saves; remove it or keep backups 30+ days longer"
            )
        return self


class ImageBuildConfig(ConfigModel):
    """An image built from source with docker and pushed to the app's ECR repository."""

    context: str = Field(
        description="Build context directory, relative to the project directory. Required."
    )
    dockerfile: str = Field(
        default="Dockerfile",
        description="Dockerfile path, relative to the context. Default Dockerfile.",
    )
    target: str | None = Field(
        default=None, description="Build stage to stop at. Default: the last stage."
    )
    platform: Literal["linux/arm64", "linux/amd64"] = Field(
        default="linux/arm64",
        description="Target platform. Default linux/arm64: the Graviton nodes of the cluster.",
    )
    args: dict[str, str] = Field(
        default_factory=dict,
        description="Build arguments (not secrets: they stay in the image's history).",
    )

    @model_validator(mode="after")
    def _context_exists(self) -> ImageBuildConfig:
        context = PROJECT_DIR / self.context
        if not context.is_dir():
            raise ValueError(f"$.context {self.context!r} is not a directory under {PROJECT_DIR}")
        if not (context / self.dockerfile).is_file():
            raise ValueError(f"no $.dockerfile {self.dockerfile!r} in $.context {self.context!r}")
        return self


class ImageConfig(ConfigModel):
    """Where an app's image comes from: built here, an external reference, or the release tag."""

    build: ImageBuildConfig | None = Field(
        default=None,
        description="Build from source with docker and push to the app's repository, tagged "
        "with platform:release. Default: not built here.",
    )
    ref: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9.\-/:]+(@sha256:[a-f0-9]{64}|:[\w][\w.\-]{0,127})$",
        description="A prebuilt image reference pinned by digest or tag. Default: the "
        "repository's image tagged platform:release, pushed by the app's CI.",
        json_schema_extra={"allowed": "registry/name:tag or registry/name@sha256:<digest>"},
    )

    @model_validator(mode="after")
    def _one_source(self) -> ImageConfig:
        if self.build is not None and self.ref is not None:
            raise ValueError("set $.build or $.ref, not both")
        return self


AppImageName = Literal["web", "api", "worker"]


class RegistryConfig(ConfigModel):
    """ECR repositories, one per app image."""

    repositories: tuple[AppImageName, ...] = Field(
        default=("web", "api", "worker"),
        description="App images with a repository. Default web, api and worker (one image for "
        "the ai, pdf and email workers).",
    )
    keep_releases: int = Field(
        default=30,
        ge=1,
        le=1000,
        description="Tagged images kept per repository; older ones expire. Default 30: enough "
        "to roll back weeks of releases.",
    )
    untagged_expiry_days: int = Field(
        default=7,
        ge=1,
        le=365,
        description="Days before untagged images (build leftovers) expire. Default 7.",
    )
    images: dict[AppImageName, ImageConfig] = Field(
        default_factory=dict,
        description="Per app, where its image comes from. Default: the release tag in its "
        "repository.",
    )

    @model_validator(mode="after")
    def _images_have_repositories(self) -> RegistryConfig:
        unknown = sorted(set(self.images) - set(self.repositories))
        if unknown:
            raise ValueError(f"$.images for {', '.join(unknown)} have no entry in $.repositories")
        return self


# --------------------------------------------------------------------------------------------
# DNS
# --------------------------------------------------------------------------------------------


class DnsConfig(ConfigModel):
    """The stack's public DNS zone (Route 53)."""

    domain: str = Field(
        pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
        max_length=253,
        description="Domain the stack serves (the apex; www and other hostnames go under it). "
        "Required: certificates, the CDN and external-dns are scoped to it.",
        json_schema_extra={"allowed": "a lowercase domain name such as example.com"},
    )
    hosted_zone_id: str | None = Field(
        default=None,
        pattern=r"^Z[A-Z0-9]{1,31}$",
        description="Use this existing public hosted zone. Default None: create the zone "
        "(createZone true) or look it up by domain (createZone false).",
        json_schema_extra={"allowed": "a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ"},
    )
    create_zone: bool = Field(
        default=True,
        description="Create the public hosted zone for the domain (then delegate to its name "
        "servers, a stack output). Default true; false looks an existing zone up by domain.",
    )
    delegated: bool = Field(
        default=True,
        description="The domain resolves through this zone (the registrar or parent zone names "
        "its name servers). Default true. Set false for the first deploy of a zone this stack "
        "creates: the edge, whose certificates validate through the zone, is left out until "
        "the domain is delegated to the dnsNameServers output; then remove the key and deploy "
        "again.",
    )

    @model_validator(mode="after")
    def _one_source(self) -> DnsConfig:
        problems = []
        if self.hosted_zone_id is not None and self.create_zone:
            problems.append("$.hostedZoneId names an existing zone: set $.createZone false")
        if not self.delegated and not self.create_zone:
            problems.append(
                "$.delegated false only applies to a zone this stack creates ($.createZone "
                "true): an existing zone already answers for the domain"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self


# --------------------------------------------------------------------------------------------
# EKS
# --------------------------------------------------------------------------------------------

KubernetesVersion = Literal["1.34", "1.35", "1.36"]
InstanceTypeName = Literal[
    "t4g.medium", "t4g.large", "t4g.xlarge", "t4g.2xlarge",
    "m7g.large", "m7g.xlarge", "m7g.2xlarge", "m7g.4xlarge",
    "m6g.large", "m6g.xlarge", "m6g.2xlarge", "m6g.4xlarge",
    "c7g.large", "c7g.xlarge", "c7g.2xlarge", "c7g.4xlarge",
    "c6g.large", "c6g.xlarge", "c6g.2xlarge", "c6g.4xlarge",
    "r7g.large", "r7g.xlarge", "r7g.2xlarge", "r7g.4xlarge",
    "r6g.large", "r6g.xlarge", "r6g.2xlarge", "r6g.4xlarge",
    "t3.medium", "t3.large", "t3.xlarge", "t3.2xlarge",
    "m7i.large", "m7i.xlarge", "m7i.2xlarge", "m7i.4xlarge",
    "m6i.large", "m6i.xlarge", "m6i.2xlarge", "m6i.4xlarge",
    "c7i.large", "c7i.xlarge", "c7i.2xlarge", "c7i.4xlarge",
    "c6i.large", "c6i.xlarge", "c6i.2xlarge", "c6i.4xlarge",
    "r7i.large", "r7i.xlarge", "r7i.2xlarge", "r7i.4xlarge",
    "r6i.large", "r6i.xlarge", "r6i.2xlarge", "r6i.4xlarge",
]  # fmt: skip
AmiType = Literal[
    "AL2023_ARM_64_STANDARD", "AL2023_x86_64_STANDARD", "BOTTLEROCKET_ARM_64", "BOTTLEROCKET_x86_64"
]
AddonVersion = Annotated[
    str,
    Field(
        pattern=r"^v\d+\.\d+\.\d+-eksbuild\.\d+$",
        json_schema_extra={"allowed": "an EKS add-on version such as v1.22.4-eksbuild.3"},
    ),
]
LabelKey = Annotated[
    str, Field(pattern=r"^([a-z0-9.-]{1,253}/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
]
LabelValue = Annotated[str, Field(pattern=r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")]


class TaintConfig(ConfigModel):
    """A Kubernetes taint put on every node of a group."""

    key: LabelKey = Field(description="Taint key, e.g. CriticalAddonsOnly.")
    value: LabelValue = Field(default="", description="Taint value. Default empty.")
    effect: Literal["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"] = Field(
        default="NO_SCHEDULE",
        description="What the taint does to pods without a toleration. Default NO_SCHEDULE.",
    )


class NodeGroupConfig(ConfigModel):
    """One EKS managed node group."""

    instance_types: tuple[InstanceTypeName, ...] = Field(
        min_length=1,
        description="EC2 instance types, first preferred. Required. Several types (same "
        "vCPU/memory) make spot capacity far more available.",
    )
    capacity_type: Literal["ON_DEMAND", "SPOT"] = Field(
        default="ON_DEMAND",
        description="ON_DEMAND (default) or SPOT (up to 90 % cheaper, can be reclaimed with two "
        "minutes' notice: only for interruptible work such as queue workers).",
    )
    ami_type: AmiType = Field(
        default="AL2023_ARM_64_STANDARD",
        description="EKS-managed AMI. Default AL2023 on Graviton (arm64): better price per "
        "vCPU; images must be built for linux/arm64.",
    )
    release_version: str | None = Field(
        default=None,
        pattern=r"^\d+\.\d+\.\d+-([0-9]{8}|[0-9a-f]{8})$",
        description="AMI release of this group. Default: cluster.amiReleaseVersion for AL2023 "
        "groups; Bottlerocket groups pin their own.",
        json_schema_extra={"allowed": "1.36.3-20260911 (AL2023) or 1.50.0-0be31b34 (Bottlerocket)"},
    )
    min_size: int = Field(default=1, ge=0, le=1000, description="Fewest nodes. Default 1.")
    desired_size: int = Field(
        default=2,
        ge=0,
        le=1000,
        description="Nodes at creation; afterwards the cluster autoscaler owns it (Pulumi "
        "ignores changes, so a deploy never undoes a scale-out). Default 2.",
    )
    max_size: int = Field(default=3, ge=1, le=1000, description="Most nodes. Default 3.")
    labels: dict[LabelKey, LabelValue] = Field(
        default_factory=dict,
        description="Kubernetes labels on the nodes; workloads select a group by them.",
    )
    taints: tuple[TaintConfig, ...] = Field(
        default=(), description="Taints on the nodes: only pods tolerating them land there."
    )
    disk_size_gb: int = Field(
        default=50,
        ge=20,
        le=1000,
        description="Root volume (gp3, encrypted) in GB. Default 50: room for images and logs.",
    )
    max_unavailable_percent: int = Field(
        default=33,
        ge=1,
        le=100,
        description="Share of nodes replaced at once during an update (AMI release, config). "
        "Default 33: capacity stays for the PodDisruptionBudgets of the apps.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> NodeGroupConfig:
        problems = []
        if not self.min_size <= self.desired_size <= self.max_size:
            problems.append(
                f"need $.minSize <= $.desiredSize <= $.maxSize, got {self.min_size} <= "
                f"{self.desired_size} <= {self.max_size}"
            )
        mismatched = architecture_mismatches(self.instance_types, self.ami_type)
        if mismatched:
            problems.append(
                f"$.instanceTypes {', '.join(mismatched)} are not offered for the "
                f"{AMI_ARCHITECTURES[self.ami_type]} architecture of $.amiType {self.ami_type}"
            )
        if self.capacity_type == "SPOT" and len(self.instance_types) < 2:
            problems.append(
                "$.capacityType SPOT needs at least two $.instanceTypes: one type alone runs "
                "out of spot capacity"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self


class ClusterAddonsConfig(ConfigModel):
    """Versions of the EKS managed add-ons, pinned (docs/compute.md says how to bump them)."""

    vpc_cni: AddonVersion = Field(
        default="v1.22.4-eksbuild.3",
        description="Amazon VPC CNI (pod networking, network policy enforcement on).",
    )
    coredns: AddonVersion = Field(
        default="v1.14.3-eksbuild.3", description="CoreDNS (cluster DNS)."
    )
    kube_proxy: AddonVersion = Field(
        default="v1.36.0-eksbuild.14", description="kube-proxy: its minor follows Kubernetes."
    )
    pod_identity_agent: AddonVersion = Field(
        default="v1.3.10-eksbuild.3",
        description="EKS Pod Identity agent: workload IAM roles without node credentials.",
    )
    ebs_csi_driver: AddonVersion = Field(
        default="v1.63.1-eksbuild.1",
        description="Amazon EBS CSI driver: gp3 volumes for Prometheus and other state.",
    )
    cloudwatch_observability: AddonVersion = Field(
        default="v6.2.0-eksbuild.1",
        description="Container Insights metrics and Fluent Bit logs (the alarms' source).",
    )


_IAM_ROLE_NAME_ALLOWED: JsonDict = {
    "allowed": "an IAM role name: 1 to 64 letters, digits or + = , . @ _ - (no path, no ARN), "
    "e.g. learning-platform-prod-ci-deploy"
}
IamRoleName = Annotated[
    str, Field(pattern=r"^[\w+=,.@-]{1,64}$", json_schema_extra=_IAM_ROLE_NAME_ALLOWED)
]


class CiClusterAccessConfig(ConfigModel):
    """Kubernetes access of the CI roles the bootstrap stack creates (docs/delivery.md).

    Role names, not ARNs: the roles live in the stack's own account, whose id the program reads
    from the deploying credentials, so the stack files carry no account id.
    """

    deploy_role_name: IamRoleName | None = Field(
        default=None,
        json_schema_extra=_IAM_ROLE_NAME_ALLOWED,  # also when the key is set but not a name
        description="IAM role of the deploy workflows (the bootstrap stack's "
        "<project>-<environment>-ci-deploy), given cluster admin (AmazonEKSClusterAdminPolicy, "
        "cluster scope) through an access entry: a deploy installs CRDs, cluster roles and "
        "admission policies. The role must exist (deploy the bootstrap stack first) and must "
        "not be the cluster's creator, which EKS has made admin already. Default none: no entry.",
    )
    preview_role_name: IamRoleName | None = Field(
        default=None,
        json_schema_extra=_IAM_ROLE_NAME_ALLOWED,  # also when the key is set but not a name
        description="IAM role of the pull-request previews (<project>-<environment>-ci-preview), "
        "given a STANDARD access entry in the Kubernetes group platform:ci-preview: read "
        "everything but Secrets, and dry-run-only create/patch of the kinds the platform "
        "manages, enforced by a ValidatingAdmissionPolicy. The role must exist (bootstrap "
        "first). Default none: no entry, so Kubernetes previews fail as Unauthorized.",
    )

    @model_validator(mode="after")
    def _distinct(self) -> CiClusterAccessConfig:
        if self.deploy_role_name is not None and self.deploy_role_name == self.preview_role_name:
            raise ValueError(
                f"$.deployRoleName and $.previewRoleName name the same role "
                f"{self.deploy_role_name!r}: an IAM principal has one access entry, and the "
                "preview role must never be admin"
            )
        return self


class ClusterConfig(ConfigModel):
    """EKS: version, endpoint access, admins, logs, node groups, managed add-ons."""

    kubernetes_version: KubernetesVersion = Field(
        default="1.36",
        description="Kubernetes version. Default 1.36, the newest EKS offers in standard support "
        "(to 2027-08; 1.34 leaves it on 2026-12-02). The cluster is on standard support only: "
        "it is upgraded rather than billed for extended support.",
    )
    ami_release_version: str = Field(
        default="1.36.3-20260911",
        pattern=r"^\d+\.\d+\.\d+-\d{8}$",
        description="EKS AL2023 AMI release of the node groups, pinned so nodes change only when "
        "this changes (docs/compute.md: how to bump for security patches).",
        json_schema_extra={"allowed": "<kubernetes patch>-<YYYYMMDD>, e.g. 1.36.3-20260911"},
    )
    endpoint_public_access_cidrs: tuple[IPv4NetworkText, ...] = Field(
        default=(),
        description="Networks that may reach the Kubernetes API from the internet (e.g. the CI "
        "runners' egress). Default none: the public endpoint is off.",
    )
    private_endpoint_access_cidrs: tuple[IPv4NetworkText, ...] | None = Field(
        default=None,
        description="Networks inside or connected to the VPC (a runner in the private subnets, "
        "a VPN) that may reach the private endpoint on 443. Default: the VPC's own CIDR, so a "
        "deploy runner in the private subnets reaches the API (docs/compute.md: first deploy).",
    )
    admin_principal_arns: tuple[IamPrincipalArn, ...] = Field(
        default=(),
        description="IAM roles/users given cluster-admin through EKS access entries (the "
        "deploying principal is admin already). Default none.",
    )
    log_retention_days: LogRetentionDays = Field(
        default=90,
        description="Days CloudWatch keeps control-plane logs (api, audit, authenticator, "
        "controllerManager, scheduler). Default 90: audit trails for incident reviews.",
    )
    deletion_protection: bool = Field(
        default=True,
        description="EKS deletion protection: the cluster cannot be deleted until it is turned "
        "off. Default true; dev sets false.",
    )
    imds_hop_limit: Literal[1, 2] = Field(
        default=1,
        description="IMDSv2 hop limit on the nodes. Default 1: pods (which get AWS credentials "
        "from Pod Identity) cannot reach the instance metadata and the node's role.",
    )
    node_groups: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,30}$")], NodeGroupConfig] = (
        Field(
            default_factory=lambda: {
                "system": NodeGroupConfig(
                    instance_types=("m7g.large",),
                    min_size=2,
                    desired_size=2,
                    max_size=4,
                    labels={"platform.io/node-group": "system"},
                    taints=(TaintConfig(key="CriticalAddonsOnly", value="true"),),
                ),
                "apps": NodeGroupConfig(
                    instance_types=("m7g.xlarge",),
                    min_size=3,
                    desired_size=4,
                    max_size=20,
                    labels={"platform.io/node-group": "apps"},
                ),
                "workers": NodeGroupConfig(
                    # Same vCPU and memory: the autoscaler sizes a group by one shape.
                    instance_types=("m7g.large", "m6g.large"),
                    capacity_type="SPOT",
                    min_size=1,
                    desired_size=2,
                    max_size=10,
                    labels={"platform.io/node-group": "workers"},
                    taints=(TaintConfig(key="platform.io/workers", value="true"),),
                ),
            },
            description="Managed node groups by name. Default: system (on-demand, tainted for "
            "add-ons), apps (on-demand, web and API) and workers (spot, tainted for queue "
            "workers).",
        )
    )
    addons: ClusterAddonsConfig = Field(
        default=ClusterAddonsConfig(), description="EKS managed add-on versions (pinned)."
    )
    ci_access: CiClusterAccessConfig = Field(
        default=CiClusterAccessConfig(),
        description="Cluster access of the CI's deploy and preview roles (see "
        "CiClusterAccessConfig). Default none: CI cannot reach the Kubernetes API.",
    )

    @model_validator(mode="after")
    def _ci_roles_are_not_also_admins(self) -> ClusterConfig:
        problems = []
        for key, role in (
            ("deployRoleName", self.ci_access.deploy_role_name),
            ("previewRoleName", self.ci_access.preview_role_name),
        ):
            for index, arn in enumerate(self.admin_principal_arns):
                resource = arn.split(":", 5)[-1]  # role/[path/]name or user/[path/]name
                if resource.startswith("role/") and resource.rsplit("/", 1)[-1] == role:
                    problems.append(
                        f"$.ciAccess.{key} {role!r} is also $.adminPrincipalArns[{index}]: an "
                        "IAM principal has one access entry; list the role in one place only"
                    )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @model_validator(mode="after")
    def _versions_agree(self) -> ClusterConfig:
        problems = []
        if not self.ami_release_version.startswith(f"{self.kubernetes_version}."):
            problems.append(
                f"$.amiReleaseVersion {self.ami_release_version} is not for $.kubernetesVersion "
                f"{self.kubernetes_version}"
            )
        if not self.addons.kube_proxy.startswith(f"v{self.kubernetes_version}."):
            problems.append(
                f"$.addons.kubeProxy {self.addons.kube_proxy} is not for $.kubernetesVersion "
                f"{self.kubernetes_version}"
            )
        for name, group in self.node_groups.items():
            if group.ami_type.startswith("BOTTLEROCKET") and group.release_version is None:
                problems.append(
                    f"$.nodeGroups.{name}.releaseVersion: Bottlerocket groups pin their own"
                )
        if not self.node_groups:
            problems.append("$.nodeGroups needs at least one node group")

        if problems:
            raise ValueError("; ".join(problems))
        return self


# --------------------------------------------------------------------------------------------
# Platform add-ons (Helm) and app namespaces
# --------------------------------------------------------------------------------------------

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
# Edge
# --------------------------------------------------------------------------------------------

PathPattern = Annotated[
    str,
    Field(
        pattern=r"^(/|\*)[A-Za-z0-9_.*/-]*$",
        max_length=255,
        json_schema_extra={"allowed": "a CloudFront path pattern such as /images/* or *.png"},
    ),
]
UrlPath = Annotated[
    str,
    Field(
        pattern=r"^/[A-Za-z0-9_./-]*$",
        max_length=255,
        json_schema_extra={"allowed": "a URL path such as /api/auth/login"},
    ),
]
Hostname = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$",
        json_schema_extra={"allowed": "a DNS label such as www or app"},
    ),
]


class RateLimitConfig(ConfigModel):
    """A WAF rate limit per client IP."""

    limit: int = Field(
        ge=10,
        le=2_000_000_000,
        description="Requests allowed per window from one IP; more are blocked. WAF's minimum is "
        "10.",
    )
    window_seconds: Literal[60, 120, 300, 600] = Field(
        default=60,
        description="Window the requests are counted over. WAF offers 60, 120, 300 or 600 s.",
    )


class WafConfig(ConfigModel):
    """The CloudFront web ACL (WAF, us-east-1)."""

    general: RateLimitConfig = Field(
        default=RateLimitConfig(limit=600, window_seconds=60),
        description="Everything but the API, per IP. Default 600 per 60 s: the spec's edge "
        "figure of 10 req/s (the app's own limit is 100 per 60 s).",
    )
    api: RateLimitConfig = Field(
        default=RateLimitConfig(limit=1200, window_seconds=60),
        description="Paths under /api/, per IP. Default 1200 per 60 s: the spec's 20 req/s.",
    )
    login: RateLimitConfig = Field(
        default=RateLimitConfig(limit=10, window_seconds=120),
        description="Login paths, per IP. Default 10 per 120 s: the spec's 5 per minute is below "
        "WAF's minimum of 10 per window, so this keeps the same average with bursts of 10.",
    )
    login_paths: tuple[UrlPath, ...] = Field(
        default=("/api/auth/login",),
        description="Paths the login limit applies to. Default /api/auth/login.",
    )
    bot_control: bool = Field(
        default=False,
        description="Add AWS Bot Control (paid per request). Default off.",
    )
    anonymous_ip_list: bool = Field(
        default=False,
        description="Block VPNs, proxies and Tor (AWS anonymous IP list). Default off: some "
        "legitimate users browse through them.",
    )
    common_rules_to_count: tuple[str, ...] = Field(
        default=("SizeRestrictions_BODY",),
        description="Rules of the common rule set only counted, not enforced. Default "
        "SizeRestrictions_BODY, which would block uploads over 8 KB.",
    )
    log_retention_days: LogRetentionDays = Field(
        default=30, description="Days CloudWatch keeps WAF logs. Default 30."
    )
    log_allowed_requests: bool = Field(
        default=False,
        description="Log the requests WAF allowed too. Default false: only blocked and counted "
        "ones are logged, so log volume follows attacks rather than traffic (CloudFront's "
        "access logs have every request).",
    )


class TargetConfig(ConfigModel):
    """A target group of the ALB (pods registered by TargetGroupBinding)."""

    port: int = Field(ge=1, le=65535, description="Container port traffic goes to.")
    health_check_path: UrlPath = Field(
        default="/ready",
        description="Readiness path the ALB checks. Default /ready (spec): only pods ready to "
        "serve get traffic.",
    )


class EdgeConfig(ConfigModel):
    """CloudFront, WAF, the ALB and their DNS and certificates."""

    hostnames: tuple[Hostname, ...] = Field(
        default=("www",),
        description="Hostnames under the domain served by CloudFront besides the apex. Default "
        "www.",
    )
    origin_hostname: Hostname = Field(
        default="origin",
        description="Hostname of the ALB, which CloudFront connects to over HTTPS and nobody "
        "else can reach. Default origin.",
    )
    price_class: Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"] = Field(
        default="PriceClass_All",
        description="CloudFront edge locations. Default PriceClass_All: users in South America "
        "(the product's market) are served from nearby only with it.",
    )
    content_security_policy: str = Field(
        default=(
            "default-src 'self'; script-src 'self' 'unsafe-inline'; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https:; "
            "font-src 'self' data:; connect-src 'self' https: wss:; frame-src 'self' https:; "
            "worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'; "
            "form-action 'self'; object-src 'none'; upgrade-insecure-requests"
        ),
        min_length=1,
        max_length=1783,
        description="Content-Security-Policy of responses that carry none from the app (a "
        "Next.js nonce-based policy wins). Default: scripts from the site only, inline allowed "
        "(Next.js bootstraps with inline scripts unless the app sends a nonce); each stack adds "
        "its third-party script hosts (Clerk, Stripe).",
    )
    static_asset_patterns: tuple[PathPattern, ...] = Field(
        default=(
            "/images/*",
            "/fonts/*",
            "*.png",
            "*.jpg",
            "*.jpeg",
            "*.gif",
            "*.svg",
            "*.webp",
            "*.avif",
            "*.ico",
            "*.woff2",
        ),
        description="Paths cached assetTtlDays (spec: images and static assets 7 days).",
    )
    cacheable_api_paths: tuple[PathPattern, ...] = Field(
        default=("/api/public/*",),
        description="API paths cached apiCacheTtlSeconds (spec: selected API responses 5 "
        "minutes). Only responses identical for everyone: cookies are not forwarded there.",
    )
    static_ttl_days: int = Field(
        default=365, ge=1, le=365, description="TTL of /_next/static/*. Default 365 (spec)."
    )
    asset_ttl_days: int = Field(
        default=7, ge=1, le=365, description="TTL of images and static assets. Default 7 (spec)."
    )
    api_cache_ttl_seconds: int = Field(
        default=300, ge=1, le=86400, description="TTL of cacheable API paths. Default 300 (spec)."
    )
    alb_idle_timeout_seconds: int = Field(
        default=60, ge=1, le=4000, description="ALB idle connection timeout. Default 60."
    )
    origin_keepalive_seconds: int = Field(
        default=50,
        ge=1,
        le=60,
        description="Seconds CloudFront keeps an idle connection to the ALB open for reuse (spec: "
        "keepalive). Default 50: below the ALB's idle timeout, so CloudFront never reuses a "
        "connection the ALB is closing (a 502).",
    )
    origin_read_timeout_seconds: int = Field(
        default=30,
        ge=1,
        le=60,
        description="Seconds CloudFront waits for the ALB's response. Default 30 (over 60 needs "
        "a CloudFront quota increase).",
    )
    deregistration_delay_seconds: int = Field(
        default=30,
        ge=0,
        le=3600,
        description="Seconds a removed pod keeps getting in-flight requests. Default 30: less "
        "than the pods' termination grace period, so no request is cut.",
    )
    web: TargetConfig = Field(
        default=TargetConfig(port=3001), description="Target of the web (Next.js). Port 3001."
    )
    api: TargetConfig = Field(
        default=TargetConfig(port=3000), description="Target of the API (NestJS). Port 3000."
    )
    waf: WafConfig = Field(default=WafConfig(), description="WAF rules and rate limits.")

    @model_validator(mode="after")
    def _paths(self) -> EdgeConfig:
        problems = []
        for path in self.cacheable_api_paths:
            if not path.startswith("/api/"):
                problems.append(f"$.cacheableApiPaths {path} is not under /api/")
        for pattern in self.static_asset_patterns:
            if pattern.startswith(("/api/", "/_next/static/", "/certificates/")):
                problems.append(
                    f"$.staticAssetPatterns {pattern} is shadowed by an earlier behaviour"
                )
        if self.web.port == self.api.port:
            problems.append("$.web.port and $.api.port must differ")
        if self.origin_hostname in self.hostnames:
            problems.append(f"$.originHostname {self.origin_hostname} is also in $.hostnames")
        if len(set(self.hostnames)) != len(self.hostnames):
            problems.append(f"$.hostnames {list(self.hostnames)} has duplicates")
        if self.origin_keepalive_seconds >= self.alb_idle_timeout_seconds:
            problems.append(
                f"$.originKeepaliveSeconds {self.origin_keepalive_seconds} must be below "
                f"$.albIdleTimeoutSeconds {self.alb_idle_timeout_seconds}"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self


# --------------------------------------------------------------------------------------------
# Workloads
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
#: Environment variables the platform sets (ConfigMap and secret): a workload's ``env`` or app
#: secret may not shadow them.
PLATFORM_ENV = frozenset(
    {
        "PORT",
        "HOME",
        "NODE_ENV",
        "LOG_LEVEL",
        "REDIS_PREFIX",
        "VERSION",
        "AWS_REGION",
        "PUBLIC_URL",
        "API_INTERNAL_URL",
    }
)
PLATFORM_ENV_PREFIXES = ("DATABASE_", "REDIS_", "S3_")
#: Names of objects the namespace already has (its policies) or a workload derives.
RESERVED_WORKLOAD_NAMES = frozenset({"default-deny", "allow-dns"})


def env_name(secret: str) -> str:
    """The environment variable of an app secret: ``clerkSecretKey`` -> ``CLERK_SECRET_KEY``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", secret).upper()


def volume_name(path: str) -> str:
    """The emptyDir volume of a writable path: ``/app/.next/cache`` -> ``app-next-cache``."""
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")[:63] or "root"


def _shadows_platform_env(name: str) -> bool:
    return name in PLATFORM_ENV or name.startswith(PLATFORM_ENV_PREFIXES)


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
        default_factory=dict,
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
        problems = []
        volumes = [volume_name(p) for p in self.writable_paths]
        if len(set(volumes)) != len(volumes):
            problems.append(
                f"$.writablePaths {list(self.writable_paths)} repeat a path (volumes {volumes})"
            )
        shadowed = sorted(n for n in self.env if _shadows_platform_env(n))
        shadowed += sorted(env_name(s) for s in self.secrets if _shadows_platform_env(env_name(s)))
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
            merged[key] = _deep_merge(merged[key], value)
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
        for name, given in value.items():
            if given is None:
                merged.pop(name, None)
            elif isinstance(given, WorkloadConfig):
                merged[name] = given
            elif name in merged and isinstance(given, dict):
                merged[name] = _deep_merge(merged[name], given)
            else:
                merged[name] = given
        return merged

    @model_validator(mode="after")
    def _one_web_and_one_api(self) -> AppsConfig:
        problems = []
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


# --------------------------------------------------------------------------------------------
# Operations: notifications, alarms, logs, budget, backups
# --------------------------------------------------------------------------------------------

Severity = Literal["warning", "critical"]
SEVERITIES: tuple[Severity, ...] = ("warning", "critical")

EmailAddress = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$",
        max_length=254,
        json_schema_extra={"allowed": "an e-mail address such as oncall@example.com"},
    ),
]
DailyTime = Annotated[
    str,
    Field(
        pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
        json_schema_extra={"allowed": "a UTC time of day hh:mm such as 05:00"},
    ),
]


class SlackConfig(ConfigModel):
    """Slack through AWS Chatbot. The workspace is authorised once in the Chatbot console (an
    OAuth step no API can do); the ids are then copied here."""

    workspace_id: str = Field(
        pattern=r"^T[A-Z0-9]{8,}$",
        description="Slack workspace (team) id, as the Chatbot console shows it. Required.",
        json_schema_extra={"allowed": "a Slack team id such as T01ABCDEF23"},
    )
    channel_ids: dict[Severity, Annotated[str, Field(pattern=r"^[CG][A-Z0-9]{8,}$")]] = Field(
        description="Channel id per severity (warning, critical); the same channel may serve "
        "both. Required: a channel per severity lets pages stand out from warnings.",
        json_schema_extra={"allowed": "channel ids such as C01ABCDEF23 for warning and critical"},
    )

    api_region: Literal["us-east-2", "us-west-2", "eu-west-1", "ap-southeast-1"] = Field(
        default="us-west-2",
        description="Region whose AWS Chatbot endpoint manages the (global) channel "
        "configurations. Default us-west-2; it subscribes to topics of every region.",
    )

    @field_validator("channel_ids")
    @classmethod
    def _both_severities(cls, value: dict[str, str]) -> dict[str, str]:
        missing = [s for s in SEVERITIES if s not in value]
        if missing:
            raise ValueError(f"needs a channel for {' and '.join(missing)}")
        return value


class NotificationsConfig(ConfigModel):
    """Where alarms go: one SNS topic per severity (KMS-encrypted), e-mail and Slack on each."""

    emails: dict[Severity, tuple[EmailAddress, ...]] = Field(
        default_factory=dict,
        description="E-mail subscribers per severity (warning, critical). Each address confirms "
        "its subscription once. Default none; each severity needs an e-mail or Slack.",
    )
    slack: SlackConfig | None = Field(
        default=None,
        description="Slack through AWS Chatbot (see SlackConfig). Default none (e-mail only); "
        "prod sets it.",
    )

    @model_validator(mode="after")
    def _every_severity_reaches_someone(self) -> NotificationsConfig:
        silent = [s for s in SEVERITIES if not self.emails.get(s) and self.slack is None]
        if silent:
            raise ValueError(
                f"no subscriber for {' and '.join(silent)}: set $.emails.<severity> (e-mail "
                "addresses) or $.slack; an alarm nobody receives is noise"
            )
        return self


class AlarmConfig(ConfigModel):
    """One alarm: threshold, how long it must hold, and who is told."""

    threshold: float = Field(
        ge=0, description="The figure the metric is compared with (unit: see the alarm)."
    )
    period_seconds: Literal[60, 300, 900, 3600] = Field(
        default=60, description="Seconds per datapoint. Default 60."
    )
    evaluation_periods: int = Field(
        default=5,
        ge=1,
        le=24,
        description="Datapoints looked at. Default 5: with 60 s periods, 'for 5 min' (spec).",
    )
    datapoints_to_alarm: int | None = Field(
        default=None,
        ge=1,
        description="How many of them must breach. Default all of them.",
    )
    severity: Severity = Field(
        default="warning", description="Topic that gets the alarm: warning or critical."
    )
    enabled: bool = Field(default=True, description="Create the alarm. Default true.")

    @model_validator(mode="after")
    def _datapoints_within_evaluation(self) -> AlarmConfig:
        if self.datapoints_to_alarm is not None and (
            self.datapoints_to_alarm > self.evaluation_periods
        ):
            raise ValueError(
                f"$.datapointsToAlarm {self.datapoints_to_alarm} exceeds $.evaluationPeriods "
                f"{self.evaluation_periods}"
            )
        if self.period_seconds * self.evaluation_periods > 86400:
            raise ValueError(
                f"$.periodSeconds x $.evaluationPeriods is "
                f"{self.period_seconds * self.evaluation_periods} s; CloudWatch evaluates at "
                "most one day"
            )
        return self

    @property
    def datapoints(self) -> int:
        return self.datapoints_to_alarm or self.evaluation_periods


def _alarm(
    threshold: float,
    severity: Severity = "warning",
    period: Literal[60, 300, 900, 3600] = 60,
    evaluations: int = 5,
    datapoints: int | None = None,
) -> AlarmConfig:
    return AlarmConfig(
        threshold=threshold,
        severity=severity,
        period_seconds=period,
        evaluation_periods=evaluations,
        datapoints_to_alarm=datapoints,
    )


class AlarmsConfig(ConfigModel):
    """Every alarm of the platform with the spec's figures. Keys given for an alarm override
    only those keys (``nodeCpu: {threshold: 90}`` keeps its period and severity)."""

    # Compute (Container Insights)
    node_cpu: AlarmConfig = Field(
        default=_alarm(80), description="Node CPU % above threshold for 5 min. Default 80 (spec)."
    )
    node_memory_warning: AlarmConfig = Field(
        default=_alarm(85), description="Node memory % (warn). Default 85 for 5 min (spec)."
    )
    node_memory_critical: AlarmConfig = Field(
        default=_alarm(90, "critical"),
        description="Node memory % (page). Default 90 for 5 min (spec).",
    )
    node_filesystem: AlarmConfig = Field(
        default=_alarm(80),
        description="Node filesystem used %. Default 80, i.e. free space below 20 % (spec).",
    )
    failed_nodes: AlarmConfig = Field(
        default=_alarm(0, "critical"),
        description="Nodes failing their health checks, above threshold. Default 0 (any).",
    )
    pod_cpu: AlarmConfig = Field(
        default=_alarm(80),
        description="Each workload's pods' CPU as % of their limit. Default 80 for 5 min "
        "(spec): throttling is near.",
    )
    pod_memory_warning: AlarmConfig = Field(
        default=_alarm(85),
        description="Each workload's pods' memory as % of their limit (warn). Default 85 (spec).",
    )
    pod_memory_critical: AlarmConfig = Field(
        default=_alarm(90, "critical"),
        description="Each workload's pods' memory as % of their limit (page): the OOM killer is "
        "next. Default 90 (spec).",
    )
    pod_crash_loop: AlarmConfig = Field(
        default=_alarm(0),
        description="Containers of a workload waiting in CrashLoopBackOff, above threshold for "
        "5 min. Default 0 (any): a crash loop, not a one-off restart.",
    )
    pods_not_ready: AlarmConfig = Field(
        default=_alarm(0, "critical", evaluations=10, datapoints=10),
        description="A workload with no ready pod (threshold: ready pods at or below it) for 10 "
        "min. Default 0: nothing serves, rollouts of a few minutes do not page.",
    )
    # Load balancer (per target group)
    error_rate_warning: AlarmConfig = Field(
        default=_alarm(1),
        description="Target 5xx as % of requests, per target group (warn). Default 1 (spec).",
    )
    error_rate_critical: AlarmConfig = Field(
        default=_alarm(5, "critical"),
        description="Target 5xx as % of requests, per target group (page). Default 5 (spec).",
    )
    error_rate_min_requests: int = Field(
        default=20,
        ge=0,
        description="Requests per period below which the error-rate alarms stay quiet: 1 error "
        "in 3 night-time requests is not an outage. Default 20.",
    )
    api_latency_p95: AlarmConfig = Field(
        default=_alarm(0.5),
        description="API p95 target response time in seconds. Default 0.5 (spec: > 500 ms).",
    )
    unhealthy_hosts: AlarmConfig = Field(
        default=_alarm(0),
        description="Unhealthy targets per target group, above threshold. Default 0 (any).",
    )
    no_healthy_hosts: AlarmConfig = Field(
        default=_alarm(1, "critical", evaluations=2),
        description="Healthy targets per target group below threshold. Default 1 for 2 min: "
        "the site or API is down.",
    )
    # Database
    database_cpu: AlarmConfig = Field(
        default=_alarm(80), description="RDS CPU % per instance. Default 80 for 5 min (spec)."
    )
    database_connections: AlarmConfig = Field(
        default=_alarm(80),
        description="Connections as % of max_connections per instance. Default 80 (spec: > 400 "
        "of 500); the alarm's count is derived from the instance's max_connections.",
    )
    database_free_storage: AlarmConfig = Field(
        default=_alarm(20, "critical"),
        description="Free storage as % of allocated storage, below threshold. Default 20 (spec).",
    )
    database_freeable_memory: AlarmConfig = Field(
        default=_alarm(10),
        description="Freeable memory as % of the class's memory, below threshold. Default 10.",
    )
    replica_lag: AlarmConfig = Field(
        default=_alarm(30),
        description="Seconds a read replica is behind, per replica. Default 30: reads older "
        "than that surprise users.",
    )
    proxy_client_connections: AlarmConfig = Field(
        default=_alarm(80),
        description="RDS Proxy client connections as % of the apps' pool budget (max replicas x "
        "pool size). Default 80.",
    )
    database_saturated: bool = Field(
        default=True,
        description="Composite page when database CPU and connections (or freeable memory) "
        "alarm together: either alone warns, both mean users wait. Default true.",
    )
    # Cache (per node)
    cache_cpu: AlarmConfig = Field(
        default=_alarm(80), description="Cache engine CPU % per node. Default 80 (spec)."
    )
    cache_memory: AlarmConfig = Field(
        default=_alarm(80), description="Cache memory used % per node. Default 80 (spec)."
    )
    cache_evictions: AlarmConfig = Field(
        default=_alarm(0, period=300, evaluations=1),
        description="Keys evicted per period per node, above threshold. Default 0: the queue "
        "shares the cache, and an evicted job is lost.",
    )
    cache_connections: AlarmConfig = Field(
        default=_alarm(5000),
        description="Client connections per node. Default 5000: far above the apps' pools, a "
        "leak long before the 65,000 limit.",
    )
    cache_hit_rate: AlarmConfig = Field(
        default=_alarm(70, period=900, evaluations=4),
        description="Cache hit rate % per node, below threshold for an hour. Default 70 (spec: "
        ">= 70 %).",
    )
    # Edge (us-east-1)
    cdn_error_rate: AlarmConfig = Field(
        default=_alarm(5), description="CloudFront 5xx error rate %. Default 5 for 5 min (spec)."
    )
    waf_blocked_spike: AlarmConfig = Field(
        default=_alarm(3, period=300, evaluations=3),
        description="WAF blocked requests above the anomaly band; threshold is the band's "
        "width in standard deviations. Default 3 over 15 min: an attack, not daily noise.",
    )

    @model_validator(mode="before")
    @classmethod
    def _merge_onto_the_defaults(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        merged = dict(value)
        for name, info in cls.model_fields.items():
            alias = config_key(name, info)
            key = alias if alias in value else name if name in value else None
            default = info.default
            if key is not None and isinstance(default, AlarmConfig):
                given = value[key]
                if isinstance(given, dict):
                    merged[key] = {**default.model_dump(by_alias=True), **given}
        return merged


class ContainerLogsConfig(ConfigModel):
    """Retention of the log groups Container Insights writes (Fluent Bit and the agent)."""

    application_retention_days: LogRetentionDays = Field(
        default=7, description="App logs (JSON, stdout of every pod). Default 7 (spec)."
    )
    host_retention_days: LogRetentionDays = Field(
        default=30, description="Node system logs. Default 30: incidents get looked at late."
    )
    dataplane_retention_days: LogRetentionDays = Field(
        default=30, description="kubelet, containerd and kube-proxy logs. Default 30."
    )
    performance_retention_days: LogRetentionDays = Field(
        default=7,
        description="Container Insights performance events (metrics are extracted on "
        "arrival). Default 7.",
    )


class BudgetConfig(ConfigModel):
    """A monthly AWS Budgets cost budget, alerting the warning topic."""

    enabled: bool = Field(default=True, description="Create the budget. Default true.")
    monthly_limit_usd: float = Field(
        default=2125,
        gt=0,
        description="Monthly limit in USD. Default 2125, the seed's AWS cost anchor (spec).",
    )
    alert_percents: tuple[Annotated[int, Field(ge=1, le=1000)], ...] = Field(
        default=(80, 100),
        min_length=1,
        description="Percentages of the limit that alert on actual spend. Default 80 and 100 "
        "(spec); a forecast above 100 % alerts too.",
    )
    filter_by_tags: bool = Field(
        default=True,
        description="Count only costs tagged with this stack's Project and Environment (their "
        "cost allocation tags must be activated once in Billing). Default true; false counts "
        "the whole account.",
    )


class ObservabilityConfig(ConfigModel):
    """Alarms, dashboards, notifications, logs and the cost budget."""

    notifications: NotificationsConfig = Field(
        description="Who is told (see NotificationsConfig). Required: an alarm must reach someone."
    )
    alarms: AlarmsConfig = Field(
        default=AlarmsConfig(), description="Every alarm's figures (see AlarmsConfig)."
    )
    container_logs: ContainerLogsConfig = Field(
        default=ContainerLogsConfig(), description="Log retention of pods and nodes."
    )
    budget: BudgetConfig = Field(default=BudgetConfig(), description="The monthly cost budget.")


class VaultLockConfig(ConfigModel):
    """Vault Lock: recovery points cannot be deleted early, not even by an administrator."""

    enabled: bool = Field(
        default=False,
        description="Lock the vault. Default false: once the grace days pass, compliance mode "
        "cannot be undone; turn it on deliberately in prod.",
    )
    min_retention_days: int = Field(
        default=7, ge=1, le=36500, description="Shortest retention a rule may set. Default 7."
    )
    max_retention_days: int = Field(
        default=365, ge=1, le=36500, description="Longest retention a rule may set. Default 365."
    )
    changeable_for_days: int = Field(
        default=3,
        ge=3,
        le=36500,
        description="Grace days before the lock becomes immutable (compliance mode). Default "
        "3, the minimum.",
    )


class RestoreTestingConfig(ConfigModel):
    """AWS Backup restore testing of the database: proof that a backup restores."""

    enabled: bool = Field(
        default=True,
        description="Restore the latest database recovery point on a schedule. Default true "
        "(spec: restore testing); dev turns it off.",
    )
    weekday: Literal["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"] = Field(
        default="WED",
        description="Day of the weekly test. Default WED: mid-week, people are there to look.",
    )
    start_time: DailyTime = Field(default="10:00", description="UTC start. Default 10:00.")
    validation_window_hours: int = Field(
        default=4,
        ge=1,
        le=168,
        description="Hours the restored instance lives for checks before deletion. Default 4.",
    )
    instance_class: RdsInstanceClass = Field(
        default="db.t4g.large",
        description="Class of the restored instance: a test need not be as large as prod. "
        "Default db.t4g.large.",
    )


class BackupConfig(ConfigModel):
    """AWS Backup: a daily plan for the database and the buckets that hold data."""

    start_time: DailyTime = Field(
        default="05:00",
        description="UTC start of the daily backup. Default 05:00: after the database's own "
        "backup window (02:00-03:00) and the cache snapshot (03:00-04:00).",
    )
    start_window_minutes: int = Field(
        default=60, ge=60, le=720, description="Minutes a job may wait to start. Default 60."
    )
    completion_window_minutes: int = Field(
        default=480,
        ge=120,
        le=10080,
        description="Minutes a job may run before it is cancelled. Default 480.",
    )
    retention_days: int = Field(
        default=30, ge=1, le=36500, description="Days a daily recovery point is kept (spec: 30)."
    )
    copy_region: str | None = Field(
        default=None,
        pattern=r"^[a-z]{2}(-gov)?-[a-z]+-\d{1,2}$",
        description="Region of the off-site copy vault (spec: cross-region copy). Default none; "
        "prod sets one.",
        json_schema_extra={"allowed": "an AWS region code other than the stack's"},
    )
    copy_retention_days: int = Field(
        default=30, ge=1, le=36500, description="Days a copy is kept. Default 30 (spec)."
    )
    vault_lock: VaultLockConfig = Field(
        default=VaultLockConfig(), description="Vault Lock (see VaultLockConfig)."
    )
    restore_testing: RestoreTestingConfig = Field(
        default=RestoreTestingConfig(), description="Restore testing (see RestoreTestingConfig)."
    )

    @model_validator(mode="after")
    def _windows_and_retention(self) -> BackupConfig:
        problems = []
        if self.completion_window_minutes < self.start_window_minutes + 60:
            problems.append(
                f"$.completionWindowMinutes {self.completion_window_minutes} must be at least "
                f"$.startWindowMinutes + 60 ({self.start_window_minutes + 60})"
            )
        lock = self.vault_lock
        if lock.enabled:
            for key, days in (
                ("retentionDays", self.retention_days),
                ("copyRetentionDays", self.copy_retention_days),
            ):
                if not lock.min_retention_days <= days <= lock.max_retention_days:
                    problems.append(
                        f"$.{key} {days} is outside $.vaultLock's "
                        f"{lock.min_retention_days}..{lock.max_retention_days} days: the locked "
                        "vault would refuse the recovery points"
                    )
        if problems:
            raise ValueError("; ".join(problems))
        return self


# --------------------------------------------------------------------------------------------
# The stack
# --------------------------------------------------------------------------------------------


class StackConfig(ConfigModel):
    """Everything a stack file says. One field per top-level key of the ``platform:`` namespace,
    plus the AWS region from the provider's own ``aws:region`` key."""

    aws_region: str = Field(
        validation_alias="aws:region",
        pattern=r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$",
        description="AWS region of the stack, from the standard aws:region key. Required: a "
        "platform deployed to an unintended region is a costly mistake.",
        json_schema_extra={"allowed": "an AWS region code such as eu-west-1 or us-east-1"},
    )
    environment: str = Field(
        pattern=r"^[a-z][a-z0-9-]{0,15}$",
        description="Environment name, used in the Environment tag and Name tags. Default: the "
        "stack's name.",
        json_schema_extra={
            "allowed": "1 to 16 lowercase letters, digits or '-', starting with a letter",
            "default": "the stack's name",
        },
    )
    project: TagValue = Field(
        description="Product name, for the Project tag on every resource. Required: cost reports "
        "group by it."
    )
    owner: TagValue = Field(
        description="Team or person answerable for the stack (Owner tag). Required: an untagged "
        "resource nobody owns is never cleaned up."
    )
    cost_center: TagValue = Field(
        description="Cost center billed for the stack (CostCenter tag). Required for cost "
        "allocation."
    )
    allowed_account_ids: tuple[AccountId, ...] = Field(
        default=(),
        description="AWS accounts the stack may be deployed to; the provider refuses any other. "
        "Default empty (any account); set it in prod so prod config never lands in a dev "
        "account.",
    )
    network: NetworkConfig = Field(
        default=NetworkConfig(),
        description="The VPC (see NetworkConfig). Default: production layout.",
    )
    protect_data: bool = Field(
        default=True,
        description="Protect stateful resources (keys, databases, caches, buckets, "
        "repositories, secrets) from deletion: Pulumi protect, deletion protection, final "
        "snapshots, no force-destroy. Default true; dev sets false so it can be torn down.",
    )
    release: str = Field(
        default="latest-release",
        pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127}$",
        description="Release version: the tag of images built or expected in ECR. Set per "
        "deploy by CI (`pulumi config set release 1.4.2`); tags are immutable.",
        json_schema_extra={"allowed": "a Docker tag: letters, digits, _ . - (up to 128)"},
    )
    kms: KmsConfig = Field(default=KmsConfig(), description="The KMS keys (see KmsConfig).")
    app_secrets: AppSecretsConfig = Field(
        default=AppSecretsConfig(), description="The app secrets (see AppSecretsConfig)."
    )
    database: DatabaseConfig = Field(
        default=DatabaseConfig(), description="PostgreSQL (see DatabaseConfig)."
    )
    cache: CacheConfig = Field(default=CacheConfig(), description="Redis/Valkey (see CacheConfig).")
    storage: StorageConfig = Field(
        default=StorageConfig(), description="The buckets (see StorageConfig)."
    )
    registry: RegistryConfig = Field(
        default=RegistryConfig(), description="ECR and images (see RegistryConfig)."
    )
    dns: DnsConfig = Field(description="The public DNS zone (see DnsConfig). Required.")
    cluster: ClusterConfig = Field(
        default=ClusterConfig(), description="EKS (see ClusterConfig). Default: production."
    )
    addons: AddonsConfig = Field(
        default=AddonsConfig(), description="Helm add-ons and app namespaces (see AddonsConfig)."
    )
    edge: EdgeConfig = Field(
        default=EdgeConfig(), description="CloudFront, WAF, ALB (see EdgeConfig)."
    )
    apps: AppsConfig = Field(
        default_factory=AppsConfig,
        description="Web, API and workers on Kubernetes (see AppsConfig).",
    )
    observability: ObservabilityConfig = Field(
        description="Alarms, dashboards, notifications, logs and the budget (see "
        "ObservabilityConfig). Required: its notifications name who is told."
    )
    backup: BackupConfig = Field(
        default=BackupConfig(), description="AWS Backup and restore testing (see BackupConfig)."
    )

    @model_validator(mode="after")
    def _backup_copy_elsewhere(self) -> StackConfig:
        if self.backup.copy_region == self.aws_region:
            raise ValueError(
                f"$.backup.copyRegion {self.backup.copy_region} is the stack's own region: an "
                "off-site copy must be in another region"
            )
        return self

    @model_validator(mode="after")
    def _node_groups_fit_the_subnets(self) -> StackConfig:
        private = plan_subnets(self.network.cidr, self.network.az_count, (SubnetTier.PRIVATE,))
        budget = ip_budget(
            {
                name: (group.instance_types, group.max_size)
                for name, group in self.cluster.node_groups.items()
            },
            subnet_usable_ips=min(usable_ips(c) for c in private.values()),
            subnets=len(private),
            interface_endpoints=len(self.network.interface_endpoints),
        )
        if not budget.fits:
            raise ValueError(
                f"$.cluster.nodeGroups at their maxSize may need {budget.needed} pod and node "
                f"addresses, but the private subnets of $.network.cidr have {budget.available} "
                "free: lower maxSize, use fewer or smaller instance types, or a larger VPC"
            )
        return self

    @model_validator(mode="after")
    def _proxy_reaches_secrets_manager(self) -> StackConfig:
        if self.database.proxy.enabled and "secretsmanager" not in self.network.interface_endpoints:
            raise ValueError(
                "$.database.proxy.enabled needs the secretsmanager endpoint in "
                "$.network.interfaceEndpoints: the proxy reads its credentials from Secrets "
                "Manager, and the isolated data subnets have no other way there"
            )
        return self

    @model_validator(mode="after")
    def _production_grade_data(self) -> StackConfig:
        if self.protect_data:
            short = []
            if self.database.backup_retention_days < 7:
                short.append(
                    f"$.database.backupRetentionDays is {self.database.backup_retention_days}"
                )
            if self.cache.snapshot_retention_days < 7:
                short.append(
                    f"$.cache.snapshotRetentionDays is {self.cache.snapshot_retention_days}"
                )
            if short:
                raise ValueError(
                    "$.protectData is true (a stack holding real data) but "
                    + " and ".join(short)
                    + "; keep at least 7 days of backups"
                )
        return self

    @property
    def slug(self) -> str:
        """``<project>-<environment>`` in lowercase letters, digits and '-': the prefix of
        physical names that must be fixed (database identifiers, secret names, repositories)."""
        text = re.sub(r"[^a-z0-9]+", "-", f"{self.project}-{self.environment}".lower())
        return text.strip("-")[:40].strip("-")

    def common_tags(self) -> dict[str, str]:
        """Tags every taggable AWS resource carries, applied as the provider's default tags."""
        return {
            "Project": self.project,
            "Environment": self.environment,
            "ManagedBy": "pulumi",
            "Owner": self.owner,
            "CostCenter": self.cost_center,
        }

    def _apps_connection_budget(self) -> list[str]:
        """Every database workload's pools at their maximum replicas, against max_connections:
        on each replica always (no proxy there), on the primary when there is no proxy."""
        database = self.database
        users = {n: w for n, w in self.apps.workloads.items() if w.database}
        if not users:
            return []
        available = database.tuning().max_connections - database.pool.reserved_connections
        problems = []
        checks = [("databaseReplicaPoolSize", "each read replica", database.read_replicas > 0)]
        checks.append(("databasePoolSize", "the primary", not database.proxy.enabled))
        for field, where, applies in checks:
            if not applies:
                continue
            attribute = "database_replica_pool_size" if "Replica" in field else "database_pool_size"
            needed = sum(w.max_replicas * getattr(w, attribute) for w in users.values())
            if needed > available:
                terms = " + ".join(
                    f"{n} {w.max_replicas} x {getattr(w, attribute)}"
                    for n, w in sorted(users.items())
                )
                problems.append(
                    f"$.apps.workloads connections to {where} ({terms} = {needed}) exceed "
                    f"max_connections minus $.database.pool.reservedConnections ({available}): "
                    f"lower $.apps.workloads.<name>.{field} or maxReplicas"
                )
        return problems

    @model_validator(mode="after")
    def _apps_fit_the_platform(self) -> StackConfig:
        apps = self.apps
        problems: list[str] = []
        quota = self.addons.app_namespaces.get(apps.namespace)
        if quota is None:
            problems.append(
                f"$.apps.namespace {apps.namespace} is not one of $.addons.appNamespaces "
                f"({', '.join(sorted(self.addons.app_namespaces)) or 'none'})"
            )
        for tier, group in sorted(apps.placement.items()):
            if group not in self.cluster.node_groups:
                problems.append(
                    f"$.apps.placement.{tier} {group} is not one of $.cluster.nodeGroups "
                    f"({', '.join(sorted(self.cluster.node_groups))})"
                )
        ports = {"web": self.edge.web.port, "api": self.edge.api.port}
        demands: list[Demand] = []
        per_group: dict[str, list[Demand]] = {}
        for name, workload in sorted(apps.workloads.items()):
            at = f"$.apps.workloads.{name}"
            if workload.tier not in apps.placement:
                problems.append(f"{at}.tier {workload.tier} has no node group in $.apps.placement")
            if workload.image not in self.registry.repositories:
                problems.append(
                    f"{at}.image {workload.image} is not one of $.registry.repositories"
                )
            unknown = sorted(set(workload.secrets) - set(self.app_secrets.names))
            if unknown:
                problems.append(f"{at}.secrets {', '.join(unknown)} not in $.appSecrets.names")
            if workload.role in ports and workload.port != ports[workload.role]:
                problems.append(
                    f"{at}.port {workload.port} must equal $.edge.{workload.role}.port "
                    f"{ports[workload.role]}: its target group sends traffic there"
                )
            if (
                workload.role in ports
                and workload.termination_grace_period_seconds
                <= self.edge.deregistration_delay_seconds
            ):
                problems.append(
                    f"{at}.terminationGracePeriodSeconds "
                    f"{workload.termination_grace_period_seconds} must exceed "
                    f"$.edge.deregistrationDelaySeconds {self.edge.deregistration_delay_seconds}:"
                    " the ALB still sends in-flight requests while it drains the pod"
                )
            if workload.role == "api" and apps.migrations.enabled and not workload.database:
                problems.append(
                    f"$.apps.migrations.enabled needs the api ({name}) to use the database "
                    f"({at}.database true)"
                )
            if workload.role == "api" and workload.database:
                pool = self.database.pool
                if workload.max_replicas > pool.api_max_replicas:
                    problems.append(
                        f"{at} may run {workload.max_replicas} pods, more than "
                        f"$.database.pool.apiMaxReplicas {pool.api_max_replicas} the database's "
                        "connection budget is sized for"
                    )
                if workload.database_pool_size > pool.size_per_replica:
                    problems.append(
                        f"{at}.databasePoolSize {workload.database_pool_size} is above "
                        f"$.database.pool.sizePerReplica {pool.size_per_replica}"
                    )
            if quota is not None:
                for what, value, ceiling, parse in (
                    ("limitsCpu", workload.limits_cpu, quota.max_limit_cpu, cpu_millicores),
                    (
                        "limitsMemory",
                        workload.limits_memory,
                        quota.max_limit_memory,
                        memory_bytes,
                    ),
                ):
                    if parse(value) > parse(ceiling):
                        problems.append(
                            f"{at}.{what} {value} is above the namespace's largest container "
                            f"limit $.addons.appNamespaces.{apps.namespace}.max"
                            f"{what[0].upper()}{what[1:]} {ceiling}"
                        )
            peak = workload.max_replicas + surge_pods(workload.max_replicas, apps.max_surge_percent)
            resources = (
                workload.requests_cpu,
                workload.requests_memory,
                workload.limits_cpu,
                workload.limits_memory,
            )
            group = apps.placement.get(workload.tier, "")
            demands.append(Demand(name, peak, *resources))
            per_group.setdefault(group, []).append(demands[-1])
            if workload.role == "api" and apps.migrations.enabled:
                demands.append(Demand(f"{name}-migrate", 1, *resources))
                per_group[group].append(demands[-1])
        problems += self._apps_connection_budget()
        if quota is not None:
            over = over_quota(
                demands,
                Quota(
                    quota.requests_cpu,
                    quota.requests_memory,
                    quota.limits_cpu,
                    quota.limits_memory,
                    quota.pods,
                ),
            )
            if over:
                problems.append(
                    f"$.apps.workloads at their maxReplicas plus the rollout surge need more "
                    f"than $.addons.appNamespaces.{apps.namespace} allows ({'; '.join(over)}): "
                    "raise the quota or lower maxReplicas"
                )
        for group, group_demands in sorted(per_group.items()):
            node_group = self.cluster.node_groups.get(group)
            if node_group is None:
                continue
            smallest = min(
                (INSTANCE_TYPES[t] for t in node_group.instance_types), key=lambda t: t.vcpus
            )
            short = over_capacity(
                group_demands,
                nodes=node_group.max_size,
                vcpus=smallest.vcpus,
                memory_gib=smallest.memory_gib,
            )
            if short:
                names = ", ".join(d.name for d in group_demands)
                problems.append(
                    f"$.apps.workloads {names} at their peak do not fit $.cluster.nodeGroups."
                    f"{group} at its maxSize {node_group.max_size} ({'; '.join(short)}): raise "
                    "maxSize or use larger instance types, or lower maxReplicas or requests"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self


# --------------------------------------------------------------------------------------------
# Loading and error reporting
# --------------------------------------------------------------------------------------------


class ConfigError(pulumi.RunError):
    """The stack's configuration is invalid; raised before any resource is registered.

    A ``RunError``, so ``pulumi up`` prints the message alone, without a Python traceback.
    """


def load_stack_config() -> StackConfig:
    """Read and validate the running stack's configuration (the program's first step)."""
    namespace = pulumi.get_project()
    values: dict[str, Any] = {}
    secret_keys: list[str] = []
    for key, raw in _namespace_values(namespace).items():
        values[key] = decode_config_value(raw)
        if pulumi.runtime.is_config_secret(f"{namespace}:{key}"):
            secret_keys.append(key)
    return parse_stack_config(
        values,
        namespace=namespace,
        stack=pulumi.get_stack(),
        region=pulumi.Config("aws").get("region"),
        secret_keys=secret_keys,
    )


def parse_stack_config(
    values: dict[str, Any],
    *,
    namespace: str,
    stack: str,
    region: str | None,
    secret_keys: typing.Iterable[str] = (),
) -> StackConfig:
    """Validate the keys of the project's namespace (already decoded) into a StackConfig.

    ``environment`` defaults to the stack's name. Raises :class:`ConfigError` listing every
    problem, each with its full key path, the value found and what is allowed.
    """
    problems: list[str] = []
    for key in sorted(secret_keys):
        if key in _top_level_aliases():
            problems.append(
                f"{namespace}:{key}: is set as a secret, but this key is used in plaintext "
                "(tags, names, sizes), so its value would be stored unencrypted; set it with "
                "`pulumi config set` without --secret"
            )
    data = dict(values)
    secret_values = data.pop(APP_SECRET_VALUES_KEY, None)
    data.setdefault("environment", stack)
    if region is not None:
        data["aws:region"] = region
    try:
        config = StackConfig.model_validate(data)
    except ValidationError as error:
        problems.extend(describe_error(StackConfig, d, namespace) for d in error.errors())
        config = None
    if config is not None:
        problems += _check_secret_values(
            config.app_secrets.names,
            secret_values,
            is_secret=APP_SECRET_VALUES_KEY in set(secret_keys),
            namespace=namespace,
        )
    if problems or config is None:
        raise ConfigError(_format_problems(problems, stack))
    return config


ModelT = typing.TypeVar("ModelT", bound=BaseModel)


def load_config_model(model: type[ModelT], *, namespace: str | None = None) -> ModelT:
    """Read the running stack's ``<namespace>:*`` keys into ``model`` (your own program's config).

    For programs that compose the components with a config of their own (examples/): the same
    decoding and messages as the platform's stack config, so a bad value names its key path, the
    value and what is allowed, and raises :class:`ConfigError` before any resource exists.
    ``namespace`` defaults to the project's name.
    """
    namespace = namespace or pulumi.get_project()
    values = {key: decode_config_value(raw) for key, raw in _namespace_values(namespace).items()}
    try:
        return model.model_validate(values)
    except ValidationError as error:
        problems = [describe_error(model, d, namespace) for d in error.errors()]
        raise ConfigError(_format_problems(problems, pulumi.get_stack())) from None


def load_app_secret_values(config: StackConfig) -> dict[str, pulumi.Output[str]]:
    """The app secrets' values, as Pulumi secrets, from ``platform:appSecretValues``.

    Call after :func:`load_stack_config`, which has checked that every declared secret has a
    value set with --secret; the values never leave Pulumi's secret outputs.
    """
    namespace = pulumi.get_project()
    raw = _namespace_values(namespace).get(APP_SECRET_VALUES_KEY)
    values = decode_config_value(raw) if raw is not None else {}
    if not isinstance(values, dict):
        values = {}
    return {name: pulumi.Output.secret(str(values[name])) for name in config.app_secrets.names}


def _check_secret_values(
    names: tuple[str, ...], values: Any, *, is_secret: bool, namespace: str
) -> list[str]:
    """Every declared app secret has a non-empty value, set with --secret; no unknown ones."""
    key = f"{namespace}:{APP_SECRET_VALUES_KEY}"
    how = f"pulumi config set --secret --path '{APP_SECRET_VALUES_KEY}.<name>' <value>"
    if values is None:
        if not names:
            return []
        return [f"{key}: not set; each app secret needs a value ({', '.join(names)}): {how}"]
    if not is_secret:
        return [f"{key}: is in plaintext; app secret values must be set with --secret: {how}"]
    if not isinstance(values, dict):
        return [f"{key}: must be a mapping of secret name to value: {how}"]
    problems = [
        f"{key}.{name}: not set (declared in {namespace}:appSecrets.names): {how}"
        for name in names
        if not isinstance(values.get(name), str) or not values.get(name)
    ]
    problems += [
        f"{key}.{name}: unknown secret (value hidden); declared names: {', '.join(names)}"
        for name in sorted(set(values) - set(names))
    ]
    return problems


def _namespace_values(namespace: str) -> dict[str, str]:
    """Every ``<namespace>:<key>`` the engine passed to the program, as raw strings."""
    prefix = f"{namespace}:"
    merged = {**pulumi.runtime.get_config_env(), **pulumi.runtime.config.CONFIG.get()}
    return {key[len(prefix) :]: value for key, value in merged.items() if key.startswith(prefix)}


def decode_config_value(raw: Any) -> Any:
    """Structured values (objects, lists) arrive as JSON text; scalars stay text for pydantic."""
    if isinstance(raw, str) and raw[:1] in ("{", "["):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return raw


def _top_level_aliases() -> set[str]:
    return {config_key(name, info) for name, info in StackConfig.model_fields.items()}


def _format_problems(problems: list[str], stack: str) -> str:
    lines = [f"Invalid configuration for stack '{stack}'; nothing was deployed:"]
    lines += [f"  - {problem}" for problem in problems]
    lines.append(
        "Fix the stack file (Pulumi.<stack>.yaml) or use `pulumi config set --path "
        "'<key.path>' <value>`; docs/config.md lists every key."
    )
    return "\n".join(lines)
