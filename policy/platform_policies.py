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
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    PolicyProviderResource,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
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


# --------------------------------------------------------------------------------------------
# Reading engine properties
# --------------------------------------------------------------------------------------------


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def _get(value: Any, *path: str | int) -> Any:
    """The value at ``path`` (keys and list indexes), or None where any step is missing.

    An unknown value raises ``UnknownValueError`` (see the module docstring)."""
    for step in path:
        if isinstance(step, int):
            if not _is_list(value) or not -len(value) <= step < len(value):
                return None
            value = value[step]
        elif isinstance(value, Mapping):
            value = value.get(step)
        else:
            return None
        if value is None:
            return None
    return value


def _items(value: Any) -> list[Any]:
    """The elements of a list property; nothing when it is absent or not a list."""
    return list(value) if _is_list(value) else []


def _is_set(value: Any, *path: str | int) -> bool:
    """Whether the property holds something: an unknown value counts (it is computed from
    another resource, so it will be set); None, "" and empty containers do not."""
    try:
        found = _get(value, *path)
    except UnknownValueError:
        return True
    if found is None:
        return False
    if isinstance(found, str | Mapping) or _is_list(found):
        return len(found) > 0
    return True


def _true(value: Any) -> bool:
    """True, or the text "true" (some providers and Kubernetes carry booleans as text)."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _number(value: Any) -> float | None:
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


def _days(value: Any) -> str:
    number = _number(value)
    return "not set" if number is None else f"{number:g} days"


def _is_replica(args: ResourceValidationArgs) -> bool:
    """An RDS read replica: it copies a source instance, whose settings the policies check."""
    return _is_set(args.props, "replicateSourceDb")


def _resource_policy(
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


# --------------------------------------------------------------------------------------------
# 1. Encryption at rest
# --------------------------------------------------------------------------------------------


def _rds_storage_encrypted(args: ResourceValidationArgs) -> Iterator[str]:
    if args.resource_type == RDS_INSTANCE and _is_replica(args):
        return  # a replica has its source's encryption: RDS refuses anything else
    if not _true(_get(args.props, "storageEncrypted")):
        yield (
            "storageEncrypted is not true: set storage_encrypted=True with the data KMS key "
            "(RDS cannot encrypt an existing database in place; it must be restored from an "
            "encrypted snapshot)"
        )


def _cache_at_rest(args: ResourceValidationArgs) -> Iterator[str]:
    if not _true(_get(args.props, "atRestEncryptionEnabled")):
        yield (
            "atRestEncryptionEnabled is not true: set at_rest_encryption_enabled=True with a KMS "
            "key"
        )


def _launch_template_volumes(args: ResourceValidationArgs) -> Iterator[str]:
    for index, mapping in enumerate(_items(_get(args.props, "blockDeviceMappings"))):
        ebs = _get(mapping, "ebs")
        if ebs is not None and not _true(_get(ebs, "encrypted")):
            device = _get(mapping, "deviceName") or f"#{index}"
            yield f'block device {device}: ebs.encrypted is not "true": encrypt the node volumes'


def _ebs_volume(args: ResourceValidationArgs) -> Iterator[str]:
    if not _true(_get(args.props, "encrypted")):
        yield "encrypted is not true: set encrypted=True (and a KMS key)"


def _storage_class(args: ResourceValidationArgs) -> Iterator[str]:
    if _get(args.props, "provisioner") not in ("ebs.csi.aws.com", "kubernetes.io/aws-ebs"):
        return
    if not _true(_get(args.props, "parameters", "encrypted")):
        yield (
            'parameters.encrypted is not "true": volumes provisioned from this StorageClass '
            "would be unencrypted EBS volumes"
        )


def _eks_secrets(args: ResourceValidationArgs) -> Iterator[str]:
    config = _get(args.props, "encryptionConfig")
    entries = [config] if isinstance(config, Mapping) else _items(config)
    for entry in entries:
        if "secrets" in _items(_get(entry, "resources")) and _is_set(entry, "provider", "keyArn"):
            return
    yield (
        'encryptionConfig does not encrypt "secrets" with a KMS key: set encryption_config with '
        'resources=["secrets"] and provider.key_arn (envelope encryption of Kubernetes Secrets)'
    )


def _sns_topic(args: ResourceValidationArgs) -> Iterator[str]:
    if not _is_set(args.props, "kmsMasterKeyId"):
        yield "kmsMasterKeyId is not set: encrypt the topic with a KMS key"


def _log_group_key(args: ResourceValidationArgs) -> Iterator[str]:
    if not _is_set(args.props, "kmsKeyId"):
        yield "kmsKeyId is not set: encrypt the log group with the logs KMS key"


ENCRYPTION_AT_REST = _resource_policy(
    "encryption-at-rest",
    "Data at rest is encrypted with KMS: RDS, ElastiCache, EBS (launch templates, volumes, the "
    "EBS CSI StorageClass), EKS Secrets, SNS topics and CloudWatch log groups. Encryption cannot "
    "be added to most of these later without replacing them, and unencrypted snapshots, volumes "
    "or logs leak data the moment they are shared or copied.",
    {
        RDS_INSTANCE: _rds_storage_encrypted,
        RDS_CLUSTER: _rds_storage_encrypted,
        CACHE_GROUP: _cache_at_rest,
        LAUNCH_TEMPLATE: _launch_template_volumes,
        EBS_VOLUME: _ebs_volume,
        STORAGE_CLASS: _storage_class,
        EKS_CLUSTER: _eks_secrets,
        SNS_TOPIC: _sns_topic,
        LOG_GROUP: _log_group_key,
    },
)


# --------------------------------------------------------------------------------------------
# Stack-level helpers: which resource names which bucket
# --------------------------------------------------------------------------------------------


def _names(resource: PolicyResource, prop: str, target: PolicyResource, *path: str) -> bool:
    """Whether ``resource``'s property ``prop`` refers to ``target`` (a bucket).

    The engine's property dependencies say so even in a preview, where a new bucket's name is
    not known yet; otherwise the value is compared with the bucket's name; as a last resort
    (unknown value, no property dependencies) any dependency on the bucket counts.
    """
    dependencies = resource.property_dependencies.get(prop)
    if dependencies:
        return any(d.urn == target.urn for d in dependencies)
    try:
        value = _get(resource.props, *(path or (prop,)))
        name = _get(target.props, "bucket")
    except UnknownValueError:
        value = name = None
    if value is not None and name is not None:
        return value == name
    return any(d.urn == target.urn for d in resource.dependencies)


def _of_types(resources: Iterable[PolicyResource], types: Iterable[str]) -> list[PolicyResource]:
    wanted = set(types)
    return [r for r in resources if r.resource_type in wanted]


def _alb_log_buckets(resources: list[PolicyResource], buckets: list[PolicyResource]) -> set[str]:
    """URNs of the buckets that load balancers write access logs to."""
    found: set[str] = set()
    for balancer in _of_types(resources, LOAD_BALANCERS):
        if not _true(_get(balancer.props, "accessLogs", "enabled")):
            continue
        found |= {
            b.urn for b in buckets if _names(balancer, "accessLogs", b, "accessLogs", "bucket")
        }
    return found


# --------------------------------------------------------------------------------------------
# 1b. S3 encryption (stack policy: the configuration is a separate resource)
# --------------------------------------------------------------------------------------------

KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")


def _validate_bucket_encryption(
    args: StackValidationArgs, report_violation: ReportViolation
) -> None:
    buckets = _of_types(args.resources, BUCKETS)
    configurations = _of_types(args.resources, BUCKET_ENCRYPTION)
    alb_logs = _alb_log_buckets(args.resources, buckets)
    for bucket in buckets:
        mine = [c for c in configurations if _names(c, "bucket", bucket)]
        if not mine:
            report_violation(
                f"bucket {bucket.name} has no server-side encryption configuration: add an "
                "aws.s3.BucketServerSideEncryptionConfiguration with sse_algorithm aws:kms",
                bucket.urn,
            )
            continue
        algorithms = {
            str(_get(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm") or "")
            for configuration in mine
            for rule in _items(_get(configuration.props, "rules"))
        }
        if algorithms & set(KMS_ALGORITHMS):
            continue
        if bucket.urn in alb_logs and "AES256" in algorithms:
            continue  # ELB writes access logs only to SSE-S3 buckets (AWS refuses SSE-KMS)
        shown = ", ".join(sorted(a or "none" for a in algorithms)) or "no rule"
        report_violation(
            f"bucket {bucket.name} is encrypted with {shown}, not SSE-KMS: use sse_algorithm "
            "aws:kms with the storage key (SSE-S3 is accepted only for a load balancer's "
            "access-log bucket, which AWS requires)",
            bucket.urn,
        )


S3_ENCRYPTION = StackValidationPolicy(
    name="s3-encryption-with-kms",
    description="Every S3 bucket has a default encryption configuration with SSE-KMS: the key "
    "policy is a second gate on the data (a leaked bucket policy alone does not expose it) and "
    "every decrypt is logged in CloudTrail. Load balancer access-log buckets may use SSE-S3 "
    "because Elastic Load Balancing cannot write to SSE-KMS buckets.",
    validate=_validate_bucket_encryption,
)


# --------------------------------------------------------------------------------------------
# 2. TLS in transit
# --------------------------------------------------------------------------------------------

#: Parameter that makes each engine family refuse unencrypted connections, and accepted values.
_FORCE_TLS = (
    (("postgres", "aurora-postgresql"), "rds.force_ssl", ("1",)),
    (("mysql", "aurora-mysql", "mariadb"), "require_secure_transport", ("1", "ON")),
)


def _parameter_group_tls(args: ResourceValidationArgs) -> Iterator[str]:
    family = str(_get(args.props, "family") or "")
    for prefixes, parameter, accepted in _FORCE_TLS:
        if not family.startswith(prefixes):
            continue
        values = [
            str(_get(p, "value"))
            for p in _items(_get(args.props, "parameters"))
            if _get(p, "name") == parameter
        ]
        if not any(v.upper() in accepted for v in values):
            yield (
                f"{family} parameter group does not set {parameter}={accepted[0]}: without it "
                "the database accepts unencrypted connections"
            )


def _proxy_tls(args: ResourceValidationArgs) -> Iterator[str]:
    if not _true(_get(args.props, "requireTls")):
        yield "requireTls is not true: set require_tls=True so clients must use TLS"


def _cache_in_transit(args: ResourceValidationArgs) -> Iterator[str]:
    if not _true(_get(args.props, "transitEncryptionEnabled")):
        yield "transitEncryptionEnabled is not true: set transit_encryption_enabled=True"
    elif _get(args.props, "transitEncryptionMode") == "preferred":
        yield (
            'transitEncryptionMode is "preferred", which still accepts plaintext: set it to '
            '"required" once clients use TLS'
        )


def _modern_alb_policy(name: str) -> bool:
    """ELB security policies whose minimum is TLS 1.2 name it (TLS13-1-2, TLS-1-2, FS-1-2)."""
    return any(marker in name for marker in ("TLS13", "TLS-1-2", "FS-1-2"))


def _listener_tls(args: ResourceValidationArgs) -> Iterator[str]:
    if not _is_set(args.props, "protocol") and not _is_set(args.props, "port"):
        return  # a Gateway Load Balancer listener (GENEVE): no protocol, no port, no TLS
    protocol = str(_get(args.props, "protocol") or "HTTP").upper()  # ALB default: HTTP
    if protocol == "HTTPS":
        policy = str(_get(args.props, "sslPolicy") or "")
        if not policy:
            yield (
                "HTTPS listener without sslPolicy: the ELB default still accepts TLS 1.0; set "
                "e.g. ELBSecurityPolicy-TLS13-1-2-2021-06"
            )
        elif not _modern_alb_policy(policy):
            yield f"sslPolicy {policy} accepts TLS below 1.2: use a TLS13-1-2 or TLS-1-2 policy"
    elif protocol == "HTTP":
        actions = _items(_get(args.props, "defaultActions"))
        redirects = [
            a
            for a in actions
            if _get(a, "type") == "redirect"
            and str(_get(a, "redirect", "protocol") or "").upper() == "HTTPS"
        ]
        if not actions or len(redirects) != len(actions):
            yield (
                "HTTP listener that does not redirect to HTTPS: its default action must be a "
                "redirect with protocol HTTPS (or serve HTTPS only)"
            )


_VIEWER_TLS = re.compile(r"^TLSv(\d+)\.(\d+)_(\d{4})$")
_WEAK_ORIGIN_PROTOCOLS = ("SSLv3", "TLSv1", "TLSv1.1")


def _modern_viewer_tls(version: str) -> bool:
    """TLSv1.2_2021 or newer (TLSv1.2_2025, TLSv1.3_2025 ...): TLS 1.2+ with current ciphers."""
    match = _VIEWER_TLS.match(version)
    if match is None:
        return False
    major, minor, year = (int(g) for g in match.groups())
    return (major, minor) > (1, 2) or ((major, minor) == (1, 2) and year >= 2021)


def _distribution_tls(args: ResourceValidationArgs) -> Iterator[str]:
    behaviours = [("default cache behaviour", _get(args.props, "defaultCacheBehavior"))] + [
        (f"cache behaviour {_get(b, 'pathPattern')}", b)
        for b in _items(_get(args.props, "orderedCacheBehaviors"))
    ]
    for label, behaviour in behaviours:
        policy = _get(behaviour, "viewerProtocolPolicy")
        if policy not in ("redirect-to-https", "https-only"):
            yield (
                f"{label}: viewerProtocolPolicy is {policy!r}: use redirect-to-https or https-only"
            )
    certificate = _get(args.props, "viewerCertificate")
    version = str(_get(certificate, "minimumProtocolVersion") or "")
    if _true(_get(certificate, "cloudfrontDefaultCertificate")):
        yield (
            "viewerCertificate is the default *.cloudfront.net certificate, which accepts TLS "
            "1.0: use an ACM certificate with minimum_protocol_version TLSv1.2_2021"
        )
    elif not _modern_viewer_tls(version):
        yield (
            f"viewerCertificate.minimumProtocolVersion is {version or 'not set'}: use "
            "TLSv1.2_2021 or newer"
        )
    for origin in _items(_get(args.props, "origins")):
        custom = _get(origin, "customOriginConfig")
        if custom is None:
            continue
        origin_id = _get(origin, "originId")
        if _get(custom, "originProtocolPolicy") != "https-only":
            yield (
                f"origin {origin_id}: originProtocolPolicy is "
                f"{_get(custom, 'originProtocolPolicy')!r}: use https-only"
            )
        protocols = _items(_get(custom, "originSslProtocols"))
        weak = [p for p in protocols if p in _WEAK_ORIGIN_PROTOCOLS]
        if weak:
            yield f"origin {origin_id}: originSslProtocols allows {', '.join(weak)}: use TLSv1.2"


TLS_IN_TRANSIT = _resource_policy(
    "tls-in-transit",
    "Traffic is encrypted in transit: PostgreSQL forces SSL (rds.force_ssl=1) and RDS Proxy "
    "requires TLS, ElastiCache requires in-transit encryption, ALB listeners serve HTTPS with a "
    "TLS 1.2+ policy or redirect HTTP to HTTPS, and CloudFront redirects viewers to HTTPS with "
    "TLSv1.2_2021 or newer and reaches custom origins over HTTPS only. Credentials, session "
    "tokens and personal data cross these links; the VPC is not a trust boundary.",
    {
        RDS_PARAMETER_GROUP: _parameter_group_tls,
        RDS_CLUSTER_PARAMETER_GROUP: _parameter_group_tls,
        RDS_PROXY: _proxy_tls,
        CACHE_GROUP: _cache_in_transit,
        **dict.fromkeys(LISTENERS, _listener_tls),
        DISTRIBUTION: _distribution_tls,
    },
)


# --------------------------------------------------------------------------------------------
# 3. No public S3
# --------------------------------------------------------------------------------------------

PUBLIC_ACCESS_FLAGS = (
    "blockPublicAcls",
    "blockPublicPolicy",
    "ignorePublicAcls",
    "restrictPublicBuckets",
)


def _validate_public_access_block(
    args: StackValidationArgs, report_violation: ReportViolation
) -> None:
    blocks = _of_types(args.resources, (BUCKET_PUBLIC_ACCESS_BLOCK,))
    for bucket in _of_types(args.resources, BUCKETS):
        mine = [b for b in blocks if _names(b, "bucket", bucket)]
        if not mine:
            report_violation(
                f"bucket {bucket.name} has no public access block: add an "
                "aws.s3.BucketPublicAccessBlock with all four flags true",
                bucket.urn,
            )
            continue
        unset = [
            [flag for flag in PUBLIC_ACCESS_FLAGS if not _true(_get(block.props, flag))]
            for block in mine
        ]
        off = min(unset, key=len)
        if off:
            report_violation(
                f"bucket {bucket.name}'s public access block does not set {', '.join(off)}: "
                "set all four flags true",
                bucket.urn,
            )


S3_PUBLIC_ACCESS_BLOCKED = StackValidationPolicy(
    name="s3-public-access-blocked",
    description="Every S3 bucket has a public access block with all four flags true, so no ACL "
    "or bucket policy written later can make it public. Public content is served through "
    "CloudFront with origin access control, never from the bucket.",
    validate=_validate_public_access_block,
)

PUBLIC_ACLS = ("public-read", "public-read-write", "authenticated-read")
PUBLIC_GROUPS = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)


def _public_acl(args: ResourceValidationArgs) -> Iterator[str]:
    acl = _get(args.props, "acl")
    if acl in PUBLIC_ACLS:
        yield f"canned ACL {acl} makes objects readable by anyone: use private (the default)"
    grants = _items(_get(args.props, "grants")) + _items(
        _get(args.props, "accessControlPolicy", "grants")
    )
    for grant in grants:
        uri = _get(grant, "uri") or _get(grant, "grantee", "uri")
        if uri in PUBLIC_GROUPS:
            yield f"an ACL grant to {uri.rsplit('/', 1)[-1]} makes the bucket public: remove it"


S3_NO_PUBLIC_ACL = _resource_policy(
    "s3-no-public-acl",
    "No bucket or object ACL grants access to everyone or to every AWS account (public-read, "
    "public-read-write, authenticated-read, AllUsers/AuthenticatedUsers grants): such ACLs are "
    "the classic way data leaks from S3; access goes through IAM and bucket policies.",
    dict.fromkeys((*BUCKETS, *BUCKET_ACLS, *BUCKET_OBJECTS), _public_acl),
)


# --------------------------------------------------------------------------------------------
# 4. No ingress from the internet
# --------------------------------------------------------------------------------------------


def _whole_internet(cidr: Any) -> bool:
    try:
        return ipaddress.ip_network(str(cidr), strict=False).prefixlen == 0
    except ValueError:
        return False


def _ports(rule: Any) -> str:
    low, high = _number(_get(rule, "fromPort")), _number(_get(rule, "toPort"))
    protocol = _get(rule, "ipProtocol") or _get(rule, "protocol") or "any protocol"
    if low is None:
        return str(protocol)
    return f"{protocol} {low:g}" + ("" if high in (None, low) else f"-{high:g}")


_OPEN_INGRESS_FIX = (
    "admit a managed prefix list (CloudFront's), a security group or a narrower CIDR instead"
)


def _inline_ingress(args: ResourceValidationArgs) -> Iterator[str]:
    for rule in _items(_get(args.props, "ingress")):
        for cidr in _items(_get(rule, "cidrBlocks")) + _items(_get(rule, "ipv6CidrBlocks")):
            if _whole_internet(cidr):
                yield f"ingress from {cidr} on {_ports(rule)}: {_OPEN_INGRESS_FIX}"


def _ingress_rule(args: ResourceValidationArgs) -> Iterator[str]:
    for key in ("cidrIpv4", "cidrIpv6"):
        cidr = _get(args.props, key)
        if cidr is not None and _whole_internet(cidr):
            yield f"ingress from {cidr} on {_ports(args.props)}: {_OPEN_INGRESS_FIX}"


def _security_group_rule(args: ResourceValidationArgs) -> Iterator[str]:
    if _get(args.props, "type") != "ingress":
        return
    cidrs = _items(_get(args.props, "cidrBlocks")) + _items(_get(args.props, "ipv6CidrBlocks"))
    for cidr in cidrs:
        if _whole_internet(cidr):
            yield f"ingress from {cidr} on {_ports(args.props)}: {_OPEN_INGRESS_FIX}"


NO_INGRESS_FROM_INTERNET = _resource_policy(
    "no-ingress-from-internet",
    "No security group admits traffic from 0.0.0.0/0 or ::/0 (inline ingress, "
    "aws.vpc.SecurityGroupIngressRule, aws.ec2.SecurityGroupRule): the only public entry is "
    "CloudFront (with WAF), and the ALB admits CloudFront through its managed prefix list. An "
    "open rule bypasses WAF and exposes whatever listens behind it.",
    {
        **dict.fromkeys(SECURITY_GROUPS, _inline_ingress),
        INGRESS_RULE: _ingress_rule,
        SECURITY_GROUP_RULE: _security_group_rule,
    },
)


# --------------------------------------------------------------------------------------------
# 5. IMDSv2
# --------------------------------------------------------------------------------------------


def _imdsv2(args: ResourceValidationArgs) -> Iterator[str]:
    options = _get(args.props, "metadataOptions")
    if _get(options, "httpEndpoint") == "disabled":
        return  # no metadata service at all
    if _get(options, "httpTokens") != "required":
        yield (
            'metadataOptions.httpTokens is not "required": require IMDSv2 session tokens '
            '(http_tokens="required")'
        )


IMDSV2_REQUIRED = _resource_policy(
    "imdsv2-required",
    "Every launch template and instance requires IMDSv2 (metadataOptions.httpTokens = "
    "required): IMDSv1 answers any request that reaches it, so one SSRF bug in an app hands "
    "out the node role's credentials.",
    {LAUNCH_TEMPLATE: _imdsv2, EC2_INSTANCE: _imdsv2},
)


# --------------------------------------------------------------------------------------------
# 6. Stateful resources protected (configurable)
# --------------------------------------------------------------------------------------------


def protect_data_enabled(config: Mapping[str, Any]) -> bool:
    """The policy's ``protectData`` setting; anything but an explicit false means protect."""
    return config.get(PROTECT_DATA, True) is not False


