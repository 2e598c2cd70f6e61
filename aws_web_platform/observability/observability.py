"""Observability: the platform's CloudWatch alarms, its dashboards, in CloudWatch and Grafana.

Every alarm takes its figures (threshold, period, evaluation, severity) from
:class:`~aws_web_platform.observability.config.AlarmsConfig`, whose defaults are the spec's, and
notifies the topic of its severity on ALARM *and* on OK, so a page that resolves itself says so.

* Compute, from Container Insights (the amazon-cloudwatch-observability add-on): node CPU,
  memory (warn and page), filesystem and failed nodes for the cluster; per workload, pod CPU
  and memory against the pods' limits, crash loops, and no ready pod.
* Load balancer, per target group: the 5xx *rate* (metric math, quiet below a minimum of
  requests so a single error at night pages nobody), unhealthy and no healthy targets; the
  API's p95 response time.
* Database: CPU, connections against max_connections, free storage against allocated, freeable
  memory against the class's memory (all derived, not hard-coded); lag per replica; RDS Proxy
  client connections against the apps' pool budget. A composite pages only when CPU *and*
  connections or memory alarm together.
* Cache, per node: engine CPU, memory used, evictions, connections, hit rate.
* Edge, in us-east-1 where CloudFront and the WAF publish: the CDN 5xx rate, and blocked
  requests above an anomaly band (attacks, not the daily rhythm).

Alarms can only notify topics of their own region, hence the edge's own topics.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
from pydantic import BaseModel, ConfigDict, Field

from aws_web_platform.core.fields import InputStr
from aws_web_platform.observability.config import AlarmConfig, AlarmsConfig
from aws_web_platform.observability.dashboards import (
    Subjects,
    cloudwatch_dashboard,
    grafana_dashboards,
)

GIB = 1024**3
CI = "ContainerInsights"


class LoadBalancerTargets(BaseModel):
    """The ALB and its target groups, by their CloudWatch dimension values (ARN suffixes)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    load_balancer: InputStr = Field(
        description="ALB ARN suffix (app/<name>/<id>), its LoadBalancer dimension."
    )
    target_groups: Mapping[str, InputStr] = Field(
        description="Target group ARN suffix (TargetGroup dimension) by role (web, api)."
    )
    latency_role: str = Field(
        default="api", description="Role whose p95 response time is alarmed. Default api."
    )


class DatabaseTargets(BaseModel):
    """The database instances and the figures the alarms derive their thresholds from."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    primary_id: str = Field(
        description="RDS identifier of the primary (DBInstanceIdentifier dimension). Required."
    )
    replica_ids: list[str] = Field(
        default_factory=list,
        description="Read replica identifiers (replica lag is alarmed on each). Default none.",
    )
    proxy_name: InputStr | None = Field(
        default=None,
        description="RDS Proxy name (ProxyName dimension). Default None: no proxy alarm.",
    )
    max_connections: int = Field(
        gt=0,
        description="max_connections of the instances: the connections alarm is a share of it.",
    )
    allocated_storage_gb: int = Field(
        gt=0, description="Allocated storage (GiB): the free-storage alarm is a share of it."
    )
    memory_gib: float = Field(
        gt=0,
        description="Memory of the instance class (GiB): the freeable-memory alarm is a share "
        "of it.",
    )
    proxy_client_budget: int = Field(
        default=0,
        ge=0,
        description="Client connections the apps open at most (max replicas x pool size). "
        "Default 0: no proxy alarm.",
    )


class EdgeTargets(BaseModel):
    """The CloudFront distribution and the WAF web ACL, with the us-east-1 topics."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    distribution_id: InputStr = Field(
        description="CloudFront distribution id (DistributionId dimension). Required."
    )
    web_acl_name: InputStr = Field(description="WAF web ACL name (the WebACL dimension).")
    topics: Mapping[str, InputStr] = Field(
        description="Topic ARN per severity in us-east-1: alarms notify topics of their own region."
    )
    provider: aws.Provider = Field(
        description="AWS provider of us-east-1, where CloudFront and WAF metrics live. Required."
    )


