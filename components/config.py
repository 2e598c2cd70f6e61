"""Deprecated: ``components.config`` moved. Each domain's settings model is in
``aws_web_platform.<domain>.config``, ``StackConfig`` in ``aws_web_platform.stack.config``, the
loading in ``aws_web_platform.stack.loading``.

Every public name the old module had still resolves here, with a ``DeprecationWarning`` naming
the module it lives in now; the shim goes away in the next release.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

#: Every public name of the old module -> the module that defines it now.
_MOVED: dict[str, str] = {
    "PROJECT_DIR": "aws_web_platform.registry.config",
    "ConfigModel": "aws_web_platform.core.fields",
    "LOG_RETENTION_DAYS": "aws_web_platform.core.fields",
    "LogRetentionDays": "aws_web_platform.core.fields",
    "TagValue": "aws_web_platform.core.fields",
    "AccountId": "aws_web_platform.core.fields",
    "IPv4NetworkText": "aws_web_platform.core.fields",
    "IamPrincipalArn": "aws_web_platform.core.fields",
    "EndpointService": "aws_web_platform.network.config",
    "ENDPOINTS_REQUIRED_WITHOUT_NAT": "aws_web_platform.network.config",
    "NatStrategy": "aws_web_platform.network.config",
    "VpcCidr": "aws_web_platform.network.config",
    "FlowLogsConfig": "aws_web_platform.network.config",
    "NetworkConfig": "aws_web_platform.network.config",
    "KmsConfig": "aws_web_platform.kms.config",
    "APP_SECRET_VALUES_KEY": "aws_web_platform.secrets.config",
    "AppSecretName": "aws_web_platform.secrets.config",
    "AppSecretsConfig": "aws_web_platform.secrets.config",
    "RdsInstanceClass": "aws_web_platform.database.config",
    "PerformanceInsightsRetention": "aws_web_platform.database.config",
    "DailyWindow": "aws_web_platform.core.fields",
    "WeeklyWindow": "aws_web_platform.core.fields",
    "PostgresParameters": "aws_web_platform.database.config",
    "ProxyConfig": "aws_web_platform.database.config",
    "PoolConfig": "aws_web_platform.database.config",
    "DatabaseConfig": "aws_web_platform.database.config",
    "CACHE_PARAMETER_FAMILIES": "aws_web_platform.cache.config",
    "CacheConfig": "aws_web_platform.cache.config",
    "StorageConfig": "aws_web_platform.storage.config",
    "ImageBuildConfig": "aws_web_platform.registry.config",
    "ImageConfig": "aws_web_platform.registry.config",
    "AppImageName": "aws_web_platform.registry.config",
    "RegistryConfig": "aws_web_platform.registry.config",
    "DnsConfig": "aws_web_platform.dns.config",
    "KubernetesVersion": "aws_web_platform.eks.config",
    "InstanceTypeName": "aws_web_platform.eks.config",
    "AmiType": "aws_web_platform.eks.config",
    "AddonVersion": "aws_web_platform.eks.config",
    "LabelKey": "aws_web_platform.eks.config",
    "LabelValue": "aws_web_platform.eks.config",
    "TaintConfig": "aws_web_platform.eks.config",
    "NodeGroupConfig": "aws_web_platform.eks.config",
    "ClusterAddonsConfig": "aws_web_platform.eks.config",
    "IamRoleName": "aws_web_platform.eks.config",
    "CiClusterAccessConfig": "aws_web_platform.eks.config",
    "ClusterConfig": "aws_web_platform.eks.config",
    "ChartVersion": "aws_web_platform.k8s.config",
    "Quantity": "aws_web_platform.k8s.config",
    "ChartVersionsConfig": "aws_web_platform.k8s.config",
    "MonitoringConfig": "aws_web_platform.k8s.config",
    "NamespaceQuotaConfig": "aws_web_platform.k8s.config",
    "AddonsConfig": "aws_web_platform.k8s.config",
    "PathPattern": "aws_web_platform.edge.config",
    "UrlPath": "aws_web_platform.edge.config",
    "Hostname": "aws_web_platform.edge.config",
    "RateLimitConfig": "aws_web_platform.edge.config",
    "WafConfig": "aws_web_platform.edge.config",
    "TargetConfig": "aws_web_platform.edge.config",
    "EdgeConfig": "aws_web_platform.edge.config",
    "K8sName": "aws_web_platform.k8s.config",
    "ContainerPath": "aws_web_platform.k8s.config",
    "EnvName": "aws_web_platform.k8s.config",
    "BucketRole": "aws_web_platform.k8s.config",
    "BucketAccess": "aws_web_platform.k8s.config",
    "PLATFORM_ENV": "aws_web_platform.k8s.environment",
    "PLATFORM_ENV_PREFIXES": "aws_web_platform.k8s.environment",
    "RESERVED_WORKLOAD_NAMES": "aws_web_platform.k8s.config",
    "env_name": "aws_web_platform.k8s.environment",
    "volume_name": "aws_web_platform.k8s.config",
    "AutoscalingConfig": "aws_web_platform.k8s.config",
    "WorkloadConfig": "aws_web_platform.k8s.config",
    "MigrationsConfig": "aws_web_platform.k8s.config",
    "AppsConfig": "aws_web_platform.k8s.config",
    "Severity": "aws_web_platform.observability.config",
    "SEVERITIES": "aws_web_platform.observability.config",
    "EmailAddress": "aws_web_platform.observability.config",
    "DailyTime": "aws_web_platform.observability.config",
    "SlackConfig": "aws_web_platform.observability.config",
    "NotificationsConfig": "aws_web_platform.observability.config",
    "AlarmConfig": "aws_web_platform.observability.config",
    "AlarmsConfig": "aws_web_platform.observability.config",
    "ContainerLogsConfig": "aws_web_platform.observability.config",
    "BudgetConfig": "aws_web_platform.observability.config",
    "ObservabilityConfig": "aws_web_platform.observability.config",
    "VaultLockConfig": "aws_web_platform.backup.config",
    "RestoreTestingConfig": "aws_web_platform.backup.config",
    "BackupConfig": "aws_web_platform.backup.config",
    "StackConfig": "aws_web_platform.stack.config",
    "ConfigError": "aws_web_platform.stack.loading",
    "load_stack_config": "aws_web_platform.stack.loading",
    "parse_stack_config": "aws_web_platform.stack.loading",
    "ModelT": "aws_web_platform.stack.loading",
    "load_config_model": "aws_web_platform.stack.loading",
    "load_app_secret_values": "aws_web_platform.stack.loading",
    "decode_config_value": "aws_web_platform.stack.loading",
}

# the names the old module had
__all__ = list(_MOVED)  # pyright: ignore[reportUnsupportedDunderAll]


def __getattr__(name: str) -> Any:
    module = _MOVED.get(name)
    if module is None:
        raise AttributeError(f"module 'components.config' has no attribute {name!r}")
    warnings.warn(
        f"components.config.{name} is deprecated: import it from {module}; "
        "components.config goes away in the next release",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return __all__