def _protected(
    what: str, *, deletion_protection: bool = False, skip_replicas: bool = False
) -> Check:
    def check(args: ResourceValidationArgs) -> Iterator[str]:
        if not protect_data_enabled(args.get_config()):
            return
        if skip_replicas and _is_replica(args):
            return  # a replica holds no data of its own and is rebuilt from the primary
        if not args.opts.protect:
            yield (
                f"{what} is not protected: pass protect=True (ResourceOptions) so no deploy can "
                "delete it; the stack holds real data (protectData)"
            )
        if deletion_protection and not _true(_get(args.props, "deletionProtection")):
            yield f"{what}: deletionProtection is not true: AWS must refuse to delete it too"

    return check


STATEFUL_RESOURCES_PROTECTED = _resource_policy(
    PROTECT_POLICY,
    "Where the stack holds real data (policy config protectData, default true; the stacks set it "
    "from platform:protectData), stateful resources are protected: RDS primaries and clusters "
    "(Pulumi protect and deletion protection), ElastiCache, S3 buckets, KMS keys, Secrets "
    "Manager secrets, ECR repositories, Backup vaults and the EKS cluster (Pulumi protect). A "
    "rename or a removed line must not destroy data or the key that decrypts it.",
    {
        RDS_INSTANCE: _protected("RDS instance", deletion_protection=True, skip_replicas=True),
        RDS_CLUSTER: _protected("RDS cluster", deletion_protection=True),
        CACHE_GROUP: _protected("ElastiCache replication group"),
        **dict.fromkeys(BUCKETS, _protected("S3 bucket")),
        KMS_KEY: _protected("KMS key"),
        SECRET: _protected("Secrets Manager secret"),
        ECR_REPOSITORY: _protected("ECR repository"),
        BACKUP_VAULT: _protected("Backup vault"),
        EKS_CLUSTER: _protected("EKS cluster"),
    },
    config_schema=PolicyConfigSchema(
        properties={
            PROTECT_DATA: {
                "type": "boolean",
                "default": True,
                "description": "Whether the stack holds real data (platform:protectData of its "
                "stack file). False only for stacks that may be torn down (dev).",
            }
        }
    ),
)


