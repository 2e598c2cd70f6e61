"""Specification of the policy pack (policy/) and its in-process runner (tools/policy.py).

Every policy is exercised through its real ``validate`` with ``pulumi_policy``'s own argument
objects (properties wrapped in the SDK's unknown-checking proxies, as the engine sends them):
each fails a violating resource and passes a compliant one. Then every stack file passes the
whole pack, the runner wires recordings into the SDK's objects correctly, and the pack itself
starts and answers the engine's gRPC calls the way ``pulumi preview --policy-pack policy`` runs
it.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import os
import re
import runpy
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import grpc
import pulumi_policy
import pytest
import yaml
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from aws_web_platform.offline import Recording, Registered
from policy import platform_policies as rules
from tests.conftest import stack_config
from tools import plan
from tools import policy as runner
from tools.plan import PROJECT_ROOT, load_stack_file

StackRun = Callable[[str], Recording]
POLICY_DIR = PROJECT_ROOT / "policy"
TAGS = {
    "Project": "learning-platform",
    "Environment": "test",
    "ManagedBy": "pulumi",
    "Owner": "platform-team",
    "CostCenter": "CC-1",
}
TAGGED_PROVIDER = {"region": "eu-west-1", "defaultTags": {"tags": TAGS}}


# --------------------------------------------------------------------------------------------
# Calling the real policies
# --------------------------------------------------------------------------------------------


def options(*, protect: bool = False) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)


def provider(props: Mapping[str, Any] | None = None) -> PolicyProviderResource:
    return PolicyProviderResource(
        rules.AWS_PROVIDER,
        unknown_checking_proxy(dict(TAGGED_PROVIDER if props is None else props)),
        "urn:pulumi:test::platform::pulumi:providers:aws::aws",
        "aws",
    )


def check(
    policy: Policy,
    type_: str,
    props: Mapping[str, Any],
    *,
    protect: bool = False,
    provider_props: Mapping[str, Any] | None = None,
    config: Mapping[str, Any] | None = None,
) -> list[str]:
    """The messages ``policy`` reports for one resource."""
    assert isinstance(policy, ResourceValidationPolicy)
    args = ResourceValidationArgs(
        type_,
        unknown_checking_proxy(dict(props)),
        f"urn:pulumi:test::platform::{type_}::r",
        "r",
        options(protect=protect),
        provider(provider_props),
        config,
        {},
    )
    found: list[str] = []
    policy.validate(args, lambda message, urn=None: found.append(message))
    return found


def resource(
    type_: str,
    name: str,
    props: Mapping[str, Any],
    *,
    depends_on: list[PolicyResource] | None = None,
    property_dependencies: dict[str, list[PolicyResource]] | None = None,
) -> PolicyResource:
    return PolicyResource(
        type_,
        unknown_checking_proxy(dict(props)),
        f"urn:pulumi:test::platform::{type_}::{name}",
        name,
        options(),
        None,
        None,
        depends_on or [],
        property_dependencies or {},
    )


def check_stack(policy: Policy, resources: list[PolicyResource]) -> list[tuple[str, str | None]]:
    """The (message, urn) pairs a stack policy reports."""
    assert isinstance(policy, StackValidationPolicy)
    found: list[tuple[str, str | None]] = []
    policy.validate(
        StackValidationArgs(resources, None, {}),
        lambda message, urn=None: found.append((message, urn)),
    )
    return found


# --------------------------------------------------------------------------------------------
# One violating and one compliant resource per check of each resource policy
# --------------------------------------------------------------------------------------------

CONTAINER: dict[str, Any] = {
    "name": "app",
    "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:2026.11.0",
    "resources": {"limits": {"cpu": "1", "memory": "1Gi"}},
    "readinessProbe": {"httpGet": {"path": "/ready", "port": 3000}},
    "livenessProbe": {"httpGet": {"path": "/health", "port": 3000}},
}
NON_ROOT = {"runAsNonRoot": True, "runAsUser": 1001.0}


def deployment(container: Mapping[str, Any], pod_context: Any = NON_ROOT) -> dict[str, Any]:
    pod: dict[str, Any] = {"containers": [dict(container)]}
    if pod_context is not None:
        pod["securityContext"] = pod_context
    return {"spec": {"template": {"spec": pod}}}


HTTPS_DISTRIBUTION: dict[str, Any] = {
    "defaultCacheBehavior": {"viewerProtocolPolicy": "redirect-to-https"},
    "orderedCacheBehaviors": [{"pathPattern": "/api/*", "viewerProtocolPolicy": "https-only"}],
    "viewerCertificate": {
        "acmCertificateArn": "arn:aws:acm:...",
        "minimumProtocolVersion": "TLSv1.2_2021",
    },
    "origins": [
        {
            "originId": "alb",
            "customOriginConfig": {
                "originProtocolPolicy": "https-only",
                "originSslProtocols": ["TLSv1.2"],
            },
        },
        {"originId": "bucket", "originAccessControlId": "oac"},
    ],
}


def distribution(**changes: Any) -> dict[str, Any]:
    return json.loads(json.dumps(HTTPS_DISTRIBUTION)) | changes


#: (policy, resource type, violating props, compliant props)
CASES: dict[str, tuple[Policy, str, dict[str, Any], dict[str, Any]]] = {
    "rds instance storage": (
        rules.ENCRYPTION_AT_REST,
        rules.RDS_INSTANCE,
        {"storageEncrypted": False},
        {"storageEncrypted": True},
    ),
    "rds cluster storage": (
        rules.ENCRYPTION_AT_REST,
        rules.RDS_CLUSTER,
        {},
        {"storageEncrypted": True},
    ),
    "elasticache at rest": (
        rules.ENCRYPTION_AT_REST,
        rules.CACHE_GROUP,
        {"atRestEncryptionEnabled": False},
        {"atRestEncryptionEnabled": True},
    ),
    "launch template volumes": (
        rules.ENCRYPTION_AT_REST,
        rules.LAUNCH_TEMPLATE,
        {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 50.0}}]},
        {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true"}}]},
    ),
    "ebs volume": (
        rules.ENCRYPTION_AT_REST,
        rules.EBS_VOLUME,
        {"size": 20.0},
        {"size": 20.0, "encrypted": True},
    ),
    "ebs csi storage class": (
        rules.ENCRYPTION_AT_REST,
        rules.STORAGE_CLASS,
        {"provisioner": "ebs.csi.aws.com", "parameters": {"type": "gp3"}},
        {"provisioner": "ebs.csi.aws.com", "parameters": {"type": "gp3", "encrypted": "true"}},
    ),
    "eks secrets": (
        rules.ENCRYPTION_AT_REST,
        rules.EKS_CLUSTER,
        {"encryptionConfig": {"resources": ["secrets"]}},
        {"encryptionConfig": {"resources": ["secrets"], "provider": {"keyArn": "arn:aws:kms:k"}}},
    ),
    "sns topic": (
        rules.ENCRYPTION_AT_REST,
        rules.SNS_TOPIC,
        {"name": "alerts"},
        {"kmsMasterKeyId": "arn:aws:kms:k"},
    ),
    "log group key": (
        rules.ENCRYPTION_AT_REST,
        rules.LOG_GROUP,
        {"retentionInDays": 30.0},
        {"retentionInDays": 30.0, "kmsKeyId": "arn:aws:kms:k"},
    ),
    "postgres force ssl": (
        rules.TLS_IN_TRANSIT,
        rules.RDS_PARAMETER_GROUP,
        {"family": "postgres16", "parameters": [{"name": "rds.force_ssl", "value": "0"}]},
        {"family": "postgres16", "parameters": [{"name": "rds.force_ssl", "value": "1"}]},
    ),
    "rds proxy tls": (
        rules.TLS_IN_TRANSIT,
        rules.RDS_PROXY,
        {"requireTls": False},
        {"requireTls": True},
    ),
    "elasticache in transit": (
        rules.TLS_IN_TRANSIT,
        rules.CACHE_GROUP,
        {"transitEncryptionEnabled": True, "transitEncryptionMode": "preferred"},
        {"transitEncryptionEnabled": True, "transitEncryptionMode": "required"},
    ),
    "https listener": (
        rules.TLS_IN_TRANSIT,
        "aws:lb/listener:Listener",
        {"protocol": "HTTPS", "port": 443.0},
        {"protocol": "HTTPS", "port": 443.0, "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"},
    ),
    "http listener": (
        rules.TLS_IN_TRANSIT,
        "aws:lb/listener:Listener",
        {"protocol": "HTTP", "defaultActions": [{"type": "forward", "targetGroupArn": "tg"}]},
        {
            "protocol": "HTTP",
            "defaultActions": [
                {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443"}}
            ],
        },
    ),
    "cloudfront viewers": (
        rules.TLS_IN_TRANSIT,
        rules.DISTRIBUTION,
        distribution(defaultCacheBehavior={"viewerProtocolPolicy": "allow-all"}),
        distribution(),
    ),
    "cloudfront minimum tls": (
        rules.TLS_IN_TRANSIT,
        rules.DISTRIBUTION,
        distribution(
            viewerCertificate={"acmCertificateArn": "a", "minimumProtocolVersion": "TLSv1.2_2019"}
        ),
        distribution(
            viewerCertificate={"acmCertificateArn": "a", "minimumProtocolVersion": "TLSv1.3_2025"}
        ),
    ),
    "cloudfront origins": (
        rules.TLS_IN_TRANSIT,
        rules.DISTRIBUTION,
        distribution(
            origins=[
                {"originId": "alb", "customOriginConfig": {"originProtocolPolicy": "match-viewer"}}
            ]
        ),
        distribution(),
    ),
    "bucket acl": (
        rules.S3_NO_PUBLIC_ACL,
        "aws:s3/bucketAcl:BucketAcl",
        {"bucket": "b", "acl": "public-read"},
        {"bucket": "b", "acl": "private"},
    ),
    "object acl": (
        rules.S3_NO_PUBLIC_ACL,
        "aws:s3/bucketObjectv2:BucketObjectv2",
        {"bucket": "b", "key": "k", "acl": "authenticated-read"},
        {"bucket": "b", "key": "k"},
    ),
    "security group inline ingress": (
        rules.NO_INGRESS_FROM_INTERNET,
        "aws:ec2/securityGroup:SecurityGroup",
        {
            "ingress": [
                {"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlocks": ["0.0.0.0/0"]}
            ]
        },
        {
            "ingress": [
                {
                    "protocol": "tcp",
                    "fromPort": 443.0,
                    "toPort": 443.0,
                    "cidrBlocks": ["10.0.0.0/16"],
                }
            ]
        },
    ),
    "vpc ingress rule": (
        rules.NO_INGRESS_FROM_INTERNET,
        rules.INGRESS_RULE,
        {"ipProtocol": "tcp", "fromPort": 443.0, "toPort": 443.0, "cidrIpv6": "::/0"},
        {"ipProtocol": "tcp", "fromPort": 443.0, "toPort": 443.0, "prefixListId": "pl-cloudfront"},
    ),
    "security group rule": (
        rules.NO_INGRESS_FROM_INTERNET,
        rules.SECURITY_GROUP_RULE,
        {"type": "ingress", "protocol": "tcp", "fromPort": 80.0, "cidrBlocks": ["0.0.0.0/0"]},
        {"type": "egress", "protocol": "-1", "cidrBlocks": ["0.0.0.0/0"]},
    ),
    "imdsv2": (
        rules.IMDSV2_REQUIRED,
        rules.LAUNCH_TEMPLATE,
        {"metadataOptions": {"httpEndpoint": "enabled", "httpTokens": "optional"}},
        {"metadataOptions": {"httpEndpoint": "enabled", "httpTokens": "required"}},
    ),
    "rds backups": (
        rules.BACKUPS_RETAINED,
        rules.RDS_INSTANCE,
        {"backupRetentionPeriod": 7.0},
        {"backupRetentionPeriod": 30.0},
    ),
    "backup plan": (
        rules.BACKUPS_RETAINED,
        rules.BACKUP_PLAN,
        {"rules": [{"ruleName": "daily", "lifecycle": {"deleteAfter": 14.0}}]},
        {"rules": [{"ruleName": "daily", "lifecycle": {"deleteAfter": 35.0}}]},
    ),
    "backup copies": (
        rules.BACKUPS_RETAINED,
        rules.BACKUP_PLAN,
        {
            "rules": [
                {
                    "ruleName": "daily",
                    "lifecycle": {"deleteAfter": 30.0},
                    "copyActions": [
                        {"destinationVaultArn": "v", "lifecycle": {"deleteAfter": 7.0}}
                    ],
                }
            ]
        },
        {
            "rules": [
                {
                    "ruleName": "daily",
                    "lifecycle": {"deleteAfter": 30.0},
                    "copyActions": [
                        {"destinationVaultArn": "v", "lifecycle": {"deleteAfter": 30.0}}
                    ],
                }
            ]
        },
    ),
    "log retention": (
        rules.LOG_GROUPS_HAVE_RETENTION,
        rules.LOG_GROUP,
        {"retentionInDays": 0.0},
        {"retentionInDays": 14.0},
    ),
    "tags": (
        rules.REQUIRED_TAGS_POLICY,
        "aws:rds/instance:Instance",
        {"tags": {"Owner": ""}},
        {"tags": {"BackupPlan": "daily"}},
    ),
    "kubernetes non-root": (
        rules.KUBERNETES_CONTAINERS_HARDENED,
        "kubernetes:apps/v1:Deployment",
        deployment(CONTAINER, pod_context=None),
        deployment(CONTAINER),
    ),
    "kubernetes limits": (
        rules.KUBERNETES_CONTAINERS_HARDENED,
        "kubernetes:apps/v1:StatefulSet",
        deployment(CONTAINER | {"resources": {"limits": {"cpu": "1"}}}),
        deployment(CONTAINER),
    ),
    "kubernetes probes": (
        rules.KUBERNETES_CONTAINERS_HARDENED,
        "kubernetes:apps/v1:DaemonSet",
        deployment({k: v for k, v in CONTAINER.items() if k != "livenessProbe"}),
        deployment(CONTAINER),
    ),
    "kubernetes image tag": (
        rules.KUBERNETES_CONTAINERS_HARDENED,
        "kubernetes:apps/v1:Deployment",
        deployment(CONTAINER | {"image": "nginx:latest"}),
        deployment(CONTAINER | {"image": "nginx@sha256:" + "a" * 64}),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_policy_fails_a_violating_resource_and_passes_a_compliant_one(case: str) -> None:
    policy, type_, bad, good = CASES[case]
    assert check(policy, type_, bad), f"{case}: the violating resource passed"
    assert check(policy, type_, good) == [], f"{case}: the compliant resource failed"


def test_every_resource_policy_has_cases_and_every_stack_policy_has_tests() -> None:
    covered = {policy.name for policy, *_ in CASES.values()}
    covered |= {rules.STATEFUL_RESOURCES_PROTECTED.name}  # configurable: tests of its own below
    resource_policies = {p.name for p in rules.POLICIES if isinstance(p, ResourceValidationPolicy)}
    assert resource_policies <= covered, resource_policies - covered
    stack_policies = {p.name for p in rules.POLICIES if isinstance(p, StackValidationPolicy)}
    assert stack_policies == {"s3-encryption-with-kms", "s3-public-access-blocked"}


def test_policies_ignore_types_they_do_not_govern() -> None:
    for policy in rules.POLICIES:
        if isinstance(policy, ResourceValidationPolicy):
            assert check(policy, "random:index/randomPassword:RandomPassword", {"length": 8}) == []


# --------------------------------------------------------------------------------------------
# Encryption at rest
# --------------------------------------------------------------------------------------------


def test_read_replicas_are_exempt_as_their_source_decides_encryption_and_backups() -> None:
    replica = {"replicateSourceDb": "learning-platform-prod-postgres"}
    for policy in (
        rules.ENCRYPTION_AT_REST,
        rules.BACKUPS_RETAINED,
        rules.STATEFUL_RESOURCES_PROTECTED,
    ):
        assert check(policy, rules.RDS_INSTANCE, replica) == [], policy.name
    primary = {"storageEncrypted": False, "backupRetentionPeriod": 1.0}
    for policy in (
        rules.ENCRYPTION_AT_REST,
        rules.BACKUPS_RETAINED,
        rules.STATEFUL_RESOURCES_PROTECTED,
    ):
        assert check(policy, rules.RDS_INSTANCE, primary), policy.name


def test_only_ebs_storage_classes_need_the_encrypted_parameter() -> None:
    efs = {"provisioner": "efs.csi.aws.com", "parameters": {"provisioningMode": "efs-ap"}}
    assert check(rules.ENCRYPTION_AT_REST, rules.STORAGE_CLASS, efs) == []


def test_a_key_computed_during_preview_counts_as_set() -> None:
    unknown = {"kmsMasterKeyId": UNKNOWN_STRING_VALUE}
    assert check(rules.ENCRYPTION_AT_REST, rules.SNS_TOPIC, unknown) == []


# --------------------------------------------------------------------------------------------
# S3 (stack policies)
# --------------------------------------------------------------------------------------------

BUCKET = rules.BUCKETS[0]
SSE = rules.BUCKET_ENCRYPTION[0]


def sse(name: str, algorithm: str, bucket: PolicyResource) -> PolicyResource:
    rule = {"applyServerSideEncryptionByDefault": {"sseAlgorithm": algorithm}}
    return resource(
        SSE, name, {"bucket": bucket.props["bucket"], "rules": [rule]}, depends_on=[bucket]
    )


def test_a_bucket_without_an_encryption_configuration_fails() -> None:
    bucket = resource(BUCKET, "uploads", {"bucket": "uploads-1"})
    found = check_stack(rules.S3_ENCRYPTION, [bucket])
    assert [urn for _, urn in found] == [bucket.urn]
    assert "no server-side encryption configuration" in found[0][0]


def test_a_bucket_encrypted_with_sse_s3_fails_and_with_sse_kms_passes() -> None:
    bucket = resource(BUCKET, "uploads", {"bucket": "uploads-1"})
    assert check_stack(rules.S3_ENCRYPTION, [bucket, sse("enc", "AES256", bucket)])
    assert check_stack(rules.S3_ENCRYPTION, [bucket, sse("enc", "aws:kms", bucket)]) == []


def test_another_buckets_configuration_does_not_count() -> None:
    uploads = resource(BUCKET, "uploads", {"bucket": "uploads-1"})
    backups = resource(BUCKET, "backups", {"bucket": "backups-1"})
    found = check_stack(rules.S3_ENCRYPTION, [uploads, backups, sse("enc", "aws:kms", backups)])
    assert [urn for _, urn in found] == [uploads.urn]


def test_the_load_balancer_access_log_bucket_may_use_sse_s3_as_elb_requires() -> None:
    logs = resource(BUCKET, "logs", {"bucket": "logs-1"})
    balancer = resource(
        rules.LOAD_BALANCERS[0],
        "alb",
        {"accessLogs": {"enabled": True, "bucket": "logs-1", "prefix": "alb"}},
        depends_on=[logs],
    )
    assert check_stack(rules.S3_ENCRYPTION, [logs, balancer, sse("enc", "AES256", logs)]) == []
    assert check_stack(rules.S3_ENCRYPTION, [logs, sse("enc", "AES256", logs)])


def test_during_preview_property_dependencies_link_a_configuration_to_its_new_bucket() -> None:
    first = resource(BUCKET, "first", {"bucket": UNKNOWN_STRING_VALUE})
    second = resource(BUCKET, "second", {"bucket": UNKNOWN_STRING_VALUE})
    rule = {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}
    config = resource(
        SSE,
        "enc",
        {"bucket": UNKNOWN_STRING_VALUE, "rules": [rule]},
        property_dependencies={"bucket": [first]},
    )
    found = check_stack(rules.S3_ENCRYPTION, [first, second, config])
    assert [urn for _, urn in found] == [second.urn]


def public_access_block(bucket: PolicyResource, **flags: bool) -> PolicyResource:
    props = (
        dict.fromkeys(rules.PUBLIC_ACCESS_FLAGS, True) | flags | {"bucket": bucket.props["bucket"]}
    )
    return resource(rules.BUCKET_PUBLIC_ACCESS_BLOCK, "pab", props, depends_on=[bucket])


def test_every_bucket_needs_a_public_access_block_with_all_four_flags() -> None:
    bucket = resource(BUCKET, "uploads", {"bucket": "uploads-1"})
    assert check_stack(rules.S3_PUBLIC_ACCESS_BLOCKED, [bucket])
    partial = public_access_block(bucket, restrictPublicBuckets=False)
    found = check_stack(rules.S3_PUBLIC_ACCESS_BLOCKED, [bucket, partial])
    assert found and "restrictPublicBuckets" in found[0][0]
    assert check_stack(rules.S3_PUBLIC_ACCESS_BLOCKED, [bucket, public_access_block(bucket)]) == []


def test_an_acl_grant_to_all_users_is_public() -> None:
    grant = {"grantee": {"type": "Group", "uri": rules.PUBLIC_GROUPS[0]}, "permission": "READ"}
    props = {"bucket": "b", "accessControlPolicy": {"grants": [grant], "owner": {"id": "o"}}}
    assert check(rules.S3_NO_PUBLIC_ACL, "aws:s3/bucketAclV2:BucketAclV2", props)


# --------------------------------------------------------------------------------------------
# TLS, ingress, IMDS
# --------------------------------------------------------------------------------------------


def test_an_https_listener_with_a_policy_accepting_tls_1_0_fails() -> None:
    props = {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-2016-08"}
    assert check(rules.TLS_IN_TRANSIT, "aws:lb/listener:Listener", props)


def test_a_gateway_load_balancer_listener_without_protocol_or_port_is_not_http() -> None:
    gwlb = {"defaultActions": [{"type": "forward", "targetGroupArn": "tg"}]}
    assert check(rules.TLS_IN_TRANSIT, "aws:lb/listener:Listener", gwlb) == []
    alb_default_http = gwlb | {"port": 80.0}
    assert check(rules.TLS_IN_TRANSIT, "aws:lb/listener:Listener", alb_default_http)


def test_cloudfront_default_certificate_fails_because_it_accepts_tls_1_0() -> None:
    props = distribution(viewerCertificate={"cloudfrontDefaultCertificate": True})
    assert check(rules.TLS_IN_TRANSIT, rules.DISTRIBUTION, props)


def test_custom_origins_must_not_offer_tls_below_1_2() -> None:
    origin = {
        "originId": "alb",
        "customOriginConfig": {
            "originProtocolPolicy": "https-only",
            "originSslProtocols": ["TLSv1", "TLSv1.2"],
        },
    }
    assert check(rules.TLS_IN_TRANSIT, rules.DISTRIBUTION, distribution(origins=[origin]))


def test_ingress_from_the_whole_ipv6_internet_in_any_spelling_fails() -> None:
    rule = {"protocol": "tcp", "fromPort": 443.0, "toPort": 443.0, "ipv6CidrBlocks": ["0::/0"]}
    assert check(
        rules.NO_INGRESS_FROM_INTERNET, "aws:ec2/securityGroup:SecurityGroup", {"ingress": [rule]}
    )


def test_a_launch_template_without_metadata_options_allows_imdsv1_and_fails() -> None:
    assert check(rules.IMDSV2_REQUIRED, rules.LAUNCH_TEMPLATE, {"imageId": "ami-1"})


# --------------------------------------------------------------------------------------------
# Protection (configurable)
# --------------------------------------------------------------------------------------------

STATEFUL = [
    rules.RDS_INSTANCE,
    rules.RDS_CLUSTER,
    rules.CACHE_GROUP,
    *rules.BUCKETS,
    rules.KMS_KEY,
    rules.SECRET,
    rules.ECR_REPOSITORY,
    rules.BACKUP_VAULT,
    rules.EKS_CLUSTER,
]


@pytest.mark.parametrize("type_", STATEFUL)
def test_stateful_resources_must_be_protected_where_the_stack_holds_data(type_: str) -> None:
    policy = rules.STATEFUL_RESOURCES_PROTECTED
    on = {rules.PROTECT_DATA: True}
    props = {"deletionProtection": True}
    assert any("not protected" in m for m in check(policy, type_, props, config=on))
    assert check(policy, type_, props, protect=True, config=on) == []


def test_databases_also_need_aws_deletion_protection() -> None:
    policy = rules.STATEFUL_RESOURCES_PROTECTED
    for type_ in (rules.RDS_INSTANCE, rules.RDS_CLUSTER):
        found = check(policy, type_, {"deletionProtection": False}, protect=True)
        assert len(found) == 1 and "deletionProtection" in found[0]


def test_protection_is_the_default_when_the_pack_has_no_config() -> None:
    assert check(rules.STATEFUL_RESOURCES_PROTECTED, BUCKET, {}, config=None)


def test_a_stack_without_real_data_may_leave_stateful_resources_unprotected() -> None:
    off = {rules.PROTECT_DATA: False}
    for type_ in STATEFUL:
        assert check(rules.STATEFUL_RESOURCES_PROTECTED, type_, {}, config=off) == [], type_


def test_the_protect_policy_declares_protect_data_with_a_secure_default() -> None:
    schema = rules.STATEFUL_RESOURCES_PROTECTED.config_schema
    assert schema is not None
    assert schema.properties[rules.PROTECT_DATA]["type"] == "boolean"
    assert schema.properties[rules.PROTECT_DATA]["default"] is True


# --------------------------------------------------------------------------------------------
# Backups and logs
# --------------------------------------------------------------------------------------------


def test_an_rds_primary_without_a_backup_retention_fails() -> None:
    found = check(rules.BACKUPS_RETAINED, rules.RDS_INSTANCE, {"engine": "postgres"})
    assert found and "not set" in found[0]


def test_a_backup_plan_without_a_lifecycle_keeps_recovery_points_and_passes() -> None:
    props = {"rules": [{"ruleName": "daily", "copyActions": [{"destinationVaultArn": "v"}]}]}
    assert check(rules.BACKUPS_RETAINED, rules.BACKUP_PLAN, props) == []


def test_a_log_group_without_retention_fails() -> None:
    assert check(rules.LOG_GROUPS_HAVE_RETENTION, rules.LOG_GROUP, {"name": "/aws/x"})


# --------------------------------------------------------------------------------------------
# Tags
# --------------------------------------------------------------------------------------------


def test_an_aws_provider_without_every_default_tag_fails() -> None:
    policy = rules.REQUIRED_TAGS_POLICY
    partial = {"region": "eu-west-1", "defaultTags": {"tags": {"Project": "p"}}}
    found = check(policy, rules.AWS_PROVIDER, partial)
    assert found and "Environment, ManagedBy, Owner, CostCenter" in found[0]
    assert check(policy, rules.AWS_PROVIDER, TAGGED_PROVIDER) == []


def test_provider_default_tags_given_as_json_text_count() -> None:
    as_text = {"region": "eu-west-1", "defaultTags": json.dumps({"tags": TAGS})}
    assert check(rules.REQUIRED_TAGS_POLICY, rules.AWS_PROVIDER, as_text) == []
    tagged = {"tags": {"Name": "db"}}
    assert (
        check(rules.REQUIRED_TAGS_POLICY, rules.RDS_INSTANCE, tagged, provider_props=as_text) == []
    )


def test_tags_all_computed_during_preview_leaves_the_decision_to_provider_and_own_tags() -> None:
    props = {"tags": {"Name": "db"}, "tagsAll": UNKNOWN_STRING_VALUE}
    assert check(rules.REQUIRED_TAGS_POLICY, rules.RDS_INSTANCE, props) == []
    bare = {"region": "eu-west-1"}
    assert check(rules.REQUIRED_TAGS_POLICY, rules.RDS_INSTANCE, props, provider_props=bare)


def test_a_taggable_resource_under_an_untagged_provider_needs_its_own_tags() -> None:
    bare = {"region": "eu-west-1"}
    found = check(
        rules.REQUIRED_TAGS_POLICY,
        rules.RDS_INSTANCE,
        {"tags": {"Name": "db"}},
        provider_props=bare,
    )
    assert found and "Project" in found[0]
    assert (
        check(rules.REQUIRED_TAGS_POLICY, rules.RDS_INSTANCE, {"tags": TAGS}, provider_props=bare)
        == []
    )


def test_resources_without_tags_are_not_flagged_as_they_may_not_be_taggable() -> None:
    bare = {"region": "eu-west-1"}
    props = {"role": "r", "policyArn": "arn:aws:iam::aws:policy/x"}
    attachment = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    assert check(rules.REQUIRED_TAGS_POLICY, attachment, props, provider_props=bare) == []
    assert check(rules.REQUIRED_TAGS_POLICY, "kubernetes:core/v1:Namespace", {"tags": {}}) == []


# --------------------------------------------------------------------------------------------
# Kubernetes
# --------------------------------------------------------------------------------------------

K8S = rules.KUBERNETES_CONTAINERS_HARDENED


def test_an_explicit_root_user_fails_even_when_the_pod_says_non_root() -> None:
    props = deployment(CONTAINER | {"securityContext": {"runAsUser": 0.0}})
    found = check(K8S, "kubernetes:apps/v1:Deployment", props)
    assert found and "root" in found[0]


def test_init_containers_need_limits_and_a_non_root_user_but_no_probes() -> None:
    props = deployment(CONTAINER)
    init = {
        "name": "migrate",
        "image": "api:1.0",
        "resources": {"limits": {"cpu": "1", "memory": "1Gi"}},
    }
    props["spec"]["template"]["spec"]["initContainers"] = [init]
    assert check(K8S, "kubernetes:apps/v1:Deployment", props) == []
    props["spec"]["template"]["spec"]["initContainers"] = [{"name": "migrate", "image": "api:1.0"}]
    found = check(K8S, "kubernetes:apps/v1:Deployment", props)
    assert found == ["init container migrate has no cpu or memory limit: set resources.limits"]


def test_jobs_and_cronjobs_need_no_probes() -> None:
    container = {k: v for k, v in CONTAINER.items() if not k.endswith("Probe")}
    job = deployment(container)
    assert check(K8S, "kubernetes:batch/v1:Job", job) == []
    cron = {"spec": {"jobTemplate": job}}
    assert check(K8S, "kubernetes:batch/v1:CronJob", cron) == []
    cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["image"] = "worker"
    assert check(K8S, "kubernetes:batch/v1:CronJob", cron)
    assert check(K8S, "kubernetes:apps/v1:Deployment", job)


def test_a_bare_pod_is_checked_like_a_workload() -> None:
    pod = {"spec": {"securityContext": NON_ROOT, "containers": [CONTAINER | {"image": "nginx"}]}}
    found = check(K8S, "kubernetes:core/v1:Pod", pod)
    assert found == [
        "container app: image nginx has no tag (it pulls latest): pin a release tag or a digest"
    ]


@pytest.mark.parametrize(
    ("image", "pinned"),
    [
        ("registry.example.com:5000/team/api", False),
        ("registry.example.com:5000/team/api:latest", False),
        ("registry.example.com:5000/team/api:1.4.2", True),
        ("api@sha256:" + "0" * 64, True),
    ],
)
def test_images_are_pinned_by_a_tag_other_than_latest_or_a_digest(image: str, pinned: bool) -> None:
    found = check(K8S, "kubernetes:apps/v1:Deployment", deployment(CONTAINER | {"image": image}))
    assert (found == []) is pinned


# --------------------------------------------------------------------------------------------
# The pack's metadata
# --------------------------------------------------------------------------------------------


def test_every_policy_has_a_unique_name_and_a_description_that_says_why() -> None:
    names = [p.name for p in rules.POLICIES]
    assert len(names) == len(set(names)) == 12
    for policy in rules.POLICIES:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", policy.name), policy.name
        assert len(policy.description) > 120, policy.name
        assert policy.enforcement_level is None, "the pack's level (mandatory) applies to all"


def test_the_rules_module_needs_nothing_but_the_standard_library_and_the_policy_sdk() -> None:
    allowed = set(sys.stdlib_module_names) | {"pulumi_policy", "platform_policies"}
    sources = [*sorted((POLICY_DIR / "platform_policies").glob("*.py")), POLICY_DIR / "__main__.py"]
    assert len(sources) > 5
    for path in sources:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                assert module.split(".")[0] in allowed, f"{path.name} imports {module}"


def test_the_pack_pins_the_sdks_of_the_program() -> None:
    pins = dict(
        line.split("==")
        for line in (POLICY_DIR / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    program = (PROJECT_ROOT / "requirements.txt").read_text()
    assert f"pulumi=={pins['pulumi']}" in program.splitlines()
    assert (
        f'"pulumi-policy=={pins["pulumi-policy"]}"' in (PROJECT_ROOT / "pyproject.toml").read_text()
    )
    assert pins["pulumi-policy"] == "1.21.0"
    project = yaml.safe_load((POLICY_DIR / "PulumiPolicy.yaml").read_text())
    assert project["runtime"]["name"] == "python"
    assert project["runtime"]["options"]["virtualenv"] == "venv"
    assert len(project["description"]) > 40


def test_the_pack_module_builds_platform_policies_with_every_policy_mandatory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: dict[str, Any] = {}

    def fake_pack(name: str, **kwargs: Any) -> None:  # the real one serves gRPC forever
        built.update(kwargs, name=name)

    monkeypatch.setattr(pulumi_policy, "PolicyPack", fake_pack)
    monkeypatch.syspath_prepend(str(POLICY_DIR))  # as the CLI runs it: policy/ first on the path
    try:
        runpy.run_path(str(POLICY_DIR), run_name="__main__")
    finally:
        sys.modules.pop("platform_policies", None)
    assert built["name"] == rules.PACK_NAME == "platform-policies"
    assert built["enforcement_level"] == EnforcementLevel.MANDATORY
    assert [p.name for p in built["policies"]] == [p.name for p in rules.POLICIES]


@pytest.fixture
def served_pack() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    """The pack started as the CLI starts it (``python -m pulumi.policy <engine> <pack dir>``,
    from the pack directory, the repository root not importable), and a client to it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_") and k != "PYTHONPATH"}
    process = subprocess.Popen(
        [sys.executable, "-m", "pulumi.policy", "127.0.0.1:1", str(POLICY_DIR)],
        cwd=POLICY_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        port = process.stdout.readline().strip()
        assert port.isdigit(), process.stderr.read() if process.stderr else port
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield analyzer_pb2_grpc.AnalyzerStub(channel)
    finally:
        process.terminate()
        process.wait(timeout=10)


def analyze_bucket(stub: analyzer_pb2_grpc.AnalyzerStub) -> list[str]:
    """Policies the served pack reports for an unprotected bucket."""
    properties = struct_pb2.Struct()
    properties.update({"forceDestroy": False})
    request = analyzer_pb2.AnalyzeRequest(
        type=BUCKET,
        properties=properties,
        urn=f"urn:pulumi:prod::platform::{BUCKET}::uploads",
        name="uploads",
        options=analyzer_pb2.AnalyzerResourceOptions(protect=False),
    )
    return [d.policyName for d in stub.Analyze(request).diagnostics]


def test_the_served_pack_answers_the_engine_and_reads_its_config_file(
    served_pack: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    info = served_pack.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == "platform-policies"
    assert [p.name for p in info.policies] == [p.name for p in rules.POLICIES]
    assert {p.enforcementLevel for p in info.policies} == {analyzer_pb2.MANDATORY}
    protect = next(p for p in info.policies if p.name == rules.PROTECT_POLICY)
    assert protect.configSchema.properties[rules.PROTECT_DATA]["default"] is True
    assert analyze_bucket(served_pack) == [rules.PROTECT_POLICY]

    # What the CLI sends from `--policy-pack-config` with `python -m tools.policy config`'s file.
    config = runner.config_for_stack(load_stack_file("dev"))
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for name, values in config.items():
        request.policyConfig[name].enforcementLevel = analyzer_pb2.MANDATORY
        request.policyConfig[name].properties.update(values)
    served_pack.Configure(request)
    assert analyze_bucket(served_pack) == []


# --------------------------------------------------------------------------------------------
# The in-process runner over real stacks
# --------------------------------------------------------------------------------------------


def test_every_stack_file_passes_the_policy_pack(stack_run: StackRun, stack_name: str) -> None:
    rec = stack_run(stack_name)
    violations = runner.evaluate(rec, config=runner.config_for_stack(stack_config(stack_name)))
    assert violations == [], runner.render(violations)


def test_protect_data_follows_the_stack_file() -> None:
    for stack, expected in (("dev", False), ("prod", True)):
        from_file = runner.config_for_stack(load_stack_file(stack))
        assert from_file == {rules.PROTECT_POLICY: {rules.PROTECT_DATA: expected}}
        assert runner.config_for_stack(stack_config(stack)) == from_file


def changed(rec: Recording, type_: str, name: str, **changes: Any) -> Recording:
    """The recording with one resource's fields replaced (its inputs and outputs alike)."""
    target = rec.find(type_, name)
    if "inputs" in changes:
        changes.setdefault("outputs", {**target.outputs, **changes["inputs"]})
    replaced = dataclasses.replace(target, **changes)
    return dataclasses.replace(
        rec, resources=[replaced if r is target else r for r in rec.resources]
    )


def only(rec: Recording, type_: str) -> Registered:
    found = rec.all_of(type_)
    assert found
    return found[0]


def test_the_runner_reports_a_resource_violation_with_the_resource(stack_run: StackRun) -> None:
    rec = stack_run("dev")
    group = only(rec, rules.LOG_GROUP)
    broken = changed(rec, group.type, group.name, inputs={**group.inputs, "retentionInDays": 0.0})
    violations = runner.evaluate(broken, config=runner.config_for_stack(stack_config("dev")))
    assert [(v.policy, v.urn, v.type, v.name) for v in violations] == [
        ("log-groups-have-retention", group.urn, group.type, group.name)
    ]
    assert violations[0].enforcement_level == "mandatory"


def test_the_runner_passes_pulumi_protect_and_the_protect_data_config(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    key = only(rec, rules.KMS_KEY)
    unprotected = changed(rec, key.type, key.name, protect=False)
    on = runner.evaluate(unprotected, config={rules.PROTECT_POLICY: {rules.PROTECT_DATA: True}})
    assert (rules.PROTECT_POLICY, key.urn) in {(v.policy, v.urn) for v in on}
    off = runner.evaluate(unprotected, config={rules.PROTECT_POLICY: {rules.PROTECT_DATA: False}})
    assert all(v.policy != rules.PROTECT_POLICY for v in off)


def test_the_runner_gives_each_resource_its_providers_default_tags(stack_run: StackRun) -> None:
    rec = stack_run("dev")
    primary = rec.find(rules.RDS_INSTANCE, "platform-database-primary")
    provider = rec.provider_of(primary)
    assert provider is not None and "tags" in primary.inputs
    untagged = changed(rec, provider.type, provider.name, inputs={"region": "eu-west-1"})
    flagged = {(v.policy, v.urn) for v in runner.evaluate(untagged, config={})}
    assert ("required-tags", provider.urn) in flagged
    assert ("required-tags", primary.urn) in flagged


def test_the_runner_links_stack_resources_for_stack_policies(stack_run: StackRun) -> None:
    rec = stack_run("dev")
    block = only(rec, rules.BUCKET_PUBLIC_ACCESS_BLOCK)
    without = dataclasses.replace(rec, resources=[r for r in rec.resources if r is not block])
    violations = runner.evaluate(without, config=runner.config_for_stack(stack_config("dev")))
    bucket = next(b for b in rec.all_of(BUCKET) if b.outputs["bucket"] == block.inputs["bucket"])
    assert [(v.policy, v.urn) for v in violations] == [("s3-public-access-blocked", bucket.urn)]


def test_disabled_policies_are_skipped(stack_run: StackRun) -> None:
    rec = stack_run("dev")
    group = only(rec, rules.LOG_GROUP)
    broken = changed(rec, group.type, group.name, inputs={**group.inputs, "retentionInDays": 0.0})
    config = runner.config_for_stack(stack_config("dev"))
    assert [v.policy for v in runner.evaluate(broken, config=config)] == [
        "log-groups-have-retention"
    ]
    assert runner.evaluate(broken, config={"all": "disabled"}) == []
    disabled = config | {"log-groups-have-retention": {"enforcementLevel": "disabled"}}
    assert runner.evaluate(broken, config=disabled) == []


def test_render_counts_policies_and_lists_each_violation() -> None:
    violation = runner.Violation(
        "imdsv2-required", "urn:x", rules.LAUNCH_TEMPLATE, "nodes", "fix it"
    )
    text = runner.render([violation])
    assert text.splitlines()[0] == "Policy: 12 policies, 1 violation"
    assert "imdsv2-required" in text and "nodes" in text and "fix it" in text
    assert runner.render([]) == "Policy: 12 policies, 0 violations"


def test_the_command_line_checks_a_stack_and_prints_its_pack_config(
    stack_run: StackRun, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(plan, "run_stack", lambda stack, root: stack_run(stack))
    assert runner.main(["check", "--stack", "dev"]) == 0
    assert capsys.readouterr().out.startswith("Policy: 12 policies, 0 violations")
    assert runner.main(["config", "--stack", "prod"]) == 0
    assert json.loads(capsys.readouterr().out) == {rules.PROTECT_POLICY: {rules.PROTECT_DATA: True}}
    assert runner.main(["check", "--stack", "nope"]) == 2


def test_the_printed_config_names_policies_and_properties_of_their_schema() -> None:
    """The CLI rejects a --policy-pack-config naming an unknown policy or property."""
    config = runner.config_for_stack(load_stack_file("prod"))
    for policy_name, values in config.items():
        policy = next(p for p in rules.POLICIES if p.name == policy_name)
        assert policy.config_schema is not None
        assert set(values) <= set(policy.config_schema.properties)
