"""Monthly cost estimate of an offline plan: what the resources a stack registers would cost.

Pure functions over a :class:`~aws_web_platform.offline.Recording` (``tools.plan.run_stack``)
and the price table ``tools/prices.json`` (us-east-1 on-demand list prices with their sources,
regional factors, usage assumptions and the resource types that are free). Nothing here calls
AWS::

    from tools.plan import run_stack
    from tools.cost import estimate, render, SEED_ANCHOR_USD
    print(render(estimate(run_stack("prod"), region="eu-west-1"), anchor_usd=SEED_ANCHOR_USD))

Why it is built this way:

* Sizes come from the registered inputs (node groups' desired size and instance types, RDS
  class/Multi-AZ/storage, cache node type and node count ...), so the estimate follows the
  configuration instead of restating it.
* Usage-based charges (CloudFront traffic, S3 bytes, log volume ...) cannot be read from a plan;
  they come from named assumptions in the table, shown in the rendering and overridable.
* A resource type is either priced here, declared free in the table, or reported *unpriced*: a
  new kind of resource can never vanish from the estimate silently.
* A month is 730 hours (24 x 365 / 12), AWS's own convention.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aws_web_platform.database.tuning import INSTANCE_CLASSES
from aws_web_platform.offline import Recording, Registered

PRICES_PATH = Path(__file__).with_name("prices.json")
HOURS_PER_MONTH = 730
"""Hours in a billing month, as AWS's pricing calculator counts them (24 x 365 / 12)."""
SEED_ANCHOR_USD = 2125.0
"""The seed's cost anchor for production (docs/requirements.md): about $2,125 a month."""
DEFAULT_USAGE_PROFILE = "default"


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineItem:
    """One charge of one resource: ``quantity`` x ``unit_usd`` a month."""

    urn: str
    type: str
    name: str
    component: str
    """The child of the stack's top-level component the resource belongs to (``network``)."""
    region: str
    priced: str
    """What was priced, e.g. ``m7g.xlarge on-demand instance-hours``."""
    quantity: float
    unit: str
    unit_usd: float
    """Price per unit in this resource's region (list price x region factor where regional)."""
    monthly_usd: float
    price_key: str
    assumptions: tuple[str, ...] = ()
    """Usage assumptions (keys of the usage profile) the quantity rests on."""


@dataclass(frozen=True)
class Unpriced:
    """A resource that costs money (or may) but has no price in the table: not in the total."""

    urn: str
    type: str
    name: str
    component: str
    reason: str


@dataclass(frozen=True)
class Assumption:
    """A usage assumption an estimate used."""

    key: str
    value: Any
    unit: str
    why: str


@dataclass(frozen=True)
class CostEstimate:
    """Line items, unpriced resources and the assumptions behind them, for one stack."""

    stack: str
    region: str
    region_factor: float
    hours_per_month: int
    prices_read_on: str
    usage_profile: str
    line_items: tuple[LineItem, ...]
    unpriced: tuple[Unpriced, ...]
    assumptions: tuple[Assumption, ...]
    prices: Mapping[str, Any] = field(repr=False, compare=False)
    """The table the estimate used (render prices the seed's anchor with it)."""

    @property
    def total_usd(self) -> float:
        return sum(item.monthly_usd for item in self.line_items)

    def by_component(self) -> dict[str, float]:
        """Monthly USD per component, largest first."""
        totals: dict[str, float] = {}
        for item in self.line_items:
            totals[item.component] = totals.get(item.component, 0.0) + item.monthly_usd
        return dict(sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])))


# --------------------------------------------------------------------------------------------
# The price table
# --------------------------------------------------------------------------------------------


def load_prices(path: Path = PRICES_PATH) -> dict[str, Any]:
    """The price table (a fresh copy: callers may change figures freely)."""
    return json.loads(path.read_text())


class _NoPriceError(LookupError):
    """The table has no figure for this charge; the resource is reported unpriced."""


