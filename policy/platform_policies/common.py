"""What every policy of the pack shares: the resource types it reads, how engine properties are
read (proxies, unknowns, floats), and which resource names which bucket."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

PACK_NAME = "platform-policies"
ENFORCEMENT_LEVEL = EnforcementLevel.MANDATORY
"""Every policy blocks the deploy: none of them is a matter of taste."""

REQUIRED_TAGS = ("Project", "Environment", "ManagedBy", "Owner", "CostCenter")
MIN_BACKUP_DAYS = 30
PROTECT_POLICY = "stateful-resources-protected"
PROTECT_DATA = "protectData"
"""Config property of :data:`PROTECT_POLICY`: whether the stack holds real data."""

# Resource types the policies look at (pulumi-aws 7, pulumi-kubernetes 4 tokens).
RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
RDS_CLUSTER_PARAMETER_GROUP = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
RDS_PROXY = "aws:rds/proxy:Proxy"
CACHE_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
BUCKET_ENCRYPTION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
BUCKET_PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_ACLS = ("aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2")
BUCKET_OBJECTS = (
    "aws:s3/bucketObject:BucketObject",
    "aws:s3/bucketObjectv2:BucketObjectv2",
    "aws:s3/BucketObject:BucketObject",
)
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
LISTENERS = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
EC2_INSTANCE = "aws:ec2/instance:Instance"
EBS_VOLUME = "aws:ebs/volume:Volume"
EKS_CLUSTER = "aws:eks/cluster:Cluster"
SNS_TOPIC = "aws:sns/topic:Topic"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
SECURITY_GROUPS = (
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
)
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
KMS_KEY = "aws:kms/key:Key"
SECRET = "aws:secretsmanager/secret:Secret"
ECR_REPOSITORY = "aws:ecr/repository:Repository"
BACKUP_VAULT = "aws:backup/vault:Vault"
BACKUP_PLAN = "aws:backup/plan:Plan"
AUTOSCALING_GROUP = "aws:autoscaling/group:Group"
AWS_PROVIDER = "pulumi:providers:aws"
STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass"

#: Where each workload kind keeps its pod spec.
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "kubernetes:apps/v1:Deployment": ("spec", "template", "spec"),
    "kubernetes:apps/v1:StatefulSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:DaemonSet": ("spec", "template", "spec"),
    "kubernetes:batch/v1:Job": ("spec", "template", "spec"),
    "kubernetes:batch/v1:CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "kubernetes:core/v1:Pod": ("spec",),
}
RUN_TO_COMPLETION = ("kubernetes:batch/v1:Job", "kubernetes:batch/v1:CronJob")

Check = Callable[[ResourceValidationArgs], Iterator[str]]
"""One resource type's check: yields a message per problem (each message says how to fix it)."""


def is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def read(value: Any, *path: str | int) -> Any:
    """The value at ``path`` (keys and list indexes), or None where any step is missing.

    An unknown value raises ``UnknownValueError`` (see the module docstring)."""
    for step in path:
        if isinstance(step, int):
            if not is_list(value) or not -len(value) <= step < len(value):
                return None
            value = value[step]
        elif isinstance(value, Mapping):
            value = value.get(step)
        else:
            return None
        if value is None:
            return None
    return value


def items_of(value: Any) -> list[Any]:
    """The elements of a list property; nothing when it is absent or not a list."""
    return list(value) if is_list(value) else []


def is_set(value: Any, *path: str | int) -> bool:
    """Whether the property holds something: an unknown value counts (it is computed from
    another resource, so it will be set); None, "" and empty containers do not."""
    try:
        found = read(value, *path)
    except UnknownValueError:
        return True
    if found is None:
        return False
    if isinstance(found, str | Mapping) or is_list(found):
        return len(found) > 0
    return True


def is_true(value: Any) -> bool:
    """True, or the text "true" (some providers and Kubernetes carry booleans as text)."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def days_text(value: Any) -> str:
    days = as_number(value)
    return "not set" if days is None else f"{days:g} days"


def is_replica(args: ResourceValidationArgs) -> bool:
    """An RDS read replica: it copies a source instance, whose settings the policies check."""
    return is_set(args.props, "replicateSourceDb")


def resource_policy(
    name: str,
    description: str,
    checks: Mapping[str, Check],
    *,
    config_schema: PolicyConfigSchema | None = None,
) -> ResourceValidationPolicy:
    """A resource policy that runs the check of the resource's type, reporting each message."""

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        check = checks.get(args.resource_type)
        if check is not None:
            for message in check(args):
                report_violation(message, None)

    return ResourceValidationPolicy(
        name=name, description=description, validate=validate, config_schema=config_schema
    )


def points_to(resource: PolicyResource, prop: str, target: PolicyResource, *path: str) -> bool:
    """Whether ``resource``'s property ``prop`` refers to ``target`` (a bucket).

    The engine's property dependencies say so even in a preview, where a new bucket's name is
    not known yet; otherwise the value is compared with the bucket's name; as a last resort
    (unknown value, no property dependencies) any dependency on the bucket counts.
    """
    dependencies = resource.property_dependencies.get(prop)
    if dependencies:
        return any(d.urn == target.urn for d in dependencies)
    try:
        value = read(resource.props, *(path or (prop,)))
        name = read(target.props, "bucket")
    except UnknownValueError:
        value = name = None
    if value is not None and name is not None:
        return value == name
    return any(d.urn == target.urn for d in resource.dependencies)


def of_types(resources: Iterable[PolicyResource], types: Iterable[str]) -> list[PolicyResource]:
    wanted = set(types)
    return [r for r in resources if r.resource_type in wanted]


def alb_log_buckets(resources: list[PolicyResource], buckets: list[PolicyResource]) -> set[str]:
    """URNs of the buckets that load balancers write access logs to."""
    found: set[str] = set()
    for balancer in of_types(resources, LOAD_BALANCERS):
        if not is_true(read(balancer.props, "accessLogs", "enabled")):
            continue
        found |= {
            b.urn for b in buckets if points_to(balancer, "accessLogs", b, "accessLogs", "bucket")
        }
    return found
