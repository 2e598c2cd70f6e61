"""Settings of AWS Backup: the daily plan, the off-site copy, Vault Lock and restore testing."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
    model_validator,
)

from aws_web_platform.core.fields import ConfigModel
from aws_web_platform.database.config import RdsInstanceClass
from aws_web_platform.observability.config import DailyTime


class VaultLockConfig(ConfigModel):
    """Vault Lock: recovery points cannot be deleted early, not even by an administrator."""

    enabled: bool = Field(
        default=False,
        description="Lock the vault. Default false: once the grace days pass, compliance mode "
        "cannot be undone; turn it on deliberately in prod.",
    )
    min_retention_days: int = Field(
        default=7, ge=1, le=36500, description="Shortest retention a rule may set. Default 7."
    )
    max_retention_days: int = Field(
        default=365, ge=1, le=36500, description="Longest retention a rule may set. Default 365."
    )
    changeable_for_days: int = Field(
        default=3,
        ge=3,
        le=36500,
        description="Grace days before the lock becomes immutable (compliance mode). Default "
        "3, the minimum.",
    )


class RestoreTestingConfig(ConfigModel):
    """AWS Backup restore testing of the database: proof that a backup restores."""

    enabled: bool = Field(
        default=True,
        description="Restore the latest database recovery point on a schedule. Default true "
        "(spec: restore testing); dev turns it off.",
    )
    weekday: Literal["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"] = Field(
        default="WED",
        description="Day of the weekly test. Default WED: mid-week, people are there to look.",
    )
    start_time: DailyTime = Field(default="10:00", description="UTC start. Default 10:00.")
    validation_window_hours: int = Field(
        default=4,
        ge=1,
        le=168,
        description="Hours the restored instance lives for checks before deletion. Default 4.",
    )
    instance_class: RdsInstanceClass = Field(
        default="db.t4g.large",
        description="Class of the restored instance: a test need not be as large as prod. "
        "Default db.t4g.large.",
    )


class DatabaseDumpConfig(ConfigModel):
    """The daily logical dump of PostgreSQL to the backups bucket (spec: daily, compressed,
    ``backups/daily/``, kept 30 days), beside RDS's snapshots and AWS Backup: a dump restores
    into any PostgreSQL, any account, any version, and survives the loss of the RDS instance
    and its snapshots."""

    enabled: bool = Field(default=True, description="Take the daily dump. Default true.")
    schedule: str = Field(
        default="15 4 * * *",
        pattern=r"^(\S+\s+){4}\S+$",
        description="Cron schedule (UTC) of the dump. Default 04:15: after the database's "
        "backup window (02:00-03:00) and the cache snapshot (03:00-04:00), before AWS Backup "
        "(05:00).",
        json_schema_extra={"allowed": "a five-field cron expression"},
    )
    timeout_minutes: int = Field(
        default=180, ge=10, le=1440, description="Longest one dump may run. Default 180."
    )
    scratch_gb: int | None = Field(
        default=None,
        ge=1,
        le=16384,
        description="Size of the encrypted volume the dump is written to before its upload. "
        "Default: the database's allocatedStorageGb (a compressed dump is smaller than the "
        "data it holds).",
    )


class BackupConfig(ConfigModel):
    """AWS Backup: a daily plan for the database and the buckets that hold data."""

    start_time: DailyTime = Field(
        default="05:00",
        description="UTC start of the daily backup. Default 05:00: after the database's own "
        "backup window (02:00-03:00) and the cache snapshot (03:00-04:00).",
    )
    start_window_minutes: int = Field(
        default=60, ge=60, le=720, description="Minutes a job may wait to start. Default 60."
    )
    completion_window_minutes: int = Field(
        default=480,
        ge=120,
        le=10080,
        description="Minutes a job may run before it is cancelled. Default 480.",
    )
    retention_days: int = Field(
        default=30, ge=1, le=36500, description="Days a daily recovery point is kept (spec: 30)."
    )
    copy_region: str | None = Field(
        default=None,
        pattern=r"^[a-z]{2}(-gov)?-[a-z]+-\d{1,2}$",
        description="Region of the off-site copy vault (spec: cross-region copy). Default none; "
        "prod sets one.",
        json_schema_extra={"allowed": "an AWS region code other than the stack's"},
    )
    copy_retention_days: int = Field(
        default=30, ge=1, le=36500, description="Days a copy is kept. Default 30 (spec)."
    )
    vault_lock: VaultLockConfig = Field(
        default=VaultLockConfig(), description="Vault Lock (see VaultLockConfig)."
    )
    restore_testing: RestoreTestingConfig = Field(
        default=RestoreTestingConfig(), description="Restore testing (see RestoreTestingConfig)."
    )
    database_dump: DatabaseDumpConfig = Field(
        default=DatabaseDumpConfig(),
        description="The daily logical dump (see DatabaseDumpConfig).",
    )

    @model_validator(mode="after")
    def _windows_and_retention(self) -> BackupConfig:
        problems: list[str] = []
        if self.completion_window_minutes < self.start_window_minutes + 60:
            problems.append(
                f"$.completionWindowMinutes {self.completion_window_minutes} must be at least "
                f"$.startWindowMinutes + 60 ({self.start_window_minutes + 60})"
            )
        lock = self.vault_lock
        if lock.enabled:
            for key, days in (
                ("retentionDays", self.retention_days),
                ("copyRetentionDays", self.copy_retention_days),
            ):
                if not lock.min_retention_days <= days <= lock.max_retention_days:
                    problems.append(
                        f"$.{key} {days} is outside $.vaultLock's "
                        f"{lock.min_retention_days}..{lock.max_retention_days} days: the locked "
                        "vault would refuse the recovery points"
                    )
        if problems:
            raise ValueError("; ".join(problems))
        return self


# --------------------------------------------------------------------------------------------
