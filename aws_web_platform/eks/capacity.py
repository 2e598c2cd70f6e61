"""Capacity planning for EKS node groups: instance types, pods per node, pod IPs per subnet.

With the VPC CNI every pod takes a VPC address from the node's ENIs, so a node group can only
grow as far as the private subnets have addresses. The preflight here runs at config time:

* each instance type must exist for the node group's AMI architecture (Graviton types need an
  ``*_ARM_64`` AMI type, Intel/AMD types an ``*_x86_64`` one);
* the node groups at their maximum size must fit the private subnets' free addresses, counting
  for each node every address its ENIs can hold (the CNI keeps a warm pool of a full ENI), plus
  the addresses the interface endpoints and EKS's own ENIs take in each subnet.

Figures per instance type are AWS's published ENI limits (maximum network interfaces and IPv4
addresses per interface); max pods follow the VPC CNI formula ENIs x (IPs per ENI - 1) + 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Architecture = Literal["arm64", "x86_64"]


@dataclass(frozen=True)
class InstanceType:
    """What capacity planning needs to know about an EC2 instance type."""

    architecture: Architecture
    vcpus: int
    memory_gib: int
    max_enis: int
    ips_per_eni: int

    @property
    def max_pods(self) -> int:
        """Pods the VPC CNI can give an address (without prefix delegation)."""
        return self.max_enis * (self.ips_per_eni - 1) + 2

    @property
    def max_ips(self) -> int:
        """Addresses a node can hold: every slot of every ENI (warm pool included)."""
        return self.max_enis * self.ips_per_eni


def _family(
    prefix: str, architecture: Architecture, memory_per_vcpu: int
) -> dict[str, InstanceType]:
    """A general-purpose family's large..4xlarge sizes (same ENI limits across m/c/r)."""
    sizes = {
        "large": (2, 3, 10),
        "xlarge": (4, 4, 15),
        "2xlarge": (8, 4, 15),
        "4xlarge": (16, 8, 30),
    }
    return {
        f"{prefix}.{size}": InstanceType(architecture, vcpus, vcpus * memory_per_vcpu, enis, ips)
        for size, (vcpus, enis, ips) in sizes.items()
    }


def _burstable(prefix: str, architecture: Architecture) -> dict[str, InstanceType]:
    sizes = {
        "medium": (2, 4, 3, 6),
        "large": (2, 8, 3, 12),
        "xlarge": (4, 16, 4, 15),
        "2xlarge": (8, 32, 4, 15),
    }
    return {
        f"{prefix}.{size}": InstanceType(architecture, vcpus, memory, enis, ips)
        for size, (vcpus, memory, enis, ips) in sizes.items()
    }


#: Instance types the node groups may use. Graviton (arm64) first: the platform's default.
INSTANCE_TYPES: dict[str, InstanceType] = {
    **_burstable("t4g", "arm64"),
    **_family("m7g", "arm64", 4),
    **_family("m6g", "arm64", 4),
    **_family("c7g", "arm64", 2),
    **_family("c6g", "arm64", 2),
    **_family("r7g", "arm64", 8),
    **_family("r6g", "arm64", 8),
    **_burstable("t3", "x86_64"),
    **_family("m7i", "x86_64", 4),
    **_family("m6i", "x86_64", 4),
    **_family("c7i", "x86_64", 2),
    **_family("c6i", "x86_64", 2),
    **_family("r7i", "x86_64", 8),
    **_family("r6i", "x86_64", 8),
}

#: EKS managed AMI types and their architecture.
AMI_ARCHITECTURES: dict[str, Architecture] = {
    "AL2023_ARM_64_STANDARD": "arm64",
    "AL2023_x86_64_STANDARD": "x86_64",
    "BOTTLEROCKET_ARM_64": "arm64",
    "BOTTLEROCKET_x86_64": "x86_64",
}

#: Addresses EKS takes in each subnet of the cluster for its control-plane ENIs (up to 4
#: cross-account ENIs per cluster, spread over the subnets); counted in every subnet, to be safe.
EKS_ENIS_PER_SUBNET = 4


def architecture_mismatches(instance_types: tuple[str, ...], ami_type: str) -> list[str]:
    """The instance types that do not run the AMI type's architecture."""
    wanted = AMI_ARCHITECTURES[ami_type]
    return [t for t in instance_types if INSTANCE_TYPES[t].architecture != wanted]


@dataclass(frozen=True)
class IpBudget:
    """Addresses the node groups may need at their maximum, against what the subnets have."""

    needed: int
    available: int

    @property
    def fits(self) -> bool:
        return self.needed <= self.available


def ip_budget(
    node_groups: dict[str, tuple[tuple[str, ...], int]],
    *,
    subnet_usable_ips: int,
    subnets: int,
    interface_endpoints: int,
) -> IpBudget:
    """``node_groups``: name -> (instance types, max size). The largest type of each group is
    assumed for every node (a group may launch any of its types)."""
    needed = sum(
        max_size * max(INSTANCE_TYPES[t].max_ips for t in types)
        for types, max_size in node_groups.values()
    )
    reserved_per_subnet = interface_endpoints + EKS_ENIS_PER_SUBNET
    return IpBudget(needed=needed, available=subnets * (subnet_usable_ips - reserved_per_subnet))