class ObservabilityArgs(BaseModel):
    """Arguments of :class:`Observability`."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    alarms: AlarmsConfig = Field(
        default=AlarmsConfig(), description="The alarms' figures. Default the spec's."
    )
    name_prefix: str = Field(
        pattern=r"^[A-Za-z0-9-]{1,100}$",
        description="Prefix of alarm and dashboard names (<prefix>-node-cpu). Required.",
    )
    region: str = Field(
        description="The stack's region: the dashboard's widgets read their metrics there."
    )
    topics: Mapping[str, InputStr] = Field(
        description="Topic ARN per severity in the stack's region. Required."
    )
    cluster_name: str = Field(
        description="EKS cluster name (the ClusterName dimension of Container Insights). Required."
    )
    namespace: str = Field(
        description="Namespace of the workloads (the Namespace dimension of their pod metrics)."
    )
    workloads: list[str] = Field(
        default_factory=list, description="Workload (Deployment) names, alarmed one by one."
    )
    load_balancer: LoadBalancerTargets | None = Field(
        default=None, description="The ALB; None when the edge is not deployed."
    )
    database: DatabaseTargets | None = Field(
        default=None,
        description="The database and the figures its thresholds derive from. Default None: no "
        "database alarms.",
    )
    cache_node_ids: Sequence[InputStr] = Field(
        default_factory=list,
        description="ElastiCache node (cache cluster) ids, str or Output, alarmed one by one. "
        "Default none.",
    )
    edge: EdgeTargets | None = Field(
        default=None,
        description="CloudFront and the WAF. Default None: the edge is not deployed, no edge "
        "alarms.",
    )
    heartbeat_topic_name: InputStr | None = Field(
        default=None,
        description="Name of the topic Alertmanager's Watchdog heartbeat is published to: an "
        "alarm pages when it stops. Default None: no such alarm.",
    )
    grafana_namespace: str | None = Field(
        default="monitoring",
        description="Namespace of Grafana, whose dashboard sidecar loads ConfigMaps labelled "
        "grafana_dashboard=1. None: no Grafana dashboards (and no Kubernetes provider needed).",
    )
    grafana_depends_on: Sequence[pulumi.Resource] = Field(
        default_factory=list,
        description="What the Grafana dashboards wait for (the monitoring stack). Default nothing.",
    )


def kebab(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class Observability(pulumi.ComponentResource):
    """Alarms on every tier, a CloudWatch dashboard, Grafana dashboards."""

    alarms: dict[str, aws.cloudwatch.MetricAlarm]
    composites: dict[str, aws.cloudwatch.CompositeAlarm]
    dashboard: aws.cloudwatch.Dashboard
    grafana_dashboards: dict[str, k8s.core.v1.ConfigMap]

    def __init__(
        self, name: str, args: ObservabilityArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:observability:Observability", name, None, opts)
        self._name = name
        self._args = args
        self.alarms = {}
        self.composites = {}
        self._compute()
        if args.load_balancer is not None:
            self._load_balancer(args.load_balancer)
        if args.database is not None:
            self._database(args.database)
        self._cache()
        if args.edge is not None:
            self._edge(args.edge)
        if args.heartbeat_topic_name is not None:
            self._alarm(
                "alerting_heartbeat",
                args.alarms.alerting_heartbeat,
                "Alertmanager's Watchdog heartbeat stopped: no Prometheus alert reaches anyone",
                comparison="LessThanThreshold",
                metric={
                    "namespace": "AWS/SNS",
                    "name": "NumberOfMessagesPublished",
                    "dimensions": {"TopicName": args.heartbeat_topic_name},
                    "stat": "Sum",
                },
                missing="breaching",
                # Only once the monitoring stack runs: before, its silence is a first deploy.
                depends_on=args.grafana_depends_on,
            )

        subjects = Subjects(
            region=args.region,
            cluster_name=args.cluster_name,
            load_balancer=args.load_balancer.load_balancer if args.load_balancer else None,
            target_groups=dict(args.load_balancer.target_groups) if args.load_balancer else {},
            database_ids=[args.database.primary_id] if args.database else [],
            replica_ids=list(args.database.replica_ids) if args.database else [],
            proxy_name=args.database.proxy_name if args.database else None,
            cache_ids=list(args.cache_node_ids),
            distribution_id=args.edge.distribution_id if args.edge else None,
            web_acl_name=args.edge.web_acl_name if args.edge else None,
        )
        self.dashboard = aws.cloudwatch.Dashboard(
            f"{name}-dashboard",
            dashboard_name=args.name_prefix,
            dashboard_body=pulumi.Output.json_dumps(cloudwatch_dashboard(subjects)),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.grafana_dashboards = {}
        if args.grafana_namespace is not None:
            for view, body in grafana_dashboards(subjects).items():
                self.grafana_dashboards[view] = k8s.core.v1.ConfigMap(
                    f"{name}-grafana-{view}",
                    metadata=k8s.meta.v1.ObjectMetaArgs(
                        name=f"platform-dashboard-{view}",
                        namespace=args.grafana_namespace,
                        labels={"grafana_dashboard": "1"},
                    ),
                    data={f"platform-{view}.json": pulumi.Output.json_dumps(body)},
                    opts=pulumi.ResourceOptions(parent=self, depends_on=args.grafana_depends_on),
                )
        self.register_outputs(
            {
                "alarm_names": sorted(self.alarms),
                "dashboard_name": self.dashboard.dashboard_name,
            }
        )

    # --- building blocks ----------------------------------------------------------------------

    def _alarm(
        self,
        key: str,
        config: AlarmConfig,
        description: str,
        *,
        subject: str | None = None,
        comparison: str = "GreaterThanThreshold",
        threshold: float | None = None,
        metric: dict[str, Any] | None = None,
        queries: list[aws.cloudwatch.MetricAlarmMetricQueryArgs] | None = None,
        threshold_metric_id: str | None = None,
        missing: str = "missing",
        edge: EdgeTargets | None = None,
        depends_on: Sequence[pulumi.Resource] = (),
    ) -> aws.cloudwatch.MetricAlarm | None:
        """One alarm on the topic of its severity (ALARM and OK), or None when disabled."""
        if not config.enabled:
            return None
        args = self._args
        alarm_name = "-".join(p for p in (args.name_prefix, kebab(key), subject) if p)
        topic = (edge.topics if edge else args.topics)[config.severity]
        metric_args: dict[str, Any] = {}
        if metric is not None:
            metric_args = {
                "namespace": metric["namespace"],
                "metric_name": metric["name"],
                "dimensions": metric["dimensions"],
                "period": config.period_seconds,
            }
            stat = metric.get("stat", "Average")
            metric_args["extended_statistic" if stat.startswith("p") else "statistic"] = stat
        if threshold_metric_id is None:
            metric_args["threshold"] = config.threshold if threshold is None else threshold
        alarm = aws.cloudwatch.MetricAlarm(
            f"{self._name}-{kebab(key)}{f'-{subject}' if subject else ''}",
            name=alarm_name,
            alarm_description=f"[{config.severity}] {description}",
            comparison_operator=comparison,
            evaluation_periods=config.evaluation_periods,
            datapoints_to_alarm=config.datapoints,
            metric_queries=queries,
            threshold_metric_id=threshold_metric_id,
            treat_missing_data=missing,
            alarm_actions=[topic],
            ok_actions=[topic],
            **metric_args,
            opts=pulumi.ResourceOptions(
                parent=self,
                provider=edge.provider if edge is not None else None,
                depends_on=list(depends_on),
            ),
        )
        self.alarms[alarm_name] = alarm
        return alarm

    @staticmethod
    def _query(
        query_id: str,
        metric: tuple[str, str, str],
        dimensions: dict[str, Any],
        period: int,
    ) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
        namespace, name, stat = metric
        return aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id=query_id,
            return_data=False,
            metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                namespace=namespace,
                metric_name=name,
                dimensions=dimensions,
                stat=stat,
                period=period,
            ),
        )

    def _ratio(
        self,
        key: str,
        config: AlarmConfig,
        description: str,
        *,
        subject: str | None,
        namespace: str,
        errors: tuple[str, str],
        requests: tuple[str, str],
        dimensions: dict[str, Any],
        expression: str,
        provider_edge: EdgeTargets | None = None,
    ) -> None:
        """An alarm on metric math over an error metric and a request count."""
        period = config.period_seconds
        queries = [
            self._query("errors", (namespace, *errors), dimensions, period),
            self._query("requests", (namespace, *requests), dimensions, period),
            aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id="rate", expression=expression, label=description, return_data=True
            ),
        ]
        self._alarm(
            key,
            config,
            description,
            subject=subject,
            queries=queries,
            missing="notBreaching",
            edge=provider_edge,
        )

    # --- tiers --------------------------------------------------------------------------------

    def _compute(self) -> None:
        a, args = self._args.alarms, self._args
        cluster = {"ClusterName": args.cluster_name}
        node = "nodes of " + args.cluster_name
        for key, config, metric, what in (
            ("node_cpu", a.node_cpu, "node_cpu_utilization", "CPU %"),
            ("node_memory_warning", a.node_memory_warning, "node_memory_utilization", "memory %"),
            ("node_memory_critical", a.node_memory_critical, "node_memory_utilization", "memory %"),
            ("node_filesystem", a.node_filesystem, "node_filesystem_utilization", "disk used %"),
        ):
            self._alarm(
                key,
                config,
                f"Average {what} of the {node} above {config.threshold:g}",
                metric={"namespace": CI, "name": metric, "dimensions": cluster},
            )
        self._alarm(
            "failed_nodes",
            a.failed_nodes,
            f"Failed nodes in {args.cluster_name} above {a.failed_nodes.threshold:g}",
            metric={
                "namespace": CI,
                "name": "cluster_failed_node_count",
                "dimensions": cluster,
                "stat": "Maximum",
            },
        )
        for workload in args.workloads:
            pod = {
                "ClusterName": args.cluster_name,
                "Namespace": args.namespace,
                "PodName": workload,
            }
            for key, config, metric, what in (
                ("pod_cpu", a.pod_cpu, "pod_cpu_utilization_over_pod_limit", "CPU"),
                (
                    "pod_memory_warning",
                    a.pod_memory_warning,
                    "pod_memory_utilization_over_pod_limit",
                    "memory",
                ),
                (
                    "pod_memory_critical",
                    a.pod_memory_critical,
                    "pod_memory_utilization_over_pod_limit",
                    "memory",
                ),
            ):
                self._alarm(
                    key,
                    config,
                    f"{workload}: pods' {what} above {config.threshold:g} % of their limit",
                    subject=workload,
                    metric={"namespace": CI, "name": metric, "dimensions": pod},
                )
            self._alarm(
                "pod_crash_loop",
                a.pod_crash_loop,
                f"{workload}: containers in CrashLoopBackOff",
                subject=workload,
                metric={
                    "namespace": CI,
                    "name": "pod_container_status_waiting_reason_crash_loop_back_off",
                    "dimensions": pod,
                    "stat": "Maximum",
                },
                missing="notBreaching",
            )
            self._alarm(
                "pods_not_ready",
                a.pods_not_ready,
                f"{workload}: {a.pods_not_ready.threshold:g} or fewer ready pods",
                subject=workload,
                comparison="LessThanOrEqualToThreshold",
                metric={
                    "namespace": CI,
                    "name": "pod_status_ready",
                    "dimensions": pod,
                    "stat": "Sum",
                },
                # No data: no pod reports, which is also a first deploy or a workload scaled to
                # zero; Prometheus' WorkloadHasNoAvailablePod pages when pods should exist.
                missing="notBreaching",
            )

    def _load_balancer(self, lb: LoadBalancerTargets) -> None:
        a = self._args.alarms
        for role, target_group in sorted(lb.target_groups.items()):
            dims = {"LoadBalancer": lb.load_balancer, "TargetGroup": target_group}
            for key, config in (
                ("error_rate_warning", a.error_rate_warning),
                ("error_rate_critical", a.error_rate_critical),
            ):
                self._ratio(
                    key,
                    config,
                    f"{role}: target 5xx above {config.threshold:g} % of requests",
                    subject=role,
                    namespace="AWS/ApplicationELB",
                    errors=("HTTPCode_Target_5XX_Count", "Sum"),
                    requests=("RequestCount", "Sum"),
                    dimensions=dims,
                    expression=(
                        f"IF(requests >= {a.error_rate_min_requests}, "
                        "100 * FILL(errors, 0) / requests, 0)"
                    ),
                )
            self._alarm(
                "unhealthy_hosts",
                a.unhealthy_hosts,
                f"{role}: unhealthy targets above {a.unhealthy_hosts.threshold:g}",
                subject=role,
                metric={
                    "namespace": "AWS/ApplicationELB",
                    "name": "UnHealthyHostCount",
                    "dimensions": dims,
                    "stat": "Maximum",
                },
            )
            self._alarm(
                "no_healthy_hosts",
                a.no_healthy_hosts,
                f"{role}: fewer than {a.no_healthy_hosts.threshold:g} healthy targets",
                subject=role,
                comparison="LessThanThreshold",
                metric={
                    "namespace": "AWS/ApplicationELB",
                    "name": "HealthyHostCount",
                    "dimensions": dims,
                    "stat": "Minimum",
                },
                missing="breaching",
            )
            if role == lb.latency_role:
                self._alarm(
                    "api_latency_p95",
                    a.api_latency_p95,
                    f"{role}: p95 response time above {a.api_latency_p95.threshold:g} s",
                    subject=role,
                    metric={
                        "namespace": "AWS/ApplicationELB",
                        "name": "TargetResponseTime",
                        "dimensions": dims,
                        "stat": "p95",
                    },
                )

    def _database(self, db: DatabaseTargets) -> None:
        a = self._args.alarms
        connections = math.floor(db.max_connections * a.database_connections.threshold / 100)
        free_storage = db.allocated_storage_gb * GIB * a.database_free_storage.threshold / 100
        freeable = db.memory_gib * GIB * a.database_freeable_memory.threshold / 100
        primary: dict[str, aws.cloudwatch.MetricAlarm | None] = {}
        for instance in [db.primary_id, *db.replica_ids]:
            dims = {"DBInstanceIdentifier": instance}

            def rds(name: str, dims: dict[str, Any] = dims) -> dict[str, Any]:
                return {"namespace": "AWS/RDS", "name": name, "dimensions": dims}

            made = {
                "cpu": self._alarm(
                    "database_cpu",
                    a.database_cpu,
                    f"{instance}: CPU above {a.database_cpu.threshold:g} %",
                    subject=instance,
                    metric=rds("CPUUtilization"),
                ),
                "connections": self._alarm(
                    "database_connections",
                    a.database_connections,
                    f"{instance}: more than {connections} connections "
                    f"({a.database_connections.threshold:g} % of max_connections "
                    f"{db.max_connections})",
                    subject=instance,
                    threshold=connections,
                    metric=rds("DatabaseConnections") | {"stat": "Maximum"},
                ),
                "storage": self._alarm(
                    "database_free_storage",
                    a.database_free_storage,
                    f"{instance}: free storage below {a.database_free_storage.threshold:g} % of "
                    f"{db.allocated_storage_gb} GiB",
                    subject=instance,
                    comparison="LessThanThreshold",
                    threshold=free_storage,
                    metric=rds("FreeStorageSpace") | {"stat": "Minimum"},
                ),
                "memory": self._alarm(
                    "database_freeable_memory",
                    a.database_freeable_memory,
                    f"{instance}: freeable memory below "
                    f"{a.database_freeable_memory.threshold:g} % of {db.memory_gib:g} GiB",
                    subject=instance,
                    comparison="LessThanThreshold",
                    threshold=freeable,
                    metric=rds("FreeableMemory") | {"stat": "Minimum"},
                ),
            }
            if instance == db.primary_id:
                primary = made
            else:
                self._alarm(
                    "replica_lag",
                    a.replica_lag,
                    f"{instance}: more than {a.replica_lag.threshold:g} s behind the primary",
                    subject=instance,
                    metric=rds("ReplicaLag") | {"stat": "Maximum"},
                )
        if db.proxy_name is not None and db.proxy_client_budget:
            budget = math.floor(db.proxy_client_budget * a.proxy_client_connections.threshold / 100)
            self._alarm(
                "proxy_client_connections",
                a.proxy_client_connections,
                f"RDS Proxy: more than {budget} client connections "
                f"({a.proxy_client_connections.threshold:g} % of the apps' pool budget "
                f"{db.proxy_client_budget})",
                threshold=budget,
                metric={
                    "namespace": "AWS/RDS",
                    "name": "ClientConnections",
                    "dimensions": {"ProxyName": db.proxy_name},
                    "stat": "Sum",
                },
            )
        cpu, conns, memory = primary.get("cpu"), primary.get("connections"), primary.get("memory")
        if a.database_saturated and cpu is not None and (conns or memory):
            pressure = [alarm for alarm in (conns, memory) if alarm is not None]
            rule = pulumi.Output.all(cpu.name, *(p.name for p in pressure)).apply(
                lambda names: (
                    f'ALARM("{names[0]}") AND ('
                    + " OR ".join(f'ALARM("{n}")' for n in names[1:])
                    + ")"
                )
            )
            name = f"{self._args.name_prefix}-database-saturated"
            topic = self._args.topics["critical"]
            self.composites[name] = aws.cloudwatch.CompositeAlarm(
                f"{self._name}-database-saturated",
                alarm_name=name,
                alarm_description=(
                    f"[critical] {db.primary_id}: CPU and connections or memory all high: "
                    "queries queue"
                ),
                alarm_rule=rule,
                alarm_actions=[topic],
                ok_actions=[topic],
                opts=pulumi.ResourceOptions(parent=self),
            )

    def _cache(self) -> None:
        a = self._args.alarms
        for index, node in enumerate(self._args.cache_node_ids, start=1):
            dims = {"CacheClusterId": node}
            subject = f"cache-{index}"

            def ec(name: str, stat: str = "Average", dims: dict[str, Any] = dims) -> dict:
                return {
                    "namespace": "AWS/ElastiCache",
                    "name": name,
                    "dimensions": dims,
                    "stat": stat,
                }

            self._alarm(
                "cache_cpu",
                a.cache_cpu,
                f"cache node {index}: engine CPU above {a.cache_cpu.threshold:g} %",
                subject=subject,
                metric=ec("EngineCPUUtilization"),
            )
            self._alarm(
                "cache_memory",
                a.cache_memory,
                f"cache node {index}: memory used above {a.cache_memory.threshold:g} %",
                subject=subject,
                metric=ec("DatabaseMemoryUsagePercentage"),
            )
            self._alarm(
                "cache_evictions",
                a.cache_evictions,
                f"cache node {index}: more than {a.cache_evictions.threshold:g} keys evicted",
                subject=subject,
                metric=ec("Evictions", "Sum"),
                missing="notBreaching",
            )
            self._alarm(
                "cache_connections",
                a.cache_connections,
                f"cache node {index}: more than {a.cache_connections.threshold:g} connections",
                subject=subject,
                metric=ec("CurrConnections", "Maximum"),
            )
            self._alarm(
                "cache_hit_rate",
                a.cache_hit_rate,
                f"cache node {index}: hit rate below {a.cache_hit_rate.threshold:g} %",
                subject=subject,
                comparison="LessThanThreshold",
                metric=ec("CacheHitRate"),
                missing="notBreaching",
            )

    def _edge(self, edge: EdgeTargets) -> None:
        a = self._args.alarms
        cf = {"DistributionId": edge.distribution_id, "Region": "Global"}
        self._ratio(
            "cdn_error_rate",
            a.cdn_error_rate,
            f"CloudFront 5xx above {a.cdn_error_rate.threshold:g} % of requests",
            subject=None,
            namespace="AWS/CloudFront",
            errors=("5xxErrorRate", "Average"),
            requests=("Requests", "Sum"),
            dimensions=cf,
            expression=f"IF(requests >= {a.error_rate_min_requests}, errors, 0)",
            provider_edge=edge,
        )
        config = a.waf_blocked_spike
        blocked = aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id="blocked",
            return_data=True,
            metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                namespace="AWS/WAFV2",
                metric_name="BlockedRequests",
                dimensions={"WebACL": edge.web_acl_name, "Rule": "ALL"},
                stat="Sum",
                period=config.period_seconds,
            ),
        )
        band = aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id="band",
            expression=f"ANOMALY_DETECTION_BAND(blocked, {config.threshold:g})",
            label="expected blocked requests",
            return_data=True,
        )
        self._alarm(
            "waf_blocked_spike",
            config,
            "WAF blocked requests above their usual band: an attack or a bad rule",
            comparison="GreaterThanUpperThreshold",
            queries=[blocked, band],
            threshold_metric_id="band",
            missing="notBreaching",
            edge=edge,
        )
