"""What a first `pulumi up` on an empty account needs, on the plans of every stack file."""

from __future__ import annotations

import json
from collections.abc import Callable

from aws_web_platform.eks.cluster import APPLICATION_SIGNALS_OFF
from aws_web_platform.offline import Recording
from tests.conftest import plan_variant

StackRun = Callable[[str], Recording]
ADDON = "aws:eks/addon:Addon"


def test_no_docker_provider_is_configured_unless_the_stack_builds_an_image(
    stack_run: StackRun, stack_name: str
) -> None:
    """pulumi-docker's provider connects to a Docker daemon when it is configured: a preview
    on a runner without one would fail although nothing is built."""
    assert not stack_run(stack_name).all_of("pulumi:providers:docker")


def test_a_stack_that_builds_an_image_gets_the_docker_provider_for_it() -> None:
    rec = plan_variant(
        "dev", registry={"images": {"web": {"build": {"context": "tests/fixtures/app"}}}}
    )
    (provider,) = rec.all_of("pulumi:providers:docker")
    (image,) = rec.all_of("docker:index/image:Image")
    assert image.provider and image.provider.startswith(provider.urn)


def test_the_observability_addon_injects_nothing_into_the_apps(
    stack_run: StackRun, stack_name: str
) -> None:
    addon = stack_run(stack_name).find(ADDON, "platform-cluster-amazon-cloudwatch-observability")
    configuration = json.loads(addon["configurationValues"])
    assert configuration == APPLICATION_SIGNALS_OFF
    assert configuration["applicationSignals"]["enabled"] is False
    auto_monitor = configuration["manager"]["applicationSignals"]["autoMonitor"]
    assert auto_monitor["monitorAllServices"] is False


def test_application_signals_is_a_knob_to_opt_in() -> None:
    rec = plan_variant("dev", cluster={"applicationSignals": True})
    addon = rec.find(ADDON, "platform-cluster-amazon-cloudwatch-observability")
    assert addon.get("configurationValues") is None  # the add-on's own defaults


def test_pod_identity_credentials_stay_in_the_vpc(stack_run: StackRun, stack_name: str) -> None:
    """The Pod Identity agent calls eks-auth for every pod's credentials: through NAT, losing
    the NAT's zone (dev has one NAT) would stop credential refresh cluster-wide."""
    services = {
        str(e["serviceName"]).rsplit(".", 1)[-1]
        for e in stack_run(stack_name).all_of("aws:ec2/vpcEndpoint:VpcEndpoint")
    }
    assert "eks-auth" in services


RELEASE = "kubernetes:helm.sh/v3:Release"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def test_alertmanager_routes_to_the_stacks_alert_topics_not_to_null(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    values = rec.find(RELEASE, "platform-addons-kube-prometheus-stack")["values"]
    config = values["alertmanager"]["config"]
    receivers = {r["name"]: r for r in config["receivers"]}
    topics = {t.name.removeprefix("platform-alerts-"): t for t in rec.all_of("aws:sns/topic:Topic")}
    for severity in ("critical", "warning", "heartbeat"):
        (sns,) = receivers[severity]["sns_configs"]
        assert sns["topic_arn"] == topics[severity].outputs["arn"]
    assert values["alertmanager"]["serviceAccount"]["name"] == "alertmanager"


def test_alertmanager_may_publish_to_those_topics_and_nothing_else(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    association = rec.find(
        "aws:eks/podIdentityAssociation:PodIdentityAssociation",
        "platform-cluster-alertmanager-pod-identity",
    )
    assert (association["namespace"], association["serviceAccount"]) == (
        "monitoring",
        "alertmanager",
    )
    policies = [
        p
        for p in rec.all_of("aws:iam/rolePolicy:RolePolicy")
        if "alertmanager" in str(p.get("role"))
    ]
    (policy,) = policies
    statements = json.loads(policy["policy"])["Statement"]
    publish, key = statements
    assert publish["Action"] == "sns:Publish"
    stack_topics = {
        t.outputs["arn"] for t in rec.all_of("aws:sns/topic:Topic") if "edge" not in t.name
    }
    assert set(publish["Resource"]) == stack_topics
    assert key["Condition"]["StringEquals"]["kms:ViaService"].startswith("sns.")
    release = rec.find(RELEASE, "platform-addons-kube-prometheus-stack")
    assert association.urn in release.depends_on  # pods start with the credentials


def test_a_silent_heartbeat_pages_once_the_monitoring_stack_runs(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    alarm = rec.find(ALARM, "platform-observability-alerting-heartbeat")
    assert alarm["namespace"] == "AWS/SNS" and alarm["metricName"] == "NumberOfMessagesPublished"
    assert alarm["treatMissingData"] == "breaching"
    assert alarm["comparisonOperator"] == "LessThanThreshold"
    assert "critical" in str(alarm["alarmActions"])
    release = rec.find(RELEASE, "platform-addons-kube-prometheus-stack")
    assert release.urn in alarm.depends_on


def test_no_ready_pod_is_quiet_on_missing_data_and_prometheus_pages_instead(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    alarms = [
        a for a in rec.all_of(ALARM) if a.name.startswith("platform-observability-pods-not-ready-")
    ]
    assert alarms and all(a["treatMissingData"] == "notBreaching" for a in alarms)
    values = rec.find(RELEASE, "platform-addons-kube-prometheus-stack")["values"]
    groups = values["additionalPrometheusRulesMap"]["platform-workloads"]["groups"]
    (rule,) = groups[0]["rules"]
    assert rule["alert"] == "WorkloadHasNoAvailablePod" and rule["labels"]["severity"] == "critical"
