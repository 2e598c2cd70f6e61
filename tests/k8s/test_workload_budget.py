"""Specification of the peak-demand arithmetic (aws_web_platform/k8s/workload_budget.py)."""

from __future__ import annotations

import pytest

from aws_web_platform.k8s.workload_budget import (
    Demand,
    Quota,
    cpu_millicores,
    memory_bytes,
    over_capacity,
    over_quota,
    surge_pods,
)


@pytest.mark.parametrize(("quantity", "millicores"), [("500m", 500), ("2", 2000), ("1.5", 1500)])
def test_cpu_quantities(quantity: str, millicores: int) -> None:
    assert cpu_millicores(quantity) == millicores


@pytest.mark.parametrize(
    ("quantity", "size"), [("512Mi", 512 * 2**20), ("2Gi", 2 * 2**30), ("1024", 1024)]
)
def test_memory_quantities(quantity: str, size: int) -> None:
    assert memory_bytes(quantity) == size


def test_milli_bytes_are_not_memory() -> None:
    with pytest.raises(ValueError, match="not a memory quantity"):
        memory_bytes("500m")


@pytest.mark.parametrize(("replicas", "surge"), [(20, 5), (4, 1), (1, 1), (15, 4)])
def test_a_rollout_surges_a_quarter_rounded_up_and_at_least_one(replicas: int, surge: int) -> None:
    assert surge_pods(replicas, 25) == surge


def test_the_quota_is_checked_on_every_dimension() -> None:
    demands = [
        Demand("api", 25, "1", "2Gi", "2", "2Gi"),
        Demand("web", 19, "500m", "1Gi", "1", "1Gi"),
    ]
    assert over_quota(demands, Quota("64", "128Gi", "120", "160Gi", 200)) == []
    assert over_quota(demands, Quota("30", "128Gi", "60", "40Gi", 40)) == [
        "pods: 44 needed, 40 allowed",
        "requestsCpu: 34.5 needed, 30 allowed",
        "limitsCpu: 69 needed, 60 allowed",
        "limitsMemory: 69Gi needed, 40Gi allowed",
    ]


def test_node_capacity_leaves_room_for_the_system() -> None:
    demands = [Demand("api", 10, "1", "2Gi", "2", "2Gi")]
    # 4 nodes of 4 vCPU / 16 GiB: about 13.6 CPUs and 51 GiB for pods.
    assert over_capacity(demands, nodes=4, vcpus=4, memory_gib=16) == []
    assert over_capacity(demands, nodes=3, vcpus=4, memory_gib=16) == []  # 10.2 CPUs
    assert over_capacity(demands, nodes=2, vcpus=4, memory_gib=8) == [
        "CPU requests 10 > about 6.8 allocatable",
        "memory requests 20Gi > about 12.8Gi allocatable",
    ]
