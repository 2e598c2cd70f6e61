"""EC2 and VPC: ids with their AWS prefixes, ARNs, NAT and endpoint details."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_web_platform.offline.fake_aws.context import (
    PARTITION,
    Fake,
    FakeContext,
    FakeInvoke,
    InvokeContext,
    UnknownInvokeError,
    generic,
    hex_of,
    ip_of,
)

_EC2_ID_PREFIX = {
    "Vpc": "vpc",
    "Subnet": "subnet",
    "RouteTable": "rtb",
    "RouteTableAssociation": "rtbassoc",
    "InternetGateway": "igw",
    "NatGateway": "nat",
    "Eip": "eipalloc",
    "SecurityGroup": "sg",
    "DefaultSecurityGroup": "sg",
    "VpcEndpoint": "vpce",
    "FlowLog": "fl",
    "LaunchTemplate": "lt",
    "Route": "r",
}


def ec2(ctx: FakeContext) -> tuple[str, dict[str, Any]]:
    kind = ctx.type.rsplit(":", 1)[1]
    prefix = _EC2_ID_PREFIX.get(kind, kind.lower())
    id_ = f"{prefix}-{hex_of(ctx.seed, 17)}"
    out: dict[str, Any] = {"arn": ctx.arn("ec2", f"{kind.lower()}/{id_}"), "ownerId": ctx.account}
    if kind == "Vpc":
        out |= {
            "defaultSecurityGroupId": f"sg-{hex_of(ctx.seed + 'sg', 17)}",
            "mainRouteTableId": f"rtb-{hex_of(ctx.seed + 'rtb', 17)}",
            "defaultNetworkAclId": f"acl-{hex_of(ctx.seed + 'acl', 17)}",
        }
    elif kind == "Subnet":
        zone = str(ctx.get("availabilityZone") or f"{ctx.region}a")
        out["availabilityZoneId"] = (
            f"{ctx.region[:2]}{ctx.region.split('-')[-1]}-az{ord(zone[-1]) - 96}"
        )
    elif kind == "Eip":
        out |= {"allocationId": id_, "publicIp": ip_of(ctx.seed, "203.0.113")}
    elif kind == "NatGateway":
        out |= {
            "publicIp": ip_of(ctx.seed, "198.51.100"),
            "privateIp": ip_of(ctx.seed, "10.0.128"),
            "networkInterfaceId": f"eni-{hex_of(ctx.seed, 17)}",
        }
    elif kind == "LaunchTemplate":
        out |= {"latestVersion": 1, "defaultVersion": 1}
    elif kind == "VpcEndpoint":
        service = str(ctx.get("serviceName") or "")
        out |= {
            "networkInterfaceIds": [f"eni-{hex_of(ctx.seed + str(i), 17)}" for i in range(3)],
            "dnsEntries": [
                {
                    "dnsName": f"{id_}.{service.rsplit('.', 1)[-1]}.{ctx.region}"
                    ".vpce.amazonaws.com",
                    "hostedZoneId": "Z" + hex_of(ctx.seed, 13).upper(),
                }
            ],
            "prefixListId": f"pl-{hex_of(ctx.seed, 8)}",
            "state": "available",
        }
    return id_, out


#: The resource types this service fakes, each explicitly.
RESOURCES: dict[str, Fake] = {
    "aws:ec2/vpc:Vpc": ec2,
    "aws:ec2/subnet:Subnet": ec2,
    "aws:ec2/routeTable:RouteTable": ec2,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ec2,
    "aws:ec2/internetGateway:InternetGateway": ec2,
    "aws:ec2/natGateway:NatGateway": ec2,
    "aws:ec2/eip:Eip": ec2,
    "aws:ec2/securityGroup:SecurityGroup": ec2,
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ec2,
    "aws:ec2/vpcEndpoint:VpcEndpoint": ec2,
    "aws:ec2/flowLog:FlowLog": ec2,
    "aws:ec2/launchTemplate:LaunchTemplate": ec2,
    "aws:ec2/route:Route": ec2,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": generic,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": generic,
}


def managed_prefix_list(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """AWS-managed prefix lists, looked up by name (ids differ per region)."""
    name = str(args.get("name") or "")
    if not name.startswith("com.amazonaws."):
        raise UnknownInvokeError(f"no AWS-managed prefix list named {name!r}")
    id_ = f"pl-{hex_of(ctx.region + name, 8)}"
    return {
        "id": id_,
        "name": name,
        "arn": f"arn:{PARTITION}:ec2:{ctx.region}:aws:prefix-list/{id_}",
        "addressFamily": "IPv4",
        "maxEntries": 55 if "cloudfront" in name else 10,
        "ownerId": "AWS",
        "version": 1,
        "entries": [],
        "tags": {},
    }


#: The provider functions this module answers.
INVOKES: dict[str, FakeInvoke] = {
    "aws:ec2/getManagedPrefixList:getManagedPrefixList": managed_prefix_list,
}
