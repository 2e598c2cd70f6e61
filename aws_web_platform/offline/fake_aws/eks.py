"""EKS: the cluster's endpoint, CA and OIDC issuer; node groups, add-ons, access."""

from __future__ import annotations

from typing import Any

from aws_web_platform.offline.fake_aws.context import (
    Fake,
    FakeContext,
    hex_of,
)


def eks(ctx: FakeContext) -> tuple[str, dict[str, Any]]:
    kind = ctx.type.rsplit(":", 1)[1]
    cluster = str(ctx.get("clusterName") or "")
    if kind == "Cluster":
        name = ctx.physical_name()
        vpc_config = ctx.get("vpcConfig") or {}
        return name, {
            "name": name,
            "arn": ctx.arn("eks", f"cluster/{name}"),
            "endpoint": (
                f"https://{hex_of(ctx.seed, 32).upper()}.gr7.{ctx.region}.eks.amazonaws.com"
            ),
            "certificateAuthority": {"data": "bW9jay1jbHVzdGVyLWNh"},
            "identities": [
                {
                    "oidcs": [
                        {
                            "issuer": f"https://oidc.eks.{ctx.region}.amazonaws.com/id/"
                            f"{hex_of(ctx.seed + 'oidc', 32).upper()}"
                        }
                    ]
                }
            ],
            "vpcConfig": {
                **vpc_config,
                "clusterSecurityGroupId": f"sg-{hex_of(ctx.seed + 'cluster-sg', 17)}",
                "vpcId": f"vpc-{hex_of(ctx.seed + 'vpc', 17)}",
            },
            "status": "ACTIVE",
            "platformVersion": "eks.1",
        }
    if kind == "NodeGroup":
        prefix = str(ctx.get("nodeGroupNamePrefix") or f"{ctx.name}-")
        group = f"{prefix}{hex_of(ctx.seed, 26)}"
        return f"{cluster}:{group}", {
            "nodeGroupName": group,
            "arn": ctx.arn("eks", f"nodegroup/{cluster}/{group}/{hex_of(ctx.seed, 8)}"),
            "status": "ACTIVE",
            "resources": [{"autoscalingGroups": [{"name": f"eks-{group}"}]}],
        }
    if kind == "Addon":
        addon = str(ctx.get("addonName") or ctx.name)
        return f"{cluster}:{addon}", {"arn": ctx.arn("eks", f"addon/{cluster}/{addon}/x")}
    if kind == "PodIdentityAssociation":
        association = f"a-{hex_of(ctx.seed, 17)}"
        return f"{cluster},{association}", {
            "associationId": association,
            "associationArn": ctx.arn("eks", f"podidentityassociation/{cluster}/{association}"),
        }
    return f"{cluster}#{ctx.name}", {"accessEntryArn": ctx.arn("eks", f"access-entry/{cluster}")}


#: The resource types this service fakes, each explicitly.
RESOURCES: dict[str, Fake] = {
    "aws:eks/cluster:Cluster": eks,
    "aws:eks/nodeGroup:NodeGroup": eks,
    "aws:eks/addon:Addon": eks,
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": eks,
    "aws:eks/accessEntry:AccessEntry": eks,
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": eks,
}
