"""Elastic Load Balancing: load balancers with their DNS names, target groups, listeners."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_web_platform.offline.fake_aws.context import (
    PARTITION,
    Fake,
    FakeContext,
    FakeInvoke,
    InvokeContext,
    hex_of,
)

#: Hosted zone of Application Load Balancers per region (for alias records).
_ALB_ZONES = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-west-2": "Z1H1FL5HABSF5",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-central-1": "Z215JYRZR1TBD5",
    "sa-east-1": "Z2P70J7HTTTPLU",
}


def lb(ctx: FakeContext) -> tuple[str, dict[str, Any]]:
    kind = ctx.type.rsplit(":", 1)[1]
    name = ctx.physical_name()
    if kind == "LoadBalancer":
        suffix = f"app/{name}/{hex_of(ctx.seed, 16)}"
        arn = ctx.arn("elasticloadbalancing", f"loadbalancer/{suffix}")
        return arn, {
            "name": name,
            "arn": arn,
            "arnSuffix": suffix,
            "dnsName": f"{name}-{int(hex_of(ctx.seed, 8), 16)}.{ctx.region}.elb.amazonaws.com",
            "zoneId": _ALB_ZONES.get(ctx.region, "Z" + hex_of(ctx.region, 13).upper()),
        }
    if kind == "TargetGroup":
        suffix = f"targetgroup/{name}/{hex_of(ctx.seed, 16)}"
        arn = ctx.arn("elasticloadbalancing", suffix)
        return arn, {"name": name, "arn": arn, "arnSuffix": suffix}
    resource = "listener" if kind == "Listener" else "listener-rule"
    arn = ctx.arn("elasticloadbalancing", f"{resource}/app/{hex_of(ctx.seed, 16)}")
    return arn, {"arn": arn}


#: The resource types this service fakes, each explicitly.
RESOURCES: dict[str, Fake] = {
    "aws:lb/loadBalancer:LoadBalancer": lb,
    "aws:lb/targetGroup:TargetGroup": lb,
    "aws:lb/listener:Listener": lb,
    "aws:lb/listenerRule:ListenerRule": lb,
}


def service_account(_args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """The regional ELB account (the engine uses one for every region)."""
    return {
        "arn": f"arn:{PARTITION}:iam::156460612806:root",
        "id": "156460612806",
        "region": ctx.region,
    }


#: The provider functions this module answers.
INVOKES: dict[str, FakeInvoke] = {
    "aws:elb/getServiceAccount:getServiceAccount": service_account,
}
