"""The release's images, looked up in ECR before anything changes.

The app images are pushed by the apps' CI into the repositories this program creates; on a new
account nothing has pushed yet, and a rollout of ``<repository>:<release>`` then sits in
ImagePullBackOff until the migration Job times out, halfway through an ``up``. So:

* a stack without ``platform:release`` deploys the platform without app workloads or migration
  Job (:data:`NO_RELEASE`, said in the plan);
* with a release, :func:`release_images` asks ECR for each image the workloads will run
  (``aws.ecr.get_image``, a read that runs in ``pulumi preview`` too) at the start of the
  program, before any resource but the providers is registered, and fails naming every missing
  image and how to push it. The digests it returns pin the workloads to exactly the images that
  were checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

NO_RELEASE = (
    "platform:release is not set: this stack deploys the platform without app workloads or "
    "migration Job. Push the apps' images to the stack's ECR repositories, then set the "
    "release (`pulumi config set platform:release <tag>`) and run `pulumi up` again."
)


class MissingImagesError(Exception):
    """Images of the release that ECR does not hold: nothing was changed."""


@dataclass(frozen=True)
class ReleaseImage:
    """One image the release runs: its repository, tag and the digest ECR holds."""

    repository: str
    tag: str
    digest: str


def release_images(
    repositories: Mapping[str, str],
    release: str,
    *,
    provider: pulumi.ProviderResource,
    registry: str,
) -> dict[str, ReleaseImage]:
    """Each app's image of ``release`` (``repositories``: app -> ECR repository name), looked
    up in ECR; raises :class:`MissingImagesError` naming every one that is not there.

    ``registry`` is the account's registry host (``<account>.dkr.ecr.<region>.amazonaws.com``),
    for the push commands the message gives.
    """
    found: dict[str, ReleaseImage] = {}
    missing: list[str] = []
    for app, repository in sorted(repositories.items()):
        try:
            image = aws.ecr.get_image(
                repository_name=repository,
                image_tag=release,
                opts=pulumi.InvokeOptions(provider=provider),
            )
        except Exception as error:  # noqa: BLE001 (the provider's not-found is a plain Exception)
            missing.append(f"{app}: {registry}/{repository}:{release} ({_reason(error)})")
            continue
        found[app] = ReleaseImage(repository, release, str(image.image_digest))
    if missing:
        lines = "\n  ".join(missing)
        raise MissingImagesError(
            f"platform:release {release!r}: {len(missing)} image(s) are not in ECR, so the "
            f"apps would never start; nothing was changed.\n  {lines}\n"
            "Push each one (the apps' CI does: docker build, then\n"
            f"  aws ecr get-login-password | docker login --username AWS --password-stdin "
            f"{registry}\n"
            f"  docker push {registry}/<repository>:{release}\n"
            "), or unset platform:release to deploy the platform without the apps."
        )
    return found


def _reason(error: Exception) -> str:
    text = str(error)
    if "ImageNotFound" in text:
        return "no such tag"
    if "RepositoryNotFound" in text:
        return "no such repository yet: deploy once without a release"
    return text.splitlines()[0][:200] if text else type(error).__name__
