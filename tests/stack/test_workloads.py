"""The workload plan: one decision per workload, used by the validation and by the wiring.

What the plan says a workload gets is what the stack deploys: its ConfigMap and secret hold
exactly the plan's environment, its pods the plan's scheduling, its NetworkPolicies the plan's
peers, the proxy alarm the plan's client budget; and what the plan finds wrong is what the stack
file's validation reports.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from aws_web_platform.k8s.environment import PLATFORM_ENV, shadows_platform
from aws_web_platform.offline import Recording
from aws_web_platform.stack.workloads import plan_workloads
from tests.conftest import stack_config
from tests.stack.test_config import VALID, error_of

StackRun = Callable[[str], Recording]
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"


def _config_map(rec: Recording, app: str) -> dict[str, str]:
    return rec.find(CONFIG_MAP, f"platform-app-{app}-config")["data"]


def test_the_plan_orders_the_api_first_so_its_migrations_run_before_the_rest_rolls(
    stack_name: str,
) -> None:
    plan = plan_workloads(stack_config(stack_name))
    assert plan.workloads[0].config.role == "api"
    assert plan.workloads[0].migrates
    assert not any(w.migrates for w in plan.workloads[1:])
    assert [w.name for w in plan.workloads[1:]] == sorted(w.name for w in plan.workloads[1:])


def test_each_workload_gets_exactly_the_environment_the_plan_names(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    for planned in plan_workloads(stack_config(stack_name)).workloads:
        config_map = _config_map(rec, planned.name)
        own = set(planned.config.env)
        template = rec.find(EXTERNAL_SECRET, f"platform-app-{planned.name}-secrets")["spec"][
            "target"
        ]["template"]["data"]
        expected_config = {n for n, source in planned.environment.items() if source == "config"}
        expected_secret = {n for n, source in planned.environment.items() if source == "secret"}
        assert set(config_map) - own == expected_config, planned.name
        assert set(template) == expected_secret, planned.name


def test_every_workload_runs_on_the_node_group_the_plan_places_it_on(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    for planned in plan_workloads(stack_config(stack_name)).workloads:
        pod = rec.find(DEPLOYMENT, f"platform-app-{planned.name}-deployment")["spec"]["template"]
        spec = pod["spec"]
        assert spec.get("nodeSelector", {}) == planned.scheduling.node_selector
        tolerations = spec.get("tolerations", [])
        assert tolerations == [t.as_dict() for t in planned.scheduling.tolerations]


def test_the_proxy_alarm_takes_its_client_budget_from_the_plan(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    config = stack_config("prod")
    plan = plan_workloads(config)
    alarm = next(
        a
        for a in rec.all_of("aws:cloudwatch/metricAlarm:MetricAlarm")
        if a.get("metricName") == "ClientConnections"
    )
    assert plan.proxy_client_budget == sum(w.primary_connections for w in plan.workloads)
    assert plan.proxy_client_budget == sum(
        w.config.max_replicas * w.config.database_pool_size
        for w in plan.workloads
        if w.config.database
    )
    percent = config.observability.alarms.proxy_client_connections.threshold
    assert alarm["threshold"] == pytest.approx(plan.proxy_client_budget * percent / 100)


def test_the_web_may_call_the_api_and_nothing_else_calls_anything(stack_name: str) -> None:
    plan = plan_workloads(stack_config(stack_name))
    assert plan.api.clients == (plan.web.name,)
    assert plan.web.calls == {plan.api.name: plan.api.config.port}
    others = [w for w in plan.workloads if w not in (plan.api, plan.web)]
    assert all(not w.clients and not w.calls for w in others)


def test_a_valid_stack_file_has_no_workload_problem(stack_name: str) -> None:
    assert plan_workloads(stack_config(stack_name)).problems == ()


def test_what_the_plan_finds_wrong_is_what_the_validation_reports() -> None:
    message = error_of(VALID | {"edge": {"api": {"port": 3999}}})
    assert "platform:apps.workloads.api.port 3000 must equal platform:edge.api.port 3999" in message


@pytest.mark.parametrize("name", sorted(PLATFORM_ENV))
def test_a_workload_may_not_shadow_what_every_workload_is_given(name: str) -> None:
    assert shadows_platform(name)
    config = VALID | {"apps": {"workloads": {"web": {"env": {name: "x"}}}}}
    assert "would shadow what the platform sets" in error_of(config)
