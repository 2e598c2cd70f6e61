"""StackConfig: everything a stack file says, one field per domain, and the rules that span domains.

Data flows one way: ``Pulumi.<stack>.yaml`` -> :class:`StackConfig` -> ``Platform`` -> components.
Each domain's settings model lives beside its component (``database/config.py`` ...); this model
composes them and holds only the checks that need more than one domain (node groups against the
subnets, the apps against the namespace quota and node groups, the proxy against the endpoints).

Conventions:

* Keys live under the project's namespace (``platform:``) and are camelCase, as Pulumi keys are:
  ``platform:network`` holds ``{cidr, azCount, natStrategy, ...}``. Python code uses snake_case.
* Defaults are the production values (docs/requirements.md). The dev stack file turns them down
  (sizes, counts, HA); the code never branches on the stack's name.
* A bad value stops the program before any resource is registered, with one message naming the
  full key path (``platform:network.azCount``), the bad value and what is allowed.
* Secrets are never read here in plaintext: a key of this model set with ``--secret`` is refused,
  because its value would end up in plaintext (tags, names) in the state.
"""

from __future__ import annotations

import re

from pydantic import (
    Field,
    model_validator,
)

from aws_web_platform.backup.config import BackupConfig
from aws_web_platform.cache.config import CacheConfig
from aws_web_platform.core.fields import AccountId, ConfigModel, TagValue
from aws_web_platform.database.config import DatabaseConfig
from aws_web_platform.dns.config import DnsConfig
from aws_web_platform.edge.config import EdgeConfig
from aws_web_platform.eks.capacity import (
    ip_budget,
)
from aws_web_platform.eks.config import ClusterConfig
from aws_web_platform.k8s.config import AddonsConfig, AppsConfig
from aws_web_platform.kms.config import KmsConfig
from aws_web_platform.network.config import NetworkConfig
from aws_web_platform.network.layout import (
    SubnetTier,
    plan_subnets,
    usable_ips,
)
from aws_web_platform.observability.config import ObservabilityConfig
from aws_web_platform.registry.config import RegistryConfig
from aws_web_platform.secrets.config import AppSecretsConfig
from aws_web_platform.stack.workloads import plan_workloads
from aws_web_platform.storage.config import StorageConfig

# The stack
# --------------------------------------------------------------------------------------------


