"""The monthly cost estimate (tools/cost/) and its price table (tools/prices.json)."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any, get_args

import pulumi
import pulumi_aws as aws
import pytest

from aws_web_platform.cache.config import CacheConfig
from aws_web_platform.database.config import RdsInstanceClass
from aws_web_platform.eks.config import InstanceTypeName
from aws_web_platform.offline import Recording, run
from tests.conftest import BASE_CONFIG, stack_config, with_aws
from tools.cost import (
    HOURS_PER_MONTH,
    SEED_ANCHOR_USD,
    CostEstimate,
    estimate,
    load_prices,
    render,
)
from tools.plan import stack_names

PRICES = load_prices()


def price(key: str, size: str | None = None) -> float:
    entry = PRICES["prices"][key]
    return float(entry["by_size"][size] if size else entry["usd"])


def record(build: Callable[[pulumi.ResourceOptions], Any], region: str = "us-east-1") -> Recording:
    return run(with_aws(build, region=region), config=BASE_CONFIG)


def small_stack(*, multi_az: bool = False, instance_class: str = "db.t4g.medium"):
    """One NAT gateway, one 20 GB gp3 PostgreSQL instance, one KMS key."""

    def build(opts: pulumi.ResourceOptions) -> None:
        aws.ec2.NatGateway("nat", subnet_id="subnet-1", allocation_id="eipalloc-1", opts=opts)
        aws.rds.Instance(
            "db",
            engine="postgres",
            instance_class=instance_class,
            allocated_storage=20,
            storage_type="gp3",
            multi_az=multi_az,
            backup_retention_period=0,
            username="app",
            password="not-a-secret",
            opts=opts,
        )
        aws.kms.Key("key", opts=opts)

    return build


NAT_GB = {"nat_processed_gb_per_month": 100}


def monthly(estimate_: CostEstimate, name: str) -> float:
    return sum(i.monthly_usd for i in estimate_.line_items if i.name == name)


# --------------------------------------------------------------------------------------------
# Arithmetic on a known small stack
# --------------------------------------------------------------------------------------------


def test_a_small_stack_costs_exactly_what_the_table_says() -> None:
    result = estimate(record(small_stack()), region="us-east-1", usage=NAT_GB)
    expected = (
        HOURS_PER_MONTH * price("vpc.nat_gateway_hour")
        + 100 * price("vpc.nat_gateway_gb")
        + HOURS_PER_MONTH * price("rds.postgres_instance_hour", "db.t4g.medium")
        + 20 * price("rds.gp3_gb_month")
        + price("kms.key_month")
    )
    assert result.total_usd == pytest.approx(expected)
    assert len(result.line_items) == 5  # NAT hours and GB, instance, storage, key


def test_the_arithmetic_matches_a_hand_computed_total() -> None:
    prices = copy.deepcopy(PRICES)
    figures = {
        "vpc.nat_gateway_hour": 0.045,
        "vpc.nat_gateway_gb": 0.045,
        "rds.gp3_gb_month": 0.115,
        "kms.key_month": 1.0,
    }
    for key, usd in figures.items():
        prices["prices"][key]["usd"] = usd
    prices["prices"]["rds.postgres_instance_hour"]["by_size"]["db.t4g.medium"] = 0.065
    result = estimate(record(small_stack()), region="us-east-1", prices=prices, usage=NAT_GB)
    # 730 x 0.045 + 100 x 0.045 + 730 x 0.065 + 20 x 0.115 + 1 = 32.85 + 4.50 + 47.45 + 2.30 + 1
    assert result.total_usd == pytest.approx(88.10)


def test_a_month_is_730_hours() -> None:
    assert HOURS_PER_MONTH == 730 == PRICES["hours_per_month"]
    result = estimate(record(small_stack()), region="us-east-1", usage=NAT_GB)
    nat_hours = next(i for i in result.line_items if i.price_key == "vpc.nat_gateway_hour")
    assert nat_hours.quantity == 730


def test_the_region_factor_scales_regional_prices_and_leaves_global_ones() -> None:
    base = estimate(record(small_stack()), region="us-east-1", usage=NAT_GB)
    ireland = estimate(record(small_stack(), region="eu-west-1"), region="eu-west-1", usage=NAT_GB)
    factor = PRICES["region_factors"]["factors"]["eu-west-1"]
    assert factor > 1
    assert monthly(ireland, "nat") == pytest.approx(monthly(base, "nat") * factor)
    assert monthly(ireland, "db") == pytest.approx(monthly(base, "db") * factor)
    assert monthly(ireland, "key") == monthly(base, "key") == price("kms.key_month")


def test_a_resource_is_priced_in_its_providers_region() -> None:
    # The program's provider is in eu-west-1 even though the stack's region is us-east-1.
    result = estimate(record(small_stack(), region="eu-west-1"), region="us-east-1", usage=NAT_GB)
    assert {i.region for i in result.line_items} == {"eu-west-1"}


def test_multi_az_doubles_the_instance_and_its_storage() -> None:
    single = estimate(record(small_stack()), region="us-east-1")
    multi = estimate(record(small_stack(multi_az=True)), region="us-east-1")
    assert monthly(multi, "db") == pytest.approx(2 * monthly(single, "db"))
    storage = [i for i in multi.line_items if i.price_key == "rds.gp3_gb_month"]
    assert storage[0].monthly_usd == pytest.approx(2 * 20 * price("rds.gp3_gb_month"))


def test_an_unknown_region_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"no region factor for mars-north-1.*eu-west-1"):
        estimate(record(small_stack()), region="mars-north-1")


# --------------------------------------------------------------------------------------------
# Unpriced, free and grouping
# --------------------------------------------------------------------------------------------


def test_a_priced_type_missing_from_the_table_is_reported_unpriced_not_dropped() -> None:
    def build(opts: pulumi.ResourceOptions) -> None:
        small_stack()(opts)
        aws.ec2.Instance("vm", ami="ami-1", instance_type="t3.micro", opts=opts)
        aws.rds.Instance(
            "big-db",
            engine="postgres",
            instance_class="db.x2g.large",
            allocated_storage=20,
            opts=opts,
        )

    result = estimate(record(build), region="us-east-1", usage=NAT_GB)
    unpriced = {u.name: u.reason for u in result.unpriced}
    assert set(unpriced) == {"vm", "big-db"}
    assert "no price for this resource type" in unpriced["vm"]
    assert "db.x2g.large" in unpriced["big-db"]
    # Nothing of them is in the total: it is the small stack's alone.
    assert {i.name for i in result.line_items} == {"nat", "db", "key"}
    assert "Unpriced (2; NOT in the total)" in render(result, anchor_usd=None)


def test_free_resources_are_neither_listed_nor_unpriced() -> None:
    def build(opts: pulumi.ResourceOptions) -> None:
        aws.iam.Role("role", assume_role_policy="{}", opts=opts)
        aws.ec2.SecurityGroup("sg", vpc_id="vpc-1", opts=opts)
        aws.ec2.Route(
            "route",
            route_table_id="rtb-1",
            destination_cidr_block="0.0.0.0/0",
            nat_gateway_id="nat-1",
            opts=opts,
        )

    result = estimate(record(build), region="us-east-1")
    assert result.line_items == () and result.unpriced == ()
    assert result.total_usd == 0


class Box(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("test:index:Box", name, None, opts)


def test_line_items_are_grouped_by_the_child_component_of_the_top_component() -> None:
    def build(opts: pulumi.ResourceOptions) -> None:
        top = Box("platform", opts)
        network = Box("platform-network", pulumi.ResourceOptions(parent=top))
        inner = Box("platform-network-nat", pulumi.ResourceOptions(parent=network))
        aws.ec2.NatGateway(
            "nat",
            subnet_id="subnet-1",
            allocation_id="eipalloc-1",
            opts=pulumi.ResourceOptions(parent=inner),
        )
        keys = Box("platform-keys", pulumi.ResourceOptions(parent=top))
        aws.kms.Key("a", opts=pulumi.ResourceOptions(parent=keys))
        aws.kms.Key("b", opts=pulumi.ResourceOptions(parent=keys))
        aws.ec2.Eip("ip", domain="vpc", opts=pulumi.ResourceOptions(parent=top))

    result = estimate(record(build), region="us-east-1", usage=NAT_GB)
    totals = result.by_component()
    assert set(totals) == {"network", "keys", "platform"}
    assert totals["keys"] == pytest.approx(2 * price("kms.key_month"))
    assert totals["platform"] == pytest.approx(730 * price("vpc.public_ipv4_hour"))
    assert totals["network"] == pytest.approx(
        730 * price("vpc.nat_gateway_hour") + 100 * price("vpc.nat_gateway_gb")
    )
    assert list(totals) == ["network", "platform", "keys"]  # largest first


# --------------------------------------------------------------------------------------------
# Sizing from the registered inputs
# --------------------------------------------------------------------------------------------


def test_alarms_are_priced_per_metric_and_composites_apart() -> None:
    query = aws.cloudwatch.MetricAlarmMetricQueryArgs

    def metric(id_: str, return_data: bool = False) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
        return query(
            id=id_,
            return_data=return_data,
            metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                namespace="AWS/ApplicationELB", metric_name="RequestCount", period=60, stat="Sum"
            ),
        )

    def build(opts: pulumi.ResourceOptions) -> None:
        common = {"comparison_operator": "GreaterThanThreshold", "evaluation_periods": 1}
        aws.cloudwatch.MetricAlarm(
            "plain",
            metric_name="CPUUtilization",
            namespace="AWS/EC2",
            period=60,
            statistic="Average",
            threshold=1,
            opts=opts,
            **common,
        )
        aws.cloudwatch.MetricAlarm(
            "math",
            threshold=1,
            opts=opts,
            metric_queries=[
                metric("a"),
                metric("b"),
                query(id="rate", expression="a/b", return_data=True),
            ],
            **common,
        )
        aws.cloudwatch.MetricAlarm(
            "band",
            threshold_metric_id="band",
            opts=opts,
            metric_queries=[
                metric("m", True),
                query(id="band", expression="ANOMALY_DETECTION_BAND(m, 2)", return_data=True),
            ],
            **common,
        )
        aws.cloudwatch.MetricAlarm(
            "fast",
            metric_name="CPUUtilization",
            namespace="AWS/EC2",
            period=10,
            statistic="Average",
            threshold=1,
            opts=opts,
            **common,
        )
        aws.cloudwatch.CompositeAlarm(
            "both", alarm_name="both", alarm_rule="ALARM(plain)", opts=opts
        )

    items = {i.name: i for i in estimate(record(build), region="us-east-1").line_items}
    assert items["plain"].quantity == 1
    assert items["math"].quantity == 2  # the expression itself is not a metric
    assert items["band"].quantity == 3  # an anomaly band: the metric and both bounds
    assert items["fast"].price_key == "cloudwatch.high_resolution_alarm_metric_month"
    assert items["both"].monthly_usd == price("cloudwatch.composite_alarm_month")


def test_a_sharded_cache_counts_primaries_and_replicas_and_valkey_costs_less() -> None:
    def build(opts: pulumi.ResourceOptions) -> None:
        aws.elasticache.ReplicationGroup(
            "redis",
            description="r",
            node_type="cache.r6g.large",
            engine="redis",
            num_node_groups=3,
            replicas_per_node_group=1,
            opts=opts,
        )
        aws.elasticache.ReplicationGroup(
            "valkey",
            description="v",
            node_type="cache.r6g.large",
            engine="valkey",
            num_cache_clusters=2,
            opts=opts,
        )

    result = estimate(record(build), region="us-east-1")
    node = price("elasticache.node_hour", "cache.r6g.large")
    valkey_factor = PRICES["prices"]["elasticache.node_hour"]["valkey_factor"]
    assert monthly(result, "redis") == pytest.approx(6 * 730 * node)
    assert monthly(result, "valkey") == pytest.approx(2 * 730 * node * valkey_factor)


def test_prod_node_groups_are_priced_at_desired_size_and_spot_at_the_spot_fraction(
    stack_run: Callable[[str], Recording],
) -> None:
    result = estimate(stack_run("prod"), region="eu-west-1")
    factor = PRICES["region_factors"]["factors"]["eu-west-1"]
    spot = PRICES["usage"]["default"]["spot_price_fraction"]["value"]
    nodes = {i.name: i for i in result.line_items if i.price_key == "ec2.instance_hour"}
    apps, workers = nodes["platform-cluster-apps"], nodes["platform-cluster-workers"]
    assert apps.quantity == 4 * 730  # desiredSize 4
    assert apps.unit_usd == pytest.approx(price("ec2.instance_hour", "m7g.xlarge") * factor)
    assert workers.unit_usd == pytest.approx(
        price("ec2.instance_hour", "m7g.large") * factor * spot
    )


def test_prod_database_is_a_multi_az_primary_two_replicas_and_a_proxy(
    stack_run: Callable[[str], Recording],
) -> None:
    result = estimate(stack_run("prod"), region="eu-west-1")
    factor = PRICES["region_factors"]["factors"]["eu-west-1"]
    hourly = price("rds.postgres_instance_hour", "db.r6g.xlarge") * factor
    assert monthly(result, "platform-database-primary") > 2 * 730 * hourly  # + storage, backups
    instance = [
        i
        for i in result.line_items
        if i.price_key == "rds.postgres_instance_hour" and i.name.startswith("platform-database")
    ]
    assert sum(i.monthly_usd for i in instance) == pytest.approx(4 * 730 * hourly)
    proxy = next(i for i in result.line_items if i.price_key == "rds.proxy_vcpu_hour")
    assert proxy.quantity == 4 * 730  # db.r6g.xlarge has 4 vCPUs


# --------------------------------------------------------------------------------------------
# Usage assumptions
# --------------------------------------------------------------------------------------------


def test_usage_assumptions_are_visible_in_the_rendering_and_overridable(
    stack_run: Callable[[str], Recording],
) -> None:
    default = estimate(stack_run("prod"), region="eu-west-1")
    text = render(default, anchor_usd=None)
    assert "cloudfront_gb_per_month = 102,400 GB/month" in text
    assert "docs/requirements.md cost anchor: CloudFront 100 TB/month" in text
    half = estimate(stack_run("prod"), region="eu-west-1", usage={"cloudfront_gb_per_month": 51200})
    assert half.total_usd < default.total_usd - 3000  # 50 TB less at $0.06-0.085/GB
    assert "overridden by the caller" in render(half, anchor_usd=None)


def test_an_unknown_usage_key_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown usage assumption 'cdn_tb'"):
        estimate(record(small_stack()), region="us-east-1", usage={"cdn_tb": 1})


def test_each_stack_uses_its_own_usage_profile_when_the_table_has_one(
    stack_run: Callable[[str], Recording],
) -> None:
    assert estimate(stack_run("dev"), region="eu-west-1").usage_profile == "dev"
    assert estimate(stack_run("prod"), region="eu-west-1").usage_profile == "default"


# --------------------------------------------------------------------------------------------
# The stacks and the anchor
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", stack_names())
def test_every_resource_of_every_stack_is_priced_or_declared_free(
    stack: str, stack_run: Callable[[str], Recording]
) -> None:
    result = estimate(stack_run(stack), region=stack_config(stack).aws_region)
    assert result.unpriced == ()


def test_prod_estimate_is_in_a_sane_range_and_explained_against_the_anchor(
    stack_run: Callable[[str], Recording],
) -> None:
    result = estimate(stack_run("prod"), region="eu-west-1")
    # 100 TB of CloudFront alone is ~$7,200 at list price; the rest of the platform a few $1,000.
    assert 9_000 < result.total_usd < 16_000
    text = render(result, anchor_usd=SEED_ANCHOR_USD)
    assert "Compared with the seed's anchor ($2,125.00/month)" in text
    assert re.search(r"\$7,219\.20\s+\d+\.\d%\s+data transfer out", text)  # the dominant item
    assert "'CloudFront 100 TB' alone is $7,219.20" in text
    assert "charges the anchor does not list" in text


def test_dev_costs_less_than_its_budget(stack_run: Callable[[str], Recording]) -> None:
    result = estimate(stack_run("dev"), region="eu-west-1")
    assert 0 < result.total_usd < stack_config("dev").observability.budget.monthly_limit_usd


def test_render_without_an_anchor_has_no_comparison(stack_run: Callable[[str], Recording]) -> None:
    text = render(estimate(stack_run("dev"), region="eu-west-1"), anchor_usd=None)
    assert "Compared with" not in text
    assert text.startswith("Monthly cost estimate of stack 'dev' in eu-west-1: $")


# --------------------------------------------------------------------------------------------
# The price table
# --------------------------------------------------------------------------------------------


def test_every_instance_type_class_and_node_type_the_stacks_can_use_has_a_price() -> None:
    ec2 = PRICES["prices"]["ec2.instance_hour"]["by_size"]
    rds = PRICES["prices"]["rds.postgres_instance_hour"]["by_size"]
    cache = PRICES["prices"]["elasticache.node_hour"]["by_size"]
    assert set(get_args(InstanceTypeName)) <= set(ec2)
    assert set(get_args(RdsInstanceClass)) <= set(rds)
    node_types = {CacheConfig().node_type}
    for stack in stack_names():
        config = stack_config(stack)
        node_types.add(config.cache.node_type)
        assert config.database.instance_class in rds
        assert config.backup.restore_testing.instance_class in rds
        for group in config.cluster.node_groups.values():
            assert set(group.instance_types) <= set(ec2)
    assert node_types <= set(cache)


def test_every_price_names_its_source_date_and_whether_it_was_verified() -> None:
    for key, entry in PRICES["prices"].items():
        assert entry["source"].startswith("https://"), key
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry["read_on"]), key
        assert isinstance(entry["verified"], bool) and entry["verification"], key
        assert entry["unit"] and isinstance(entry["regional"], bool), key
        figures = [
            entry.get("usd"),
            *entry.get("by_size", {}).values(),
            *(t["usd"] for t in entry.get("tiers", [])),
        ]
        assert any(f is not None for f in figures), key
        assert all(f is None or f >= 0 for f in figures), key


def test_every_usage_assumption_says_why() -> None:
    for profile, entries in PRICES["usage"].items():
        if profile.startswith("_"):
            continue
        for key, entry in entries.items():
            assert entry["unit"] and entry["why"], (profile, key)
            assert key in PRICES["usage"]["default"], (profile, key)


def test_the_region_factors_cover_every_stack_region_and_say_how_they_were_derived() -> None:
    factors = PRICES["region_factors"]
    assert factors["factors"]["us-east-1"] == 1.0
    assert "median ratio" in factors["derivation"]
    for stack in stack_names():
        config = stack_config(stack)
        assert config.aws_region in factors["factors"]
        assert config.backup.copy_region is None or config.backup.copy_region in factors["factors"]