# --------------------------------------------------------------------------------------------
# 7. Backups kept 30 days
# --------------------------------------------------------------------------------------------


def _rds_backups(args: ResourceValidationArgs) -> Iterator[str]:
    if args.resource_type == RDS_INSTANCE and _is_replica(args):
        return  # replicas keep no backups; their primary does
    days = _number(_get(args.props, "backupRetentionPeriod"))
    if days is None or days < MIN_BACKUP_DAYS:
        yield (
            f"backupRetentionPeriod is {_days(days)}: keep at least {MIN_BACKUP_DAYS} days of "
            "automated backups (point-in-time recovery)"
        )


def _backup_plan(args: ResourceValidationArgs) -> Iterator[str]:
    for rule in _items(_get(args.props, "rules")):
        name = _get(rule, "ruleName") or "?"
        days = _number(_get(rule, "lifecycle", "deleteAfter"))
        if days is not None and days < MIN_BACKUP_DAYS:
            yield (
                f"rule {name}: recovery points are deleted after {days:g} days; keep "
                f"{MIN_BACKUP_DAYS}"
            )
        for copy in _items(_get(rule, "copyActions")):
            days = _number(_get(copy, "lifecycle", "deleteAfter"))
            if days is not None and days < MIN_BACKUP_DAYS:
                yield (
                    f"rule {name}: copies to {_get(copy, 'destinationVaultArn')} are deleted "
                    f"after {days:g} days; keep {MIN_BACKUP_DAYS}"
                )


