"""What the apps may need at their peak, against their namespace's quota (pure).

A rolling update with ``maxUnavailable: 0`` starts the new pods before it stops old ones, so at
its peak a workload runs its maximum replicas plus the surge; a quota smaller than that stalls
the rollout at the quota (the new ReplicaSet cannot create pods) until ``progressDeadlineSeconds``
fails the deploy. The check here runs before anything is registered.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_CPU = re.compile(r"^(\d+(?:\.\d+)?)(m?)$")
_MEMORY = re.compile(r"^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti)?$")
_BINARY = {None: 1, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}


def cpu_millicores(quantity: str) -> int:
    """``500m`` -> 500, ``2`` -> 2000, ``1.5`` -> 1500."""
    match = _CPU.match(quantity)
    if not match:
        raise ValueError(f"{quantity!r} is not a CPU quantity such as 500m or 2")
    value, milli = float(match.group(1)), match.group(2)
    return math.ceil(value if milli else value * 1000)


def memory_bytes(quantity: str) -> int:
    """``512Mi`` -> 536870912; plain numbers are bytes."""
    match = _MEMORY.match(quantity)
    if not match:
        raise ValueError(f"{quantity!r} is not a memory quantity such as 512Mi or 2Gi")
    return math.ceil(float(match.group(1)) * _BINARY[match.group(2)])


def surge_pods(replicas: int, max_surge_percent: int) -> int:
    """Extra pods a rolling update starts: Kubernetes rounds a percentage surge up, and with
    ``maxUnavailable: 0`` it must be at least one."""
    return max(1, math.ceil(replicas * max_surge_percent / 100))


@dataclass(frozen=True)
class Demand:
    """Pods and resources one workload (or job) may hold at once."""

    name: str
    pods: int
    requests_cpu: str
    requests_memory: str
    limits_cpu: str
    limits_memory: str


@dataclass(frozen=True)
class Quota:
    requests_cpu: str
    requests_memory: str
    limits_cpu: str
    limits_memory: str
    pods: int


def over_quota(demands: list[Demand], quota: Quota) -> list[str]:
    """Each quota dimension the demands together exceed, as ``(what, needed, allowed)`` text."""
    totals = {
        "pods": (sum(d.pods for d in demands), quota.pods, str),
        "requestsCpu": (
            sum(d.pods * cpu_millicores(d.requests_cpu) for d in demands),
            cpu_millicores(quota.requests_cpu),
            _cpu_text,
        ),
        "limitsCpu": (
            sum(d.pods * cpu_millicores(d.limits_cpu) for d in demands),
            cpu_millicores(quota.limits_cpu),
            _cpu_text,
        ),
        "requestsMemory": (
            sum(d.pods * memory_bytes(d.requests_memory) for d in demands),
            memory_bytes(quota.requests_memory),
            _memory_text,
        ),
        "limitsMemory": (
            sum(d.pods * memory_bytes(d.limits_memory) for d in demands),
            memory_bytes(quota.limits_memory),
            _memory_text,
        ),
    }
    return [
        f"{key}: {show(needed)} needed, {show(allowed)} allowed"
        for key, (needed, allowed, show) in totals.items()
        if needed > allowed
    ]


#: Share of a node's CPU and memory left to pods once the kubelet, the OS and the DaemonSets
#: (VPC CNI, kube-proxy, EBS CSI, Pod Identity agent, node_exporter, CloudWatch agent) take
#: theirs: a conservative approximation of EKS allocatable capacity.
ALLOCATABLE_CPU_SHARE = 0.85
ALLOCATABLE_MEMORY_SHARE = 0.80


def over_capacity(demands: list[Demand], *, nodes: int, vcpus: int, memory_gib: int) -> list[str]:
    """What the demands' requests need beyond ``nodes`` nodes of the smallest instance type."""
    cpu_needed = sum(d.pods * cpu_millicores(d.requests_cpu) for d in demands)
    memory_needed = sum(d.pods * memory_bytes(d.requests_memory) for d in demands)
    cpu_available = int(nodes * vcpus * 1000 * ALLOCATABLE_CPU_SHARE)
    memory_available = int(nodes * memory_gib * 2**30 * ALLOCATABLE_MEMORY_SHARE)
    problems = []
    if cpu_needed > cpu_available:
        problems.append(
            f"CPU requests {_cpu_text(cpu_needed)} > about {_cpu_text(cpu_available)} allocatable"
        )
    if memory_needed > memory_available:
        problems.append(
            f"memory requests {_memory_text(memory_needed)} > about "
            f"{_memory_text(memory_available)} allocatable"
        )
    return problems


def _cpu_text(millicores: int) -> str:
    return f"{millicores / 1000:g}"


def _memory_text(size: int) -> str:
    return f"{round(size / 2**30, 1):g}Gi"
