"""Prices of compute: the EKS cluster, node groups and their volumes, Helm releases' volumes,
Kubernetes load balancers."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from aws_web_platform.offline import Registered
from tools.cost.pricing import PricingContext, handles
from tools.cost.table import NoPriceError


@handles("aws:eks/cluster:Cluster")
def _eks_cluster(ctx: PricingContext) -> None:
    # Priced in standard support: a cluster enters extended support only when its version's
    # standard support ends (then eks.cluster_hour_extended applies).
    ctx.hourly("eks.cluster_hour", f"EKS cluster (Kubernetes {ctx.get('version', '?')})")


@handles("aws:eks/nodeGroup:NodeGroup")
def _node_group(ctx: PricingContext) -> None:
    scaling = ctx.get("scalingConfig", {})
    nodes = int(scaling.get("desiredSize") or scaling.get("minSize") or 0)
    template = _launch_template(ctx)
    types = list(ctx.get("instanceTypes") or [])
    if not types and template is not None and template.get("instanceType"):
        types = [template["instanceType"]]
    if not types:
        raise NoPriceError("node group names no instance type")
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
            raise NoPriceError(f"no price for EBS {volume_type} volumes in tools/prices.json")
        ctx.charge(
            "ebs.gp3_gb_month", f"EBS gp3 root volumes ({size_gb:g} GB per node)", nodes * size_gb
        )


def _launch_template(ctx: PricingContext) -> Registered | None:
    reference = ctx.get("launchTemplate") or {}
    wanted = reference.get("id"), reference.get("name")
    for template in ctx.recording.all_of("aws:ec2/launchTemplate:LaunchTemplate"):
        if template.id in wanted or template.outputs.get("name") in wanted:
            return template
    return None


def _root_volumes(ctx: PricingContext, template: Registered | None) -> list[tuple[str, float]]:
    if template is None:
        return [("gp3", float(ctx.get("diskSize", 20)))]  # EKS's default: a 20 GiB gp3 disk
    volumes = []
    for mapping in template.get("blockDeviceMappings") or []:
        ebs = mapping.get("ebs") or {}
        if ebs.get("volumeSize"):
            volumes.append((str(ebs.get("volumeType") or "gp3"), float(ebs["volumeSize"])))
    return volumes


@handles("kubernetes:helm.sh/v3:Release")
def _helm_release(ctx: PricingContext) -> None:
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
        raise NoPriceError(f"storage quantity {quantity!r} not understood")
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


@handles("kubernetes:core/v1:Service")
def _kubernetes_service(ctx: PricingContext) -> None:
    # A Service of type LoadBalancer makes the controller create a load balancer the plan does
    # not show; other Services are free.
    if (ctx.get("spec") or {}).get("type") == "LoadBalancer":
        raise NoPriceError(
            "a Service of type LoadBalancer creates a load balancer outside the plan"
        )
