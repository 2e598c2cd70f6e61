"""Settings of the ECR repositories and of the images the platform builds or deploys."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import (
    Field,
    model_validator,
)

from aws_web_platform.core.fields import ConfigModel

#: The project directory (where Pulumi.yaml is): build contexts are relative to it.
PROJECT_DIR = Path(__file__).resolve().parents[2]


class ImageBuildConfig(ConfigModel):
    """An image built from source with docker and pushed to the app's ECR repository."""

    context: str = Field(
        description="Build context directory, relative to the project directory. Required."
    )
    dockerfile: str = Field(
        default="Dockerfile",
        description="Dockerfile path, relative to the context. Default Dockerfile.",
    )
    target: str | None = Field(
        default=None, description="Build stage to stop at. Default: the last stage."
    )
    platform: Literal["linux/arm64", "linux/amd64"] = Field(
        default="linux/arm64",
        description="Target platform. Default linux/arm64: the Graviton nodes of the cluster.",
    )
    args: dict[str, str] = Field(
        default_factory=dict,
        description="Build arguments (not secrets: they stay in the image's history).",
    )

    @model_validator(mode="after")
    def _context_exists(self) -> ImageBuildConfig:
        context = PROJECT_DIR / self.context
        if not context.is_dir():
            raise ValueError(f"$.context {self.context!r} is not a directory under {PROJECT_DIR}")
        if not (context / self.dockerfile).is_file():
            raise ValueError(f"no $.dockerfile {self.dockerfile!r} in $.context {self.context!r}")
        return self


class ImageConfig(ConfigModel):
    """Where an app's image comes from: built here, an external reference, or the release tag."""

    build: ImageBuildConfig | None = Field(
        default=None,
        description="Build from source with docker and push to the app's repository, tagged "
        "with platform:release. Default: not built here.",
    )
    ref: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9.\-/:]+(@sha256:[a-f0-9]{64}|:[\w][\w.\-]{0,127})$",
        description="A prebuilt image reference pinned by digest or tag. Default: the "
        "repository's image tagged platform:release, pushed by the app's CI.",
        json_schema_extra={"allowed": "registry/name:tag or registry/name@sha256:<digest>"},
    )

    @model_validator(mode="after")
    def _one_source(self) -> ImageConfig:
        if self.build is not None and self.ref is not None:
            raise ValueError("set $.build or $.ref, not both")
        return self


AppImageName = Literal["web", "api", "worker"]


class RegistryConfig(ConfigModel):
    """ECR repositories, one per app image."""

    repositories: tuple[AppImageName, ...] = Field(
        default=("web", "api", "worker"),
        description="App images with a repository. Default web, api and worker (one image for "
        "the ai, pdf and email workers).",
    )
    keep_releases: int = Field(
        default=30,
        ge=1,
        le=1000,
        description="Tagged images kept per repository; older ones expire. Default 30: enough "
        "to roll back weeks of releases.",
    )
    untagged_expiry_days: int = Field(
        default=7,
        ge=1,
        le=365,
        description="Days before untagged images (build leftovers) expire. Default 7.",
    )
    images: dict[AppImageName, ImageConfig] = Field(
        default_factory=dict[AppImageName, ImageConfig],
        description="Per app, where its image comes from. Default: the release tag in its "
        "repository.",
    )

    @model_validator(mode="after")
    def _images_have_repositories(self) -> RegistryConfig:
        unknown = sorted(set(self.images) - set(self.repositories))
        if unknown:
            raise ValueError(f"$.images for {', '.join(unknown)} have no entry in $.repositories")
        return self


# --------------------------------------------------------------------------------------------
