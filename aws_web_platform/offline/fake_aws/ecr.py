"""ECR: repositories and their URLs, and the images they hold."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from aws_web_platform.offline.fake_aws.context import (
    Fake,
    FakeContext,
    FakeInvoke,
    InvokeContext,
    InvokeFailedError,
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


class ImageNotFoundError(InvokeFailedError):
    """What ECR answers for a tag its repository does not hold (pulumi-aws passes ECR's
    ``ImageNotFoundException`` on as the invoke's failure)."""


def image(args: Mapping[str, Any], ctx: InvokeContext) -> dict[str, Any]:
    """``aws.ecr.get_image``: the image's digest, or ECR's not-found error for a tag the run's
    ``ecr_images`` does not list."""
    repository, tag = str(args["repositoryName"]), str(args.get("imageTag", ""))
    if ctx.ecr_images is not None and repository not in ctx.ecr_images:
        raise ImageNotFoundError(
            f"RepositoryNotFoundException: The repository with name '{repository}' does not "
            f"exist in the registry with id '{ctx.account}'"
        )
    if ctx.ecr_images is not None and tag not in ctx.ecr_images[repository]:
        raise ImageNotFoundError(
            f"ImageNotFoundException: The image with imageId {{imageTag:'{tag}'}} does not "
            f"exist within the repository with name '{repository}' in the registry with id "
            f"'{ctx.account}'"
        )
    digest = "sha256:" + hashlib.sha256(f"{repository}:{tag}".encode()).hexdigest()
    return {
        "repositoryName": repository,
        "registryId": ctx.account,
        "imageTag": tag,
        "imageTags": [tag],
        "imageDigest": digest,
        "imageUri": f"{ctx.account}.dkr.ecr.{ctx.region}.amazonaws.com/{repository}@{digest}",
        "imagePushedAt": 1764806400,
        "imageSizeInBytes": 123456789,
        "id": f"{repository}:{tag}",
    }


#: The provider functions this module answers.
INVOKES: dict[str, FakeInvoke] = {
    "aws:ecr/getAuthorizationToken:getAuthorizationToken": authorization_token,
    "aws:ecr/getImage:getImage": image,
}
