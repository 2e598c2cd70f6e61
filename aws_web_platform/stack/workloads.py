"""The workload plan: every app workload of a stack, decided once from its StackConfig.

One pure function, :func:`plan_workloads`, says for each workload where it runs (node group and
its scheduling), which port it serves, which apps it may call and be called by, what the
platform puts in its environment, what it demands at its peak (pods during a surge rollout at
maximum scale, resources) and how many database connections its pools hold. Both sides use it:

* ``StackConfig`` validation reports :attr:`WorkloadsPlan.problems` (the apps against the
  namespace, node groups, registry, secrets, edge, quota and the database's connections);
* the platform's wiring (``platform/apps.py``) builds one AppService per planned workload from
  the same decisions, and the alarms take the proxy's client budget from it.

So a rule about workloads is written once, and what is validated is what is deployed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from aws_web_platform.eks.capacity import INSTANCE_TYPES
from aws_web_platform.eks.config import Scheduling
from aws_web_platform.k8s.config import WorkloadConfig
from aws_web_platform.k8s.environment import Source, variables_for
from aws_web_platform.k8s.workload_budget import (
    Demand,
    Quota,
    cpu_millicores,
    memory_bytes,
    over_capacity,
    over_quota,
    surge_pods,
)

if TYPE_CHECKING:
    from aws_web_platform.stack.config import StackConfig


@dataclass(frozen=True)
class WorkloadPlan:
    """What the platform decides about one workload."""

    name: str
    config: WorkloadConfig
    node_group: str
    """The node group its tier is placed on (``platform:apps.placement``)."""
    scheduling: Scheduling
    """That group's node selector and tolerations."""
    clients: tuple[str, ...]
    """Workloads of the namespace that may call it on its port (the web calls the api)."""
    calls: Mapping[str, int]
    """Workloads (name -> port) it calls inside the namespace."""
    environment: Mapping[str, Source]
    """What the platform sets in its environment, by name (k8s/environment.py)."""
    target_group: Literal["web", "api"] | None
    """The edge's target group its pods are registered in (web and api)."""
    migrates: bool
    """Runs the release's database migrations with its image before any rollout (the api)."""
    demands: tuple[Demand, ...]
    """Its peak demand: maxReplicas plus the surge, and the migration Job's pod."""
    primary_connections: int
    """Connections its pools hold to the primary at maxReplicas (through the proxy if any)."""
    replica_connections: int
    """Connections its pools hold to each read replica at maxReplicas."""


@dataclass(frozen=True)
class WorkloadsPlan:
    """Every workload of the stack, the api first (its migrations run before the rest rolls)."""

    workloads: tuple[WorkloadPlan, ...]
    problems: tuple[str, ...]
    """What makes the stack's workloads not fit its platform; empty when they fit."""

    @property
    def api(self) -> WorkloadPlan:
        return next(w for w in self.workloads if w.config.role == "api")

    @property
    def web(self) -> WorkloadPlan:
        return next(w for w in self.workloads if w.config.role == "web")

    @property
    def database_classes(self) -> tuple[str, ...]:
        """The workload classes (roles) that use the database: each logs in as its own
        runtime role. The api's at least, so the proxy always has a login to serve."""
        return tuple(sorted({w.config.role for w in self.workloads if w.config.database})) or (
            "api",
        )

    @property
    def proxy_client_budget(self) -> int:
        """Client connections the apps may open to the primary's endpoint at peak."""
        return sum(w.primary_connections for w in self.workloads)


