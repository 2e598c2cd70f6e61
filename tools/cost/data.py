"""Prices of data: RDS instances and proxy, the cache, buckets, repositories, AWS Backup."""

from __future__ import annotations

from aws_web_platform.database.tuning import INSTANCE_CLASSES
from aws_web_platform.offline import Recording, Registered
from tools.cost.pricing import PricingContext, handles
from tools.cost.table import NoPriceError


def _rds_instances_by_identifier(recording: Recording) -> dict[str, Registered]:
    return {
        str(r.outputs.get("identifier") or r.get("identifier") or r.name): r
        for r in recording.all_of("aws:rds/instance:Instance")
    }


@handles("aws:rds/instance:Instance")
def _rds_instance(ctx: PricingContext) -> None:
    if ctx.get("engine", "postgres") != "postgres" and not ctx.get("replicateSourceDb"):
        raise NoPriceError(f"no price for RDS engine {ctx.get('engine')!r}")
    instance_class = str(ctx.get("instanceClass"))
    multi_az = bool(ctx.get("multiAz", False))
    entry = ctx.table.entry("rds.postgres_instance_hour")
    factor = float(entry["multi_az_factor"]) if multi_az else 1.0
    deployment = "Multi-AZ (primary + standby)" if multi_az else "Single-AZ"
    role = "read replica" if ctx.get("replicateSourceDb") else "instance"
    ctx.hourly(
        "rds.postgres_instance_hour",
        f"{instance_class} {role}, {deployment}",
        size=instance_class,
        multiplier=factor,
    )

    source = ctx.resource
    if ctx.get("replicateSourceDb"):
        # A replica gets the source's storage size.
        source = _rds_instances_by_identifier(ctx.recording).get(str(ctx.get("replicateSourceDb")))
        if source is None:
            ctx.notes.append("storage of a replica whose source is not in the plan")
            return
    storage_gb = float(source.get("allocatedStorage") or 0)
    storage_type = str(ctx.get("storageType") or source.get("storageType") or "gp2")
    key = f"rds.{storage_type}_gb_month"
    if key not in ctx.table.prices:
        ctx.notes.append(f"no price for RDS {storage_type} storage in tools/prices.json")
    else:
        storage_factor = float(ctx.table.entry(key).get("multi_az_factor", 2)) if multi_az else 1
        ctx.charge(
            key, f"{storage_type} storage, {deployment}", storage_gb, multiplier=storage_factor
        )
    if ctx.get("iops") or ctx.get("storageThroughput"):
        ctx.notes.append("provisioned IOPS/throughput above gp3's baseline")
    if not ctx.get("replicateSourceDb") and float(ctx.get("backupRetentionPeriod", 0)) > 0:
        extra = float(ctx.usage("rds_backup_beyond_free_gb"))
        ctx.charge(
            "rds.backup_gb_month",
            "backup storage beyond the free allowance",
            extra,
            uses=("rds_backup_beyond_free_gb",),
        )
    if float(ctx.get("performanceInsightsRetentionPeriod", 7)) > 7:
        ctx.notes.append("Performance Insights retention beyond the free 7 days")


@handles("aws:rds/proxy:Proxy")
def _rds_proxy(ctx: PricingContext) -> None:
    name = ctx.resource.outputs.get("name") or ctx.get("name")
    instances = _rds_instances_by_identifier(ctx.recording)
    vcpus = 0
    for target in ctx.recording.all_of("aws:rds/proxyTarget:ProxyTarget"):
        if target.get("dbProxyName") != name:
            continue
        instance = instances.get(str(target.get("dbInstanceIdentifier")))
        if instance is None or str(instance.get("instanceClass")) not in INSTANCE_CLASSES:
            raise NoPriceError("proxy target's instance class has no vCPU count")
        vcpus += INSTANCE_CLASSES[str(instance.get("instanceClass"))].vcpus
    if vcpus == 0:
        raise NoPriceError("proxy without a DB instance target in the plan")
    minimum = int(ctx.table.entry("rds.proxy_vcpu_hour").get("minimum_vcpus", 2))
    billed = max(vcpus, minimum)
    ctx.hourly("rds.proxy_vcpu_hour", f"{billed} vCPUs of the target instance", billed)


