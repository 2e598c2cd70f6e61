"""WAF: web ACLs and their logging."""

from __future__ import annotations

from typing import Any

from aws_web_platform.offline.fake_aws.context import (
    Fake,
    FakeContext,
    uuid_of,
)


def wafv2(ctx: FakeContext) -> tuple[str, dict[str, Any]]:
    kind = ctx.type.rsplit(":", 1)[1]
    if kind == "WebAclLoggingConfiguration":
        return str(ctx.get("resourceArn") or ctx.name), {}
    id_ = uuid_of(ctx.seed)
    scope = "global" if ctx.get("scope") == "CLOUDFRONT" else "regional"
    name = ctx.physical_name()
    arn = ctx.arn("wafv2", f"{scope}/{kind.lower()}/{name}/{id_}")
    return id_, {"name": name, "arn": arn, "capacity": 700, "lockToken": uuid_of(ctx.seed + "lock")}


#: The resource types this service fakes, each explicitly.
RESOURCES: dict[str, Fake] = {
    "aws:wafv2/webAcl:WebAcl": wafv2,
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": wafv2,
}