def plan_workloads(config: StackConfig) -> WorkloadsPlan:
    """Decide every workload of ``config`` and collect what does not fit."""
    apps = config.apps
    by_role = {w.role: n for n, w in apps.workloads.items() if w.role in ("web", "api")}
    api_name, web_name = by_role["api"], by_role["web"]
    api_port = apps.workloads[api_name].port
    ordered = sorted(apps.workloads.items(), key=lambda item: (item[0] != api_name, item[0]))
    planned: list[WorkloadPlan] = []
    for name, workload in ordered:
        group = apps.placement.get(workload.tier, "")
        node_group = config.cluster.node_groups.get(group)
        peak = workload.max_replicas + surge_pods(workload.max_replicas, apps.max_surge_percent)
        resources = (
            workload.requests_cpu,
            workload.requests_memory,
            workload.limits_cpu,
            workload.limits_memory,
        )
        migrates = workload.role == "api" and apps.migrations.enabled
        demands = (Demand(name, peak, *resources),)
        if migrates:
            demands += (Demand(f"{name}-migrate", 1, *resources),)
        planned.append(
            WorkloadPlan(
                name=name,
                config=workload,
                node_group=group,
                scheduling=node_group.scheduling() if node_group else Scheduling(),
                clients=(web_name,) if name == api_name else (),
                calls={api_name: api_port} if name == web_name else {},
                environment=variables_for(
                    database=workload.database,
                    cache=workload.cache,
                    buckets=sorted(workload.buckets),
                    secrets=workload.secrets,
                    writable_tmp="/tmp" in workload.writable_paths,
                ),
                target_group=workload.role if workload.role in ("web", "api") else None,
                migrates=migrates,
                demands=demands,
                primary_connections=workload.max_replicas * workload.database_pool_size
                if workload.database
                else 0,
                replica_connections=workload.max_replicas * workload.database_replica_pool_size
                if workload.database
                else 0,
            )
        )
    workloads = tuple(planned)
    return WorkloadsPlan(workloads=workloads, problems=tuple(_problems(config, workloads)))