class _Table:
    """Look-ups in the price table, with the region factor applied where a price is regional."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.prices: Mapping[str, Any] = data["prices"]
        self.factors: Mapping[str, float] = data["region_factors"]["factors"]

    def entry(self, key: str) -> Mapping[str, Any]:
        if key not in self.prices:
            raise _NoPriceError(f"no entry {key!r} in tools/prices.json")
        return self.prices[key]

    def base_usd(self, key: str, size: str | None = None) -> float:
        entry = self.entry(key)
        if size is None:
            return float(entry["usd"])
        sizes = entry.get("by_size", {})
        if size not in sizes:
            raise _NoPriceError(f"no {key} price for {size!r} in tools/prices.json")
        return float(sizes[size])

    def factor(self, key: str, region: str) -> float:
        if not self.entry(key).get("regional", True):
            return 1.0
        if region not in self.factors:
            raise _NoPriceError(f"no region factor for {region} in tools/prices.json")
        return float(self.factors[region])

    def is_free(self, type_: str) -> bool:
        return any(fnmatch.fnmatchcase(type_, p) for p in self.data["free_types"]["patterns"])


class _Usage:
    """The usage profile of a run; remembers which assumptions the estimate relied on."""

    def __init__(self, data: Mapping[str, Any], profile: str, overrides: Mapping[str, Any]):
        profiles = data["usage"]
        merged: dict[str, dict[str, Any]] = copy.deepcopy(dict(profiles[DEFAULT_USAGE_PROFILE]))
        if profile != DEFAULT_USAGE_PROFILE:
            merged.update(copy.deepcopy(dict(profiles[profile])))
        for key, value in overrides.items():
            if key not in merged:
                known = ", ".join(sorted(merged))
                raise ValueError(f"unknown usage assumption {key!r}; known: {known}")
            merged[key] = {**merged[key], "value": value, "why": "overridden by the caller"}
        self.entries = merged
        self.used: dict[str, None] = {}

    def __call__(self, key: str) -> Any:
        self.used[key] = None
        return self.entries[key]["value"]

    def by_name(self, key: str, name: str) -> float:
        """The figure of a by-name map whose key ``name`` contains (longest key wins)."""
        table: Mapping[str, float] = self(key)
        matches = [k for k in table if k != "*" and k in name]
        chosen = max(matches, key=len) if matches else "*"
        return float(table.get(chosen, 0.0))

    def assumptions(self) -> tuple[Assumption, ...]:
        return tuple(
            Assumption(
                key, self.entries[key]["value"], self.entries[key]["unit"], self.entries[key]["why"]
            )
            for key in self.used
        )


# --------------------------------------------------------------------------------------------
# Estimating
# --------------------------------------------------------------------------------------------


def estimate(
    recording: Recording,
    *,
    region: str,
    prices: Mapping[str, Any] | None = None,
    usage: str | Mapping[str, Any] | None = None,
) -> CostEstimate:
    """The monthly cost of what ``recording`` registered.

    ``region`` is the stack's region (``aws:region``): resources whose provider names another
    region are priced there. ``prices`` defaults to ``tools/prices.json``. ``usage`` picks the
    usage profile: by default the profile named after the stack if the table has one, else
    ``default`` (production figures); a mapping overrides single assumptions of that profile,
    e.g. ``{"cloudfront_gb_per_month": 51200}``.
    """
    if recording.error is not None:
        raise ValueError(f"the program failed, nothing to price: {recording.error}")
    data = load_prices() if prices is None else prices
    table = _Table(data)
    if region not in table.factors:
        known = ", ".join(sorted(table.factors))
        raise ValueError(f"no region factor for {region}; tools/prices.json knows: {known}")
    stack = _stack_name(recording)
    profiles = data["usage"]
    if isinstance(usage, str):
        if usage not in profiles:
            raise ValueError(f"no usage profile {usage!r} in tools/prices.json")
        profile, overrides = usage, {}
    else:
        profile = stack if stack in profiles else DEFAULT_USAGE_PROFILE
        overrides = dict(usage or {})
    use = _Usage(data, profile, overrides)
    hours = int(data.get("hours_per_month", HOURS_PER_MONTH))

    items: list[LineItem] = []
    unpriced: list[Unpriced] = []
    for resource in recording.resources:
        handler = _HANDLERS.get(resource.type)
        if handler is None and (not resource.custom or resource.is_provider):
            continue  # components and providers have no cost of their own
        component = component_of(recording, resource)
        if handler is None:
            if not table.is_free(resource.type):
                unpriced.append(
                    Unpriced(
                        resource.urn,
                        resource.type,
                        resource.name,
                        component,
                        "no price for this resource type in tools/prices.json and not "
                        "declared free there",
                    )
                )
            continue
        ctx = _Ctx(
            recording,
            resource,
            table,
            use,
            _region_of(recording, resource, region),
            component,
            hours,
        )
        try:
            handler(ctx)
        except _NoPriceError as missing:
            unpriced.append(
                Unpriced(resource.urn, resource.type, resource.name, component, str(missing))
            )
            continue
        items.extend(ctx.items)
        unpriced.extend(
            Unpriced(resource.urn, resource.type, resource.name, component, reason)
            for reason in ctx.notes
        )
    return CostEstimate(
        stack=stack,
        region=region,
        region_factor=float(table.factors[region]),
        hours_per_month=hours,
        prices_read_on=str(data.get("read_on", "")),
        usage_profile=profile,
        line_items=tuple(items),
        unpriced=tuple(unpriced),
        assumptions=use.assumptions(),
        prices=data,
    )


def pricing_of(type_: str, prices: Mapping[str, Any] | None = None) -> str | None:
    """How the estimate accounts for a resource type: ``"priced"`` (a price handler here), the
    reason the table declares it free, or None (it would be reported unpriced)."""
    if type_ in _HANDLERS:
        return "priced"
    data = load_prices() if prices is None else prices
    patterns: Mapping[str, str] = data["free_types"]["patterns"]
    return next((why for p, why in patterns.items() if fnmatch.fnmatchcase(type_, p)), None)


def component_of(recording: Recording, resource: Registered) -> str:
    """The child of the stack's top-level component that ``resource`` belongs to.

    ``platform`` is the top-level component of these stacks; its children (``platform-network``,
    ``platform-database`` ...) are reported without the parent's prefix (``network``). A
    resource directly under the top-level component belongs to it; one directly under the stack
    to ``stack``.
    """
    chain = [resource]
    while chain[-1].parent is not None:
        chain.append(recording.by_urn(chain[-1].parent))
    below_stack = chain[:-1][::-1]  # top-level component first, the resource last
    if len(below_stack) <= 1:
        return "stack"
    top = below_stack[0]
    child = below_stack[1]
    if child is resource and len(below_stack) == 2:
        return top.name
    return child.name.removeprefix(f"{top.name}-")


def _stack_name(recording: Recording) -> str:
    for resource in recording.resources:
        if resource.type == "pulumi:pulumi:Stack":
            return resource.urn.split(":", 3)[2].split("::", 1)[0]
    return ""


def _region_of(recording: Recording, resource: Registered, default: str) -> str:
    provider = recording.provider_of(resource) if resource.provider else None
    if provider is not None and provider.type == "pulumi:providers:aws":
        return str(provider.inputs.get("region") or default)
    return default


@dataclass
class _Ctx:
    """What a handler needs to price one resource, and what it priced."""

    recording: Recording
    resource: Registered
    table: _Table
    usage: _Usage
    region: str
    component: str
    hours: int
    items: list[LineItem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Parts of the resource that cost money but have no price: reported unpriced."""

    def charge(
        self,
        key: str,
        priced: str,
        quantity: float,
        *,
        size: str | None = None,
        multiplier: float = 1.0,
        uses: tuple[str, ...] = (),
        unit_usd: float | None = None,
        region: str | None = None,
    ) -> None:
        """``quantity`` (in the price entry's unit) at the entry's price, in this resource's
        region unless ``region`` says otherwise; ``uses`` names the usage assumptions behind the
        quantity."""
        region = region or self.region
        unit = str(self.table.entry(key)["unit"])
        base = self.table.base_usd(key, size) if unit_usd is None else unit_usd
        price = base * multiplier * self.table.factor(key, region)
        self.items.append(
            LineItem(
                urn=self.resource.urn,
                type=self.resource.type,
                name=self.resource.name,
                component=self.component,
                region=region,
                priced=priced,
                quantity=float(quantity),
                unit=unit,
                unit_usd=price,
                monthly_usd=float(quantity) * price,
                price_key=key,
                assumptions=uses,
            )
        )

    def hourly(self, key: str, priced: str, count: float = 1, **kwargs: Any) -> None:
        """``count`` of something billed by the hour, all month."""
        self.charge(key, priced, count * self.hours, **kwargs)

    def get(self, key: str, default: Any = None) -> Any:
        value = self.resource.inputs.get(key)
        return default if value is None else value


