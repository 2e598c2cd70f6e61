"""Security-group rules opened by intent methods (``db.allow_from(sg)``, ``cache.allow_from``).

One ingress rule per (target group, source group, port), named after the owner and a stable
label of the source, so adding a client never renames or replaces another client's rule.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from aws_web_platform.core.iam import label_of

SecurityGroupSource = aws.ec2.SecurityGroup | pulumi.Input[str]


def resolve_source(source: SecurityGroupSource, label: str | None) -> tuple[pulumi.Input[str], str]:
    """The source group's id and a stable label (the group's logical name by default)."""
    if isinstance(source, aws.ec2.SecurityGroup):
        return source.id, label or label_of(source)
    if not label:
        raise ValueError("allow_from(<security group id>) needs a label naming the source")
    return source, label


def allow_ingress(
    owner: pulumi.Resource,
    name: str,
    *,
    group: aws.ec2.SecurityGroup,
    source_id: pulumi.Input[str],
    port: int,
    description: str,
) -> aws.vpc.SecurityGroupIngressRule:
    """TCP ``port`` on ``group`` from the security group ``source_id``, and nothing else."""
    return aws.vpc.SecurityGroupIngressRule(
        name,
        security_group_id=group.id,
        referenced_security_group_id=source_id,
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        description=description,
        opts=pulumi.ResourceOptions(parent=owner),
    )