class StackConfig(ConfigModel):
    """Everything a stack file says. One field per top-level key of the ``platform:`` namespace,
    plus the AWS region from the provider's own ``aws:region`` key."""

    aws_region: str = Field(
        validation_alias="aws:region",
        pattern=r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$",
        description="AWS region of the stack, from the standard aws:region key. Required: a "
        "platform deployed to an unintended region is a costly mistake.",
        json_schema_extra={"allowed": "an AWS region code such as eu-west-1 or us-east-1"},
    )
    environment: str = Field(
        pattern=r"^[a-z][a-z0-9-]{0,15}$",
        description="Environment name, used in the Environment tag and Name tags. Default: the "
        "stack's name.",
        json_schema_extra={
            "allowed": "1 to 16 lowercase letters, digits or '-', starting with a letter",
            "default": "the stack's name",
        },
    )
    project: TagValue = Field(
        description="Product name, for the Project tag on every resource. Required: cost reports "
        "group by it."
    )
    owner: TagValue = Field(
        description="Team or person answerable for the stack (Owner tag). Required: an untagged "
        "resource nobody owns is never cleaned up."
    )
    cost_center: TagValue = Field(
        description="Cost center billed for the stack (CostCenter tag). Required for cost "
        "allocation."
    )
    allowed_account_ids: tuple[AccountId, ...] = Field(
        default=(),
        description="AWS accounts the stack may be deployed to; the provider refuses any other. "
        "Default empty (any account); set it in prod so prod config never lands in a dev "
        "account.",
    )
    network: NetworkConfig = Field(
        default=NetworkConfig(),
        description="The VPC (see NetworkConfig). Default: production layout.",
    )
    protect_data: bool = Field(
        default=True,
        description="Protect stateful resources (keys, databases, caches, buckets, "
        "repositories, secrets) from deletion: Pulumi protect, deletion protection, final "
        "snapshots, no force-destroy. Default true; dev sets false so it can be torn down.",
    )
    release: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127}$",
        description="Release version: the tag of the app images in ECR, which the program "
        "checks exist before it changes anything. Set per deploy by CI (`pulumi config set "
        "platform:release 1.4.2`); tags are immutable. Default none: the platform without app "
        "workloads or migration Job (a new account, before the first images are pushed).",
        json_schema_extra={"allowed": "a Docker tag: letters, digits, _ . - (up to 128)"},
    )
    kms: KmsConfig = Field(default=KmsConfig(), description="The KMS keys (see KmsConfig).")
    app_secrets: AppSecretsConfig = Field(
        default=AppSecretsConfig(), description="The app secrets (see AppSecretsConfig)."
    )
    database: DatabaseConfig = Field(
        default=DatabaseConfig(), description="PostgreSQL (see DatabaseConfig)."
    )
    cache: CacheConfig = Field(default=CacheConfig(), description="Redis/Valkey (see CacheConfig).")
    storage: StorageConfig = Field(
        default=StorageConfig(), description="The buckets (see StorageConfig)."
    )
    registry: RegistryConfig = Field(
        default=RegistryConfig(), description="ECR and images (see RegistryConfig)."
    )
    dns: DnsConfig = Field(description="The public DNS zone (see DnsConfig). Required.")
    cluster: ClusterConfig = Field(
        default=ClusterConfig(), description="EKS (see ClusterConfig). Default: production."
    )
    addons: AddonsConfig = Field(
        default=AddonsConfig(), description="Helm add-ons and app namespaces (see AddonsConfig)."
    )
    edge: EdgeConfig = Field(
        default=EdgeConfig(), description="CloudFront, WAF, ALB (see EdgeConfig)."
    )
    apps: AppsConfig = Field(
        default_factory=AppsConfig,
        description="Web, API and workers on Kubernetes (see AppsConfig).",
    )
    observability: ObservabilityConfig = Field(
        description="Alarms, dashboards, notifications, logs and the budget (see "
        "ObservabilityConfig). Required: its notifications name who is told."
    )
    backup: BackupConfig = Field(
        default=BackupConfig(), description="AWS Backup and restore testing (see BackupConfig)."
    )

    @model_validator(mode="after")
    def _backup_copy_elsewhere(self) -> StackConfig:
        if self.backup.copy_region == self.aws_region:
            raise ValueError(
                f"$.backup.copyRegion {self.backup.copy_region} is the stack's own region: an "
                "off-site copy must be in another region"
            )
        return self

    @model_validator(mode="after")
    def _node_groups_fit_the_subnets(self) -> StackConfig:
        private = plan_subnets(self.network.cidr, self.network.az_count, (SubnetTier.PRIVATE,))
        budget = ip_budget(
            {
                name: (group.instance_types, group.max_size)
                for name, group in self.cluster.node_groups.items()
            },
            subnet_usable_ips=min(usable_ips(c) for c in private.values()),
            subnets=len(private),
            interface_endpoints=len(self.network.interface_endpoints),
        )
        if not budget.fits:
            raise ValueError(
                f"$.cluster.nodeGroups at their maxSize may need {budget.needed} pod and node "
                f"addresses, but the private subnets of $.network.cidr have {budget.available} "
                "free: lower maxSize, use fewer or smaller instance types, or a larger VPC"
            )
        return self

    @model_validator(mode="after")
    def _proxy_reaches_secrets_manager(self) -> StackConfig:
        if self.database.proxy.enabled and "secretsmanager" not in self.network.interface_endpoints:
            raise ValueError(
                "$.database.proxy.enabled needs the secretsmanager endpoint in "
                "$.network.interfaceEndpoints: the proxy reads its credentials from Secrets "
                "Manager, and the isolated data subnets have no other way there"
            )
        return self

    @model_validator(mode="after")
    def _production_grade_data(self) -> StackConfig:
        if self.protect_data:
            short: list[str] = []
            if self.database.backup_retention_days < 7:
                short.append(
                    f"$.database.backupRetentionDays is {self.database.backup_retention_days}"
                )
            if self.cache.snapshot_retention_days < 7:
                short.append(
                    f"$.cache.snapshotRetentionDays is {self.cache.snapshot_retention_days}"
                )
            if short:
                raise ValueError(
                    "$.protectData is true (a stack holding real data) but "
                    + " and ".join(short)
                    + "; keep at least 7 days of backups"
                )
        return self

    @property
    def slug(self) -> str:
        """``<project>-<environment>`` in lowercase letters, digits and '-': the prefix of
        physical names that must be fixed (database identifiers, secret names, repositories)."""
        text = re.sub(r"[^a-z0-9]+", "-", f"{self.project}-{self.environment}".lower())
        return text.strip("-")[:40].strip("-")

    def common_tags(self) -> dict[str, str]:
        """Tags every taggable AWS resource carries, applied as the provider's default tags."""
        return {
            "Project": self.project,
            "Environment": self.environment,
            "ManagedBy": "pulumi",
            "Owner": self.owner,
            "CostCenter": self.cost_center,
        }

    @model_validator(mode="after")
    def _apps_fit_the_platform(self) -> StackConfig:
        problems = plan_workloads(self).problems
        if problems:
            raise ValueError("; ".join(problems))
        return self


# --------------------------------------------------------------------------------------------
