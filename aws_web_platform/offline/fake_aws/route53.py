"""Route 53: zones with name servers, records."""

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


def route53_zone(ctx: FakeContext) -> tuple[str, dict[str, Any]]:
    zone_id = "Z" + hex_of(ctx.seed, 20).upper()
    return zone_id, {
        "zoneId": zone_id,
        "arn": f"arn:{PARTITION}:route53:::hostedzone/{zone_id}",
        "nameServers": [
            f"ns-{100 + i}.awsdns-{10 + i}.{tld}"
            for i, tld in enumerate(("com", "net", "org", "co.uk"))
        ],
    }


def route53_record(ctx: FakeContext) -> tuple[str, dict[str, Any]]:
    zone = ctx.get("zoneId") or ""
    name = str(ctx.get("name") or "").rstrip(".")
    kind = ctx.get("type") or ""
    return f"{zone}_{name}_{kind}", {"fqdn": name}


#: The resource types this service fakes, each explicitly.
RESOURCES: dict[str, Fake] = {
    "aws:route53/zone:Zone": route53_zone,
    "aws:route53/record:Record": route53_record,
}


def zone(args: Mapping[str, Any], _ctx: InvokeContext) -> dict[str, Any]:
    """An existing public zone, looked up by name."""
    zone_id = "Z" + hex_of(str(args.get("name")), 20).upper()
    return {
        "zoneId": zone_id,
        "id": zone_id,
        "name": args.get("name"),
        "arn": f"arn:{PARTITION}:route53:::hostedzone/{zone_id}",
        "nameServers": ["ns-1.awsdns-01.com"],
        "privateZone": False,
    }


#: The provider functions this module answers.
INVOKES: dict[str, FakeInvoke] = {"aws:route53/getZone:getZone": zone}
