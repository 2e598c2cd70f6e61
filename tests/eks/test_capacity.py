"""Capacity planning of node groups: pods per node, architectures, pod IPs per subnet."""

from __future__ import annotations

from aws_web_platform.eks.capacity import INSTANCE_TYPES, architecture_mismatches, ip_budget


def test_max_pods_follow_the_vpc_cni_formula() -> None:
    assert INSTANCE_TYPES["m7g.large"].max_pods == 29
    assert INSTANCE_TYPES["m7g.xlarge"].max_pods == 58
    assert INSTANCE_TYPES["m7g.4xlarge"].max_pods == 234
    assert INSTANCE_TYPES["t4g.medium"].max_pods == 17


def test_a_node_can_hold_every_slot_of_its_enis() -> None:
    assert INSTANCE_TYPES["m7g.xlarge"].max_ips == 60


def test_graviton_types_need_an_arm_ami_and_intel_types_an_x86_one() -> None:
    assert architecture_mismatches(("m7g.large", "m7i.large"), "AL2023_ARM_64_STANDARD") == [
        "m7i.large"
    ]
    assert architecture_mismatches(("m7i.large",), "BOTTLEROCKET_x86_64") == []


def test_the_largest_type_of_each_group_is_counted_for_every_node() -> None:
    budget = ip_budget(
        {"apps": (("m7g.large", "m7g.xlarge"), 10)},
        subnet_usable_ips=1000,
        subnets=2,
        interface_endpoints=6,
    )
    assert budget.needed == 10 * 60
    assert budget.available == 2 * (1000 - 6 - 4)
    assert budget.fits


def test_groups_that_outgrow_the_subnets_do_not_fit() -> None:
    budget = ip_budget(
        {"apps": (("m7g.4xlarge",), 100)}, subnet_usable_ips=8187, subnets=2, interface_endpoints=6
    )
    assert budget.needed == 100 * 240 and not budget.fits
