"""Settings of PostgreSQL (:class:`~aws_web_platform.database.database.PostgresDatabase`):
instance, storage, tuning parameters, backups, the proxy and the apps' connection pools."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from aws_web_platform.core.fields import ConfigModel, DailyWindow, LogRetentionDays, WeeklyWindow
from aws_web_platform.core.time_windows import daily_minutes, daily_overlaps_weekly, weekly_minutes
from aws_web_platform.database.tuning import (
    ConnectionBudget,
    PostgresSettings,
    check_fit,
    connection_budget,
    tune,
)

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
        pattern=r"^1[5-9](\.\d+)?$",
        description="PostgreSQL version: a major ('16', minor upgrades applied automatically in "
        "the maintenance window) or major.minor. Default 16 (spec). 15 at least: 13 and 14 are "
        "past their community end of life, and the role bootstrap's psql needs 15.",
        json_schema_extra={"allowed": "a PostgreSQL major version 15..19, optionally .minor"},
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
        description="Master user; its password is generated and kept in Secrets Manager, read "
        "by the role bootstrap only. Default app_admin ('postgres' and 'rdsadmin' are "
        "reserved or discouraged).",
        json_schema_extra={"allowed": "a lowercase identifier of up to 16 characters"},
    )
    app_username: str = Field(
        default="app",
        pattern=r"^[a-z][a-z0-9_]{0,15}$",
        description="Runtime group role of the apps (NOLOGIN; read and write on rows, never "
        "DDL). Each workload class logs in as <appUsername>_<class> (app_api, app_worker), a "
        "member of the group, with its own generated password. Default app.",
        json_schema_extra={"allowed": "a lowercase identifier of up to 16 characters"},
    )
    migration_username: str = Field(
        default="migrator",
        pattern=r"^[a-z][a-z0-9_]{0,15}$",
        description="Role the release migration logs in as: creates and owns the schema's "
        "tables (DDL), directly on the writer. Default migrator.",
        json_schema_extra={"allowed": "a lowercase identifier of up to 16 characters"},
    )
    monitoring_username: str = Field(
        default="monitoring",
        pattern=r"^[a-z][a-z0-9_]{0,15}$",
        description="Role of the postgres exporter (pg_monitor: statistics, no table data). "
        "Default monitoring.",
        json_schema_extra={"allowed": "a lowercase identifier of up to 16 characters"},
    )
    backup_username: str = Field(
        default="backup",
        pattern=r"^[a-z][a-z0-9_]{0,15}$",
        description="Role of the daily logical dump (pg_read_all_data: every row, read-only). "
        "Default backup.",
        json_schema_extra={"allowed": "a lowercase identifier of up to 16 characters"},
    )
    extensions: tuple[str, ...] = Field(
        default=("pg_stat_statements", "vector"),
        description="Extensions the role bootstrap creates (as the master) before the "
        "migrations run. Default pg_stat_statements (the exporter's query statistics) and "
        "vector (pgvector: the apps' embeddings, spec).",
        json_schema_extra={"allowed": "lowercase extension names RDS offers"},
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

    @field_validator("extensions")
    @classmethod
    def _extension_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [e for e in value if not re.fullmatch(r"[a-z][a-z0-9_]{0,62}", e)]
        if bad:
            raise ValueError(f"{bad} are not extension names (lowercase identifiers)")
        return tuple(dict.fromkeys(value))

    @model_validator(mode="after")
    def _consistent(self) -> DatabaseConfig:
        problems: list[str] = []
        users = {
            "masterUsername": self.master_username,
            "appUsername": self.app_username,
            "migrationUsername": self.migration_username,
            "monitoringUsername": self.monitoring_username,
            "backupUsername": self.backup_username,
        }
        for key, user in users.items():
            same = [k for k, u in users.items() if u == user and k != key]
            if same and key < same[0]:
                problems.append(
                    f"$.{key} and $.{same[0]} are both {user!r}: every database role must "
                    "have its own name"
                )
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
