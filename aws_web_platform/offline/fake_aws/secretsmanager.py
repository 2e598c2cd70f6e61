"""Secrets Manager: secret ARNs with AWS's random suffix, versions."""

from __future__ import annotations

from typing import Any

from aws_web_platform.offline.fake_aws.context import (
    Fake,
    FakeContext,
    hex_of,
)


def secret(ctx: FakeContext) -> tuple[str, dict[str, Any]]:
    # Secrets Manager appends 6 random characters to a secret's ARN.
    arn = ctx.arn("secretsmanager", f"secret:{ctx.physical_name()}-{hex_of(ctx.seed, 6)}")
    return arn, {"arn": arn, "name": ctx.physical_name()}


def secret_version(ctx: FakeContext) -> tuple[str, dict[str, Any]]:
    version = f"{hex_of(ctx.seed, 8)}-{hex_of(ctx.seed, 4)}"
    secret_id = ctx.get("secretId") or ""
    return f"{secret_id}|{version}", {"arn": secret_id, "versionId": version}


#: The resource types this service fakes, each explicitly.
RESOURCES: dict[str, Fake] = {
    "aws:secretsmanager/secret:Secret": secret,
    "aws:secretsmanager/secretVersion:SecretVersion": secret_version,
}