Handler = Callable[[_Ctx], None]
_HANDLERS: dict[str, Handler] = {}


def _prices(*types: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for type_ in types:
            _HANDLERS[type_] = handler
        return handler

    return register


# -- compute ----------------------------------------------------------------------------------


@_prices("aws:eks/cluster:Cluster")
def _eks_cluster(ctx: _Ctx) -> None:
    # Priced in standard support: a cluster enters extended support only when its version's
    # standard support ends (then eks.cluster_hour_extended applies).
    ctx.hourly("eks.cluster_hour", f"EKS cluster (Kubernetes {ctx.get('version', '?')})")


@_prices("aws:eks/nodeGroup:NodeGroup")
def _node_group(ctx: _Ctx) -> None:
    scaling = ctx.get("scalingConfig", {})
    nodes = int(scaling.get("desiredSize") or scaling.get("minSize") or 0)
    template = _launch_template(ctx)
    types = list(ctx.get("instanceTypes") or [])
    if not types and template is not None and template.get("instanceType"):
        types = [template["instanceType"]]
    if not types:
        raise _NoPriceError("node group names no instance type")
    # The first type is the one the group prefers; the others are the same shape (validated).
    instance_type = str(types[0])
    if ctx.get("capacityType") == "SPOT":
        fraction = float(ctx.usage("spot_price_fraction"))
        ctx.hourly(
            "ec2.instance_hour",
            f"{instance_type} spot instance-hours (desired size)",
            nodes,
            size=instance_type,
            multiplier=fraction,
            uses=("spot_price_fraction",),
        )
    else:
        ctx.hourly(
            "ec2.instance_hour",
            f"{instance_type} on-demand instance-hours (desired size)",
            nodes,
            size=instance_type,
        )
    volumes = _root_volumes(ctx, template)
    for volume_type, size_gb in volumes:
        if volume_type != "gp3":
            raise _NoPriceError(f"no price for EBS {volume_type} volumes in tools/prices.json")
        ctx.charge(
            "ebs.gp3_gb_month", f"EBS gp3 root volumes ({size_gb:g} GB per node)", nodes * size_gb
        )


def _launch_template(ctx: _Ctx) -> Registered | None:
    reference = ctx.get("launchTemplate") or {}
    wanted = reference.get("id"), reference.get("name")
    for template in ctx.recording.all_of("aws:ec2/launchTemplate:LaunchTemplate"):
        if template.id in wanted or template.outputs.get("name") in wanted:
            return template
    return None


def _root_volumes(ctx: _Ctx, template: Registered | None) -> list[tuple[str, float]]:
    if template is None:
        return [("gp3", float(ctx.get("diskSize", 20)))]  # EKS's default: a 20 GiB gp3 disk
    volumes = []
    for mapping in template.get("blockDeviceMappings") or []:
        ebs = mapping.get("ebs") or {}
        if ebs.get("volumeSize"):
            volumes.append((str(ebs.get("volumeType") or "gp3"), float(ebs["volumeSize"])))
    return volumes


@_prices("kubernetes:helm.sh/v3:Release")
def _helm_release(ctx: _Ctx) -> None:
    """Persistent volumes a chart claims become EBS volumes (the StorageClass is gp3)."""
    for size_gb, where in _claimed_volumes(ctx.get("values") or {}):
        ctx.charge("ebs.gp3_gb_month", f"EBS gp3 volume claimed by {where}", size_gb)


def _claimed_volumes(values: Mapping[str, Any], path: str = "") -> Iterator[tuple[float, str]]:
    for key, value in values.items():
        here = f"{path}.{key}" if path else key
        if not isinstance(value, Mapping):
            continue
        if key == "volumeClaimTemplate":
            size = ((value.get("spec") or {}).get("resources") or {}).get("requests", {})
            if size.get("storage"):
                yield _gigabytes(str(size["storage"])), here
        elif key == "persistence" and value.get("enabled") and value.get("size"):
            yield _gigabytes(str(value["size"])), here
        else:
            yield from _claimed_volumes(value, here)


def _gigabytes(quantity: str) -> float:
    """A Kubernetes storage quantity (``100Gi``, ``1Ti``, ``500M``) in GB as AWS bills them."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([KMGT]i?)?", quantity.strip())
    if not match:
        raise _NoPriceError(f"storage quantity {quantity!r} not understood")
    number, suffix = float(match.group(1)), match.group(2) or ""
    scale = {
        "": 1e-9,
        "K": 1e-6,
        "M": 1e-3,
        "G": 1.0,
        "T": 1e3,
        "Ki": 2**10 / 2**30,
        "Mi": 2**20 / 2**30,
        "Gi": 1.0,
        "Ti": 1024.0,
    }
    return number * scale[suffix]


@_prices("kubernetes:core/v1:Service")
def _kubernetes_service(ctx: _Ctx) -> None:
    # A Service of type LoadBalancer makes the controller create a load balancer the plan does
    # not show; other Services are free.
    if (ctx.get("spec") or {}).get("type") == "LoadBalancer":
        raise _NoPriceError(
            "a Service of type LoadBalancer creates a load balancer outside the plan"
        )


# -- network ----------------------------------------------------------------------------------


@_prices("aws:ec2/natGateway:NatGateway")
def _nat_gateway(ctx: _Ctx) -> None:
    ctx.hourly("vpc.nat_gateway_hour", "NAT gateway-hours")
    gateways = len(ctx.recording.all_of(ctx.resource.type))
    share = float(ctx.usage("nat_processed_gb_per_month")) / max(gateways, 1)
    ctx.charge(
        "vpc.nat_gateway_gb",
        f"data processed (1/{gateways} of the stack's)",
        share,
        uses=("nat_processed_gb_per_month",),
    )


@_prices("aws:ec2/eip:Eip")
def _elastic_ip(ctx: _Ctx) -> None:
    ctx.hourly("vpc.public_ipv4_hour", "public IPv4 address-hours")


@_prices("aws:ec2/vpcEndpoint:VpcEndpoint")
def _vpc_endpoint(ctx: _Ctx) -> None:
    if ctx.get("vpcEndpointType", "Gateway") == "Gateway":
        return  # S3 and DynamoDB gateway endpoints are free
    zones = len(ctx.get("subnetIds") or []) or 1
    ctx.hourly("vpc.interface_endpoint_az_hour", f"interface endpoint in {zones} AZs", zones)
    endpoints = [
        e
        for e in ctx.recording.all_of(ctx.resource.type)
        if e.get("vpcEndpointType", "Gateway") != "Gateway"
    ]
    share = float(ctx.usage("interface_endpoint_gb_per_month")) / max(len(endpoints), 1)
    ctx.charge(
        "vpc.interface_endpoint_gb",
        f"data processed (1/{len(endpoints)} of the stack's)",
        share,
        uses=("interface_endpoint_gb_per_month",),
    )


@_prices("aws:lb/loadBalancer:LoadBalancer")
def _load_balancer(ctx: _Ctx) -> None:
    if ctx.get("loadBalancerType", "application") != "application":
        raise _NoPriceError(f"no price for {ctx.get('loadBalancerType')} load balancers")
    ctx.hourly("elb.alb_hour", "Application Load Balancer-hours")
    # What CloudFront does not serve from cache reaches the ALB; 1 GB processed in an hour is
    # one LCU-hour for instance/IP targets, the dimension that dominates for this traffic.
    origin_gb = float(ctx.usage("cloudfront_gb_per_month")) * (
        1 - float(ctx.usage("cloudfront_cache_hit_ratio"))
    )
    ctx.charge(
        "elb.alb_lcu_hour",
        "LCU-hours (processed bytes: CDN cache misses)",
        origin_gb,
        uses=("cloudfront_gb_per_month", "cloudfront_cache_hit_ratio"),
    )
    if not ctx.get("internal", False):
        zones = len(ctx.get("subnets") or ctx.get("subnetMappings") or []) or 1
        ctx.hourly("vpc.public_ipv4_hour", f"public IPv4 addresses of its {zones} AZ nodes", zones)


@_prices("aws:route53/zone:Zone")
def _hosted_zone(ctx: _Ctx) -> None:
    ctx.charge("route53.hosted_zone_month", "hosted zone", 1)
    queries = float(ctx.usage("route53_queries_millions_per_month"))
    ctx.charge(
        "route53.query_million",
        "standard queries",
        queries,
        uses=("route53_queries_millions_per_month",),
    )


# -- data -------------------------------------------------------------------------------------


def _rds_instances_by_identifier(recording: Recording) -> dict[str, Registered]:
    return {
        str(r.outputs.get("identifier") or r.get("identifier") or r.name): r
        for r in recording.all_of("aws:rds/instance:Instance")
    }


@_prices("aws:rds/instance:Instance")
def _rds_instance(ctx: _Ctx) -> None:
    if ctx.get("engine", "postgres") != "postgres" and not ctx.get("replicateSourceDb"):
        raise _NoPriceError(f"no price for RDS engine {ctx.get('engine')!r}")
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


@_prices("aws:rds/proxy:Proxy")
def _rds_proxy(ctx: _Ctx) -> None:
    name = ctx.resource.outputs.get("name") or ctx.get("name")
    instances = _rds_instances_by_identifier(ctx.recording)
    vcpus = 0
    for target in ctx.recording.all_of("aws:rds/proxyTarget:ProxyTarget"):
        if target.get("dbProxyName") != name:
            continue
        instance = instances.get(str(target.get("dbInstanceIdentifier")))
        if instance is None or str(instance.get("instanceClass")) not in INSTANCE_CLASSES:
            raise _NoPriceError("proxy target's instance class has no vCPU count")
        vcpus += INSTANCE_CLASSES[str(instance.get("instanceClass"))].vcpus
    if vcpus == 0:
        raise _NoPriceError("proxy without a DB instance target in the plan")
    minimum = int(ctx.table.entry("rds.proxy_vcpu_hour").get("minimum_vcpus", 2))
    billed = max(vcpus, minimum)
    ctx.hourly("rds.proxy_vcpu_hour", f"{billed} vCPUs of the target instance", billed)


@_prices("aws:elasticache/replicationGroup:ReplicationGroup")
def _cache(ctx: _Ctx) -> None:
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


@_prices("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
def _bucket(ctx: _Ctx) -> None:
    gb = ctx.usage.by_name("s3_gb_by_bucket", ctx.resource.name)
    ctx.charge("s3.standard_gb_month", "S3 Standard storage", gb, uses=("s3_gb_by_bucket",))


@_prices("aws:ecr/repository:Repository")
def _ecr_repository(ctx: _Ctx) -> None:
    gb = float(ctx.usage("ecr_gb_per_repository"))
    ctx.charge("ecr.storage_gb_month", "image storage", gb, uses=("ecr_gb_per_repository",))


@_prices("aws:backup/vault:Vault")
def _backup_vault(ctx: _Ctx) -> None:
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


@_prices("aws:backup/plan:Plan")
def _backup_plan(ctx: _Ctx) -> None:
    copies = any(rule.get("copyActions") for rule in ctx.get("rules") or [])
    if copies:
        gb = float(ctx.usage("backup_copy_transfer_gb_per_month"))
        ctx.charge(
            "backup.cross_region_transfer_gb",
            "copies to the other region",
            gb,
            uses=("backup_copy_transfer_gb_per_month",),
        )


@_prices("aws:backup/restoreTestingSelection:RestoreTestingSelection")
def _restore_testing(ctx: _Ctx) -> None:
    overrides = ctx.get("restoreMetadataOverrides") or {}
    instance_class = overrides.get("dbInstanceClass")
    if ctx.get("protectedResourceType") != "RDS" or not instance_class:
        raise _NoPriceError("restore test of a resource type other than an RDS instance")
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


# -- security ---------------------------------------------------------------------------------


@_prices("aws:kms/key:Key")
def _kms_key(ctx: _Ctx) -> None:
    ctx.charge("kms.key_month", "customer managed key (first year: no rotated versions yet)", 1)


@_prices("aws:secretsmanager/secret:Secret")
def _secret(ctx: _Ctx) -> None:
    copies = 1 + len(ctx.get("replicas") or [])
    ctx.charge("secretsmanager.secret_month", "secret", copies)


@_prices("aws:wafv2/webAcl:WebAcl")
def _web_acl(ctx: _Ctx) -> None:
    ctx.charge("waf.web_acl_month", "web ACL", 1)
    rules = list(ctx.get("rules") or [])
    ctx.charge("waf.rule_month", f"{len(rules)} rules and rule groups", len(rules))
    requests = float(ctx.usage("cloudfront_requests_millions_per_month"))
    ctx.charge(
        "waf.request_million",
        "requests inspected (every viewer request)",
        requests,
        uses=("cloudfront_requests_millions_per_month",),
    )
    paid_groups = {
        "AWSManagedRulesBotControlRuleSet",
        "AWSManagedRulesATPRuleSet",
        "AWSManagedRulesACFPRuleSet",
    }
    for rule in rules:
        group = ((rule.get("statement") or {}).get("managedRuleGroupStatement") or {}).get("name")
        if group in paid_groups:
            ctx.notes.append(f"subscription and request fees of the managed rule group {group}")


# -- edge -------------------------------------------------------------------------------------


@_prices("aws:cloudfront/distribution:Distribution")
def _distribution(ctx: _Ctx) -> None:
    gb = float(ctx.usage("cloudfront_gb_per_month"))
    tiers = ctx.table.entry("cloudfront.data_transfer_out_gb")["tiers"]
    cost = _tiered(gb, tiers)
    ctx.charge(
        "cloudfront.data_transfer_out_gb",
        "data transfer out, US/Europe tiers",
        gb,
        unit_usd=cost / gb if gb else float(tiers[0]["usd"]),
        uses=("cloudfront_gb_per_month",),
    )
    requests = float(ctx.usage("cloudfront_requests_millions_per_month"))
    ctx.charge(
        "cloudfront.https_request_10k",
        "HTTPS requests",
        requests * 100,
        uses=("cloudfront_requests_millions_per_month",),
    )


def _tiered(quantity: float, tiers: list[Mapping[str, Any]]) -> float:
    """The cost of ``quantity`` under cumulative tiers (``up_to_gb`` None: no upper bound)."""
    cost, below = 0.0, 0.0
    for tier in tiers:
        ceiling = tier["up_to_gb"]
        in_tier = quantity - below if ceiling is None else min(quantity, ceiling) - below
        if in_tier <= 0:
            break
        cost += in_tier * float(tier["usd"])
        below = below + in_tier
    return cost


@_prices("aws:cloudfront/function:Function")
def _cloudfront_function(ctx: _Ctx) -> None:
    invocations = float(ctx.usage("cloudfront_requests_millions_per_month")) * float(
        ctx.usage("cloudfront_function_share_of_requests")
    )
    ctx.charge(
        "cloudfront.function_invocation_million",
        "function invocations",
        invocations,
        uses=(
            "cloudfront_requests_millions_per_month",
            "cloudfront_function_share_of_requests",
        ),
    )


@_prices("aws:cloudfront/monitoringSubscription:MonitoringSubscription")
def _cloudfront_metrics(ctx: _Ctx) -> None:
    config = (ctx.get("monitoringSubscription") or {}).get("realtimeMetricsSubscriptionConfig")
    if (config or {}).get("realtimeMetricsSubscriptionStatus") == "Enabled":
        # The 8 additional distribution metrics are billed as custom metrics, in us-east-1
        # where CloudFront publishes its metrics.
        ctx.charge(
            "cloudwatch.custom_metric_month",
            "8 additional CloudFront metrics",
            8,
            region="us-east-1",
        )


# -- operations -------------------------------------------------------------------------------


@_prices("aws:cloudwatch/logGroup:LogGroup")
def _log_group(ctx: _Ctx) -> None:
    name = str(ctx.get("name") or ctx.get("namePrefix") or ctx.resource.name)
    ingested = ctx.usage.by_name("log_ingestion_gb_by_group", name) * float(
        ctx.usage("log_ingestion_scale")
    )
    ctx.charge(
        "logs.ingest_gb",
        "log ingestion",
        ingested,
        uses=("log_ingestion_gb_by_group", "log_ingestion_scale"),
    )
    retention_days = float(ctx.get("retentionInDays") or 0) or 365.0  # never expire: a year
    stored = (
        ingested * retention_days / (365 / 12) * float(ctx.usage("log_storage_compression_ratio"))
    )
    ctx.charge(
        "logs.storage_gb_month",
        f"stored logs ({retention_days:g} days kept)",
        stored,
        uses=("log_storage_compression_ratio",),
    )


@_prices("aws:cloudwatch/metricAlarm:MetricAlarm")
def _metric_alarm(ctx: _Ctx) -> None:
    queries = list(ctx.get("metricQueries") or [])
    if queries:
        metrics = [q for q in queries if q.get("metric")]
        periods = [float((q.get("metric") or {}).get("period") or 60) for q in metrics]
        count = len(metrics)
        kind = "metric-math alarm"
        if ctx.get("thresholdMetricId"):
            count *= 3  # an anomaly band is billed as 3 metrics: the metric and both bounds
            kind = "anomaly-detection alarm"
    else:
        count, periods, kind = 1, [float(ctx.get("period") or 60)], "alarm"
    high_resolution = any(p < 60 for p in periods)
    key = (
        "cloudwatch.high_resolution_alarm_metric_month"
        if high_resolution
        else "cloudwatch.alarm_metric_month"
    )
    ctx.charge(key, f"{kind}, {count} metric(s)", count)


@_prices("aws:cloudwatch/compositeAlarm:CompositeAlarm")
def _composite_alarm(ctx: _Ctx) -> None:
    ctx.charge("cloudwatch.composite_alarm_month", "composite alarm", 1)


@_prices("aws:cloudwatch/dashboard:Dashboard")
def _dashboard(ctx: _Ctx) -> None:
    ctx.charge("cloudwatch.dashboard_month", "dashboard", 1)


@_prices("aws:sns/topic:Topic")
def _topic(ctx: _Ctx) -> None:
    publishes = float(ctx.usage("sns_publishes_per_topic_per_month"))
    ctx.charge(
        "sns.publish_million",
        "publishes",
        publishes / 1e6,
        uses=("sns_publishes_per_topic_per_month",),
    )


@_prices("aws:sns/topicSubscription:TopicSubscription")
def _subscription(ctx: _Ctx) -> None:
    if ctx.get("protocol") == "email":
        publishes = float(ctx.usage("sns_publishes_per_topic_per_month"))
        ctx.charge(
            "sns.email_100k",
            "e-mail notifications",
            publishes / 1e5,
            uses=("sns_publishes_per_topic_per_month",),
        )


@_prices("aws:budgets/budget:Budget")
def _budget(ctx: _Ctx) -> None:
    entry = ctx.table.entry("budgets.budget_day")
    budgets = ctx.recording.all_of(ctx.resource.type)
    position = budgets.index(ctx.resource)
    free = position < int(entry.get("free_per_account", 0))
    ctx.charge(
        "budgets.budget_day",
        "budget (one of the account's two free ones)" if free else "budget",
        0 if free else 365 / 12,
    )


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


def render(estimate: CostEstimate, *, anchor_usd: float | None, details: bool = True) -> str:
    """The estimate as text: per component (charges grouped), total, assumptions, unpriced
    resources and, with ``anchor_usd``, the comparison with the seed's anchor.

    ``details=False`` is the offline plan's summary: per component and total, the unpriced
    resources, and the anchor's headline, dominant items and why (not every charge and
    assumption, which ``--cost-details`` prints)."""
    factor_note = (
        f"us-east-1 list prices x {estimate.region_factor:.2f} for regional services"
        if estimate.region_factor != 1
        else "us-east-1 list prices"
    )
    lines = [
        f"Monthly cost estimate of stack '{estimate.stack}' in {estimate.region}: "
        f"{usd(estimate.total_usd)}",
        f"({factor_note}; on-demand; {estimate.hours_per_month} hours a month; prices read "
        f"{estimate.prices_read_on}; usage profile '{estimate.usage_profile}')",
        "",
    ]
    totals = estimate.by_component()
    width = max((len(c) for c in totals), default=10)
    total = estimate.total_usd or 1.0
    for component, amount in totals.items():
        lines.append(f"{component:<{width}}  {usd(amount):>12}  {amount / total:6.1%}")
        if details:
            for row in _grouped(i for i in estimate.line_items if i.component == component):
                lines.append(f"{'':<{width}}    {row}")
    lines += [f"{'total':<{width}}  {usd(estimate.total_usd):>12}", ""]

    if details:
        lines.append("Usage assumptions (override: estimate(..., usage={key: value})):")
        for assumption in estimate.assumptions:
            lines.append(f"  {assumption.key} = {_value(assumption.value)} {assumption.unit}")
            lines.append(f"      {assumption.why}")
    else:
        lines.append(
            f"{len(estimate.assumptions)} usage assumptions (CloudFront traffic, S3 and log "
            "volumes...): --cost-details lists them with every charge; docs/cost.md explains."
        )
    lines.append("")
    if estimate.unpriced:
        lines.append(f"Unpriced ({len(estimate.unpriced)}; NOT in the total):")
        for item in estimate.unpriced:
            lines.append(f"  {item.type}  {item.name} ({item.component}): {item.reason}")
    else:
        lines.append("Unpriced: none (every resource is priced or free).")
    if anchor_usd is not None:
        comparison = _anchor_comparison(estimate, anchor_usd)
        if not details:  # the headline, dominant items and why; not the item-by-item table
            why = comparison.index("Why:") if "Why:" in comparison else len(comparison)
            comparison = comparison[: comparison.index("")] + comparison[why:]
        lines += ["", *comparison]
    return "\n".join(lines)


def _grouped(items: Iterator[LineItem]) -> list[str]:
    """Charges of a component summed by what was priced (71 alarms become one row)."""
    groups: dict[tuple[str, str, float], list[LineItem]] = {}
    for item in items:
        groups.setdefault((item.priced, item.unit, round(item.unit_usd, 8)), []).append(item)
    rows = []
    ordered = sorted(groups.items(), key=lambda kv: -sum(i.monthly_usd for i in kv[1]))
    for (priced, unit, unit_usd), members in ordered:
        quantity = sum(i.quantity for i in members)
        amount = sum(i.monthly_usd for i in members)
        count = f"{len(members)} x " if len(members) > 1 else ""
        rows.append(
            f"{usd(amount):>11}  {count}{priced}: {quantity:,.2f} {unit} x ${unit_usd:,.6g}"
        )
    return rows


def anchor_breakdown(prices: Mapping[str, Any]) -> list[tuple[str, float]]:
    """The seed anchor's own bill of materials priced with this table, in us-east-1."""
    table = _Table(prices)
    rows = []
    for item in prices["anchor"]["items"]:
        key = item["price"]
        entry = table.entry(key)
        if "tiers" in entry:
            amount = _tiered(float(item["count"]), entry["tiers"])
        else:
            unit = table.base_usd(key, item.get("size"))
            per = HOURS_PER_MONTH if item["per"] == "hour" else 1
            amount = unit * float(item["count"]) * per
        rows.append((str(item["what"]), amount))
    return rows


