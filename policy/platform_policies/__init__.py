"""The platform's policy pack: the rules every stack must keep, whoever wrote the program.

The components are secure by default; these policies make the defaults a guarantee. They run in
two places with the same code:

* by the Pulumi CLI, ``pulumi preview --policy-pack policy --policy-pack-config <file>``, which
  runs ``policy/__main__.py`` (the pack) in its own virtual environment; and
* in-process over the offline plan (``tools/policy.py``), in ``make plan`` and ``make test``.

This module therefore imports nothing but the standard library and ``pulumi_policy``: the pack's
virtual environment holds only ``policy/requirements.txt``.

Properties arrive as the engine sends them: camelCase keys, numbers as floats, wrapped in
``pulumi_policy``'s proxies (``Mapping``/``Sequence``, not ``dict``/``list``), and during a
preview some values are unknown. Reading an unknown value raises ``UnknownValueError``; the SDK
turns that into an advisory "can't run during preview" and the update checks the real value.
Presence checks (is a KMS key set?) instead treat an unknown value as set: it is computed from
another resource and will be there.

The rules are grouped by concern, a module each: ``encryption``, ``exposure``, ``data``,
``operations``, ``kubernetes``; ``common`` holds the resource types and the property readers.
"""

from __future__ import annotations

from pulumi_policy import Policy

from .common import (
    AUTOSCALING_GROUP,
    AWS_PROVIDER,
    BACKUP_PLAN,
    BACKUP_VAULT,
    BUCKET_ACLS,
    BUCKET_ENCRYPTION,
    BUCKET_OBJECTS,
    BUCKET_PUBLIC_ACCESS_BLOCK,
    BUCKETS,
    CACHE_GROUP,
    DISTRIBUTION,
    EBS_VOLUME,
    EC2_INSTANCE,
    ECR_REPOSITORY,
    EKS_CLUSTER,
    ENFORCEMENT_LEVEL,
    INGRESS_RULE,
    KMS_KEY,
    LAUNCH_TEMPLATE,
    LISTENERS,
    LOAD_BALANCERS,
    LOG_GROUP,
    MIN_BACKUP_DAYS,
    PACK_NAME,
    POD_SPEC_PATHS,
    PROTECT_DATA,
    PROTECT_POLICY,
    RDS_CLUSTER,
    RDS_CLUSTER_PARAMETER_GROUP,
    RDS_INSTANCE,
    RDS_PARAMETER_GROUP,
    RDS_PROXY,
    REQUIRED_TAGS,
    RUN_TO_COMPLETION,
    SECRET,
    SECURITY_GROUP_RULE,
    SECURITY_GROUPS,
    SNS_TOPIC,
    STORAGE_CLASS,
    Check,
)
from .data import (
    BACKUPS_RETAINED,
    STATEFUL_RESOURCES_PROTECTED,
    protect_data_enabled,
)
from .encryption import (
    ENCRYPTION_AT_REST,
    KMS_ALGORITHMS,
    S3_ENCRYPTION,
    TLS_IN_TRANSIT,
)
from .exposure import (
    IMDSV2_REQUIRED,
    NO_INGRESS_FROM_INTERNET,
    PUBLIC_ACCESS_FLAGS,
    PUBLIC_ACLS,
    PUBLIC_GROUPS,
    S3_NO_PUBLIC_ACL,
    S3_PUBLIC_ACCESS_BLOCKED,
)
from .kubernetes import (
    KUBERNETES_CONTAINERS_HARDENED,
)
from .operations import (
    LOG_GROUPS_HAVE_RETENTION,
    REQUIRED_TAGS_POLICY,
    default_tags,
)

POLICIES: list[Policy] = [
    ENCRYPTION_AT_REST,
    S3_ENCRYPTION,
    TLS_IN_TRANSIT,
    S3_PUBLIC_ACCESS_BLOCKED,
    S3_NO_PUBLIC_ACL,
    NO_INGRESS_FROM_INTERNET,
    IMDSV2_REQUIRED,
    STATEFUL_RESOURCES_PROTECTED,
    BACKUPS_RETAINED,
    LOG_GROUPS_HAVE_RETENTION,
    REQUIRED_TAGS_POLICY,
    KUBERNETES_CONTAINERS_HARDENED,
]
"""Every policy of the pack, in the order they are reported."""

__all__ = [
    "AUTOSCALING_GROUP",
    "AWS_PROVIDER",
    "BACKUPS_RETAINED",
    "BACKUP_PLAN",
    "BACKUP_VAULT",
    "BUCKETS",
    "BUCKET_ACLS",
    "BUCKET_ENCRYPTION",
    "BUCKET_OBJECTS",
    "BUCKET_PUBLIC_ACCESS_BLOCK",
    "CACHE_GROUP",
    "DISTRIBUTION",
    "EBS_VOLUME",
    "EC2_INSTANCE",
    "ECR_REPOSITORY",
    "EKS_CLUSTER",
    "ENCRYPTION_AT_REST",
    "ENFORCEMENT_LEVEL",
    "IMDSV2_REQUIRED",
    "INGRESS_RULE",
    "KMS_ALGORITHMS",
    "KMS_KEY",
    "KUBERNETES_CONTAINERS_HARDENED",
    "LAUNCH_TEMPLATE",
    "LISTENERS",
    "LOAD_BALANCERS",
    "LOG_GROUP",
    "LOG_GROUPS_HAVE_RETENTION",
    "MIN_BACKUP_DAYS",
    "NO_INGRESS_FROM_INTERNET",
    "PACK_NAME",
    "POD_SPEC_PATHS",
    "POLICIES",
    "PROTECT_DATA",
    "PROTECT_POLICY",
    "PUBLIC_ACCESS_FLAGS",
    "PUBLIC_ACLS",
    "PUBLIC_GROUPS",
    "RDS_CLUSTER",
    "RDS_CLUSTER_PARAMETER_GROUP",
    "RDS_INSTANCE",
    "RDS_PARAMETER_GROUP",
    "RDS_PROXY",
    "REQUIRED_TAGS",
    "REQUIRED_TAGS_POLICY",
    "RUN_TO_COMPLETION",
    "S3_ENCRYPTION",
    "S3_NO_PUBLIC_ACL",
    "S3_PUBLIC_ACCESS_BLOCKED",
    "SECRET",
    "SECURITY_GROUPS",
    "SECURITY_GROUP_RULE",
    "SNS_TOPIC",
    "STATEFUL_RESOURCES_PROTECTED",
    "STORAGE_CLASS",
    "TLS_IN_TRANSIT",
    "Check",
    "default_tags",
    "protect_data_enabled",
]
