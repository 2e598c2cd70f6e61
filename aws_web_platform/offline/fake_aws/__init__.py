"""Fake AWS (and Kubernetes, random, docker) outputs: the offline engine's answers.

One module per service, each listing every resource type it fakes (``RESOURCES``) and every
provider function it answers (``INVOKES``) explicitly; this module joins them into the engine's
catalogue. A type outside the catalogue still gets plausible outputs from its package's family
(so a program of your own with other types runs offline), but the catalogue test holds the
platform's own stacks to explicit entries: a new resource type cannot silently fall through.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_web_platform.offline.fake_aws import (
    account,
    acm,
    backup,
    cloudfront,
    cloudwatch,
    ec2,
    ecr,
    eks,
    elasticache,
    elb,
    iam,
    kms,
    kubernetes,
    local,
    rds,
    route53,
    s3,
    secretsmanager,
    sns,
    wafv2,
)
from aws_web_platform.offline.fake_aws.context import (
    ACCOUNT_ID,
    PARTITION,
    Fake,
    FakeContext,
    FakeInvoke,
    InvokeContext,
    InvokeFailedError,
    UnknownInvokeError,
    generic,
)

_SERVICES = (
    acm,
    backup,
    cloudfront,
    cloudwatch,
    ec2,
    ecr,
    eks,
    elasticache,
    elb,
    iam,
    kms,
    kubernetes,
    local,
    rds,
    route53,
    s3,
    secretsmanager,
    sns,
    wafv2,
)

#: Every resource type the engine fakes explicitly, and how.
RESOURCES: Mapping[str, Fake] = {t: f for s in _SERVICES for t, f in s.RESOURCES.items()}
#: Every provider function the engine answers.
INVOKES: Mapping[str, FakeInvoke] = {
    token: answer
    for module in (account, cloudfront, ec2, ecr, elb, route53)
    for token, answer in module.INVOKES.items()
}

#: Families for types outside the catalogue: the fake of the service's other types.
_FAMILIES: tuple[tuple[str, Fake], ...] = (
    ("pulumi:providers:", local.provider),
    ("aws:ec2/", ec2.ec2),
    ("aws:iam/", iam.iam),
    ("aws:rds/", rds.rds),
    ("aws:elasticache/", elasticache.elasticache),
    ("aws:eks/", eks.eks),
    ("aws:lb/", elb.lb),
    ("aws:cloudfront/", cloudfront.cloudfront),
    ("aws:wafv2/", wafv2.wafv2),
    ("kubernetes:", kubernetes.kubernetes),
)


def outputs_for(ctx: FakeContext) -> tuple[str, dict[str, object]]:
    """The id and outputs of one registration: the catalogue's fake, else its family's."""
    fake = RESOURCES.get(ctx.type)
    if fake is None:
        fake = next((f for prefix, f in _FAMILIES if ctx.type.startswith(prefix)), generic)
    return fake(ctx)


__all__ = [
    "ACCOUNT_ID",
    "INVOKES",
    "PARTITION",
    "RESOURCES",
    "FakeContext",
    "InvokeContext",
    "InvokeFailedError",
    "UnknownInvokeError",
    "outputs_for",
]
