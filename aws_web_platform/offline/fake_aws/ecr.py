"""ECR: repositories and their URLs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_web_platform.offline.fake_aws.context import (
    Fake,
    FakeContext,
    FakeInvoke,
    InvokeContext,
    generic,
)


def ecr_repository(ctx: FakeContext) -> tuple[str, dict[str, Any]]:
    name = str(ctx.get("name") or ctx.physical_name())
    return name, {
        "name": name,
        "arn": ctx.arn("ecr", f"repository/{name}"),
        "registryId": ctx.account,
        "repositoryUrl": f"{ctx.account}.dkr.ecr.{ctx.region}.amazonaws.com/{name}",
    }


#: The resource types this service fakes, each explicitly.
RESOURCES: dict[str, Fake] = {
    "aws:ecr/repository:Repository": ecr_repository,
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": generic,
}


def authorization_token(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    return {
        "authorizationToken": "QVdTOm1vY2stZWNyLXRva2Vu",
        "userName": "AWS",
        "password": "mock-ecr-token",
        "proxyEndpoint": f"https://{ctx.account}.dkr.ecr.{ctx.region}.amazonaws.com",
        "registryId": args.get("registryId", ctx.account),
        "expiresAt": "2030-01-01T00:00:00Z",
        "id": ctx.region,
    }


#: The provider functions this module answers.
INVOKES: dict[str, FakeInvoke] = {
    "aws:ecr/getAuthorizationToken:getAuthorizationToken": authorization_token,
}
