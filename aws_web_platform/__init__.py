"""Pulumi components for a production AWS web platform: the public API.

Compose them in your own program::

    from aws_web_platform import Network, NetworkArgs, PostgresDatabase, PostgresDatabaseArgs

Every name below is importable from ``aws_web_platform`` directly. They load lazily (PEP 562): the
AWS and Kubernetes SDKs take seconds to import, and a program that needs only the network, or a
tool that needs only ``aws_web_platform.stack``, should not pay for the whole platform.

Each component is a ``pulumi.ComponentResource`` taking ``(name, args, opts)``; pass your
providers through ``opts`` (``providers={"aws": ..., "kubernetes": ...}``). The reference of
every argument (default and why) and output is docs/components.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Public name -> module that defines it; ``__all__`` lists the same names (a test keeps the two,
# and every component of the modules, in step).
_EXPORTS: dict[str, str] = {
    # Network and keys
    "Network": "network.network",
    "NetworkArgs": "network.network",
    "NetworkWiring": "network.network",
    "EncryptionKey": "kms.encryption_key",
    "EncryptionKeyArgs": "kms.encryption_key",
    # Secrets
    "Secret": "secrets.secret",
    "SecretArgs": "secrets.secret",
    "AppSecrets": "secrets.app_secrets",
    "AppSecretsArgs": "secrets.app_secrets",
    # Data
    "PostgresDatabase": "database.database",
    "PostgresDatabaseArgs": "database.database",
    "PostgresDatabaseWiring": "database.database",
    "RedisCache": "cache.cache",
    "RedisCacheArgs": "cache.cache",
    "RedisCacheWiring": "cache.cache",
    "Bucket": "storage.bucket",
    "BucketArgs": "storage.bucket",
    "ImageRepository": "registry.repository",
    "ImageRepositoryArgs": "registry.repository",
    # Compute
    "Cluster": "eks.cluster",
    "ClusterArgs": "eks.cluster",
    "ClusterWiring": "eks.cluster",
    "PreviewAccess": "eks.preview_access",
    "PreviewAccessArgs": "eks.preview_access",
    "PlatformAddons": "k8s.addons",
    "PlatformAddonsArgs": "k8s.addons",
    "PlatformAddonsWiring": "k8s.addons",
    "AppNamespace": "k8s.namespace",
    "AppNamespaceArgs": "k8s.namespace",
    "AppNamespaceWiring": "k8s.namespace",
    "AppService": "k8s.app_service",
    "AppServiceArgs": "k8s.app_service",
    "AppServiceWiring": "k8s.app_service",
    "DatabaseDump": "k8s.database_dump",
    "DatabaseDumpArgs": "k8s.database_dump",
    "DatabaseDumpWiring": "k8s.database_dump",
    "DatabaseRoles": "k8s.database_roles",
    "DatabaseRolesArgs": "k8s.database_roles",
    # Edge
    "DnsZone": "dns.zone",
    "DnsZoneArgs": "dns.zone",
    "DnsZoneWiring": "dns.zone",
    "Edge": "edge.edge",
    "EdgeArgs": "edge.edge",
    "EdgeWiring": "edge.edge",
    # Operations
    "AlertTopics": "observability.alert_topics",
    "AlertTopicsArgs": "observability.alert_topics",
    "SlackChannels": "observability.slack",
    "SlackChannelsArgs": "observability.slack",
    "SlackChannelsWiring": "observability.slack",
    "Observability": "observability.observability",
    "ObservabilityArgs": "observability.observability",
    "CostBudget": "observability.budget",
    "CostBudgetArgs": "observability.budget",
    "CostBudgetWiring": "observability.budget",
    "BackupPlan": "backup.plan",
    "BackupPlanArgs": "backup.plan",
    "BackupPlanWiring": "backup.plan",
    # Delivery: CI's AWS access (the bootstrap project)
    "CiAccess": "bootstrap.ci_access",
    "CiAccessArgs": "bootstrap.ci_access",
    "CiAccessWiring": "bootstrap.ci_access",
    "CiAccessConfig": "bootstrap.config",
    "BootstrapConfig": "bootstrap.config",
    # The whole platform of one stack, and its configuration
    "Platform": "platform.platform",
    "StackConfig": "stack.config",
    "ConfigError": "stack.loading",
    "load_stack_config": "stack.loading",
    "parse_stack_config": "stack.loading",
}

__all__ = [
    "AlertTopics",
    "AlertTopicsArgs",
    "AppNamespace",
    "AppNamespaceArgs",
    "AppNamespaceWiring",
    "AppSecrets",
    "AppSecretsArgs",
    "AppService",
    "AppServiceArgs",
    "AppServiceWiring",
    "BackupPlan",
    "BackupPlanArgs",
    "BackupPlanWiring",
    "BootstrapConfig",
    "Bucket",
    "BucketArgs",
    "CiAccess",
    "CiAccessArgs",
    "CiAccessConfig",
    "CiAccessWiring",
    "Cluster",
    "ClusterArgs",
    "ClusterWiring",
    "ConfigError",
    "CostBudget",
    "CostBudgetArgs",
    "CostBudgetWiring",
    "DatabaseDump",
    "DatabaseDumpArgs",
    "DatabaseDumpWiring",
    "DatabaseRoles",
    "DatabaseRolesArgs",
    "DnsZone",
    "DnsZoneArgs",
    "DnsZoneWiring",
    "Edge",
    "EdgeArgs",
    "EdgeWiring",
    "EncryptionKey",
    "EncryptionKeyArgs",
    "ImageRepository",
    "ImageRepositoryArgs",
    "Network",
    "NetworkArgs",
    "NetworkWiring",
    "Observability",
    "ObservabilityArgs",
    "Platform",
    "PlatformAddons",
    "PlatformAddonsArgs",
    "PlatformAddonsWiring",
    "PostgresDatabase",
    "PostgresDatabaseArgs",
    "PostgresDatabaseWiring",
    "PreviewAccess",
    "PreviewAccessArgs",
    "RedisCache",
    "RedisCacheArgs",
    "RedisCacheWiring",
    "Secret",
    "SecretArgs",
    "SlackChannels",
    "SlackChannelsArgs",
    "SlackChannelsWiring",
    "StackConfig",
    "load_stack_config",
    "parse_stack_config",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'aws_web_platform' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # import once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ loads lazily
    from aws_web_platform.backup.plan import BackupPlan, BackupPlanArgs, BackupPlanWiring
    from aws_web_platform.bootstrap.ci_access import CiAccess, CiAccessArgs, CiAccessWiring
    from aws_web_platform.bootstrap.config import BootstrapConfig, CiAccessConfig
    from aws_web_platform.cache.cache import RedisCache, RedisCacheArgs, RedisCacheWiring
    from aws_web_platform.database.database import (
        PostgresDatabase,
        PostgresDatabaseArgs,
        PostgresDatabaseWiring,
    )
    from aws_web_platform.dns.zone import DnsZone, DnsZoneArgs, DnsZoneWiring
    from aws_web_platform.edge.edge import Edge, EdgeArgs, EdgeWiring
    from aws_web_platform.eks.cluster import Cluster, ClusterArgs, ClusterWiring
    from aws_web_platform.eks.preview_access import PreviewAccess, PreviewAccessArgs
    from aws_web_platform.k8s.addons import PlatformAddons, PlatformAddonsArgs, PlatformAddonsWiring
    from aws_web_platform.k8s.app_service import AppService, AppServiceArgs, AppServiceWiring
    from aws_web_platform.k8s.database_dump import (
        DatabaseDump,
        DatabaseDumpArgs,
        DatabaseDumpWiring,
    )
    from aws_web_platform.k8s.database_roles import DatabaseRoles, DatabaseRolesArgs
    from aws_web_platform.k8s.namespace import AppNamespace, AppNamespaceArgs, AppNamespaceWiring
    from aws_web_platform.kms.encryption_key import EncryptionKey, EncryptionKeyArgs
    from aws_web_platform.network.network import Network, NetworkArgs, NetworkWiring
    from aws_web_platform.observability.alert_topics import AlertTopics, AlertTopicsArgs
    from aws_web_platform.observability.budget import CostBudget, CostBudgetArgs, CostBudgetWiring
    from aws_web_platform.observability.observability import Observability, ObservabilityArgs
    from aws_web_platform.observability.slack import (
        SlackChannels,
        SlackChannelsArgs,
        SlackChannelsWiring,
    )
    from aws_web_platform.platform.platform import Platform
    from aws_web_platform.registry.repository import ImageRepository, ImageRepositoryArgs
    from aws_web_platform.secrets.app_secrets import AppSecrets, AppSecretsArgs
    from aws_web_platform.secrets.secret import Secret, SecretArgs
    from aws_web_platform.stack.config import StackConfig
    from aws_web_platform.stack.loading import ConfigError, load_stack_config, parse_stack_config
    from aws_web_platform.storage.bucket import Bucket, BucketArgs