def _problems(config: StackConfig, workloads: tuple[WorkloadPlan, ...]) -> list[str]:
    """The apps against the namespace, node groups, registry, secrets, edge, quota and pools."""
    apps = config.apps
    problems: list[str] = []
    quota = config.addons.app_namespaces.get(apps.namespace)
    if quota is None:
        problems.append(
            f"$.apps.namespace {apps.namespace} is not one of $.addons.appNamespaces "
            f"({', '.join(sorted(config.addons.app_namespaces)) or 'none'})"
        )
    for tier, group in sorted(apps.placement.items()):
        if group not in config.cluster.node_groups:
            problems.append(
                f"$.apps.placement.{tier} {group} is not one of $.cluster.nodeGroups "
                f"({', '.join(sorted(config.cluster.node_groups))})"
            )
    ports = {"web": config.edge.web.port, "api": config.edge.api.port}
    by_name = sorted(workloads, key=lambda w: w.name)
    for planned in by_name:
        name, workload = planned.name, planned.config
        at = f"$.apps.workloads.{name}"
        if workload.tier not in apps.placement:
            problems.append(f"{at}.tier {workload.tier} has no node group in $.apps.placement")
        if workload.image not in config.registry.repositories:
            problems.append(f"{at}.image {workload.image} is not one of $.registry.repositories")
        unknown = sorted(set(workload.secrets) - set(config.app_secrets.names))
        if unknown:
            problems.append(f"{at}.secrets {', '.join(unknown)} not in $.appSecrets.names")
        if workload.role in ports and workload.port != ports[workload.role]:
            problems.append(
                f"{at}.port {workload.port} must equal $.edge.{workload.role}.port "
                f"{ports[workload.role]}: its target group sends traffic there"
            )
        if (
            workload.role in ports
            and workload.termination_grace_period_seconds
            <= config.edge.deregistration_delay_seconds
        ):
            problems.append(
                f"{at}.terminationGracePeriodSeconds "
                f"{workload.termination_grace_period_seconds} must exceed "
                f"$.edge.deregistrationDelaySeconds {config.edge.deregistration_delay_seconds}:"
                " the ALB still sends in-flight requests while it drains the pod"
            )
        if workload.role == "api" and apps.migrations.enabled and not workload.database:
            problems.append(
                f"$.apps.migrations.enabled needs the api ({name}) to use the database "
                f"({at}.database true)"
            )
        if workload.role == "api" and workload.database:
            pool = config.database.pool
            if workload.max_replicas > pool.api_max_replicas:
                problems.append(
                    f"{at} may run {workload.max_replicas} pods, more than "
                    f"$.database.pool.apiMaxReplicas {pool.api_max_replicas} the database's "
                    "connection budget is sized for"
                )
            if workload.database_pool_size > pool.size_per_replica:
                problems.append(
                    f"{at}.databasePoolSize {workload.database_pool_size} is above "
                    f"$.database.pool.sizePerReplica {pool.size_per_replica}"
                )
        if quota is not None:
            for what, value, ceiling, parse in (
                ("limitsCpu", workload.limits_cpu, quota.max_limit_cpu, cpu_millicores),
                ("limitsMemory", workload.limits_memory, quota.max_limit_memory, memory_bytes),
            ):
                if parse(value) > parse(ceiling):
                    problems.append(
                        f"{at}.{what} {value} is above the namespace's largest container "
                        f"limit $.addons.appNamespaces.{apps.namespace}.max"
                        f"{what[0].upper()}{what[1:]} {ceiling}"
                    )
    problems += _connection_budget(config, by_name)
    demands = [d for w in by_name for d in w.demands]
    if quota is not None:
        over = over_quota(
            demands,
            Quota(
                quota.requests_cpu,
                quota.requests_memory,
                quota.limits_cpu,
                quota.limits_memory,
                quota.pods,
            ),
        )
        if over:
            problems.append(
                f"$.apps.workloads at their maxReplicas plus the rollout surge need more "
                f"than $.addons.appNamespaces.{apps.namespace} allows ({'; '.join(over)}): "
                "raise the quota or lower maxReplicas"
            )
    per_group: dict[str, list[Demand]] = {}
    for planned in by_name:
        per_group.setdefault(planned.node_group, []).extend(planned.demands)
    for group, group_demands in sorted(per_group.items()):
        node_group = config.cluster.node_groups.get(group)
        if node_group is None:
            continue
        smallest = min(
            (INSTANCE_TYPES[t] for t in node_group.instance_types), key=lambda t: t.vcpus
        )
        short = over_capacity(
            group_demands,
            nodes=node_group.max_size,
            vcpus=smallest.vcpus,
            memory_gib=smallest.memory_gib,
        )
        if short:
            names = ", ".join(d.name for d in group_demands)
            problems.append(
                f"$.apps.workloads {names} at their peak do not fit $.cluster.nodeGroups."
                f"{group} at its maxSize {node_group.max_size} ({'; '.join(short)}): raise "
                "maxSize or use larger instance types, or lower maxReplicas or requests"
            )
    return problems


def _connection_budget(config: StackConfig, by_name: list[WorkloadPlan]) -> list[str]:
    """Every database workload's pools at their maximum replicas, against max_connections:
    on each replica always (no proxy there), on the primary when there is no proxy."""
    database = config.database
    users = [w for w in by_name if w.config.database]
    if not users:
        return []
    available = database.tuning().max_connections - database.pool.reserved_connections
    problems: list[str] = []
    checks = (
        ("databaseReplicaPoolSize", "each read replica", database.read_replicas > 0),
        ("databasePoolSize", "the primary", not database.proxy.enabled),
    )
    for field, where, applies in checks:
        if not applies:
            continue
        replica = "Replica" in field
        needed = sum(w.replica_connections if replica else w.primary_connections for w in users)
        if needed > available:
            terms = " + ".join(
                f"{w.name} {w.config.max_replicas} x "
                f"{w.config.database_replica_pool_size if replica else w.config.database_pool_size}"
                for w in users
            )
            problems.append(
                f"$.apps.workloads connections to {where} ({terms} = {needed}) exceed "
                f"max_connections minus $.database.pool.reservedConnections ({available}): "
                f"lower $.apps.workloads.<name>.{field} or maxReplicas"
            )
    return problems
