"""The platform's edge: CloudFront, WAF, the ALB and their certificates, once the domain is
delegated (ACM validates through the zone, which answers only after delegation)."""

from __future__ import annotations

import pulumi

from aws_web_platform.dns.zone import DnsZone
from aws_web_platform.edge.edge import Edge, EdgeArgs, EdgeWiring
from aws_web_platform.eks.cluster import Cluster
from aws_web_platform.kms.encryption_key import EncryptionKey
from aws_web_platform.network.network import Network
from aws_web_platform.platform.context import StackContext
from aws_web_platform.storage.bucket import Bucket


def edge(
    ctx: StackContext,
    *,
    net: Network,
    dns: DnsZone,
    eks: Cluster,
    buckets: dict[str, Bucket],
    waf_logs_key: EncryptionKey,
) -> Edge | None:
    """The edge in front of the cluster's pods; none (with a warning saying what to do) while
    ``platform:dns.delegated`` is false."""
    config = ctx.config
    if not config.dns.delegated:
        pulumi.log.warn(
            f"platform:dns.delegated is false: the edge (CloudFront, WAF, ALB, certificates) "
            f"is not deployed. Delegate {config.dns.domain} to the dnsNameServers output, "
            "remove the key and run `pulumi up` again.",
            resource=ctx.parent,
        )
        return None
    return Edge(
        f"{ctx.name}-edge",
        EdgeArgs.from_config(
            config.edge,
            EdgeWiring(
                domain=config.dns.domain,
                zone_id=dns.zone_id,
                vpc_id=net.vpc_id,
                public_subnet_ids=net.public_subnet_ids,
                # Pods use the nodes' (cluster) security group.
                targets_security_group_id=eks.node_security_group_id,
                logs_bucket=buckets["logs"],
                certificates_bucket=buckets["certificates"],
                us_east_1_provider=ctx.us_east_1,
                waf_logs_kms_key_arn=waf_logs_key.arn,
                name_prefix=ctx.slug,
                protect=ctx.protect,
            ),
        ),
        opts=ctx.opts(),
    )
