"""KMS: keys with key ids as AWS makes them, aliases."""

from __future__ import annotations

from typing import Any

from aws_web_platform.offline.fake_aws.context import (
    Fake,
    FakeContext,
    hex_of,
)


def kms_key(ctx: FakeContext) -> tuple[str, dict[str, Any]]:
    key_id = f"{hex_of(ctx.seed, 8)}-{hex_of(ctx.seed + '1', 4)}-{hex_of(ctx.seed + '2', 4)}-" + (
        f"{hex_of(ctx.seed + '3', 4)}-{hex_of(ctx.seed + '4', 12)}"
    )
    return key_id, {"keyId": key_id, "arn": ctx.arn("kms", f"key/{key_id}")}


def kms_alias(ctx: FakeContext) -> tuple[str, dict[str, Any]]:
    name = str(ctx.get("name") or f"alias/{ctx.name}")
    return name, {"name": name, "arn": ctx.arn("kms", name)}


#: The resource types this service fakes, each explicitly.
RESOURCES: dict[str, Fake] = {
    "aws:kms/key:Key": kms_key,
    "aws:kms/alias:Alias": kms_alias,
}
