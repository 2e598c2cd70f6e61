"""ImageRepository: an ECR repository for one app image, and where that app's image comes from.

The repository: immutable tags (a release tag always means the same image), scan on push,
encryption with the storage key, a lifecycle policy that expires untagged images after a week
and keeps the last N releases.

The image the workloads run (:attr:`ImageRepository.image_ref`), by source:

* ``build``: built from a context in this repository with pulumi-docker, pushed with ECR's
  authorization token, tagged ``<release>-<content digest>``; the reference is the pushed
  *digest*, so a rebuild always rolls the pods. The tag carries a digest of the build context
  because tags are immutable: a rebuild of changed sources under the same release gets a new
  tag instead of being refused by ECR;
* ``ref``: a prebuilt image pinned by digest or tag, used as is;
* neither: ``<repository>:<release>@<digest>``, the image the app's own CI pushed for this
  release, pinned by the digest the release check found in ECR
  (:mod:`aws_web_platform.registry.release`); without a release, none.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
from pathlib import Path, PurePosixPath

import pulumi
import pulumi_aws as aws
import pulumi_docker as docker
from pydantic import BaseModel, ConfigDict, Field

from aws_web_platform.core.fields import InputStr
from aws_web_platform.registry.config import PROJECT_DIR, ImageBuildConfig


class ImageRepositoryArgs(BaseModel):
    """Arguments of :class:`ImageRepository`."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    repository_name: str = Field(
        pattern=r"^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$",
        description="Repository name, e.g. learning-platform-prod/api.",
    )
    kms_key_arn: InputStr = Field(
        description="Key (ARN) encrypting the images. Required; fixed at creation (ECR cannot "
        "change a repository's encryption)."
    )
    release: str | None = Field(
        default=None,
        description="The release tag images are built or expected with. Default none: no "
        "image yet (the repository only).",
    )
    digest: str | None = Field(
        default=None,
        pattern=r"^sha256:[0-9a-f]{64}$",
        description="Digest of the release's image in ECR (the release check's): the workloads "
        "run exactly that image. Default none: the tag alone.",
    )
    keep_releases: int = Field(default=30, ge=1, description="Tagged images kept. Default 30.")
    untagged_expiry_days: int = Field(
        default=7, ge=1, description="Days before untagged images expire. Default 7."
    )
    build: ImageBuildConfig | None = Field(
        default=None, description="Build the image here from this context. Default: no build."
    )
    ref: str | None = Field(
        default=None, description="A prebuilt image reference to use instead. Default none."
    )
    protect: bool = Field(
        default=True,
        description="Pulumi protect and no force-delete: images are never lost with the "
        "repository. Default true.",
    )


def context_digest(context: Path, dockerfile: str) -> str:
    """A digest of what a build reads: every file of the context (paths and contents) and the
    Dockerfile, minus what ``.dockerignore`` excludes. Deterministic, so plans are stable.

    Only plain ignore patterns are honoured; with a negation (``!``) every file is hashed, which
    at worst retags an unchanged image, never misses a change.
    """
    ignore = context / ".dockerignore"
    patterns = []
    if ignore.is_file():
        patterns = [
            line.strip().rstrip("/")
            for line in ignore.read_text().splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]
        if any(p.startswith("!") for p in patterns):
            patterns = []
    digest = hashlib.sha256()
    for path in sorted(p for p in context.rglob("*") if p.is_file()):
        relative = path.relative_to(context).as_posix()
        parts = relative.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if ".git" in parts or any(fnmatch.fnmatch(x, p) for p in patterns for x in prefixes):
            continue
        digest.update(relative.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(dockerfile.encode())
    return digest.hexdigest()


def lifecycle_policy(keep_releases: int, untagged_expiry_days: int) -> str:
    """ECR lifecycle policy: untagged images expire, only the last N tagged images are kept."""
    return json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": f"Expire untagged images after {untagged_expiry_days} days",
                    "selection": {
                        "tagStatus": "untagged",
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": untagged_expiry_days,
                    },
                    "action": {"type": "expire"},
                },
                {
                    "rulePriority": 2,
                    "description": f"Keep the last {keep_releases} releases",
                    "selection": {
                        "tagStatus": "tagged",
                        "tagPatternList": ["*"],
                        "countType": "imageCountMoreThan",
                        "countNumber": keep_releases,
                    },
                    "action": {"type": "expire"},
                },
            ]
        },
        sort_keys=True,
    )


class ImageRepository(pulumi.ComponentResource):
    """An immutable, scanned, KMS-encrypted ECR repository and the app image to deploy."""

    repository: aws.ecr.Repository
    repository_url: pulumi.Output[str]
    image: docker.Image | None
    image_ref: pulumi.Output[str] | None
    """What the workloads run; None without a release (and no build or ref)."""

    def __init__(
        self, name: str, args: ImageRepositoryArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:registry:ImageRepository", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.repository = aws.ecr.Repository(
            f"{name}-repository",
            name=args.repository_name,
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(
                scan_on_push=True
            ),
            encryption_configurations=[
                aws.ecr.RepositoryEncryptionConfigurationArgs(
                    encryption_type="KMS", kms_key=args.kms_key_arn
                )
            ],
            force_delete=not args.protect,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        aws.ecr.LifecyclePolicy(
            f"{name}-lifecycle",
            repository=self.repository.name,
            policy=lifecycle_policy(args.keep_releases, args.untagged_expiry_days),
            opts=child,
        )
        self.repository_url = self.repository.repository_url
        self.image = None
        if args.build is not None:
            self.image = self._build(name, args.build, args.release or "build")
            self.image_ref = self.image.repo_digest
        elif args.ref is not None:
            self.image_ref = pulumi.Output.from_input(args.ref)
        elif args.release is not None:
            pin = f"@{args.digest}" if args.digest else ""
            self.image_ref = pulumi.Output.concat(self.repository_url, ":", args.release, pin)
        else:
            self.image_ref = None
        self.register_outputs({"repository_url": self.repository_url, "image_ref": self.image_ref})

    def _build(self, name: str, build: ImageBuildConfig, release: str) -> docker.Image:
        """Build with docker and push with ECR's short-lived authorization token."""
        token = aws.ecr.get_authorization_token_output(
            registry_id=self.repository.registry_id, opts=pulumi.InvokeOutputOptions(parent=self)
        )
        # Paths relative to the project directory, where Pulumi runs: the same on every
        # machine, so the state never shows a diff for a different checkout location.
        # pulumi-docker resolves the Dockerfile against the working directory, not the context.
        dockerfile = str(PurePosixPath(build.context) / build.dockerfile)
        digest = context_digest(PROJECT_DIR / build.context, build.dockerfile)[:12]
        return docker.Image(
            f"{name}-image",
            image_name=pulumi.Output.concat(self.repository_url, ":", release, "-", digest),
            build=docker.DockerBuildArgs(
                context=build.context,
                dockerfile=dockerfile,
                platform=build.platform,
                target=build.target,
                args=build.args or None,
            ),
            registry=docker.RegistryArgs(
                server=self.repository_url,
                username=token.user_name,
                password=pulumi.Output.secret(token.password),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
