"""Settings of operations: notifications, alarms, container log retention and the cost budget."""

from __future__ import annotations

from typing import Annotated, Any, Literal, cast

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from aws_web_platform.core.fields import ConfigModel, LogRetentionDays
from aws_web_platform.stack.messages import config_key

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
        default_factory=dict[Severity, tuple[str, ...]],
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
        "min. Default 0: nothing serves, rollouts of a few minutes do not page. Quiet when no "
        "pod reports at all (a first deploy, a workload scaled to zero): Prometheus' "
        "WorkloadHasNoAvailablePod pages for a Deployment that should run pods and has none.",
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
    # The alerting pipeline itself
    alerting_heartbeat: AlarmConfig = Field(
        default=_alarm(1, "critical", period=900, evaluations=1),
        description="Alertmanager's Watchdog heartbeats on the heartbeat topic below threshold "
        "in a period (it beats every 5 min): Prometheus, Alertmanager or their credentials are "
        "down, and no Prometheus alert would reach anyone. Default fewer than 1 in 15 min, "
        "missing data breaching.",
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
        given_keys = cast(dict[str, Any], value)
        merged = dict(given_keys)
        for name, info in cls.model_fields.items():
            alias = config_key(name, info)
            key = alias if alias in given_keys else name if name in given_keys else None
            default = info.default
            if key is not None and isinstance(default, AlarmConfig):
                given = given_keys[key]
                if isinstance(given, dict):
                    merged[key] = {
                        **default.model_dump(by_alias=True),
                        **cast(dict[str, Any], given),
                    }
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

    def retention_by_group(self) -> dict[str, int]:
        """Days to keep each log group, by its name under /aws/containerinsights/<cluster>/."""
        return {
            "application": self.application_retention_days,
            "host": self.host_retention_days,
            "dataplane": self.dataplane_retention_days,
            "performance": self.performance_retention_days,
        }


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
