"""Specification of operations: alert topics, alarms, dashboards, logs, budget and backups.

Most promises are asserted on the real program for each stack file (as the offline plan runs
it); figure-level promises on the config models, whose defaults are the spec's.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable

import pytest

from aws_web_platform.backup.config import BackupConfig
from aws_web_platform.observability.config import AlarmsConfig
from aws_web_platform.observability.observability import kebab
from aws_web_platform.offline import Recording, Registered
from aws_web_platform.stack.config import StackConfig
from aws_web_platform.stack.loading import ConfigError
from tests.conftest import stack_config
from tests.stack.test_config import VALID, error_of, parse

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
COMPOSITE = "aws:cloudwatch/compositeAlarm:CompositeAlarm"
TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
CHATBOT = "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
BUDGET = "aws:budgets/budget:Budget"
VAULT = "aws:backup/vault:Vault"
VAULT_POLICY = "aws:backup/vaultPolicy:VaultPolicy"
PLAN = "aws:backup/plan:Plan"
SELECTION = "aws:backup/selection:Selection"
RESTORE_PLAN = "aws:backup/restoreTestingPlan:RestoreTestingPlan"
RESTORE_SELECTION = "aws:backup/restoreTestingSelection:RestoreTestingSelection"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
RDS = "aws:rds/instance:Instance"
BUCKET = "aws:s3/bucket:Bucket"
ADDON = "aws:eks/addon:Addon"
KEY = "aws:kms/key:Key"

StackRun = Callable[[str], Recording]


def alarms(rec: Recording) -> dict[str, Registered]:
    return {a["name"]: a for a in rec.all_of(ALARM)}


def region_of(rec: Recording, resource: Registered) -> str:
    provider = rec.provider_of(resource)
    assert provider is not None
    return provider["region"]


def topic_arns(rec: Recording) -> dict[str, str]:
    """Topic ARN -> severity."""
    return {t.outputs["arn"]: t["name"].rsplit("-", 1)[1] for t in rec.all_of(TOPIC)}


def kind_of(alarm_name: str, slug: str) -> str:
    """The AlarmsConfig field an alarm comes from (its name without prefix and subject)."""
    rest = alarm_name.removeprefix(f"{slug}-")
    fields = sorted((kebab(f) for f in AlarmsConfig.model_fields), key=len, reverse=True)
    return next(f for f in fields if rest == f or rest.startswith(f"{f}-"))


# --- Notifications ---------------------------------------------------------------------------


def test_one_kms_encrypted_topic_per_severity_in_each_alarm_region(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    topics = rec.all_of(TOPIC)
    by_region: dict[str, set[str]] = {}
    for topic in topics:
        assert topic["kmsMasterKeyId"].startswith("arn:aws:kms:"), topic.name
        assert region_of(rec, topic) in topic["kmsMasterKeyId"]
        by_region.setdefault(region_of(rec, topic), set()).add(topic["name"].rsplit("-", 1)[1])
    # The stack's region also holds the heartbeat topic Alertmanager's Watchdog beats on.
    assert by_region == {
        "eu-west-1": {"warning", "critical", "heartbeat"},
        "us-east-1": {"warning", "critical"},
    }


def test_alert_key_lets_only_this_accounts_publishers_make_data_keys(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    policy = json.loads(rec.find(KEY, "platform-alerts-key-key")["policy"])
    statement = next(s for s in policy["Statement"] if s["Sid"] == "AlertPublishersOfThisAccount")
    assert set(statement["Principal"]["Service"]) == {
        "cloudwatch.amazonaws.com",
        "budgets.amazonaws.com",
        "backup.amazonaws.com",
    }
    assert statement["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_topic_policy_allows_the_publishers_and_refuses_plain_http(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    for policy in rec.all_of(TOPIC_POLICY):
        statements = {s["Sid"]: s for s in json.loads(policy["policy"])["Statement"]}
        assert statements["AlertPublishersOfThisAccount"]["Action"] == "sns:Publish"
        assert statements["TlsOnly"]["Effect"] == "Deny"
        assert statements["TlsOnly"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_topic_has_the_configured_email_subscribers(stack_run: StackRun, stack: str) -> None:
    rec = stack_run(stack)
    emails = stack_config(stack).observability.notifications.emails
    arns = topic_arns(rec)
    for topic_arn, severity in arns.items():
        subscribers = {
            s["endpoint"]
            for s in rec.all_of(SUBSCRIPTION)
            if s["topic"] == topic_arn and s["protocol"] == "email"
        }
        # Nobody subscribes to the heartbeat: an alarm watches its publish count.
        expected = set() if severity == "heartbeat" else set(emails[severity])  # type: ignore[index]
        assert subscribers == expected, (topic_arn, severity)


def test_prod_sends_both_regions_topics_to_slack_through_chatbot(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    slack = stack_config("prod").observability.notifications.slack
    assert slack is not None
    configurations = rec.all_of(CHATBOT)
    assert {c["slackChannelId"] for c in configurations} == set(slack.channel_ids.values())
    arns = topic_arns(rec)
    for configuration in configurations:
        severity = next(
            s for s, c in slack.channel_ids.items() if c == configuration["slackChannelId"]
        )
        subscribed = configuration["snsTopicArns"]
        assert {arns[a] for a in subscribed} == {severity}
        assert {a.split(":")[3] for a in subscribed} == {"eu-west-1", "us-east-1"}
        assert configuration["slackTeamId"] == slack.workspace_id
        assert configuration["guardrailPolicyArns"] == [
            "arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"
        ]
        assert configuration["userAuthorizationRequired"] is True


def test_dev_alerts_by_email_only(stack_run: StackRun) -> None:
    rec = stack_run("dev")
    assert rec.all_of(CHATBOT) == []
    assert rec.all_of(SUBSCRIPTION)
    assert all(s["protocol"] == "email" for s in rec.all_of(SUBSCRIPTION))


# --- Alarms ----------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_alarm_notifies_its_severity_topic_on_alarm_and_on_ok(
    stack_run: StackRun, stack: str
) -> None:
    rec = stack_run(stack)
    arns = topic_arns(rec)
    every = [*rec.all_of(ALARM), *rec.all_of(COMPOSITE)]
    assert len(every) > 40
    for alarm in every:
        severity = re.match(r"\[(\w+)\]", alarm["alarmDescription"]).group(1)  # type: ignore[union-attr]
        assert alarm["alarmActions"] == alarm["okActions"], alarm.name
        assert [arns[a] for a in alarm["alarmActions"]] == [severity], alarm.name
        # An alarm can only notify a topic of its own region.
        region = region_of(rec, alarm)
        assert alarm["alarmActions"][0].split(":")[3] == region, alarm.name


def test_alarm_defaults_are_the_spec_figures() -> None:
    a = AlarmsConfig()
    spec = {
        "node_cpu": (80, "warning"),
        "node_memory_warning": (85, "warning"),
        "node_memory_critical": (90, "critical"),
        "node_filesystem": (80, "warning"),  # free space below 20 %
        "pod_cpu": (80, "warning"),
        "pod_memory_warning": (85, "warning"),
        "pod_memory_critical": (90, "critical"),
        "error_rate_warning": (1, "warning"),
        "error_rate_critical": (5, "critical"),
        "api_latency_p95": (0.5, "warning"),
        "database_cpu": (80, "warning"),
        "database_connections": (80, "warning"),  # 400 of 500
        "database_free_storage": (20, "critical"),
        "cache_cpu": (80, "warning"),
        "cache_memory": (80, "warning"),
        "cache_hit_rate": (70, "warning"),
        "cdn_error_rate": (5, "warning"),
    }
    for field, (threshold, severity) in spec.items():
        config = getattr(a, field)
        assert (config.threshold, config.severity) == (threshold, severity), field
    # "for 5 min" (spec): five one-minute datapoints, all breaching.
    for field in ("node_cpu", "node_memory_critical", "database_cpu", "error_rate_critical"):
        config = getattr(a, field)
        assert (config.period_seconds, config.evaluation_periods, config.datapoints) == (60, 5, 5)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_alarm_thresholds_periods_and_evaluations_equal_the_config(
    stack_run: StackRun, stack: str
) -> None:
    rec = stack_run(stack)
    config = stack_config(stack)
    slug = config.slug
    derived = {
        "database-connections",
        "database-free-storage",
        "database-freeable-memory",
        "proxy-client-connections",
        "waf-blocked-spike",
    }
    for name, alarm in alarms(rec).items():
        kind = kind_of(name, slug)
        figures = getattr(config.observability.alarms, kind.replace("-", "_"))
        assert alarm["evaluationPeriods"] == figures.evaluation_periods, name
        assert alarm["datapointsToAlarm"] == figures.datapoints, name
        if alarm.get("period") is not None:
            assert alarm["period"] == figures.period_seconds, name
        else:  # metric math: the period is on each metric
            periods = {q["metric"]["period"] for q in alarm["metricQueries"] if q.get("metric")}
            assert periods == {figures.period_seconds}, name
        if kind not in derived:
            assert alarm["threshold"] == figures.threshold, name


def test_database_connections_alarm_is_80_percent_of_max_connections(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    config = stack_config("prod")
    max_connections = config.database.tuning().max_connections
    assert max_connections == 500  # spec
    found = [a for n, a in alarms(rec).items() if "database-connections" in n]
    assert len(found) == 1 + config.database.read_replicas
    assert {a["threshold"] for a in found} == {math.floor(max_connections * 0.8)} == {400}


def test_free_storage_and_memory_thresholds_derive_from_the_instance(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    database = stack_config("prod").database
    storage = alarms(rec)[
        "learning-platform-prod-database-free-storage-learning-platform-prod-postgres"
    ]
    assert storage["comparisonOperator"] == "LessThanThreshold"
    assert storage["threshold"] == database.allocated_storage_gb * 1024**3 * 0.2
    memory = alarms(rec)[
        "learning-platform-prod-database-freeable-memory-learning-platform-prod-postgres"
    ]
    assert memory["threshold"] == 32 * 1024**3 * 0.1  # db.r6g.xlarge: 32 GiB


def test_replica_lag_is_alarmed_on_each_replica(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    lags = [a for n, a in alarms(rec).items() if "replica-lag" in n]
    replicas = {r["identifier"] for r in rec.all_of(RDS) if r.get("replicateSourceDb")}
    assert len(replicas) == 2
    assert {a["dimensions"]["DBInstanceIdentifier"] for a in lags} == replicas
    assert {a["threshold"] for a in lags} == {30}


def test_proxy_client_connections_alarm_against_the_pool_budget(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    config = stack_config("prod")
    budget = sum(
        w.max_replicas * w.database_pool_size for w in config.apps.workloads.values() if w.database
    )
    alarm = alarms(rec)["learning-platform-prod-proxy-client-connections"]
    assert alarm["metricName"] == "ClientConnections"
    assert alarm["threshold"] == math.floor(budget * 0.8)


def test_error_rate_is_metric_math_quiet_below_the_minimum_requests(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    for role in ("web", "api"):
        for level, threshold in (("warning", 1), ("critical", 5)):
            alarm = alarms(rec)[f"learning-platform-prod-error-rate-{level}-{role}"]
            queries = {q["id"]: q for q in alarm["metricQueries"]}
            assert queries["errors"]["metric"]["metricName"] == "HTTPCode_Target_5XX_Count"
            assert queries["requests"]["metric"]["metricName"] == "RequestCount"
            assert queries["rate"]["expression"] == (
                "IF(requests >= 20, 100 * FILL(errors, 0) / requests, 0)"
            )
            assert queries["rate"]["returnData"] is True
            assert alarm["threshold"] == threshold
            assert alarm["treatMissingData"] == "notBreaching"
            dimensions = queries["errors"]["metric"]["dimensions"]
            assert dimensions["TargetGroup"].startswith("targetgroup/")
            assert dimensions["LoadBalancer"].startswith("app/")


def test_api_p95_latency_and_host_health_per_target_group(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    found = alarms(rec)
    latency = found["learning-platform-prod-api-latency-p95-api"]
    assert (latency["extendedStatistic"], latency["threshold"]) == ("p95", 0.5)
    assert latency["metricName"] == "TargetResponseTime"
    assert not any("api-latency-p95-web" in n for n in found)
    for role in ("web", "api"):
        assert found[f"learning-platform-prod-unhealthy-hosts-{role}"]["threshold"] == 0
        down = found[f"learning-platform-prod-no-healthy-hosts-{role}"]
        assert (down["comparisonOperator"], down["threshold"]) == ("LessThanThreshold", 1)
        assert down["treatMissingData"] == "breaching"


def test_compute_alarms_on_nodes_and_on_each_workload(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    found = alarms(rec)
    node_cpu = found["learning-platform-prod-node-cpu"]
    assert node_cpu["namespace"] == "ContainerInsights"
    assert node_cpu["dimensions"] == {"ClusterName": "learning-platform-prod"}
    assert found["learning-platform-prod-node-filesystem"]["metricName"] == (
        "node_filesystem_utilization"
    )
    for workload in ("web", "api", "ai", "pdf", "email"):
        for kind in ("pod-cpu", "pod-memory-warning", "pod-memory-critical", "pod-crash-loop"):
            alarm = found[f"learning-platform-prod-{kind}-{workload}"]
            assert alarm["dimensions"] == {
                "ClusterName": "learning-platform-prod",
                "Namespace": "app",
                "PodName": workload,
            }
        not_ready = found[f"learning-platform-prod-pods-not-ready-{workload}"]
        assert not_ready["metricName"] == "pod_status_ready"
        assert not_ready["comparisonOperator"] == "LessThanOrEqualToThreshold"


def test_cache_alarms_on_every_node(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    nodes = 1 + stack_config("prod").cache.replicas_per_shard
    found = alarms(rec)
    for kind in (
        "cache-cpu",
        "cache-memory",
        "cache-evictions",
        "cache-connections",
        "cache-hit-rate",
    ):
        matching = [a for n, a in found.items() if re.search(f"-{kind}-cache-\\d+$", n)]
        assert len(matching) == nodes, kind
        ids = {a["dimensions"]["CacheClusterId"] for a in matching}
        assert ids == {f"learning-platform-prod-cache-{i:03d}" for i in range(1, nodes + 1)}
    assert found["learning-platform-prod-cache-hit-rate-cache-1"]["comparisonOperator"] == (
        "LessThanThreshold"
    )


def test_edge_alarms_live_in_us_east_1_with_an_anomaly_band_for_waf_blocks(
    stack_run: StackRun,
) -> None:
    rec = stack_run("prod")
    found = alarms(rec)
    cdn = found["learning-platform-prod-cdn-error-rate"]
    waf = found["learning-platform-prod-waf-blocked-spike"]
    assert region_of(rec, cdn) == region_of(rec, waf) == "us-east-1"
    cdn_metric = next(q for q in cdn["metricQueries"] if q["id"] == "errors")["metric"]
    assert cdn_metric["namespace"] == "AWS/CloudFront"
    assert cdn_metric["dimensions"]["Region"] == "Global"
    queries = {q["id"]: q for q in waf["metricQueries"]}
    assert queries["band"]["expression"] == "ANOMALY_DETECTION_BAND(blocked, 3)"
    assert waf["thresholdMetricId"] == "band"
    assert waf["comparisonOperator"] == "GreaterThanUpperThreshold"
    assert queries["blocked"]["metric"]["dimensions"]["Rule"] == "ALL"
    assert "Region" not in queries["blocked"]["metric"]["dimensions"]


def test_database_saturation_pages_only_when_cpu_and_pressure_alarm_together(
    stack_run: StackRun,
) -> None:
    rec = stack_run("prod")
    composite = rec.all_of(COMPOSITE)
    assert len(composite) == 1
    rule = composite[0]["alarmRule"]
    primary = "learning-platform-prod-postgres"
    assert rule == (
        f'ALARM("learning-platform-prod-database-cpu-{primary}") AND '
        f'(ALARM("learning-platform-prod-database-connections-{primary}") OR '
        f'ALARM("learning-platform-prod-database-freeable-memory-{primary}"))'
    )


def test_dev_has_the_same_alarms_as_prod_except_for_what_it_lacks(stack_run: StackRun) -> None:
    prod = {kind_of(n, "learning-platform-prod") for n in alarms(stack_run("prod"))}
    dev = {kind_of(n, "learning-platform-dev") for n in alarms(stack_run("dev"))}
    # dev has no read replica and no RDS Proxy
    assert prod - dev == {"replica-lag", "proxy-client-connections"}
    assert dev <= prod


def test_alarm_overrides_keep_the_other_defaults() -> None:
    config = AlarmsConfig.model_validate(
        {"nodeCpu": {"threshold": 90}, "cacheEvictions": {"enabled": False}}
    )
    assert config.node_cpu.threshold == 90
    assert (config.node_cpu.period_seconds, config.node_cpu.severity) == (60, "warning")
    assert config.cache_evictions.enabled is False
    assert config.cache_evictions.period_seconds == 300


def test_an_alarm_override_from_the_stack_file_reaches_the_alarm() -> None:
    config = parse(
        VALID
        | {
            "observability": {
                **VALID["observability"],
                "alarms": {"nodeCpu": {"threshold": 95, "severity": "critical"}},
            }
        }
    )
    assert config.observability.alarms.node_cpu.threshold == 95
    assert config.observability.alarms.node_cpu.severity == "critical"


# --- Dashboards and logs ---------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_cloudwatch_dashboard_has_the_spec_views(stack_run: StackRun, stack: str) -> None:
    rec = stack_run(stack)
    (dashboard,) = rec.all_of(DASHBOARD)
    body = json.loads(dashboard["dashboardBody"])
    headers = [w["properties"]["markdown"] for w in body["widgets"] if w["type"] == "text"]
    assert headers == ["## System", "## Application", "## Database", "## Cache", "## Edge"]
    titles = " ".join(w["properties"]["title"] for w in body["widgets"] if w["type"] == "metric")
    for needle in (
        "CPU",
        "memory",
        "disk",
        "network",
        "Requests",
        "Errors",
        "p50 / p95 / p99",
        "DB connections",
        "replica lag",
        "hit rate",
        "Evictions",
        "WAF blocked",
    ):
        assert needle in titles, needle
    edge_widgets = [w for w in body["widgets"] if "CDN" in w["properties"].get("title", "")]
    assert {w["properties"]["region"] for w in edge_widgets} == {"us-east-1"}


def test_grafana_dashboards_ship_as_configmaps_for_the_sidecar(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    maps = [
        m
        for m in rec.all_of(CONFIG_MAP)
        if m["metadata"].get("labels", {}).get("grafana_dashboard") == "1"
    ]
    views = {m["metadata"]["name"].removeprefix("platform-dashboard-") for m in maps}
    assert views == {"system", "application", "database", "cache", "edge"}
    for config_map in maps:
        assert config_map["metadata"]["namespace"] == "monitoring"
        (body,) = config_map["data"].values()
        dashboard = json.loads(body)
        assert dashboard["panels"], config_map.name
        assert all(p["targets"] for p in dashboard["panels"])


def test_grafana_reads_cloudwatch_through_its_own_pod_identity_role(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    release = rec.find("kubernetes:helm.sh/v3:Release", "platform-addons-kube-prometheus-stack")
    grafana = release["values"]["grafana"]
    assert grafana["serviceAccount"]["name"] == "grafana"
    (source,) = grafana["additionalDataSources"]
    assert (source["type"], source["uid"]) == ("cloudwatch", "cloudwatch")
    association = next(
        a
        for a in rec.all_of("aws:eks/podIdentityAssociation:PodIdentityAssociation")
        if a["serviceAccount"] == "grafana"
    )
    assert association["namespace"] == "monitoring"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_log_group_has_retention_and_encryption(stack_run: StackRun, stack: str) -> None:
    rec = stack_run(stack)
    groups = rec.all_of(LOG_GROUP)
    assert len(groups) > 10
    for group in groups:
        assert group.get("retentionInDays"), group.name
        assert str(group.get("kmsKeyId", "")).startswith("arn:aws:kms:"), group.name


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_container_insights_log_groups_exist_before_the_addon_with_config_retention(
    stack_run: StackRun, stack: str
) -> None:
    rec = stack_run(stack)
    logs = stack_config(stack).observability.container_logs
    slug = stack_config(stack).slug
    addon = next(
        a for a in rec.all_of(ADDON) if a["addonName"] == "amazon-cloudwatch-observability"
    )
    for group, days in (
        ("application", logs.application_retention_days),
        ("host", logs.host_retention_days),
        ("dataplane", logs.dataplane_retention_days),
        ("performance", logs.performance_retention_days),
    ):
        log_group = next(
            g
            for g in rec.all_of(LOG_GROUP)
            if g["name"] == f"/aws/containerinsights/{slug}/{group}"
        )
        assert log_group["retentionInDays"] == days
        assert log_group.urn in addon.depends_on
    assert stack_config("dev").observability.container_logs.application_retention_days == 7  # spec


# --- Budget ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("stack", "limit"), [("prod", "2125.00"), ("dev", "600.00")])
def test_monthly_budget_alerts_at_80_and_100_percent_to_the_warning_topic(
    stack_run: StackRun, stack: str, limit: str
) -> None:
    rec = stack_run(stack)
    (budget,) = rec.all_of(BUDGET)
    assert (budget["budgetType"], budget["timeUnit"], budget["limitAmount"]) == (
        "COST",
        "MONTHLY",
        limit,
    )
    warning = next(a for a, s in topic_arns(rec).items() if s == "warning" and "eu-west-1" in a)
    alerts = {(n["notificationType"], n["threshold"]) for n in budget["notifications"]}
    assert alerts == {("ACTUAL", 80), ("ACTUAL", 100), ("FORECASTED", 100)}
    assert all(n["subscriberSnsTopicArns"] == [warning] for n in budget["notifications"])
    tags = {a["tags"]["key"]: a["tags"]["values"] for a in budget["filterExpression"]["ands"]}
    assert tags == {"Environment": [stack], "Project": ["learning-platform"]}


# --- Backups ---------------------------------------------------------------------------------


def test_backup_defaults_are_the_spec_figures() -> None:
    backup = BackupConfig()
    assert backup.retention_days == 30
    assert backup.copy_retention_days == 30
    assert backup.restore_testing.enabled is True


def test_prod_backs_up_daily_for_30_days_with_a_cross_region_copy(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    (plan,) = rec.all_of(PLAN)
    (rule,) = plan["rules"]
    assert rule["schedule"] == "cron(0 5 * * ? *)"
    assert rule["lifecycle"]["deleteAfter"] == 30
    (copy,) = rule["copyActions"]
    assert copy["lifecycle"]["deleteAfter"] == 30
    copy_vault = rec.find(VAULT, "platform-backup-copy-vault")
    assert copy["destinationVaultArn"] == copy_vault.outputs["arn"]
    assert region_of(rec, copy_vault) == "eu-central-1"
    assert ":eu-central-1:" in copy_vault["kmsKeyArn"]
    assert rule.get("enableContinuousBackup") is not True  # RDS keeps its own PITR


def test_dev_has_no_off_site_copy_and_no_restore_testing(stack_run: StackRun) -> None:
    rec = stack_run("dev")
    (plan,) = rec.all_of(PLAN)
    assert not plan["rules"][0].get("copyActions")
    assert rec.all_of(RESTORE_PLAN) == []
    assert len(rec.all_of(VAULT)) == 1


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_vaults_are_kms_encrypted_and_protected_where_data_is(
    stack_run: StackRun, stack: str
) -> None:
    rec = stack_run(stack)
    protect = stack_config(stack).protect_data
    for vault in rec.all_of(VAULT):
        assert vault["kmsKeyArn"].startswith("arn:aws:kms:"), vault.name
        assert vault.protect is protect
        assert vault["forceDestroy"] is (not protect)
    policies = rec.all_of(VAULT_POLICY)
    assert len(policies) == (len(rec.all_of(VAULT)) if protect else 0)
    for policy in policies:
        (statement,) = json.loads(policy["policy"])["Statement"]
        assert statement["Effect"] == "Deny"
        assert "backup:DeleteRecoveryPoint" in statement["Action"]


def test_selection_by_tag_covers_the_database_primary_and_the_data_buckets(
    stack_run: StackRun,
) -> None:
    rec = stack_run("prod")
    (selection,) = rec.all_of(SELECTION)
    (tag,) = selection["selectionTags"]
    assert tag == {"type": "STRINGEQUALS", "key": "BackupPlan", "value": "learning-platform-prod"}
    tagged = {
        r.name
        for r in [*rec.all_of(RDS), *rec.all_of(BUCKET)]
        if (r.get("tags") or {}).get("BackupPlan") == "learning-platform-prod"
    }
    assert tagged == {
        "platform-database-primary",
        "platform-uploads-bucket",
        "platform-certificates-bucket",
    }


def test_backup_role_has_the_aws_backup_managed_policies_and_the_keys(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    role = rec.find("aws:iam/role:Role", "platform-backup-role")
    assert json.loads(role["assumeRolePolicy"])["Statement"][0]["Principal"] == {
        "Service": "backup.amazonaws.com"
    }
    attached = {
        a["policyArn"] for a in rec.all_of(ATTACHMENT) if a.name.startswith("platform-backup-")
    }
    assert attached == {
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
        "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup",
        "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore",
    }
    keys = json.loads(rec.find("aws:iam/rolePolicy:RolePolicy", "platform-backup-keys")["policy"])
    resources = keys["Statement"][0]["Resource"]
    assert len(resources) == 4  # vault, copy vault, data (RDS), storage (S3)


def test_prod_tests_restores_of_the_database_weekly(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    (plan,) = rec.all_of(RESTORE_PLAN)
    assert re.fullmatch(r"[A-Za-z0-9_]+", plan["name"])
    assert plan["scheduleExpression"] == "cron(0 10 ? * WED *)"
    assert plan["recoveryPointSelection"]["algorithm"] == "LATEST_WITHIN_WINDOW"
    (selection,) = rec.all_of(RESTORE_SELECTION)
    assert selection["protectedResourceType"] == "RDS"
    condition = selection["protectedResourceConditions"]["stringEquals"][0]
    assert condition == {"key": "aws:ResourceTag/BackupPlan", "value": "learning-platform-prod"}
    overrides = selection["restoreMetadataOverrides"]
    assert overrides["dbSubnetGroupName"]
    assert json.loads(overrides["vpcSecurityGroupIds"])[0].startswith("sg-")
    assert overrides["publiclyAccessible"] == "false"
    assert selection["validationWindowHours"] == 4


def test_failed_backup_copy_and_restore_jobs_notify_the_warning_topic(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    (notifications,) = rec.all_of("aws:backup/vaultNotifications:VaultNotifications")
    assert topic_arns(rec)[notifications["snsTopicArn"]] == "warning"
    assert {"BACKUP_JOB_FAILED", "COPY_JOB_FAILED", "RESTORE_JOB_FAILED"} <= set(
        notifications["backupVaultEvents"]
    )


# --- Config errors ---------------------------------------------------------------------------


def test_every_severity_needs_a_subscriber() -> None:
    message = error_of(
        VALID | {"observability": {"notifications": {"emails": {"warning": ["a@b.io"]}}}}
    )
    assert "platform:observability.notifications" in message
    assert "no subscriber for critical" in message


def test_the_copy_region_must_be_another_region() -> None:
    message = error_of(VALID | {"backup": {"copyRegion": "eu-west-1"}})
    assert "platform:backup.copyRegion eu-west-1 is the stack's own region" in message


def test_a_locked_vault_rejects_retention_outside_its_bounds() -> None:
    message = error_of(VALID | {"backup": {"retentionDays": 400, "vaultLock": {"enabled": True}}})
    assert (
        "platform:backup.retentionDays 400 is outside platform:backup.vaultLock's 7..365" in message
    )


def test_datapoints_cannot_exceed_the_evaluation_periods() -> None:
    message = error_of(
        VALID
        | {
            "observability": {
                **VALID["observability"],
                "alarms": {"nodeCpu": {"evaluationPeriods": 3, "datapointsToAlarm": 4}},
            }
        }
    )
    assert "platform:observability.alarms.nodeCpu.datapointsToAlarm 4 exceeds" in message


def test_slack_needs_a_channel_for_both_severities() -> None:
    message = error_of(
        VALID
        | {
            "observability": {
                "notifications": {
                    "slack": {
                        "workspaceId": "T01ABCDEF23",
                        "channelIds": {"warning": "C01ABCDEF23"},
                    }
                }
            }
        }
    )
    assert "platform:observability.notifications.slack.channelIds" in message
    assert "needs a channel for critical" in message


def test_a_valid_config_with_slack_only_parses() -> None:
    config: StackConfig = parse(
        VALID
        | {
            "observability": {
                "notifications": {
                    "slack": {
                        "workspaceId": "T01ABCDEF23",
                        "channelIds": {"warning": "C01ABCDEF23", "critical": "C01ABCDEF23"},
                    }
                }
            }
        }
    )
    assert config.observability.notifications.emails == {}


def test_config_error_type_is_raised_not_a_traceback() -> None:
    with pytest.raises(ConfigError):
        parse(VALID | {"backup": {"startTime": "25:00"}})
