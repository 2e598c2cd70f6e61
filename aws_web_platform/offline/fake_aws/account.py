"""The account and region a provider works in: region, partition, caller identity, AZs.

A component resolves these once per provider (core/aws_context.py); the offline engine answers
in the provider's own region.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_web_platform.offline.fake_aws.context import PARTITION, FakeInvoke, InvokeContext, hex_of


def region(_args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    return {
        "region": ctx.region,
        "name": ctx.region,
        "id": ctx.region,
        "endpoint": f"ec2.{ctx.region}.amazonaws.com",
        "description": ctx.region,
    }


def caller_identity(_args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    return {
        "accountId": ctx.account,
        "arn": f"arn:{PARTITION}:iam::{ctx.account}:user/ci",
        "userId": "AIDA" + hex_of(ctx.account, 17).upper(),
        "id": ctx.account,
    }


def partition(_args: Mapping[str, Any], _ctx: InvokeContext) -> dict[str, Any]:
    return {
        "partition": PARTITION,
        "dnsSuffix": "amazonaws.com",
        "reverseDnsPrefix": "com.amazonaws",
        "id": PARTITION,
    }


def availability_zones(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    short = f"{ctx.region[:2]}{ctx.region.rsplit('-', 1)[-1]}"
    return {
        "names": [f"{ctx.region}{x}" for x in ctx.zone_letters],
        "zoneIds": [f"{short}-az{ord(x) - 96}" for x in ctx.zone_letters],
        "groupNames": [ctx.region] * len(ctx.zone_letters),
        "id": ctx.region,
        "region": ctx.region,
        "state": args.get("state"),
        "filters": args.get("filters"),
    }


#: The provider functions this module answers.
INVOKES: dict[str, FakeInvoke] = {
    "aws:index/getRegion:getRegion": region,
    "aws:index/getCallerIdentity:getCallerIdentity": caller_identity,
    "aws:index/getPartition:getPartition": partition,
    "aws:index/getAvailabilityZones:getAvailabilityZones": availability_zones,
}
