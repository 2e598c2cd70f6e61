"""Specification of ImageRepository: immutable, scanned, encrypted ECR and the image to run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aws_web_platform.offline import Recording
from aws_web_platform.registry.config import ImageBuildConfig
from aws_web_platform.registry.repository import (
    ImageRepository,
    ImageRepositoryArgs,
    context_digest,
)
from aws_web_platform.stack.config import StackConfig
from aws_web_platform.stack.loading import ConfigError, parse_stack_config
from tests.conftest import built
from tools.plan import PROJECT_ROOT

KEY = "arn:aws:kms:eu-west-1:123456789012:key/storage"
REPO = "aws:ecr/repository:Repository"


def repository(**overrides: Any) -> tuple[ImageRepository, Recording]:
    args: dict[str, Any] = {
        "repository_name": "shop-prod/api",
        "kms_key_arn": KEY,
        "release": "1.4.2",
    }
    return built(ImageRepository, "api", ImageRepositoryArgs(**(args | overrides)))


def test_tags_are_immutable_images_scanned_on_push_and_encrypted_with_kms() -> None:
    _, rec = repository()
    repo = rec.find(REPO, "api-repository")
    assert repo["name"] == "shop-prod/api"
    assert repo["imageTagMutability"] == "IMMUTABLE"
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repo["encryptionConfigurations"] == [{"encryptionType": "KMS", "kmsKey": KEY}]
    assert repo.protect and repo["forceDelete"] is False


def test_lifecycle_expires_untagged_after_a_week_and_keeps_the_last_releases() -> None:
    _, rec = repository(keep_releases=30)
    policy = json.loads(
        rec.find("aws:ecr/lifecyclePolicy:LifecyclePolicy", "api-lifecycle")["policy"]
    )
    untagged, tagged = policy["rules"]
    assert untagged["selection"] == {
        "tagStatus": "untagged",
        "countType": "sinceImagePushed",
        "countUnit": "days",
        "countNumber": 7,
    }
    assert tagged["selection"]["tagStatus"] == "tagged"
    assert tagged["selection"]["countType"] == "imageCountMoreThan"
    assert tagged["selection"]["countNumber"] == 30
    assert all(rule["action"] == {"type": "expire"} for rule in policy["rules"])


def test_without_a_build_the_release_tag_pushed_by_ci_is_deployed() -> None:
    _, rec = repository()
    out = rec.find("platform:registry:ImageRepository", "api").outputs
    assert out["image_ref"] == f"{rec.find(REPO, 'api-repository').outputs['repositoryUrl']}:1.4.2"
    assert rec.all_of("docker:index/image:Image") == []


def test_a_prebuilt_reference_is_used_as_given() -> None:
    ref = "public.ecr.aws/acme/api@sha256:" + "a" * 64
    _, rec = repository(ref=ref)
    assert rec.find("platform:registry:ImageRepository", "api").outputs["image_ref"] == ref


def test_a_build_is_pushed_with_the_ecr_token_and_deployed_by_digest(tmp_path: Path) -> None:
    context = Path("tests/fixtures/app")
    build = ImageBuildConfig(context=str(context), target="runner")
    _, rec = repository(build=build)
    image = rec.find("docker:index/image:Image", "api-image")
    url = rec.find(REPO, "api-repository").outputs["repositoryUrl"]
    digest = context_digest(PROJECT_ROOT / context, "Dockerfile")[:12]
    assert image["imageName"] == f"{url}:1.4.2-{digest}"
    assert image["build"]["context"] == "tests/fixtures/app"
    assert image["build"]["dockerfile"] == "tests/fixtures/app/Dockerfile"
    assert image["build"]["platform"] == "linux/arm64"
    assert image["registry"]["server"] == url
    assert image["registry"]["username"] == "AWS"
    assert any("registry.password".startswith(path) for path in image.secret_inputs)
    out = rec.find("platform:registry:ImageRepository", "api").outputs
    assert out["image_ref"] == image.outputs["repoDigest"]
    assert "@sha256:" in out["image_ref"]


def test_the_context_digest_changes_with_the_sources_and_ignores_what_docker_ignores(
    tmp_path: Path,
) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / "app.js").write_text("1")
    (tmp_path / ".dockerignore").write_text("node_modules\n# comment\n*.log\n")
    first = context_digest(tmp_path, "Dockerfile")
    assert context_digest(tmp_path, "Dockerfile") == first  # deterministic
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "x.js").write_text("ignored")
    (tmp_path / "debug.log").write_text("ignored")
    assert context_digest(tmp_path, "Dockerfile") == first
    (tmp_path / "app.js").write_text("2")
    assert context_digest(tmp_path, "Dockerfile") != first


def _config(images: dict[str, Any]) -> StackConfig:
    return parse_stack_config(
        {
            "project": "shop",
            "owner": "o",
            "costCenter": "c",
            "appSecrets": {"names": []},
            "registry": {"images": images},
        },
        namespace="platform",
        stack="dev",
        region="eu-west-1",
    )


def test_a_missing_build_context_is_a_clear_config_error() -> None:
    with pytest.raises(ConfigError) as caught:
        _config({"web": {"build": {"context": "no/such/dir"}}})
    assert "platform:registry.images.web.build.context 'no/such/dir' is not a directory" in str(
        caught.value
    )


def test_a_context_without_its_dockerfile_is_a_clear_config_error() -> None:
    with pytest.raises(ConfigError) as caught:
        _config({"web": {"build": {"context": "tests/fixtures/app", "dockerfile": "Nope"}}})
    assert "no platform:registry.images.web.build.dockerfile 'Nope'" in str(caught.value)


def test_build_and_ref_together_are_refused() -> None:
    with pytest.raises(ConfigError, match=r"set platform:registry\.images\.api\.build or"):
        _config({"api": {"build": {"context": "tests/fixtures/app"}, "ref": "a/b:1"}})