BACKUPS_RETAINED = _resource_policy(
    "backups-retained-30-days",
    f"Backups of record are kept at least {MIN_BACKUP_DAYS} days: RDS automated backups of "
    "primaries and clusters (read replicas have none of their own), and AWS Backup recovery "
    "points and their off-site copies (no lifecycle means kept indefinitely). A problem noticed "
    "after a month-end must still be recoverable. ElastiCache snapshots are not checked: the "
    "cache holds derived data and is not the backup of record.",
    {RDS_INSTANCE: _rds_backups, RDS_CLUSTER: _rds_backups, BACKUP_PLAN: _backup_plan},
)


# --------------------------------------------------------------------------------------------
# 8. Log retention
# --------------------------------------------------------------------------------------------


def _log_retention(args: ResourceValidationArgs) -> Iterator[str]:
    days = _number(_get(args.props, "retentionInDays"))
    if days is None or days <= 0:
        yield "retentionInDays is not set (logs are kept forever): set retention_in_days"


LOG_GROUPS_HAVE_RETENTION = _resource_policy(
    "log-groups-have-retention",
    "Every CloudWatch log group sets a retention (retentionInDays > 0): the default keeps logs "
    "forever, so cost grows without bound and personal data in logs outlives its purpose.",
    {LOG_GROUP: _log_retention},
)


