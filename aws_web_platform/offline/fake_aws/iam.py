"""IAM: roles, inline policies, attachments, OIDC providers named as IAM names them."""

from __future__ import annotations

from typing import Any

from aws_web_platform.offline.fake_aws.context import (
    Fake,
    FakeContext,
    hex_of,
)


def iam(ctx: FakeContext) -> tuple[str, dict[str, Any]]:
    kind = ctx.type.rsplit(":", 1)[1]
    name = ctx.physical_name()
    if kind == "Role":
        return name, {
            "name": name,
            "arn": ctx.arn("iam", f"role/{name}", regional=False),
            "uniqueId": "AROA" + hex_of(ctx.seed, 17).upper(),
        }
    if kind == "Policy":
        arn = ctx.arn("iam", f"policy/{name}", regional=False)
        return arn, {"name": name, "arn": arn, "policyId": "ANPA" + hex_of(ctx.seed, 17).upper()}
    if kind == "RolePolicy":
        role = ctx.get("role") or "role"
        return f"{role}:{name}", {"name": name}
    if kind == "InstanceProfile":
        return name, {
            "name": name,
            "arn": ctx.arn("iam", f"instance-profile/{name}", regional=False),
        }
    if kind == "OpenIdConnectProvider":
        # Named after the issuer's host and path, as IAM names it: ARN and id are the same.
        issuer = str(ctx.get("url") or name).removeprefix("https://")
        arn = ctx.arn("iam", f"oidc-provider/{issuer}", regional=False)
        return arn, {"arn": arn, "url": issuer}
    return name, {"name": name, "arn": ctx.arn("iam", f"{kind.lower()}/{name}", regional=False)}


#: The resource types this service fakes, each explicitly.
RESOURCES: dict[str, Fake] = {
    "aws:iam/role:Role": iam,
    "aws:iam/rolePolicy:RolePolicy": iam,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": iam,
    "aws:iam/policy:Policy": iam,
    "aws:iam/instanceProfile:InstanceProfile": iam,
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": iam,
}
