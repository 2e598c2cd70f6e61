"""RDS: instance endpoints, proxies and their target groups."""

from __future__ import annotations

from typing import Any

from aws_web_platform.offline.fake_aws.context import (
    Fake,
    FakeContext,
    hex_of,
)


def rds(ctx: FakeContext) -> tuple[str, dict[str, Any]]:
    kind = ctx.type.rsplit(":", 1)[1]
    if kind == "Instance":
        identifier = str(ctx.get("identifier") or ctx.physical_name())
        address = f"{identifier}.c{hex_of(ctx.account, 11)}.{ctx.region}.rds.amazonaws.com"
        port = ctx.get("port") or 5432
        return identifier, {
            "identifier": identifier,
            "arn": ctx.arn("rds", f"db:{identifier}"),
            "address": address,
            "endpoint": f"{address}:{port}",
            "port": port,
            "resourceId": "db-" + hex_of(ctx.seed, 26).upper(),
            "hostedZoneId": "Z29XKXDKYMONMX",
            "status": "available",
        }
    if kind == "Proxy":
        name = ctx.physical_name()
        return name, {
            "name": name,
            "arn": ctx.arn("rds", f"db-proxy:prx-{hex_of(ctx.seed, 17)}"),
            "endpoint": f"{name}.proxy-c{hex_of(ctx.account, 11)}.{ctx.region}.rds.amazonaws.com",
        }
    if kind == "ProxyDefaultTargetGroup":
        proxy = ctx.get("dbProxyName") or ""
        return str(proxy), {
            "name": "default",
            "arn": ctx.arn("rds", f"target-group:prx-tg-{hex_of(ctx.seed, 17)}"),
        }
    name = ctx.physical_name()
    return name, {"name": name, "arn": ctx.arn("rds", f"{kind.lower()}:{name}")}


#: The resource types this service fakes, each explicitly.
RESOURCES: dict[str, Fake] = {
    "aws:rds/instance:Instance": rds,
    "aws:rds/proxy:Proxy": rds,
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": rds,
    "aws:rds/proxyTarget:ProxyTarget": rds,
    "aws:rds/parameterGroup:ParameterGroup": rds,
    "aws:rds/subnetGroup:SubnetGroup": rds,
}