# --------------------------------------------------------------------------------------------
# 9. Required tags
# --------------------------------------------------------------------------------------------


def _tag_map(value: Any) -> dict[str, Any]:
    """Tags as a map: ``{"Key": "value"}``, or an Auto Scaling group's ``[{key, value}]``."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    if isinstance(value, Mapping):
        return {str(k): value[k] for k in value}
    return {
        str(_get(item, "key")): _get(item, "value")
        for item in _items(value)
        if _get(item, "key") is not None
    }


def default_tags(provider: PolicyProviderResource | None) -> dict[str, Any]:
    """The provider's ``defaultTags.tags``: a map, or JSON text (providers get nested settings
    as JSON)."""
    if provider is None:
        return {}
    settings = _get(provider.props, "defaultTags")
    if isinstance(settings, str):
        try:
            settings = json.loads(settings)
        except ValueError:
            return {}
    return _tag_map(_get(settings, "tags"))


def _missing_tags(tags: Mapping[str, Any]) -> list[str]:
    return [key for key in REQUIRED_TAGS if not str(tags.get(key) or "").strip()]


def _has_key(props: Mapping[str, Any], key: str) -> bool:
    try:
        return key in props
    except UnknownValueError:
        return True


def _validate_tags(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type == AWS_PROVIDER:
        itself = PolicyProviderResource(AWS_PROVIDER, args.props, args.urn, args.name)
        missing = _missing_tags(default_tags(itself))
        if missing:
            report_violation(
                f"the AWS provider's default tags lack {', '.join(missing)}: set default_tags="
                "{'tags': StackConfig.common_tags()} so every taggable resource carries them",
                None,
            )
        return
    if not args.resource_type.startswith("aws:"):
        return
    if not (_has_key(args.props, "tags") or _has_key(args.props, "tagsAll")):
        return  # not a taggable type (or untagged under a provider checked above)
    # Auto Scaling groups take no provider default tags (they use propagate-at-launch tags).
    inherited = {} if args.resource_type == AUTOSCALING_GROUP else default_tags(args.provider)
    try:
        computed = _tag_map(_get(args.props, "tagsAll"))
    except UnknownValueError:
        computed = {}  # computed by the provider during a preview: defaults and tags decide
    tags = inherited | computed | _tag_map(_get(args.props, "tags"))
    missing = _missing_tags(tags)
    if missing:
        report_violation(
            f"missing or empty tags {', '.join(missing)} (resource tags plus the provider's "
            "default tags): create it with the stack's AWS provider, whose default tags carry "
            "them",
            None,
        )


REQUIRED_TAGS_POLICY = ResourceValidationPolicy(
    name="required-tags",
    description="AWS resources carry the tags " + ", ".join(REQUIRED_TAGS) + " with non-empty "
    "values, counting the AWS provider's default tags (how the stacks apply them): cost reports, "
    "ownership and clean-up depend on them. Checked on every AWS provider (its default tags) and "
    "on every AWS resource that has tags (its own plus its provider's).",
    validate=_validate_tags,
)


# --------------------------------------------------------------------------------------------
# 10. Kubernetes containers
# --------------------------------------------------------------------------------------------


def _runs_as_non_root(pod_context: Any, container_context: Any) -> bool:
    """The container's effective user is not root: runAsUser > 0, or runAsNonRoot true without
    an explicit runAsUser 0 (container settings override the pod's)."""
    user = _get(container_context, "runAsUser")
    if user is None:
        user = _get(pod_context, "runAsUser")
    non_root = _get(container_context, "runAsNonRoot")
    if non_root is None:
        non_root = _get(pod_context, "runAsNonRoot")
    number = _number(user)
    if number is not None:
        return number > 0
    return _true(non_root)


def _image_problem(image: Any) -> str | None:
    """Why an image reference is not pinned (None when it names a tag other than latest or a
    digest)."""
    if not isinstance(image, str) or not image:
        return "has no image"
    if "@" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    tag = last.rsplit(":", 1)[1] if ":" in last else ""
    if not tag:
        return f"image {image} has no tag (it pulls latest)"
    if tag == "latest":
        return f"image {image} uses the mutable latest tag"
    return None


def _containers_hardened(args: ResourceValidationArgs) -> Iterator[str]:
    pod = _get(args.props, *POD_SPEC_PATHS[args.resource_type])
    if pod is None:
        return
    pod_context = _get(pod, "securityContext")
    if args.resource_type == "kubernetes:core/v1:Pod":
        long_running = _get(pod, "restartPolicy") in (None, "Always")
    else:
        long_running = args.resource_type not in RUN_TO_COMPLETION
    for kind, key in (("init container", "initContainers"), ("container", "containers")):
        for container in _items(_get(pod, key)):
            label = f"{kind} {_get(container, 'name') or '?'}"
            if not _runs_as_non_root(pod_context, _get(container, "securityContext")):
                yield (
                    f"{label} may run as root: set runAsNonRoot: true or runAsUser > 0 (pod or "
                    "container securityContext)"
                )
            limits = _get(container, "resources", "limits")
            missing = [r for r in ("cpu", "memory") if not _is_set(limits, r)]
            if missing:
                yield f"{label} has no {' or '.join(missing)} limit: set resources.limits"
            if long_running and key == "containers":
                probes = [
                    p for p in ("readinessProbe", "livenessProbe") if not _is_set(container, p)
                ]
                if probes:
                    yield f"{label} has no {' or '.join(probes)}"
            try:
                problem = _image_problem(_get(container, "image"))
            except UnknownValueError:
                problem = None  # an image built or tagged in this deploy: checked at update
            if problem:
                yield f"{label}: {problem}: pin a release tag or a digest"


KUBERNETES_CONTAINERS_HARDENED = _resource_policy(
    "kubernetes-containers-hardened",
    "Containers of Deployments, StatefulSets, DaemonSets, Jobs, CronJobs and Pods run as "
    "non-root, set cpu and memory limits (init containers too), pin their image (a tag other "
    "than latest, or a digest), and long-running workloads' containers have readiness and "
    "liveness probes. Root in a container is one kernel bug from root on the node, unbounded "
    "containers starve their neighbours, latest makes a rollback redeploy something else, and "
    "without probes traffic reaches pods that cannot serve it. Helm releases render charts the "
    "pack cannot see, so the pods of Helm charts are not checked here.",
    dict.fromkeys(POD_SPEC_PATHS, _containers_hardened),
)


# --------------------------------------------------------------------------------------------
# The pack
# --------------------------------------------------------------------------------------------

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