def _anchor_comparison(estimate: CostEstimate, anchor_usd: float) -> list[str]:
    """The estimate against the seed's anchor: by how much, which items dominate, and where the
    difference comes from, item by item of the anchor's own bill of materials."""
    total = estimate.total_usd
    difference = total - anchor_usd
    ratio = total / anchor_usd if anchor_usd else float("inf")
    lines = [
        f"Compared with the seed's anchor ({usd(anchor_usd)}/month): {usd(total)} is "
        f"{'+' if difference >= 0 else '-'}{usd(abs(difference))} ({ratio:.1f}x the anchor).",
        "Dominant line items:",
    ]
    by_charge: dict[str, float] = {}
    for item in estimate.line_items:
        label = f"{item.priced} [{item.component}]"
        by_charge[label] = by_charge.get(label, 0.0) + item.monthly_usd
    top = sorted(by_charge.items(), key=lambda kv: -kv[1])[:6]
    for label, amount in top:
        lines.append(f"  {usd(amount):>11}  {amount / (total or 1):6.1%}  {label}")
    covered = sum(amount for _, amount in top) / (total or 1)
    lines.append(f"  together {covered:.0%} of the total.")

    anchor_items = estimate.prices["anchor"]["items"]
    breakdown = anchor_breakdown(estimate.prices)
    at_list = sum(amount for _, amount in breakdown)
    lines += [
        "",
        "Where the difference comes from (this plan vs the anchor's items at us-east-1 "
        "list prices):",
    ]
    shared_keys: dict[str, float] = {}
    for item, (_, amount) in zip(anchor_items, breakdown, strict=True):
        shared_keys[item["price"]] = shared_keys.get(item["price"], 0.0) + amount
    for key, anchor_amount in shared_keys.items():
        mine = [i for i in estimate.line_items if i.price_key == key]
        plan_amount = sum(i.monthly_usd for i in mine)
        what = _labels(mine) or "nothing"
        anchor_what = ", ".join(i["what"] for i in anchor_items if i["price"] == key)
        lines.append(
            f"  {usd(plan_amount):>11} vs {usd(anchor_amount):>11}  {key}: {what} "
            f"(anchor: {anchor_what})"
        )
    others = [i for i in estimate.line_items if i.price_key not in shared_keys]
    other_total = sum(i.monthly_usd for i in others)
    other_by_key: dict[str, float] = {}
    for item in others:
        other_by_key[item.price_key] = other_by_key.get(item.price_key, 0.0) + item.monthly_usd
    biggest = ", ".join(
        f"{key} {usd(amount)}"
        for key, amount in sorted(other_by_key.items(), key=lambda kv: -kv[1])[:5]
    )
    lines.append(
        f"  {usd(other_total):>11} vs {usd(0):>11}  charges the anchor does not "
        f"list, largest: {biggest}"
    )
    lines.append("Why:")
    if at_list > anchor_usd:
        biggest_anchor = max(breakdown, key=lambda row: row[1])
        lines.append(
            f"  - The anchor's own items at list price already come to {usd(at_list)}: its "
            f"'{biggest_anchor[0]}' alone is {usd(biggest_anchor[1])}, so the anchor's "
            f"{usd(anchor_usd)} cannot include it at list price (a compute-only figure, or a "
            "committed-use discount)."
        )
    if estimate.region_factor != 1:
        lines.append(
            f"  - {estimate.region} lists regional services at about "
            f"{estimate.region_factor:.2f}x us-east-1."
        )
    shared_plan = total - other_total
    lines.append(
        f"  - The kinds of items the anchor lists cost {usd(shared_plan)} here (the rows above "
        f"say what this plan runs instead of each); charges the anchor does not list add "
        f"{usd(other_total)}."
    )
    return lines


def _labels(items: list[LineItem]) -> str:
    """``2 x db.r6g.xlarge read replica; ...``: what a set of line items priced, largest first."""
    groups: dict[str, list[LineItem]] = {}
    for item in items:
        groups.setdefault(item.priced, []).append(item)
    ordered = sorted(groups.items(), key=lambda kv: -sum(i.monthly_usd for i in kv[1]))
    return "; ".join(
        f"{len(members)} x {label}" if len(members) > 1 else label for label, members in ordered
    )


def usd(amount: float) -> str:
    """Dollars as the estimate prints them: $1,234.56."""
    return f"${amount:,.2f}"


def _value(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {_value(v)}" for k, v in value.items())
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    return f"{value:,}" if isinstance(value, int | float) else str(value)
