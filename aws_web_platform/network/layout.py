"""Subnet layout of the platform's VPC: a pure function of (VPC CIDR, tier, AZ index).

Why a fixed grid: a subnet's CIDR depends only on the VPC CIDR, its tier and the index of its
availability zone, never on how many AZs or tiers exist. Going from 2 to 3 AZs, or adding a tier
later, therefore never moves an existing subnet. Comparable VPC modules that split the VPC evenly
by the number of AZs re-carve every subnet when that number changes, which replaces the subnets
and everything inside them (nodes, databases, load balancers): their most reported failure.

The grid, for a VPC of prefix /p (p from 16 to 20), in eighths of the VPC ("slices", /p+3 each):

======  =====================================================================================
slice   use
======  =====================================================================================
0..3    private tier, one slice per AZ slot: EKS nodes and pods. VPC-CNI gives every pod a VPC
        IP, so this tier gets the bulk of the space: a /19 (8,187 usable IPs) per AZ on a /16.
4       cut in 8 blocks of /p+6: blocks 0..3 are the public tier (ALB, NAT gateways), blocks
        4..7 the isolated data tier (RDS, ElastiCache): a /22 (1,019 usable IPs) each on a /16.
5..7    reserved for tiers added later (never allocated today), so a new tier takes free space.
======  =====================================================================================

There are slots for 4 AZs although the stack allows 2 or 3, so the layout never runs out of
slots when a region gains an AZ worth using.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from enum import StrEnum

#: Number of AZ slots in the grid. Config allows 2..3 AZs; the 4th slot is headroom.
MAX_AZS = 4
#: VPC prefix lengths the grid supports. /16 is the largest VPC AWS allows; from /21 on the public
#: and data blocks would shrink below /27, too small for an ALB (it needs 8 free IPs per subnet).
MIN_VPC_PREFIX = 16
MAX_VPC_PREFIX = 20
#: AWS reserves the first four and the last IP address of every subnet.
AWS_RESERVED_IPS_PER_SUBNET = 5


class SubnetTier(StrEnum):
    """The three subnet tiers of the VPC; the value is used in logical names and tags."""

    PUBLIC = "public"
    """Internet-facing: the ALB and the NAT gateways. Routes 0.0.0.0/0 to the internet gateway."""
    PRIVATE = "private"
    """EKS nodes and pods. Egress to the internet only through NAT (when the stack has NAT)."""
    DATA = "data"
    """Isolated: RDS and ElastiCache. No route to or from the internet at all."""


@dataclass(frozen=True)
class _TierGrid:
    extra_bits: int  # subnet prefix = VPC prefix + extra_bits
    first_block: int  # index, among the blocks of that size, of the block for AZ slot 0


# Where each tier lives in the grid. Append-only: changing an existing row re-carves subnets.
_GRID: dict[SubnetTier, _TierGrid] = {
    SubnetTier.PRIVATE: _TierGrid(extra_bits=3, first_block=0),  # slices 0..3
    SubnetTier.PUBLIC: _TierGrid(extra_bits=6, first_block=4 * 8 + 0),  # slice 4, blocks 0..3
    SubnetTier.DATA: _TierGrid(extra_bits=6, first_block=4 * 8 + 4),  # slice 4, blocks 4..7
}


class LayoutError(ValueError):
    """A VPC CIDR or AZ index outside what the grid supports."""


def parse_vpc_cidr(vpc_cidr: str | ipaddress.IPv4Network) -> ipaddress.IPv4Network:
    """Parse and check a VPC CIDR: a network address (no host bits) of prefix /16 to /20."""
    try:
        network = ipaddress.IPv4Network(str(vpc_cidr), strict=True)
    except ValueError as error:
        raise LayoutError(
            f"{vpc_cidr!r} is not an IPv4 network in CIDR notation: {error}"
        ) from None
    if not MIN_VPC_PREFIX <= network.prefixlen <= MAX_VPC_PREFIX:
        raise LayoutError(
            f"VPC CIDR {network} has prefix /{network.prefixlen}; the subnet grid needs "
            f"/{MIN_VPC_PREFIX} to /{MAX_VPC_PREFIX} (e.g. 10.0.0.0/16)"
        )
    return network


def subnet_cidr(
    vpc_cidr: str | ipaddress.IPv4Network, tier: SubnetTier, az_index: int
) -> ipaddress.IPv4Network:
    """The CIDR of the ``tier`` subnet in the AZ at ``az_index`` (0-based) of the VPC.

    Depends on nothing else: not on the number of AZs, not on the other tiers.
    """
    vpc = parse_vpc_cidr(vpc_cidr)
    if not 0 <= az_index < MAX_AZS:
        raise LayoutError(f"AZ index {az_index} is outside the grid's slots 0..{MAX_AZS - 1}")
    grid = _GRID[tier]
    prefix = vpc.prefixlen + grid.extra_bits
    block_size = 2 ** (32 - prefix)
    start = int(vpc.network_address) + (grid.first_block + az_index) * block_size
    return ipaddress.IPv4Network((start, prefix))


def plan_subnets(
    vpc_cidr: str | ipaddress.IPv4Network,
    az_count: int,
    tiers: tuple[SubnetTier, ...] = tuple(SubnetTier),
) -> dict[tuple[SubnetTier, int], ipaddress.IPv4Network]:
    """Every subnet of a VPC spread over ``az_count`` AZs, keyed by (tier, AZ index)."""
    if not 1 <= az_count <= MAX_AZS:
        raise LayoutError(f"az_count {az_count} is outside 1..{MAX_AZS}")
    return {
        (tier, index): subnet_cidr(vpc_cidr, tier, index)
        for tier in tiers
        for index in range(az_count)
    }


def reserved_cidrs(vpc_cidr: str | ipaddress.IPv4Network) -> list[ipaddress.IPv4Network]:
    """The slices kept free for future tiers (5..7 of 8), for documentation and tests."""
    vpc = parse_vpc_cidr(vpc_cidr)
    slices = list(vpc.subnets(prefixlen_diff=3))
    return slices[5:]


def usable_ips(cidr: ipaddress.IPv4Network) -> int:
    """Addresses a subnet can hand out (AWS keeps 5 per subnet)."""
    return cidr.num_addresses - AWS_RESERVED_IPS_PER_SUBNET
