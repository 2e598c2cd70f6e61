"""BackupPlan: AWS Backup for the data that cannot be rebuilt (spec: daily, 30 days, off-site).

* A KMS-encrypted vault in the stack's region and, when a copy region is given, a second
  vault there (its own key: a copy is re-encrypted with a key of its region). In protected
  stacks the vaults refuse recovery-point deletion to everyone (access policy) and, when
  asked, Vault Lock makes retention unchangeable even for administrators.
* One daily rule keeping ``retention_days`` and copying every recovery point to the copy
  vault. It takes snapshots, not continuous backups: RDS keeps its own point-in-time
  recovery (automated backups, 30 days), which AWS Backup continuous backup would take over
  and fight Pulumi's ``backup_retention_period`` for.
* Selection by tag: whatever carries ``<selection tag key>=<value>`` is backed up (the
  database primary and the buckets that hold data; read replicas are not tagged: RDS for
  PostgreSQL replicas have no backups of their own and hold nothing the primary does not).
* A restore-testing plan that restores the latest database recovery point weekly into the
  data subnets with the database's security group, keeps it for the validation window and
  deletes it: proof that a backup restores (spec: restore testing).
* Failed backup, copy and restore jobs are sent to the warning topic.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws
from pydantic import BaseModel, ConfigDict, Field

from aws_web_platform.backup.config import BackupConfig
from aws_web_platform.core.aws_context import aws_context
from aws_web_platform.core.fields import InputStr, Wiring, compose
from aws_web_platform.core.iam import Statement, grant, policy_document, service_trust_policy

#: AWS managed policies of the AWS Backup service role: RDS/EBS and S3, backup and restore.
MANAGED_POLICIES = (
    "service-role/AWSBackupServiceRolePolicyForBackup",
    "service-role/AWSBackupServiceRolePolicyForRestores",
    "AWSBackupServiceRolePolicyForS3Backup",
    "AWSBackupServiceRolePolicyForS3Restore",
)
#: Vault events worth a human's attention.
FAILURE_EVENTS = (
    "BACKUP_JOB_FAILED",
    "COPY_JOB_FAILED",
    "RESTORE_JOB_FAILED",
    "S3_BACKUP_OBJECT_FAILED",
    "S3_RESTORE_OBJECT_FAILED",
)


class RestoreTarget(BaseModel):
    """Where a test restore of the database lands (the database's own network)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    subnet_group_name: InputStr = Field(description="DB subnet group (str or Output). Required.")
    security_group_ids: Sequence[InputStr] = Field(
        description="Security groups of the restored DB."
    )
    parameter_group_name: InputStr | None = Field(
        default=None, description="Parameter group (keeps TLS forced). Default the engine's."
    )


class BackupPlanWiring(Wiring):
    """What :class:`BackupPlan` is wired to besides its settings."""

    name_prefix: str = Field(
        pattern=r"^[a-zA-Z0-9-]{2,40}$",
        description="Prefix of the vault and plan names (<prefix>-backups). Required.",
    )
    kms_key_arn: InputStr = Field(description="Key (ARN) of the vault in the stack's region.")
    copy_kms_key_arn: InputStr | None = Field(
        default=None, description="Key (ARN) of the copy vault, in copy_region. Required with it."
    )
    copy_provider: aws.Provider | None = Field(
        default=None,
        description="AWS provider of copy_region (the copy vault is created with it). Required "
        "with copy_region.",
    )
    selection_tag: tuple[str, str] = Field(
        description="Tag key and value selecting what is backed up. Required."
    )
    source_kms_key_arns: Sequence[InputStr] = Field(
        default_factory=list,
        description="Keys encrypting the selected resources: the service role may use them to "
        "read and copy. Default none (unencrypted sources only).",
    )
    notification_topic_arn: InputStr | None = Field(
        default=None, description="Topic (ARN) for failed jobs. Default none."
    )
    restore_target: RestoreTarget | None = Field(
        default=None,
        description="Network of the database's test restores. Required when restore testing "
        "is enabled.",
    )
    protect: bool = Field(
        default=True,
        description="Pulumi protect on the vaults and a policy denying recovery-point "
        "deletion; false lets a deploy destroy the vaults with their recovery points.",
    )


class BackupPlanArgs(BackupConfig, BackupPlanWiring):
    """Arguments of :class:`BackupPlan`: its settings (``BackupConfig``) and its wiring
    (``BackupPlanWiring``), every field flat."""

    @classmethod
    def from_config(cls, config: BackupConfig, wiring: BackupPlanWiring) -> BackupPlanArgs:
        """The Args of a stack file's settings and the platform's wiring."""
        return compose(cls, config, wiring)


def vault_policy(vault_arn: Any) -> list[Statement]:
    """Nobody deletes a recovery point or rewrites its lifecycle or the vault's policy."""
    return [
        {
            "Sid": "NoEarlyDeletion",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": [
                "backup:DeleteRecoveryPoint",
                "backup:UpdateRecoveryPointLifecycle",
                "backup:PutBackupVaultAccessPolicy",
            ],
            "Resource": vault_arn,
        }
    ]