@handles("aws:elasticache/replicationGroup:ReplicationGroup")
def _cache(ctx: PricingContext) -> None:
    node_type = str(ctx.get("nodeType"))
    if ctx.get("clusterMode") == "enabled" or ctx.get("numNodeGroups"):
        shards = int(ctx.get("numNodeGroups", 1))
        nodes = shards * (1 + int(ctx.get("replicasPerNodeGroup", 0)))
        shape = f"{shards} shards x {nodes // shards} nodes"
    else:
        nodes = int(ctx.get("numCacheClusters", 1))
        shape = f"{nodes} nodes"
    engine = str(ctx.get("engine", "redis"))
    entry = ctx.table.entry("elasticache.node_hour")
    multiplier = float(entry["valkey_factor"]) if engine == "valkey" else 1.0
    ctx.hourly(
        "elasticache.node_hour",
        f"{node_type} {engine} node-hours ({shape})",
        nodes,
        size=node_type,
        multiplier=multiplier,
    )


@handles("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
def _bucket(ctx: PricingContext) -> None:
    gb = ctx.usage.by_name("s3_gb_by_bucket", ctx.resource.name)
    ctx.charge("s3.standard_gb_month", "S3 Standard storage", gb, uses=("s3_gb_by_bucket",))


@handles("aws:ecr/repository:Repository")
def _ecr_repository(ctx: PricingContext) -> None:
    gb = float(ctx.usage("ecr_gb_per_repository"))
    ctx.charge("ecr.storage_gb_month", "image storage", gb, uses=("ecr_gb_per_repository",))


@handles("aws:backup/vault:Vault")
def _backup_vault(ctx: PricingContext) -> None:
    # Every vault holds the daily recovery points for the same 30 days (the off-site copy keeps
    # copies as long as the source), so both are priced alike, each in its own region.
    rds_gb = float(ctx.usage("backup_rds_snapshot_gb_per_vault"))
    s3_gb = float(ctx.usage("backup_s3_gb_per_vault"))
    ctx.charge(
        "backup.rds_snapshot_gb_month",
        "RDS snapshot storage",
        rds_gb,
        uses=("backup_rds_snapshot_gb_per_vault",),
    )
    ctx.charge("backup.s3_gb_month", "S3 backup storage", s3_gb, uses=("backup_s3_gb_per_vault",))


@handles("aws:backup/plan:Plan")
def _backup_plan(ctx: PricingContext) -> None:
    copies = any(rule.get("copyActions") for rule in ctx.get("rules") or [])
    if copies:
        gb = float(ctx.usage("backup_copy_transfer_gb_per_month"))
        ctx.charge(
            "backup.cross_region_transfer_gb",
            "copies to the other region",
            gb,
            uses=("backup_copy_transfer_gb_per_month",),
        )


@handles("aws:backup/restoreTestingSelection:RestoreTestingSelection")
def _restore_testing(ctx: PricingContext) -> None:
    overrides = ctx.get("restoreMetadataOverrides") or {}
    instance_class = overrides.get("dbInstanceClass")
    if ctx.get("protectedResourceType") != "RDS" or not instance_class:
        raise NoPriceError("restore test of a resource type other than an RDS instance")
    plan = next(
        (
            p
            for p in ctx.recording.all_of("aws:backup/restoreTestingPlan:RestoreTestingPlan")
            if p.get("name") == ctx.get("restoreTestingPlanName")
        ),
        None,
    )
    runs = _runs_per_month(str(plan.get("scheduleExpression", "")) if plan else "")
    hours = float(ctx.get("validationWindowHours", 1)) + float(
        ctx.usage("restore_test_extra_hours_per_run")
    )
    ctx.charge(
        "rds.postgres_instance_hour",
        f"{instance_class} restored {runs:.2f} times a month for {hours:g} h",
        runs * hours,
        size=str(instance_class),
        uses=("restore_test_extra_hours_per_run",),
    )


def _runs_per_month(schedule: str) -> float:
    """Runs a month of a ``cron(min hour day month weekday year)`` schedule: weekly or daily."""
    fields = schedule.removeprefix("cron(").removesuffix(")").split()
    if len(fields) == 6 and fields[4] not in ("*", "?"):
        return 52 / 12 * len(fields[4].split(","))
    return 365 / 12
