"""ElastiCache: replication groups with their member clusters and endpoints."""

from __future__ import annotations

from typing import Any

from aws_web_platform.offline.fake_aws.context import (
    Fake,
    FakeContext,
    hex_of,
)


def elasticache(ctx: FakeContext) -> tuple[str, dict[str, Any]]:
    kind = ctx.type.rsplit(":", 1)[1]
    if kind == "ReplicationGroup":
        group_id = str(ctx.get("replicationGroupId") or ctx.physical_name())
        host = f"{group_id}.{hex_of(ctx.seed, 6)}.{ctx.region[:2]}{ctx.region.split('-')[-1]}"
        suffix = f"{ctx.region}.cache.amazonaws.com"
        clustered = ctx.get("clusterMode") == "enabled"
        out: dict[str, Any] = {
            "replicationGroupId": group_id,
            "arn": ctx.arn("elasticache", f"replicationgroup:{group_id}"),
        }
        if clustered:
            shards = int(ctx.get("numNodeGroups") or 1)
            per_shard = 1 + int(ctx.get("replicasPerNodeGroup") or 0)
            out["memberClusters"] = [
                f"{group_id}-{s:04d}-{n:03d}"
                for s in range(1, shards + 1)
                for n in range(1, per_shard + 1)
            ]
        else:
            nodes = int(ctx.get("numCacheClusters") or 1)
            out["memberClusters"] = [f"{group_id}-{n:03d}" for n in range(1, nodes + 1)]
        if clustered:
            out["configurationEndpointAddress"] = f"clustercfg.{host}.{suffix}"
        else:
            out["primaryEndpointAddress"] = f"master.{host}.{suffix}"
            out["readerEndpointAddress"] = f"replica.{host}.{suffix}"
        return group_id, out
    name = ctx.physical_name()
    return name, {"name": name, "arn": ctx.arn("elasticache", f"{kind.lower()}:{name}")}


#: The resource types this service fakes, each explicitly.
RESOURCES: dict[str, Fake] = {
    "aws:elasticache/replicationGroup:ReplicationGroup": elasticache,
    "aws:elasticache/parameterGroup:ParameterGroup": elasticache,
    "aws:elasticache/subnetGroup:SubnetGroup": elasticache,
}
