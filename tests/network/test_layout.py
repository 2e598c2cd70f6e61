"""Specification of the subnet grid: a pure function of (VPC CIDR, tier, AZ index)."""

from __future__ import annotations

import ipaddress
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aws_web_platform.network.layout import (
    MAX_AZS,
    LayoutError,
    SubnetTier,
    plan_subnets,
    reserved_cidrs,
    subnet_cidr,
    usable_ips,
)


@st.composite
def vpc_cidrs(draw: st.DrawFn) -> ipaddress.IPv4Network:
    """Any VPC CIDR the grid supports: a /16../20 network anywhere in the IPv4 space."""
    prefix = draw(st.integers(16, 20))
    base = draw(st.integers(0, 2**prefix - 1)) << (32 - prefix)
    return ipaddress.IPv4Network((base, prefix))


az_counts = st.integers(1, MAX_AZS)
tier_subsets = st.lists(st.sampled_from(list(SubnetTier)), min_size=1, unique=True)


@given(vpc_cidrs(), az_counts)
def test_every_subnet_lies_inside_the_vpc(vpc: ipaddress.IPv4Network, azs: int) -> None:
    for cidr in plan_subnets(vpc, azs).values():
        assert cidr.subnet_of(vpc)


@given(vpc_cidrs())
def test_no_two_subnets_overlap_even_with_every_slot_used(vpc: ipaddress.IPv4Network) -> None:
    cidrs = list(plan_subnets(vpc, MAX_AZS).values())
    for a, b in itertools.combinations(cidrs, 2):
        assert not a.overlaps(b), (a, b)


@given(vpc_cidrs(), st.integers(1, MAX_AZS - 1))
def test_adding_an_az_never_moves_an_existing_subnet(vpc: ipaddress.IPv4Network, azs: int) -> None:
    before = plan_subnets(vpc, azs)
    after = plan_subnets(vpc, azs + 1)
    assert {key: after[key] for key in before} == before


@given(vpc_cidrs(), az_counts, tier_subsets, tier_subsets)
def test_adding_a_tier_never_moves_an_existing_subnet(
    vpc: ipaddress.IPv4Network, azs: int, tiers: list[SubnetTier], more: list[SubnetTier]
) -> None:
    before = plan_subnets(vpc, azs, tuple(tiers))
    after = plan_subnets(vpc, azs, tuple(dict.fromkeys(tiers + more)))
    assert {key: after[key] for key in before} == before


@given(vpc_cidrs(), st.sampled_from(list(SubnetTier)), st.integers(0, MAX_AZS - 1))
def test_a_subnet_depends_only_on_vpc_tier_and_az_index(
    vpc: ipaddress.IPv4Network, tier: SubnetTier, index: int
) -> None:
    expected = subnet_cidr(vpc, tier, index)
    for azs in range(index + 1, MAX_AZS + 1):
        assert plan_subnets(vpc, azs)[(tier, index)] == expected


@given(vpc_cidrs())
def test_reserved_slices_stay_free_for_future_tiers(vpc: ipaddress.IPv4Network) -> None:
    reserved = reserved_cidrs(vpc)
    assert sum(r.num_addresses for r in reserved) == vpc.num_addresses * 3 // 8
    for cidr in plan_subnets(vpc, MAX_AZS).values():
        assert not any(cidr.overlaps(r) for r in reserved)


def test_a_16_gives_each_az_a_19_private_subnet_for_pod_ips() -> None:
    private = subnet_cidr("10.0.0.0/16", SubnetTier.PRIVATE, 0)
    assert private.prefixlen == 19
    assert usable_ips(private) == 8187


def test_the_grid_on_a_16_is_the_documented_one() -> None:
    plan = plan_subnets("10.0.0.0/16", 3)
    assert [str(plan[(SubnetTier.PRIVATE, i)]) for i in range(3)] == [
        "10.0.0.0/19",
        "10.0.32.0/19",
        "10.0.64.0/19",
    ]
    assert [str(plan[(SubnetTier.PUBLIC, i)]) for i in range(3)] == [
        "10.0.128.0/22",
        "10.0.132.0/22",
        "10.0.136.0/22",
    ]
    assert [str(plan[(SubnetTier.DATA, i)]) for i in range(3)] == [
        "10.0.144.0/22",
        "10.0.148.0/22",
        "10.0.152.0/22",
    ]


@pytest.mark.parametrize("cidr", ["10.0.0.0/15", "10.0.0.0/21", "10.0.0.1/16", "not-a-cidr"])
def test_vpc_cidrs_outside_the_grid_are_refused(cidr: str) -> None:
    with pytest.raises(LayoutError):
        subnet_cidr(cidr, SubnetTier.PRIVATE, 0)


@pytest.mark.parametrize("index", [-1, MAX_AZS])
def test_az_indexes_outside_the_slots_are_refused(index: int) -> None:
    with pytest.raises(LayoutError, match="outside"):
        subnet_cidr("10.0.0.0/16", SubnetTier.DATA, index)
