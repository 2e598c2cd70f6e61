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
