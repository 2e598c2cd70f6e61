"""Settings of the platform's S3 buckets: lifecycle, retention and CORS."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    Field,
    model_validator,
)

from aws_web_platform.core.fields import ConfigModel

# S3 and ECR
# --------------------------------------------------------------------------------------------


class StorageConfig(ConfigModel):
    """The platform's buckets: uploads, certificates, backups and logs."""

    uploads_cors_origins: tuple[Annotated[str, Field(pattern=r"^https://[^\s/]+$")], ...] = Field(
        default=(),
        description="Web origins (https://host) allowed to upload to and read from the uploads "
        "bucket with presigned URLs. Default none: no browser access until the web's origin is "
        "set.",
        json_schema_extra={"allowed": "a list of https://host origins"},
    )
    noncurrent_version_expiration_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="Days an overwritten or deleted object version is kept (versioning is on "
        "everywhere). Default 30: long enough to undo a mistake.",
    )
    abort_incomplete_upload_days: int = Field(
        default=7,
        ge=1,
        le=365,
        description="Days before parts of an unfinished multipart upload are deleted. Default 7.",
    )
    backups_retention_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="Days daily dumps under backups/daily/ are kept. Default 30 (spec).",
    )
    backups_infrequent_access_after_days: int | None = Field(
        default=None,
        ge=30,
        description="Move dumps to STANDARD_IA after this many days. Default none: with 30-day "
        "retention it never pays (STANDARD_IA bills at least 30 days); only set it with a "
        "retention at least 30 days longer.",
    )
    logs_expiration_days: int = Field(
        default=90,
        ge=1,
        le=3650,
        description="Days access logs (S3, ALB, CloudFront, WAF) are kept. Default 90.",
    )

    @model_validator(mode="after")
    def _transition_pays(self) -> StorageConfig:
        after = self.backups_infrequent_access_after_days
        if after is not None and after + 30 > self.backups_retention_days:
            raise ValueError(
                f"$.backupsInfrequentAccessAfterDays {after} with $.backupsRetentionDays "
                f"{self.backups_retention_days}: STANDARD_IA bills 30 days at least, so the move "
                "costs more than it saves; remove it or keep backups 30+ days longer"
            )
        return self
