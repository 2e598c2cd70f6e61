"""Settings of the stack's KMS keys: rotation and deletion window."""

from __future__ import annotations

from pydantic import (
    Field,
)

from aws_web_platform.core.fields import ConfigModel

# Encryption keys and app secrets
# --------------------------------------------------------------------------------------------


class KmsConfig(ConfigModel):
    """Customer-managed KMS keys, one per data domain (see docs/data.md)."""

    rotation_period_days: int = Field(
        default=365,
        ge=90,
        le=2560,
        description="Days between automatic rotations of each key's material. Default 365, the "
        "yearly rotation most compliance frameworks ask for; AWS allows 90..2560.",
    )
    deletion_window_days: int = Field(
        default=30,
        ge=7,
        le=30,
        description="Days a deleted key waits before it is destroyed, during which deletion can "
        "be cancelled. Default 30, the longest: a destroyed key makes its data unreadable; dev "
        "uses 7.",
    )
