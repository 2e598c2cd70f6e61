"""PostgreSQL tuning for RDS: the spec's figures, derived from the instance class, in RDS units.

docs/requirements.md gives the tuning of a ~4 GiB server (shared_buffers 1GB,
effective_cache_size 3GB, maintenance_work_mem 256MB, work_mem 2MB, max_connections 500 ...).
Copied as-is they would not fit a small dev class and would waste a large prod class, so each
memory figure is kept as the *ratio* the spec implies and applied to the class's memory:

===========================  ==================================  ==============  ===========
setting                      rule                                4 GiB (spec)    32 GiB
===========================  ==================================  ==============  ===========
shared_buffers               25 % of memory                      1 GiB           8 GiB
effective_cache_size         75 % of memory                      3 GiB           24 GiB
maintenance_work_mem         1/16 of memory, at most 2 GiB       256 MiB         2 GiB
max_connections              500, at most RDS's memory cap       450 (cap)       500
work_mem                     (memory - shared_buffers) /         2 MiB           16 MiB
                             (3 x max_connections)
wal_buffers                  16 MiB, at most shared_buffers/32   16 MiB          16 MiB
min_wal_size / max_wal_size  2 / 8 GiB, at most 1/5 of storage
max_worker_processes         8, at least the vCPUs
max_parallel_workers         8, at most the vCPUs
max_parallel_workers_per_g.  4, at most half the vCPUs
===========================  ==================================  ==============  ===========

Every value can be overridden from config; :func:`check_fit` refuses values the class cannot
hold, so a small dev class never gets the production sizes. :func:`rds_parameters` converts to
the units RDS takes (8 kB pages, kB, MB) with the apply method each parameter needs.

The pool budget (:func:`connection_budget`) shows that the API's connection pools fit: through
RDS Proxy, API max replicas x pool size client connections share the proxy's part of
max_connections; without the proxy they must fit max_connections directly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

MIB_PER_GIB = 1024


@dataclass(frozen=True)
class InstanceClass:
    """What tuning needs to know about an RDS instance class."""

    memory_gib: int
    vcpus: int


#: RDS instance classes the platform allows, with their memory and vCPUs (AWS instance specs).
#: Graviton classes only: same price-performance family as the spec's db.r6g.xlarge anchor.
INSTANCE_CLASSES: dict[str, InstanceClass] = {
    "db.t4g.micro": InstanceClass(1, 2),
    "db.t4g.small": InstanceClass(2, 2),
    "db.t4g.medium": InstanceClass(4, 2),
    "db.t4g.large": InstanceClass(8, 2),
    "db.t4g.xlarge": InstanceClass(16, 4),
    "db.t4g.2xlarge": InstanceClass(32, 8),
    "db.m6g.large": InstanceClass(8, 2),
    "db.m6g.xlarge": InstanceClass(16, 4),
    "db.m6g.2xlarge": InstanceClass(32, 8),
    "db.m6g.4xlarge": InstanceClass(64, 16),
    "db.m7g.large": InstanceClass(8, 2),
    "db.m7g.xlarge": InstanceClass(16, 4),
    "db.m7g.2xlarge": InstanceClass(32, 8),
    "db.m7g.4xlarge": InstanceClass(64, 16),
    "db.r6g.large": InstanceClass(16, 2),
    "db.r6g.xlarge": InstanceClass(32, 4),
    "db.r6g.2xlarge": InstanceClass(64, 8),
    "db.r6g.4xlarge": InstanceClass(128, 16),
    "db.r7g.large": InstanceClass(16, 2),
    "db.r7g.xlarge": InstanceClass(32, 4),
    "db.r7g.2xlarge": InstanceClass(64, 8),
    "db.r7g.4xlarge": InstanceClass(128, 16),
}

#: RDS's own ceiling on connections: LEAST({DBInstanceClassMemory/9531392}, 5000).
RDS_BYTES_PER_CONNECTION = 9531392
RDS_MAX_CONNECTIONS = 5000
#: Spec figures (docs/requirements.md, PostgreSQL row).
SPEC_MAX_CONNECTIONS = 500
SPEC_WAL_BUFFERS_MB = 16
SPEC_MIN_WAL_SIZE_MB = 2048
SPEC_MAX_WAL_SIZE_MB = 8192
SPEC_MAX_WORKER_PROCESSES = 8
SPEC_MAX_PARALLEL_WORKERS = 8
SPEC_MAX_PARALLEL_WORKERS_PER_GATHER = 4


@dataclass(frozen=True)
class PostgresSettings:
    """PostgreSQL settings in human units (MB, kB, ms): what the parameter group will say."""

    shared_buffers_mb: int
    effective_cache_size_mb: int
    maintenance_work_mem_mb: int
    work_mem_kb: int
    wal_buffers_mb: int
    min_wal_size_mb: int
    max_wal_size_mb: int
    max_connections: int
    max_worker_processes: int
    max_parallel_workers: int
    max_parallel_workers_per_gather: int
    checkpoint_completion_target: float = 0.9
    random_page_cost: float = 1.1
    effective_io_concurrency: int = 200
    slow_query_ms: int = 500


def rds_connection_cap(instance_class: str) -> int:
    """The most connections RDS allows on this class by default."""
    memory = INSTANCE_CLASSES[instance_class].memory_gib * 1024**3
    return min(memory // RDS_BYTES_PER_CONNECTION, RDS_MAX_CONNECTIONS)


def derive_settings(instance_class: str, storage_gb: int) -> PostgresSettings:
    """The spec's tuning scaled to ``instance_class`` and ``storage_gb`` (see module docs)."""
    spec = INSTANCE_CLASSES[instance_class]
    memory_mb = spec.memory_gib * MIB_PER_GIB
    shared_buffers = memory_mb // 4
    max_connections = min(SPEC_MAX_CONNECTIONS, rds_connection_cap(instance_class))
    max_wal = min(SPEC_MAX_WAL_SIZE_MB, storage_gb * 1024 // 5)
    return PostgresSettings(
        shared_buffers_mb=shared_buffers,
        effective_cache_size_mb=memory_mb * 3 // 4,
        maintenance_work_mem_mb=min(memory_mb // 16, 2048),
        work_mem_kb=(memory_mb - shared_buffers) * 1024 // (3 * max_connections),
        wal_buffers_mb=max(1, min(SPEC_WAL_BUFFERS_MB, shared_buffers // 32)),
        min_wal_size_mb=min(SPEC_MIN_WAL_SIZE_MB, max_wal // 4),
        max_wal_size_mb=max_wal,
        max_connections=max_connections,
        max_worker_processes=max(SPEC_MAX_WORKER_PROCESSES, spec.vcpus),
        max_parallel_workers=min(SPEC_MAX_PARALLEL_WORKERS, spec.vcpus),
        max_parallel_workers_per_gather=max(
            1, min(SPEC_MAX_PARALLEL_WORKERS_PER_GATHER, spec.vcpus // 2)
        ),
    )


def tune(
    instance_class: str, storage_gb: int, overrides: dict[str, int | float] | None = None
) -> PostgresSettings:
    """Derived settings with ``overrides`` (field names of PostgresSettings) applied on top."""
    return replace(derive_settings(instance_class, storage_gb), **(overrides or {}))


def check_fit(settings: PostgresSettings, instance_class: str, storage_gb: int) -> list[str]:
    """Why ``settings`` do not fit the class and storage; empty when they do.

    Each message starts with the field name it is about (as in PostgresSettings).
    """
    spec = INSTANCE_CLASSES[instance_class]
    memory_mb = spec.memory_gib * MIB_PER_GIB
    where = f"{instance_class} ({memory_mb} MiB, {spec.vcpus} vCPUs)"
    problems: list[str] = []
    if settings.shared_buffers_mb > memory_mb * 2 // 5:
        problems.append(
            f"shared_buffers_mb: {settings.shared_buffers_mb} MiB is more than 40 % of {where}; "
            f"at most {memory_mb * 2 // 5}"
        )
    if settings.effective_cache_size_mb > memory_mb:
        problems.append(
            f"effective_cache_size_mb: {settings.effective_cache_size_mb} MiB exceeds the memory "
            f"of {where}; at most {memory_mb}"
        )
    if settings.maintenance_work_mem_mb > min(memory_mb // 8, 2048):
        problems.append(
            f"maintenance_work_mem_mb: {settings.maintenance_work_mem_mb} MiB is more than "
            f"1/8 of {where} (or 2 GiB); at most {min(memory_mb // 8, 2048)}"
        )
    cap = rds_connection_cap(instance_class)
    if not 10 <= settings.max_connections <= cap:
        problems.append(
            f"max_connections: {settings.max_connections} is outside 10..{cap}, the range RDS "
            f"allows on {where}"
        )
    worst_case_mb = (
        settings.shared_buffers_mb
        + settings.max_connections * settings.work_mem_kb // 1024
        + settings.maintenance_work_mem_mb
    )
    if worst_case_mb > memory_mb * 9 // 10:
        problems.append(
            f"shared_buffers_mb + max_connections x work_mem_kb + maintenance_work_mem_mb "
            f"= {worst_case_mb} MiB exceeds 90 % of {where}; lower work_mem_kb, "
            "max_connections or shared_buffers_mb"
        )
    if settings.wal_buffers_mb > max(1, settings.shared_buffers_mb // 32):
        problems.append(
            f"wal_buffers_mb: {settings.wal_buffers_mb} MiB is more than 1/32 of "
            f"shared_buffers ({settings.shared_buffers_mb} MiB)"
        )
    if settings.min_wal_size_mb * 2 > settings.max_wal_size_mb:
        problems.append(
            f"min_wal_size_mb: {settings.min_wal_size_mb} MiB must be at most half of "
            f"max_wal_size_mb ({settings.max_wal_size_mb} MiB)"
        )
    if settings.max_wal_size_mb > storage_gb * 1024 // 4:
        problems.append(
            f"max_wal_size_mb: {settings.max_wal_size_mb} MiB is more than a quarter of the "
            f"{storage_gb} GB of storage; at most {storage_gb * 1024 // 4}"
        )
    if settings.max_parallel_workers > settings.max_worker_processes:
        problems.append(
            f"max_parallel_workers: {settings.max_parallel_workers} exceeds "
            f"max_worker_processes ({settings.max_worker_processes})"
        )
    if settings.max_parallel_workers_per_gather > settings.max_parallel_workers:
        problems.append(
            f"max_parallel_workers_per_gather: {settings.max_parallel_workers_per_gather} "
            f"exceeds max_parallel_workers ({settings.max_parallel_workers})"
        )
    if settings.max_parallel_workers > spec.vcpus * 2:
        problems.append(
            f"max_parallel_workers: {settings.max_parallel_workers} is more than twice the "
            f"vCPUs of {where}"
        )
    return problems


@dataclass(frozen=True)
class RdsParameter:
    """One parameter of an RDS parameter group, in RDS's units."""

    name: str
    value: str
    apply_method: str  # "immediate" or "pending-reboot" (static parameters)


def rds_parameters(settings: PostgresSettings) -> list[RdsParameter]:
    """The parameter group's parameters, in RDS units, sorted by name.

    RDS takes shared_buffers, effective_cache_size and wal_buffers in 8 kB pages,
    work_mem and maintenance_work_mem in kB, WAL sizes in MB. Static parameters (read at server
    start) must use ``pending-reboot``; RDS refuses ``immediate`` for them.
    """
    pages_per_mb = 1024 // 8

    def static(name: str, value: object) -> RdsParameter:
        return RdsParameter(name, str(value), "pending-reboot")

    def dynamic(name: str, value: object) -> RdsParameter:
        return RdsParameter(name, str(value), "immediate")

    parameters = [
        static("shared_buffers", settings.shared_buffers_mb * pages_per_mb),
        static("max_connections", settings.max_connections),
        static("wal_buffers", settings.wal_buffers_mb * pages_per_mb),
        static("max_worker_processes", settings.max_worker_processes),
        static("shared_preload_libraries", "pg_stat_statements"),
        dynamic("effective_cache_size", settings.effective_cache_size_mb * pages_per_mb),
        dynamic("maintenance_work_mem", settings.maintenance_work_mem_mb * 1024),
        dynamic("work_mem", settings.work_mem_kb),
        dynamic("min_wal_size", settings.min_wal_size_mb),
        dynamic("max_wal_size", settings.max_wal_size_mb),
        dynamic("checkpoint_completion_target", settings.checkpoint_completion_target),
        dynamic("random_page_cost", settings.random_page_cost),
        dynamic("effective_io_concurrency", settings.effective_io_concurrency),
        dynamic("max_parallel_workers", settings.max_parallel_workers),
        dynamic("max_parallel_workers_per_gather", settings.max_parallel_workers_per_gather),
        # TLS for every connection, whatever the client asks for.
        dynamic("rds.force_ssl", 1),
        # Query statistics for the database dashboard (slow queries, query time).
        dynamic("pg_stat_statements.track", "all"),
        # The slow-query log: statements slower than this (ms) are logged with their duration.
        dynamic("log_min_duration_statement", settings.slow_query_ms),
        # ... without the values of bind parameters: they carry personal data into the logs.
        dynamic("log_parameter_max_length", 0),
    ]
    return sorted(parameters, key=lambda p: p.name)


@dataclass(frozen=True)
class ConnectionBudget:
    """How the API's connection pools map onto the database's max_connections."""

    max_connections: int
    reserved: int
    api_client_connections: int
    api_min_connections: int
    proxy_enabled: bool
    proxy_share: int

    def problems(self) -> list[str]:
        """Why the budget does not hold; empty when it does."""
        if self.proxy_enabled:
            found = []
            if self.proxy_share + self.reserved > self.max_connections:
                found.append(
                    f"the proxy's share ({self.proxy_share}) plus pool.reservedConnections "
                    f"({self.reserved}) exceeds max_connections ({self.max_connections}); lower "
                    "proxy.maxConnectionsPercent or pool.reservedConnections"
                )
            if self.proxy_share < self.api_min_connections:
                found.append(
                    f"the proxy's share ({self.proxy_share}) cannot hold pool.minPerReplica x "
                    f"pool.apiMaxReplicas ({self.api_min_connections}); raise "
                    "proxy.maxConnectionsPercent"
                )
            return found
        if self.api_client_connections + self.reserved > self.max_connections:
            return [
                f"with proxy.enabled false, pool.apiMaxReplicas x pool.sizePerReplica "
                f"({self.api_client_connections}) plus pool.reservedConnections ({self.reserved}) "
                f"exceed max_connections ({self.max_connections}); enable the proxy, or lower "
                "pool.apiMaxReplicas or pool.sizePerReplica"
            ]
        return []


def connection_budget(
    *,
    max_connections: int,
    api_max_replicas: int,
    pool_size_per_replica: int,
    pool_min_per_replica: int,
    reserved: int,
    proxy_enabled: bool,
    proxy_max_connections_percent: int,
) -> ConnectionBudget:
    """The budget for API pools of ``pool_size_per_replica`` on up to ``api_max_replicas`` pods."""
    return ConnectionBudget(
        max_connections=max_connections,
        reserved=reserved,
        api_client_connections=api_max_replicas * pool_size_per_replica,
        api_min_connections=api_max_replicas * pool_min_per_replica,
        proxy_enabled=proxy_enabled,
        proxy_share=max_connections * proxy_max_connections_percent // 100 if proxy_enabled else 0,
    )
