"""Prices of operations: log groups, alarms, dashboards, topics, the budget."""

from __future__ import annotations

from tools.cost.pricing import PricingContext, handles


@handles("aws:cloudwatch/logGroup:LogGroup")
def _log_group(ctx: PricingContext) -> None:
    name = str(ctx.get("name") or ctx.get("namePrefix") or ctx.resource.name)
    ingested = ctx.usage.by_name("log_ingestion_gb_by_group", name) * float(
        ctx.usage("log_ingestion_scale")
    )
    ctx.charge(
        "logs.ingest_gb",
        "log ingestion",
        ingested,
        uses=("log_ingestion_gb_by_group", "log_ingestion_scale"),
    )
    retention_days = float(ctx.get("retentionInDays") or 0) or 365.0  # never expire: a year
    stored = (
        ingested * retention_days / (365 / 12) * float(ctx.usage("log_storage_compression_ratio"))
    )
    ctx.charge(
        "logs.storage_gb_month",
        f"stored logs ({retention_days:g} days kept)",
        stored,
        uses=("log_storage_compression_ratio",),
    )


@handles("aws:cloudwatch/metricAlarm:MetricAlarm")
def _metric_alarm(ctx: PricingContext) -> None:
    queries = list(ctx.get("metricQueries") or [])
    if queries:
        metrics = [q for q in queries if q.get("metric")]
        periods = [float((q.get("metric") or {}).get("period") or 60) for q in metrics]
        count = len(metrics)
        kind = "metric-math alarm"
        if ctx.get("thresholdMetricId"):
            count *= 3  # an anomaly band is billed as 3 metrics: the metric and both bounds
            kind = "anomaly-detection alarm"
    else:
        count, periods, kind = 1, [float(ctx.get("period") or 60)], "alarm"
    high_resolution = any(p < 60 for p in periods)
    key = (
        "cloudwatch.high_resolution_alarm_metric_month"
        if high_resolution
        else "cloudwatch.alarm_metric_month"
    )
    ctx.charge(key, f"{kind}, {count} metric(s)", count)


@handles("aws:cloudwatch/compositeAlarm:CompositeAlarm")
def _composite_alarm(ctx: PricingContext) -> None:
    ctx.charge("cloudwatch.composite_alarm_month", "composite alarm", 1)


@handles("aws:cloudwatch/dashboard:Dashboard")
def _dashboard(ctx: PricingContext) -> None:
    ctx.charge("cloudwatch.dashboard_month", "dashboard", 1)


@handles("aws:sns/topic:Topic")
def _topic(ctx: PricingContext) -> None:
    publishes = float(ctx.usage("sns_publishes_per_topic_per_month"))
    ctx.charge(
        "sns.publish_million",
        "publishes",
        publishes / 1e6,
        uses=("sns_publishes_per_topic_per_month",),
    )


@handles("aws:sns/topicSubscription:TopicSubscription")
def _subscription(ctx: PricingContext) -> None:
    if ctx.get("protocol") == "email":
        publishes = float(ctx.usage("sns_publishes_per_topic_per_month"))
        ctx.charge(
            "sns.email_100k",
            "e-mail notifications",
            publishes / 1e5,
            uses=("sns_publishes_per_topic_per_month",),
        )


@handles("aws:budgets/budget:Budget")
def _budget(ctx: PricingContext) -> None:
    entry = ctx.table.entry("budgets.budget_day")
    budgets = ctx.recording.all_of(ctx.resource.type)
    position = budgets.index(ctx.resource)
    free = position < int(entry.get("free_per_account", 0))
    ctx.charge(
        "budgets.budget_day",
        "budget (one of the account's two free ones)" if free else "budget",
        0 if free else 365 / 12,
    )