def daily_cron(time: str) -> str:
    hour, minute = time.split(":")
    return f"cron({int(minute)} {int(hour)} * * ? *)"


def weekly_cron(time: str, weekday: str) -> str:
    hour, minute = time.split(":")
    return f"cron({int(minute)} {int(hour)} ? * {weekday} *)"


class BackupPlan(pulumi.ComponentResource):
    """Vaults, the daily plan with its off-site copy, the tag selection, restore testing."""

    vault: aws.backup.Vault
    copy_vault: aws.backup.Vault | None
    plan: aws.backup.Plan
    role: aws.iam.Role
    restore_testing_plan: aws.backup.RestoreTestingPlan | None

    def __init__(
        self, name: str, args: BackupPlanArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:backup:BackupPlan", name, None, opts)
        if args.copy_region and (args.copy_provider is None or args.copy_kms_key_arn is None):
            raise ValueError("BackupPlanArgs.copy_region needs copy_provider and copy_kms_key_arn")
        if args.restore_testing.enabled and args.restore_target is None:
            raise ValueError("BackupPlanArgs.restore_testing needs restore_target")
        child = pulumi.ResourceOptions(parent=self)
        partition = aws_context(self).partition

        self.vault = self._vault(f"{name}-vault", f"{args.name_prefix}-backups", args, None)
        self.copy_vault = None
        if args.copy_region:
            self.copy_vault = self._vault(
                f"{name}-copy-vault",
                f"{args.name_prefix}-backups-copy",
                args,
                args.copy_provider,
                kms_key_arn=args.copy_kms_key_arn,
            )

        self.role = aws.iam.Role(
            f"{name}-role",
            assume_role_policy=service_trust_policy("backup.amazonaws.com"),
            description=f"AWS Backup of {args.name_prefix}: back up, copy and test restores",
            opts=child,
        )
        for policy in MANAGED_POLICIES:
            aws.iam.RolePolicyAttachment(
                f"{name}-{policy.rsplit('For', 1)[1].lower()}",
                role=self.role.name,
                policy_arn=f"arn:{partition}:iam::aws:policy/{policy}",
                opts=child,
            )
        keys = [args.kms_key_arn, *args.source_kms_key_arns]
        if args.copy_kms_key_arn is not None:
            keys.append(args.copy_kms_key_arn)
        grant(
            f"{name}-keys",
            self.role,
            [
                {
                    "Sid": "UseTheBackupAndSourceKeys",
                    "Effect": "Allow",
                    "Action": [
                        "kms:Decrypt",
                        "kms:Encrypt",
                        "kms:ReEncrypt*",
                        "kms:GenerateDataKey*",
                        "kms:DescribeKey",
                        "kms:CreateGrant",
                    ],
                    "Resource": keys,
                }
            ],
            parent=self,
        )

        copy_actions = []
        if self.copy_vault is not None:
            copy_actions.append(
                aws.backup.PlanRuleCopyActionArgs(
                    destination_vault_arn=self.copy_vault.arn,
                    lifecycle=aws.backup.PlanRuleCopyActionLifecycleArgs(
                        delete_after=args.copy_retention_days
                    ),
                )
            )
        self.plan = aws.backup.Plan(
            f"{name}-plan",
            name=f"{args.name_prefix}-daily",
            rules=[
                aws.backup.PlanRuleArgs(
                    rule_name="daily",
                    target_vault_name=self.vault.name,
                    schedule=daily_cron(args.start_time),
                    schedule_expression_timezone="Etc/UTC",
                    start_window=args.start_window_minutes,
                    completion_window=args.completion_window_minutes,
                    lifecycle=aws.backup.PlanRuleLifecycleArgs(delete_after=args.retention_days),
                    copy_actions=copy_actions,
                    recovery_point_tags={"BackupRule": "daily"},
                )
            ],
            opts=child,
        )
        tag_key, tag_value = args.selection_tag
        aws.backup.Selection(
            f"{name}-selection",
            name=f"{args.name_prefix}-tagged",
            plan_id=self.plan.id,
            iam_role_arn=self.role.arn,
            selection_tags=[
                aws.backup.SelectionSelectionTagArgs(
                    type="STRINGEQUALS", key=tag_key, value=tag_value
                )
            ],
            opts=child,
        )
        if args.notification_topic_arn is not None:
            aws.backup.VaultNotifications(
                f"{name}-failures",
                backup_vault_name=self.vault.name,
                sns_topic_arn=args.notification_topic_arn,
                backup_vault_events=list(FAILURE_EVENTS),
                opts=child,
            )

        self.restore_testing_plan = None
        if args.restore_testing.enabled and args.restore_target is not None:
            self._restore_testing(name, args, args.restore_target)

        self.register_outputs(
            {
                "vault_arn": self.vault.arn,
                "copy_vault_arn": self.copy_vault.arn if self.copy_vault else None,
                "plan_id": self.plan.id,
            }
        )

    def _vault(
        self,
        resource_name: str,
        vault_name: str,
        args: BackupPlanArgs,
        provider: aws.Provider | None,
        kms_key_arn: pulumi.Input[str] | None = None,
    ) -> aws.backup.Vault:
        opts = pulumi.ResourceOptions(parent=self, provider=provider)
        vault = aws.backup.Vault(
            resource_name,
            name=vault_name,
            kms_key_arn=kms_key_arn if kms_key_arn is not None else args.kms_key_arn,
            force_destroy=not args.protect,
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(protect=args.protect)),
        )
        if args.protect:
            aws.backup.VaultPolicy(
                f"{resource_name}-policy",
                backup_vault_name=vault.name,
                policy=policy_document(vault_policy(vault.arn)),
                opts=opts,
            )
        lock = args.vault_lock
        if lock.enabled:
            aws.backup.VaultLockConfiguration(
                f"{resource_name}-lock",
                backup_vault_name=vault.name,
                min_retention_days=lock.min_retention_days,
                max_retention_days=lock.max_retention_days,
                changeable_for_days=lock.changeable_for_days,
                opts=opts,
            )
        return vault

    def _restore_testing(self, name: str, args: BackupPlanArgs, target: RestoreTarget) -> None:
        testing = args.restore_testing
        child = pulumi.ResourceOptions(parent=self)
        # Restore-testing names allow letters, digits and underscores only.
        plan_name = f"{args.name_prefix.replace('-', '_')}_database"
        self.restore_testing_plan = aws.backup.RestoreTestingPlan(
            f"{name}-restore-testing",
            name=plan_name,
            schedule_expression=weekly_cron(testing.start_time, testing.weekday),
            schedule_expression_timezone="Etc/UTC",
            start_window_hours=2,
            recovery_point_selection=aws.backup.RestoreTestingPlanRecoveryPointSelectionArgs(
                algorithm="LATEST_WITHIN_WINDOW",
                include_vaults=[self.vault.arn],
                recovery_point_types=["SNAPSHOT"],
                selection_window_days=7,
            ),
            opts=child,
        )
        tag_key, tag_value = args.selection_tag
        overrides: dict[str, Any] = {
            "dbInstanceClass": testing.instance_class,
            "dbSubnetGroupName": target.subnet_group_name,
            "vpcSecurityGroupIds": pulumi.Output.all(*target.security_group_ids).apply(json.dumps),
            "multiAz": "false",
            "publiclyAccessible": "false",
            "deletionProtection": "false",
        }
        if target.parameter_group_name is not None:
            overrides["dbParameterGroupName"] = target.parameter_group_name
        aws.backup.RestoreTestingSelection(
            f"{name}-restore-testing-database",
            name="database",
            restore_testing_plan_name=self.restore_testing_plan.name,
            protected_resource_type="RDS",
            iam_role_arn=self.role.arn,
            protected_resource_arns=["*"],
            protected_resource_conditions=aws.backup.RestoreTestingSelectionProtectedResourceConditionsArgs(
                string_equals=[
                    aws.backup.RestoreTestingSelectionProtectedResourceConditionsStringEqualArgs(
                        key=f"aws:ResourceTag/{tag_key}", value=tag_value
                    )
                ]
            ),
            restore_metadata_overrides=overrides,
            validation_window_hours=testing.validation_window_hours,
            opts=child,
        )
