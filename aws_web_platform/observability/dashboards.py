"""The spec's dashboard views, for CloudWatch and for Grafana (pure: no resources).

Views (spec, seed 004): system (CPU, memory, disk, network), application RED (rate, errors,
p50/p95/p99 latency, from the ALB), database (connections, CPU, latency, replica lag), cache
(memory, hit rate, evictions), edge (requests, cache hit rate, WAF blocks).

CloudWatch gets all five from AWS metrics. Grafana gets the same five: system, database and
cache from Prometheus (node_exporter, postgres_exporter, redis_exporter), application and edge
from its CloudWatch data source (the ALB, CloudFront and the WAF publish only there).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi

VIEWS = ("system", "application", "database", "cache", "edge")
#: Data source uids in Grafana (kube-prometheus-stack's own, and the one the add-ons add).
PROMETHEUS_UID = "prometheus"
CLOUDWATCH_UID = "cloudwatch"
EDGE_REGION = "us-east-1"


@dataclass(frozen=True)
class Subjects:
    """What the dashboards show; values may be Pulumi Outputs (the body is JSON-dumped by
    ``pulumi.Output.json_dumps``)."""

    region: str
    cluster_name: str
    load_balancer: pulumi.Input[str] | None = None
    target_groups: dict[str, pulumi.Input[str]] = field(default_factory=dict)
    database_ids: list[str] = field(default_factory=list)
    replica_ids: list[str] = field(default_factory=list)
    proxy_name: pulumi.Input[str] | None = None
    cache_ids: list[pulumi.Input[str]] = field(default_factory=list)
    distribution_id: pulumi.Input[str] | None = None
    web_acl_name: pulumi.Input[str] | None = None


def _metric_widget(
    title: str,
    metrics: list[list[Any]],
    region: str,
    *,
    stat: str = "Average",
    y: int,
    x: int,
    period: int = 60,
) -> dict[str, Any]:
    return {
        "type": "metric",
        "x": x,
        "y": y,
        "width": 8,
        "height": 6,
        "properties": {
            "title": title,
            "region": region,
            "metrics": metrics,
            "stat": stat,
            "period": period,
            "view": "timeSeries",
        },
    }


def _header(text: str, y: int) -> dict[str, Any]:
    return {
        "type": "text",
        "x": 0,
        "y": y,
        "width": 24,
        "height": 1,
        "properties": {"markdown": f"## {text}"},
    }


def cloudwatch_dashboard(s: Subjects) -> dict[str, Any]:
    """The CloudWatch dashboard body: one row of widgets per view."""
    ci = "ContainerInsights"
    cluster = ["ClusterName", s.cluster_name]
    rows: dict[str, list[tuple[str, list[list[Any]], str, str]]] = {
        "system": [
            ("Node CPU %", [[ci, "node_cpu_utilization", *cluster]], "Average", s.region),
            (
                "Node memory %",
                [[ci, "node_memory_utilization", *cluster]],
                "Average",
                s.region,
            ),
            (
                "Node disk used % / network bytes",
                [
                    [ci, "node_filesystem_utilization", *cluster],
                    [ci, "node_network_total_bytes", *cluster, {"yAxis": "right"}],
                ],
                "Average",
                s.region,
            ),
        ],
    }
    alb = "AWS/ApplicationELB"
    application: list[tuple[str, list[list[Any]], str, str]] = []
    if s.load_balancer is not None:
        lb = ["LoadBalancer", s.load_balancer]
        by_group = sorted(s.target_groups.items())
        application = [
            (
                "Requests (rate)",
                [[alb, "RequestCount", "TargetGroup", tg, *lb, {"label": r}] for r, tg in by_group],
                "Sum",
                s.region,
            ),
            (
                "Errors (target 5xx)",
                [
                    [alb, "HTTPCode_Target_5XX_Count", "TargetGroup", tg, *lb, {"label": r}]
                    for r, tg in by_group
                ],
                "Sum",
                s.region,
            ),
            (
                "Duration p50 / p95 / p99 (s)",
                [
                    [
                        alb,
                        "TargetResponseTime",
                        "TargetGroup",
                        tg,
                        *lb,
                        {"stat": p, "label": f"{r} {p}"},
                    ]
                    for r, tg in by_group
                    for p in ("p50", "p95", "p99")
                ],
                "p95",
                s.region,
            ),
        ]
    rows["application"] = application
    rds = "AWS/RDS"
    instances = [*s.database_ids, *s.replica_ids]
    database = [
        (
            "DB connections",
            [[rds, "DatabaseConnections", "DBInstanceIdentifier", i] for i in instances]
            + (
                [[rds, "ClientConnections", "ProxyName", s.proxy_name]]
                if s.proxy_name is not None
                else []
            ),
            "Average",
            s.region,
        ),
        (
            "DB CPU %",
            [[rds, "CPUUtilization", "DBInstanceIdentifier", i] for i in instances],
            "Average",
            s.region,
        ),
        (
            "DB latency (s) / replica lag (s)",
            [
                [rds, m, "DBInstanceIdentifier", i]
                for i in instances
                for m in ("ReadLatency", "WriteLatency")
            ]
            + [
                [rds, "ReplicaLag", "DBInstanceIdentifier", i, {"yAxis": "right"}]
                for i in s.replica_ids
            ],
            "Average",
            s.region,
        ),
    ]
    rows["database"] = database
    ec = "AWS/ElastiCache"
    rows["cache"] = [
        (
            "Cache memory used %",
            [[ec, "DatabaseMemoryUsagePercentage", "CacheClusterId", c] for c in s.cache_ids],
            "Average",
            s.region,
        ),
        (
            "Cache hit rate %",
            [[ec, "CacheHitRate", "CacheClusterId", c] for c in s.cache_ids],
            "Average",
            s.region,
        ),
        (
            "Evictions",
            [[ec, "Evictions", "CacheClusterId", c] for c in s.cache_ids],
            "Sum",
            s.region,
        ),
    ]
    edge: list[tuple[str, list[list[Any]], str, str]] = []
    if s.distribution_id is not None:
        cf = ["DistributionId", s.distribution_id, "Region", "Global"]
        edge = [
            ("CDN requests", [["AWS/CloudFront", "Requests", *cf]], "Sum", EDGE_REGION),
            (
                "CDN cache hit rate % / 5xx %",
                [
                    ["AWS/CloudFront", "CacheHitRate", *cf],
                    ["AWS/CloudFront", "5xxErrorRate", *cf, {"yAxis": "right"}],
                ],
                "Average",
                EDGE_REGION,
            ),
            (
                "WAF blocked requests",
                [["AWS/WAFV2", "BlockedRequests", "WebACL", s.web_acl_name, "Rule", "ALL"]],
                "Sum",
                EDGE_REGION,
            ),
        ]
    rows["edge"] = edge
    widgets: list[dict[str, Any]] = []
    y = 0
    for view in VIEWS:
        if not rows[view]:
            continue
        widgets.append(_header(view.capitalize(), y))
        y += 1
        for column, (title, metrics, stat, region) in enumerate(rows[view]):
            widgets.append(_metric_widget(title, metrics, region, stat=stat, x=column * 8, y=y))
        y += 6
    return {"widgets": widgets}


def _prometheus_panel(title: str, exprs: list[tuple[str, str]], unit: str, index: int) -> dict:
    return {
        "id": index + 1,
        "type": "timeseries",
        "title": title,
        "gridPos": {"x": (index % 3) * 8, "y": (index // 3) * 8, "w": 8, "h": 8},
        "datasource": {"type": "prometheus", "uid": PROMETHEUS_UID},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "targets": [
            {"refId": chr(65 + i), "expr": expr, "legendFormat": legend}
            for i, (expr, legend) in enumerate(exprs)
        ],
    }


def _cloudwatch_panel(
    title: str, queries: list[dict[str, Any]], unit: str, index: int
) -> dict[str, Any]:
    return {
        "id": index + 1,
        "type": "timeseries",
        "title": title,
        "gridPos": {"x": (index % 3) * 8, "y": (index // 3) * 8, "w": 8, "h": 8},
        "datasource": {"type": "cloudwatch", "uid": CLOUDWATCH_UID},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "targets": [
            {
                "refId": chr(65 + i),
                "datasource": {"type": "cloudwatch", "uid": CLOUDWATCH_UID},
                "queryMode": "Metrics",
                "metricQueryType": 0,
                "matchExact": True,
                "period": "60",
                **query,
            }
            for i, query in enumerate(queries)
        ],
    }


def _dashboard(uid: str, title: str, panels: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "uid": uid,
        "title": title,
        "tags": ["platform"],
        "timezone": "utc",
        "schemaVersion": 39,
        "refresh": "1m",
        "time": {"from": "now-6h", "to": "now"},
        "panels": panels,
    }


def grafana_dashboards(s: Subjects) -> dict[str, dict[str, Any]]:
    """One Grafana dashboard per view, by view name."""
    rate = "[5m]"
    system = [
        (
            "Node CPU %",
            [
                (
                    "100 * (1 - avg by (instance) "
                    f'(rate(node_cpu_seconds_total{{mode="idle"}}{rate})))',
                    "{{instance}}",
                )
            ],
            "percent",
        ),
        (
            "Node memory %",
            [
                (
                    "100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)",
                    "{{instance}}",
                )
            ],
            "percent",
        ),
        (
            "Node disk used %",
            [
                (
                    '100 * (1 - node_filesystem_avail_bytes{mountpoint="/",fstype!="tmpfs"} '
                    '/ node_filesystem_size_bytes{mountpoint="/",fstype!="tmpfs"})',
                    "{{instance}}",
                )
            ],
            "percent",
        ),
        (
            "Node network bytes/s",
            [
                (
                    "sum by (instance) "
                    f'(rate(node_network_receive_bytes_total{{device!="lo"}}{rate}))',
                    "{{instance}} in",
                ),
                (
                    "sum by (instance) "
                    f'(rate(node_network_transmit_bytes_total{{device!="lo"}}{rate}))',
                    "{{instance}} out",
                ),
            ],
            "Bps",
        ),
    ]
    database = [
        (
            "Connections",
            [("sum by (datname, state) (pg_stat_activity_count)", "{{datname}} {{state}}")],
            "short",
        ),
        (
            "Transactions/s",
            [
                (
                    f"sum by (datname) (rate(pg_stat_database_xact_commit{rate}))",
                    "{{datname}} commits",
                )
            ],
            "ops",
        ),
        (
            "Buffer cache hit %",
            [
                (
                    f"100 * sum(rate(pg_stat_database_blks_hit{rate})) / "
                    f"(sum(rate(pg_stat_database_blks_hit{rate})) + "
                    f"sum(rate(pg_stat_database_blks_read{rate})))",
                    "hit %",
                )
            ],
            "percent",
        ),
    ]
    cache = [
        ("Memory used", [("redis_memory_used_bytes", "{{instance}}")], "bytes"),
        (
            "Hit rate %",
            [
                (
                    f"100 * rate(redis_keyspace_hits_total{rate}) / "
                    f"(rate(redis_keyspace_hits_total{rate}) + "
                    f"rate(redis_keyspace_misses_total{rate}))",
                    "{{instance}}",
                )
            ],
            "percent",
        ),
        ("Evictions/s", [(f"rate(redis_evicted_keys_total{rate})", "{{instance}}")], "ops"),
    ]
    dashboards = {
        "system": _dashboard(
            "platform-system",
            "Platform / System",
            [_prometheus_panel(t, e, u, i) for i, (t, e, u) in enumerate(system)],
        ),
        "database": _dashboard(
            "platform-database",
            "Platform / Database",
            [_prometheus_panel(t, e, u, i) for i, (t, e, u) in enumerate(database)],
        ),
        "cache": _dashboard(
            "platform-cache",
            "Platform / Cache",
            [_prometheus_panel(t, e, u, i) for i, (t, e, u) in enumerate(cache)],
        ),
    }
    if s.load_balancer is not None:
        app_panels = []
        for role, tg in sorted(s.target_groups.items()):
            dims = {"LoadBalancer": s.load_balancer, "TargetGroup": tg}
            base = {"namespace": "AWS/ApplicationELB", "region": s.region, "dimensions": dims}
            app_panels += [
                (
                    f"{role} rate",
                    [{**base, "metricName": "RequestCount", "statistic": "Sum"}],
                    "short",
                ),
                (
                    f"{role} errors",
                    [{**base, "metricName": "HTTPCode_Target_5XX_Count", "statistic": "Sum"}],
                    "short",
                ),
                (
                    f"{role} duration",
                    [
                        {**base, "metricName": "TargetResponseTime", "statistic": p, "alias": p}
                        for p in ("p50", "p95", "p99")
                    ],
                    "s",
                ),
            ]
        dashboards["application"] = _dashboard(
            "platform-application",
            "Platform / Application (RED)",
            [_cloudwatch_panel(t, q, u, i) for i, (t, q, u) in enumerate(app_panels)],
        )
    if s.distribution_id is not None:
        cf = {
            "namespace": "AWS/CloudFront",
            "region": EDGE_REGION,
            "dimensions": {"DistributionId": s.distribution_id, "Region": "Global"},
        }
        waf = {
            "namespace": "AWS/WAFV2",
            "region": EDGE_REGION,
            "dimensions": {"WebACL": s.web_acl_name, "Rule": "ALL"},
        }
        edge_panels = [
            ("Requests", [{**cf, "metricName": "Requests", "statistic": "Sum"}], "short"),
            (
                "Cache hit rate %",
                [{**cf, "metricName": "CacheHitRate", "statistic": "Average"}],
                "percent",
            ),
            (
                "WAF blocked",
                [{**waf, "metricName": "BlockedRequests", "statistic": "Sum"}],
                "short",
            ),
        ]
        dashboards["edge"] = _dashboard(
            "platform-edge",
            "Platform / Edge",
            [_cloudwatch_panel(t, q, u, i) for i, (t, q, u) in enumerate(edge_panels)],
        )
    return dashboards
