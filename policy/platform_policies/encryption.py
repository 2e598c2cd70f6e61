"""Encryption at rest (databases, caches, volumes, EKS secrets, topics, logs, buckets) and in
transit (TLS on the database, the cache, the load balancer and CloudFront)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    StackValidationArgs,
    StackValidationPolicy,
)

from .common import (
    BUCKET_ENCRYPTION,
    BUCKETS,
    CACHE_GROUP,
    DISTRIBUTION,
    EBS_VOLUME,
    EKS_CLUSTER,
    LAUNCH_TEMPLATE,
    LISTENERS,
    LOG_GROUP,
    RDS_CLUSTER,
    RDS_CLUSTER_PARAMETER_GROUP,
    RDS_INSTANCE,
    RDS_PARAMETER_GROUP,
    RDS_PROXY,
    SNS_TOPIC,
    STORAGE_CLASS,
    alb_log_buckets,
    is_replica,
    is_set,
    is_true,
    items_of,
    of_types,
    points_to,
    read,
    resource_policy,
)


def _rds_storage_encrypted(args: ResourceValidationArgs) -> Iterator[str]:
    if args.resource_type == RDS_INSTANCE and is_replica(args):
        return  # a replica has its source's encryption: RDS refuses anything else
    if not is_true(read(args.props, "storageEncrypted")):
        yield (
            "storageEncrypted is not true: set storage_encrypted=True with the data KMS key "
            "(RDS cannot encrypt an existing database in place; it must be restored from an "
            "encrypted snapshot)"
        )


def _cache_at_rest(args: ResourceValidationArgs) -> Iterator[str]:
    if not is_true(read(args.props, "atRestEncryptionEnabled")):
        yield (
            "atRestEncryptionEnabled is not true: set at_rest_encryption_enabled=True with a KMS "
            "key"
        )


def _launch_template_volumes(args: ResourceValidationArgs) -> Iterator[str]:
    for index, mapping in enumerate(items_of(read(args.props, "blockDeviceMappings"))):
        ebs = read(mapping, "ebs")
        if ebs is not None and not is_true(read(ebs, "encrypted")):
            device = read(mapping, "deviceName") or f"#{index}"
            yield f'block device {device}: ebs.encrypted is not "true": encrypt the node volumes'


def _ebs_volume(args: ResourceValidationArgs) -> Iterator[str]:
    if not is_true(read(args.props, "encrypted")):
        yield "encrypted is not true: set encrypted=True (and a KMS key)"


def _storage_class(args: ResourceValidationArgs) -> Iterator[str]:
    if read(args.props, "provisioner") not in ("ebs.csi.aws.com", "kubernetes.io/aws-ebs"):
        return
    if not is_true(read(args.props, "parameters", "encrypted")):
        yield (
            'parameters.encrypted is not "true": volumes provisioned from this StorageClass '
            "would be unencrypted EBS volumes"
        )


def _eks_secrets(args: ResourceValidationArgs) -> Iterator[str]:
    config = read(args.props, "encryptionConfig")
    entries = [config] if isinstance(config, Mapping) else items_of(config)
    for entry in entries:
        if "secrets" in items_of(read(entry, "resources")) and is_set(entry, "provider", "keyArn"):
            return
    yield (
        'encryptionConfig does not encrypt "secrets" with a KMS key: set encryption_config with '
        'resources=["secrets"] and provider.key_arn (envelope encryption of Kubernetes Secrets)'
    )


def _sns_topic(args: ResourceValidationArgs) -> Iterator[str]:
    if not is_set(args.props, "kmsMasterKeyId"):
        yield "kmsMasterKeyId is not set: encrypt the topic with a KMS key"


def _log_group_key(args: ResourceValidationArgs) -> Iterator[str]:
    if not is_set(args.props, "kmsKeyId"):
        yield "kmsKeyId is not set: encrypt the log group with the logs KMS key"


ENCRYPTION_AT_REST = resource_policy(
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


KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")


def _validate_bucket_encryption(
    args: StackValidationArgs, report_violation: ReportViolation
) -> None:
    buckets = of_types(args.resources, BUCKETS)
    configurations = of_types(args.resources, BUCKET_ENCRYPTION)
    alb_logs = alb_log_buckets(args.resources, buckets)
    for bucket in buckets:
        mine = [c for c in configurations if points_to(c, "bucket", bucket)]
        if not mine:
            report_violation(
                f"bucket {bucket.name} has no server-side encryption configuration: add an "
                "aws.s3.BucketServerSideEncryptionConfiguration with sse_algorithm aws:kms",
                bucket.urn,
            )
            continue
        algorithms = {
            str(read(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm") or "")
            for configuration in mine
            for rule in items_of(read(configuration.props, "rules"))
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


#: Parameter that makes each engine family refuse unencrypted connections, and accepted values.
_FORCE_TLS = (
    (("postgres", "aurora-postgresql"), "rds.force_ssl", ("1",)),
    (("mysql", "aurora-mysql", "mariadb"), "require_secure_transport", ("1", "ON")),
)


def _parameter_group_tls(args: ResourceValidationArgs) -> Iterator[str]:
    family = str(read(args.props, "family") or "")
    for prefixes, parameter, accepted in _FORCE_TLS:
        if not family.startswith(prefixes):
            continue
        values = [
            str(read(p, "value"))
            for p in items_of(read(args.props, "parameters"))
            if read(p, "name") == parameter
        ]
        if not any(v.upper() in accepted for v in values):
            yield (
                f"{family} parameter group does not set {parameter}={accepted[0]}: without it "
                "the database accepts unencrypted connections"
            )


def _proxy_tls(args: ResourceValidationArgs) -> Iterator[str]:
    if not is_true(read(args.props, "requireTls")):
        yield "requireTls is not true: set require_tls=True so clients must use TLS"


def _cache_in_transit(args: ResourceValidationArgs) -> Iterator[str]:
    if not is_true(read(args.props, "transitEncryptionEnabled")):
        yield "transitEncryptionEnabled is not true: set transit_encryption_enabled=True"
    elif read(args.props, "transitEncryptionMode") == "preferred":
        yield (
            'transitEncryptionMode is "preferred", which still accepts plaintext: set it to '
            '"required" once clients use TLS'
        )


def _modern_alb_policy(name: str) -> bool:
    """ELB security policies whose minimum is TLS 1.2 name it (TLS13-1-2, TLS-1-2, FS-1-2)."""
    return any(marker in name for marker in ("TLS13", "TLS-1-2", "FS-1-2"))


def _listener_tls(args: ResourceValidationArgs) -> Iterator[str]:
    if not is_set(args.props, "protocol") and not is_set(args.props, "port"):
        return  # a Gateway Load Balancer listener (GENEVE): no protocol, no port, no TLS
    protocol = str(read(args.props, "protocol") or "HTTP").upper()  # ALB default: HTTP
    if protocol == "HTTPS":
        policy = str(read(args.props, "sslPolicy") or "")
        if not policy:
            yield (
                "HTTPS listener without sslPolicy: the ELB default still accepts TLS 1.0; set "
                "e.g. ELBSecurityPolicy-TLS13-1-2-2021-06"
            )
        elif not _modern_alb_policy(policy):
            yield f"sslPolicy {policy} accepts TLS below 1.2: use a TLS13-1-2 or TLS-1-2 policy"
    elif protocol == "HTTP":
        actions = items_of(read(args.props, "defaultActions"))
        redirects = [
            a
            for a in actions
            if read(a, "type") == "redirect"
            and str(read(a, "redirect", "protocol") or "").upper() == "HTTPS"
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
    behaviours = [("default cache behaviour", read(args.props, "defaultCacheBehavior"))] + [
        (f"cache behaviour {read(b, 'pathPattern')}", b)
        for b in items_of(read(args.props, "orderedCacheBehaviors"))
    ]
    for label, behaviour in behaviours:
        policy = read(behaviour, "viewerProtocolPolicy")
        if policy not in ("redirect-to-https", "https-only"):
            yield (
                f"{label}: viewerProtocolPolicy is {policy!r}: use redirect-to-https or https-only"
            )
    certificate = read(args.props, "viewerCertificate")
    version = str(read(certificate, "minimumProtocolVersion") or "")
    if is_true(read(certificate, "cloudfrontDefaultCertificate")):
        yield (
            "viewerCertificate is the default *.cloudfront.net certificate, which accepts TLS "
            "1.0: use an ACM certificate with minimum_protocol_version TLSv1.2_2021"
        )
    elif not _modern_viewer_tls(version):
        yield (
            f"viewerCertificate.minimumProtocolVersion is {version or 'not set'}: use "
            "TLSv1.2_2021 or newer"
        )
    for origin in items_of(read(args.props, "origins")):
        custom = read(origin, "customOriginConfig")
        if custom is None:
            continue
        origin_id = read(origin, "originId")
        if read(custom, "originProtocolPolicy") != "https-only":
            yield (
                f"origin {origin_id}: originProtocolPolicy is "
                f"{read(custom, 'originProtocolPolicy')!r}: use https-only"
            )
        protocols = items_of(read(custom, "originSslProtocols"))
        weak = [p for p in protocols if p in _WEAK_ORIGIN_PROTOCOLS]
        if weak:
            yield f"origin {origin_id}: originSslProtocols allows {', '.join(weak)}: use TLSv1.2"


TLS_IN_TRANSIT = resource_policy(
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
