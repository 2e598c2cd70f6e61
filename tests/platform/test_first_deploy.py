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


# --- releases gate the apps ------------------------------------------------------------------

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
JOB = "kubernetes:batch/v1:Job"
GET_IMAGE = "aws:ecr/getImage:getImage"


def test_without_a_release_the_platform_deploys_without_apps_or_migrations() -> None:
    """A new account has no images yet: the platform comes up whole, the apps do not roll out
    images that cannot exist, and the plan says so."""
    rec = plan_variant("prod", release=None)
    assert not rec.all_of(DEPLOYMENT)
    assert [j.name for j in rec.all_of(JOB)] == ["platform-database-roles-job"]
    assert not rec.all_of("platform:k8s:AppService")
    assert not [
        r for r in rec.resources if r.package == "kubernetes" and r.name.startswith("platform-app-")
    ]
    assert rec.outputs["release"] is None and rec.outputs["images"] == {}
    assert not [token for token, _ in rec.invokes if token == GET_IMAGE]
    # Nothing pages for apps that are not there.
    alarms = {a.name for a in rec.all_of("aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert not {a for a in alarms if "no-healthy-hosts" in a or "pods-not-ready" in a}
    # The database roles exist for the first release all the same.
    assert rec.find(JOB, "platform-database-roles-job")
    from tools.plan import _release_line

    assert _release_line(rec).startswith("Release: none (platform:release unset)")


def test_with_a_release_every_pushed_image_is_looked_up_and_pinned_by_digest(
    stack_run: StackRun, stack_name: str
) -> None:
    from tests.conftest import stack_config

    rec = stack_run(stack_name)
    config = stack_config(stack_name)
    looked_up = {args["repositoryName"]: args for token, args in rec.invokes if token == GET_IMAGE}
    used = {w.image for w in config.apps.workloads.values()}
    assert set(looked_up) == {f"{config.slug}/{image}" for image in used}
    assert {args["imageTag"] for args in looked_up.values()} == {config.release}
    for app, workload in config.apps.workloads.items():
        deployment = rec.find(DEPLOYMENT, f"platform-app-{app}-deployment")
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        repository = f"{config.slug}/{workload.image}"
        assert container["image"].startswith(
            f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/{repository}:{config.release}@sha256:"
        ), app


def test_a_release_whose_image_is_missing_fails_before_anything_is_registered() -> None:
    from aws_web_platform.registry.release import MissingImagesError

    pushed = {
        "learning-platform-prod/web": ["2026.11.0"],
        "learning-platform-prod/api": ["2026.10.0"],  # last release's only
        "learning-platform-prod/worker": ["2026.11.0"],
    }
    rec = plan_variant("prod", ecr_images=pushed, raise_errors=False)
    assert isinstance(rec.error, MissingImagesError)
    message = str(rec.error)
    assert (
        "api: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/learning-platform-prod/api:2026.11.0"
        in message
    )
    assert "no such tag" in message
    assert (
        "docker push 123456789012.dkr.ecr.eu-west-1.amazonaws.com/<repository>:2026.11.0" in message
    )
    assert "web:" not in message
    # Nothing but the stack, the Platform component and its providers was registered.
    assert {r.type for r in rec.resources} <= {
        "pulumi:pulumi:Stack",
        "platform:index:Platform",
        "pulumi:providers:aws",
        "pulumi:providers:random",
    }


def test_a_release_on_an_account_without_repositories_says_to_deploy_without_one() -> None:
    rec = plan_variant("dev", ecr_images={}, raise_errors=False)
    assert rec.error is not None
    assert "no such repository yet: deploy once without a release" in str(rec.error)
