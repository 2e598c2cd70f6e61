"""What is not in a cloud: generated passwords, image builds and the providers themselves."""

from __future__ import annotations

import hashlib
from typing import Any

from aws_web_platform.offline.fake_aws.context import Fake, FakeContext, hex_of


def random_password(ctx: FakeContext) -> tuple[str, dict[str, Any]]:
    length = int(ctx.get("length") or 32)
    result = (hashlib.sha512(ctx.seed.encode()).hexdigest() * 4)[:length]
    return "none", {"result": result, "bcryptHash": "$2a$10$" + hex_of(ctx.seed, 53)}


def docker_image(ctx: FakeContext) -> tuple[str, dict[str, Any]]:
    image_name = str(ctx.get("imageName") or ctx.name)
    repository = image_name.rsplit(":", 1)[0]
    digest = "sha256:" + hashlib.sha256(ctx.seed.encode()).hexdigest()
    return f"{repository}@{digest}", {
        "imageName": image_name,
        "baseImageName": image_name,
        "repoDigest": f"{repository}@{digest}",
    }


def provider(ctx: FakeContext) -> tuple[str, dict[str, Any]]:
    seed = hex_of(ctx.seed, 32)
    return f"{seed[:8]}-{seed[8:12]}-{seed[12:16]}-{seed[16:20]}-{seed[20:32]}", {}


#: The resource types this service fakes, each explicitly.
RESOURCES: dict[str, Fake] = {
    "random:index/randomPassword:RandomPassword": random_password,
    "docker:index/image:Image": docker_image,
    "pulumi:providers:aws": provider,
    "pulumi:providers:kubernetes": provider,
    "pulumi:providers:random": provider,
    "pulumi:providers:docker": provider,
}
