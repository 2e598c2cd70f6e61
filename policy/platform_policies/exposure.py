"""Nothing reachable that should not be: no public bucket or ACL, no ingress from the whole
internet, IMDSv2 only on the nodes."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    StackValidationArgs,
    StackValidationPolicy,
)

from .common import (
    BUCKET_ACLS,
    BUCKET_OBJECTS,
    BUCKET_PUBLIC_ACCESS_BLOCK,
    BUCKETS,
    EC2_INSTANCE,
    INGRESS_RULE,
    LAUNCH_TEMPLATE,
    SECURITY_GROUP_RULE,
    SECURITY_GROUPS,
    as_number,
    is_true,
    items_of,
    of_types,
    points_to,
    read,
    resource_policy,
)

PUBLIC_ACCESS_FLAGS = (
    "blockPublicAcls",
    "blockPublicPolicy",
    "ignorePublicAcls",
    "restrictPublicBuckets",
)


def _validate_public_access_block(
    args: StackValidationArgs, report_violation: ReportViolation
) -> None:
    blocks = of_types(args.resources, (BUCKET_PUBLIC_ACCESS_BLOCK,))
    for bucket in of_types(args.resources, BUCKETS):
        mine = [b for b in blocks if points_to(b, "bucket", bucket)]
        if not mine:
            report_violation(
                f"bucket {bucket.name} has no public access block: add an "
                "aws.s3.BucketPublicAccessBlock with all four flags true",
                bucket.urn,
            )
            continue
        unset = [
            [flag for flag in PUBLIC_ACCESS_FLAGS if not is_true(read(block.props, flag))]
            for block in mine
        ]
        off = min(unset, key=len)
        if off:
            report_violation(
                f"bucket {bucket.name}'s public access block does not set {', '.join(off)}: "
                "set all four flags true",
                bucket.urn,
            )


S3_PUBLIC_ACCESS_BLOCKED = StackValidationPolicy(
    name="s3-public-access-blocked",
    description="Every S3 bucket has a public access block with all four flags true, so no ACL "
    "or bucket policy written later can make it public. Public content is served through "
    "CloudFront with origin access control, never from the bucket.",
    validate=_validate_public_access_block,
)

PUBLIC_ACLS = ("public-read", "public-read-write", "authenticated-read")
PUBLIC_GROUPS = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)


def _public_acl(args: ResourceValidationArgs) -> Iterator[str]:
    acl = read(args.props, "acl")
    if acl in PUBLIC_ACLS:
        yield f"canned ACL {acl} makes objects readable by anyone: use private (the default)"
    grants = items_of(read(args.props, "grants")) + items_of(
        read(args.props, "accessControlPolicy", "grants")
    )
    for grant in grants:
        uri = read(grant, "uri") or read(grant, "grantee", "uri")
        if uri in PUBLIC_GROUPS:
            yield f"an ACL grant to {uri.rsplit('/', 1)[-1]} makes the bucket public: remove it"


S3_NO_PUBLIC_ACL = resource_policy(
    "s3-no-public-acl",
    "No bucket or object ACL grants access to everyone or to every AWS account (public-read, "
    "public-read-write, authenticated-read, AllUsers/AuthenticatedUsers grants): such ACLs are "
    "the classic way data leaks from S3; access goes through IAM and bucket policies.",
    dict.fromkeys((*BUCKETS, *BUCKET_ACLS, *BUCKET_OBJECTS), _public_acl),
)


def _whole_internet(cidr: Any) -> bool:
    try:
        return ipaddress.ip_network(str(cidr), strict=False).prefixlen == 0
    except ValueError:
        return False


def _ports(rule: Any) -> str:
    low, high = as_number(read(rule, "fromPort")), as_number(read(rule, "toPort"))
    protocol = read(rule, "ipProtocol") or read(rule, "protocol") or "any protocol"
    if low is None:
        return str(protocol)
    return f"{protocol} {low:g}" + ("" if high in (None, low) else f"-{high:g}")


_OPEN_INGRESS_FIX = (
    "admit a managed prefix list (CloudFront's), a security group or a narrower CIDR instead"
)


def _inline_ingress(args: ResourceValidationArgs) -> Iterator[str]:
    for rule in items_of(read(args.props, "ingress")):
        for cidr in items_of(read(rule, "cidrBlocks")) + items_of(read(rule, "ipv6CidrBlocks")):
            if _whole_internet(cidr):
                yield f"ingress from {cidr} on {_ports(rule)}: {_OPEN_INGRESS_FIX}"


def _ingress_rule(args: ResourceValidationArgs) -> Iterator[str]:
    for key in ("cidrIpv4", "cidrIpv6"):
        cidr = read(args.props, key)
        if cidr is not None and _whole_internet(cidr):
            yield f"ingress from {cidr} on {_ports(args.props)}: {_OPEN_INGRESS_FIX}"


def _security_group_rule(args: ResourceValidationArgs) -> Iterator[str]:
    if read(args.props, "type") != "ingress":
        return
    cidrs = items_of(read(args.props, "cidrBlocks")) + items_of(read(args.props, "ipv6CidrBlocks"))
    for cidr in cidrs:
        if _whole_internet(cidr):
            yield f"ingress from {cidr} on {_ports(args.props)}: {_OPEN_INGRESS_FIX}"


NO_INGRESS_FROM_INTERNET = resource_policy(
    "no-ingress-from-internet",
    "No security group admits traffic from 0.0.0.0/0 or ::/0 (inline ingress, "
    "aws.vpc.SecurityGroupIngressRule, aws.ec2.SecurityGroupRule): the only public entry is "
    "CloudFront (with WAF), and the ALB admits CloudFront through its managed prefix list. An "
    "open rule bypasses WAF and exposes whatever listens behind it.",
    {
        **dict.fromkeys(SECURITY_GROUPS, _inline_ingress),
        INGRESS_RULE: _ingress_rule,
        SECURITY_GROUP_RULE: _security_group_rule,
    },
)


def _imdsv2(args: ResourceValidationArgs) -> Iterator[str]:
    options = read(args.props, "metadataOptions")
    if read(options, "httpEndpoint") == "disabled":
        return  # no metadata service at all
    if read(options, "httpTokens") != "required":
        yield (
            'metadataOptions.httpTokens is not "required": require IMDSv2 session tokens '
            '(http_tokens="required")'
        )


IMDSV2_REQUIRED = resource_policy(
    "imdsv2-required",
    "Every launch template and instance requires IMDSv2 (metadataOptions.httpTokens = "
    "required): IMDSv1 answers any request that reaches it, so one SSRF bug in an app hands "
    "out the node role's credentials.",
    {LAUNCH_TEMPLATE: _imdsv2, EC2_INSTANCE: _imdsv2},
)
