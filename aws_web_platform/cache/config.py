"""Settings of Redis/Valkey (:class:`~aws_web_platform.cache.cache.RedisCache`)."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
    model_validator,
)

from aws_web_platform.core.fields import ConfigModel, DailyWindow, LogRetentionDays, WeeklyWindow
from aws_web_platform.core.time_windows import daily_minutes, daily_overlaps_weekly, weekly_minutes

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
