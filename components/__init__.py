"""Pulumi components for a production AWS web platform: the public API.

Compose them in your own program::

    from components import Network, NetworkArgs, PostgresDatabase, PostgresDatabaseArgs

Every name below is importable from ``components`` directly. They load lazily (PEP 562): the
AWS and Kubernetes SDKs take seconds to import, and a program that needs only the network, or a
tool that needs only ``components.config``, should not pay for the whole platform.

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
    "Network": "network",
    "NetworkArgs": "network",
    "EncryptionKey": "kms",
    "EncryptionKeyArgs": "kms",
    # Secrets
    "Secret": "secret",
    "SecretArgs": "secret",
    "AppSecrets": "app_secrets",
    "AppSecretsArgs": "app_secrets",
    # Data
    "PostgresDatabase": "database",
    "PostgresDatabaseArgs": "database",
    "RedisCache": "cache",
    "RedisCacheArgs": "cache",
    "Bucket": "storage",
    "BucketArgs": "storage",
    "ImageRepository": "registry",
    "ImageRepositoryArgs": "registry",
    # Compute
    "Cluster": "eks",
    "ClusterArgs": "eks",
    "PreviewAccess": "preview_access",
    "PreviewAccessArgs": "preview_access",
    "PlatformAddons": "addons",
    "PlatformAddonsArgs": "addons",
    "AppNamespace": "namespace",
    "AppNamespaceArgs": "namespace",
    "AppService": "app",
    "AppServiceArgs": "app",
    # Edge
    "DnsZone": "dns",
    "DnsZoneArgs": "dns",
    "Edge": "edge",
    "EdgeArgs": "edge",
    # Operations
    "AlertTopics": "alert_topics",
    "AlertTopicsArgs": "alert_topics",
    "SlackChannels": "slack",
    "SlackChannelsArgs": "slack",
    "Observability": "observability",
    "ObservabilityArgs": "observability",
    "CostBudget": "budget",
    "CostBudgetArgs": "budget",
    "BackupPlan": "backup",
    "BackupPlanArgs": "backup",
    # Delivery: CI's AWS access (the bootstrap project)
    "CiAccess": "bootstrap",
    "CiAccessArgs": "bootstrap",
    "CiAccessConfig": "bootstrap",
    "BootstrapConfig": "bootstrap",
    # The whole platform of one stack, and its configuration
    "Platform": "platform",
    "StackConfig": "config",
    "ConfigError": "config",
    "load_stack_config": "config",
    "parse_stack_config": "config",
}

__all__ = [
    "AlertTopics",
    "AlertTopicsArgs",
    "AppNamespace",
    "AppNamespaceArgs",
    "AppSecrets",
    "AppSecretsArgs",
    "AppService",
    "AppServiceArgs",
    "BackupPlan",
    "BackupPlanArgs",
    "BootstrapConfig",
    "Bucket",
    "BucketArgs",
    "CiAccess",
    "CiAccessArgs",
    "CiAccessConfig",
    "Cluster",
    "ClusterArgs",
    "ConfigError",
    "CostBudget",
    "CostBudgetArgs",
    "DnsZone",
    "DnsZoneArgs",
    "Edge",
    "EdgeArgs",
    "EncryptionKey",
    "EncryptionKeyArgs",
    "ImageRepository",
    "ImageRepositoryArgs",
    "Network",
    "NetworkArgs",
    "Observability",
    "ObservabilityArgs",
    "Platform",
    "PlatformAddons",
    "PlatformAddonsArgs",
    "PostgresDatabase",
    "PostgresDatabaseArgs",
    "PreviewAccess",
    "PreviewAccessArgs",
    "RedisCache",
    "RedisCacheArgs",
    "Secret",
    "SecretArgs",
    "SlackChannels",
    "SlackChannelsArgs",
    "StackConfig",
    "load_stack_config",
    "parse_stack_config",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'components' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # import once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ loads lazily
    from components.addons import PlatformAddons, PlatformAddonsArgs
    from components.alert_topics import AlertTopics, AlertTopicsArgs
    from components.app import AppService, AppServiceArgs
    from components.app_secrets import AppSecrets, AppSecretsArgs
    from components.backup import BackupPlan, BackupPlanArgs
    from components.bootstrap import BootstrapConfig, CiAccess, CiAccessArgs, CiAccessConfig
    from components.budget import CostBudget, CostBudgetArgs
    from components.cache import RedisCache, RedisCacheArgs
    from components.config import ConfigError, StackConfig, load_stack_config, parse_stack_config
    from components.database import PostgresDatabase, PostgresDatabaseArgs
    from components.dns import DnsZone, DnsZoneArgs
    from components.edge import Edge, EdgeArgs
    from components.eks import Cluster, ClusterArgs
    from components.kms import EncryptionKey, EncryptionKeyArgs
    from components.namespace import AppNamespace, AppNamespaceArgs
    from components.network import Network, NetworkArgs
    from components.observability import Observability, ObservabilityArgs
    from components.platform import Platform
    from components.preview_access import PreviewAccess, PreviewAccessArgs
    from components.registry import ImageRepository, ImageRepositoryArgs
    from components.secret import Secret, SecretArgs
    from components.slack import SlackChannels, SlackChannelsArgs
    from components.storage import Bucket, BucketArgs
