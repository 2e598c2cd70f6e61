"""Specification of EncryptionKey: rotating customer-managed keys with per-service policies."""

from __future__ import annotations

import json
from typing import Any

import pulumi_aws as aws

from aws_web_platform.kms.encryption_key import EncryptionKey, EncryptionKeyArgs, key_policy
from aws_web_platform.offline import Recording, run
from tests.conftest import BASE_CONFIG, built, with_aws

KEY = "aws:kms/key:Key"


def make(**overrides: Any) -> tuple[EncryptionKey, Recording]:
    args = {"description": "test", "services": ("rds", "logs"), "alias": "alias/test/data"}
    return built(EncryptionKey, "k", EncryptionKeyArgs(**(args | overrides)))


def statements(rec: Recording) -> dict[str, dict]:
    policy = json.loads(rec.find(KEY, "k-key")["policy"])
    return {s["Sid"]: s for s in policy["Statement"]}


def test_keys_rotate_yearly_by_default_and_wait_30_days_before_deletion() -> None:
    _, rec = make()
    key = rec.find(KEY, "k-key")
    assert key["enableKeyRotation"] is True
    assert key["rotationPeriodInDays"] == 365
    assert key["deletionWindowInDays"] == 30


def test_the_key_has_its_alias() -> None:
    _, rec = make()
    alias = rec.find("aws:kms/alias:Alias", "k-alias")
    assert alias["name"] == "alias/test/data"
    assert alias["targetKeyId"] == rec.find(KEY, "k-key").outputs["keyId"]


def test_keys_are_protected_unless_told_otherwise() -> None:
    _, protected = make()
    _, unprotected = make(protect=False)
    assert protected.find(KEY, "k-key").protect
    assert not unprotected.find(KEY, "k-key").protect


def test_the_account_root_keeps_full_access_so_the_key_cannot_be_locked_out() -> None:
    _, rec = make()
    root = statements(rec)["AccountRootFullAccess"]
    assert root["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    assert root["Action"] == "kms:*"


def test_grant_based_services_may_only_create_grants_for_aws_resources_through_themselves() -> None:
    _, rec = make(services=("rds", "elasticache", "ecr", "eks"))
    for service in ("Rds", "Elasticache", "Ecr", "Eks"):
        grants = statements(rec)[f"GrantsFor{service}Resources"]
        via = {
            "kms:CallerAccount": "123456789012",
            "kms:ViaService": f"{service.lower()}.eu-west-1.amazonaws.com",
        }
        assert grants["Condition"] == {
            "StringEquals": via,
            "Bool": {"kms:GrantIsForAWSResource": "true"},
        }
        assert grants["Action"] == ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"]
        assert statements(rec)[f"DescribeFor{service}"]["Action"] == "kms:DescribeKey"


def test_nobody_but_the_account_root_may_decrypt_through_the_key_policy() -> None:
    """Decryption needs an explicit IAM grant: the grant methods are the permission."""
    _, rec = make(services=("rds", "elasticache", "secretsmanager", "eks", "s3", "ecr"))
    for sid, statement in statements(rec).items():
        actions = statement["Action"]
        actions = actions if isinstance(actions, list) else [actions]
        if sid != "AccountRootFullAccess":
            assert not {"kms:Decrypt", "kms:*", "kms:Decrypt*"} & set(actions), sid


def test_cloudwatch_logs_may_use_the_logs_key_for_this_accounts_groups_only() -> None:
    _, rec = make(services=("logs",))
    statement = statements(rec)["CloudWatchLogsOfThisAccount"]
    assert statement["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert statement["Condition"]["ArnLike"] == {
        "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:123456789012:log-group:*"
    }


def test_cloudfront_may_only_decrypt_for_this_accounts_distributions() -> None:
    _, rec = make(services=("cloudfront",))
    statement = statements(rec)["CloudFrontOriginAccessControlReads"]
    assert statement["Action"] == "kms:Decrypt"
    assert statement["Condition"]["ArnLike"] == {
        "AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/*"
    }


def test_services_calling_kms_as_the_caller_get_no_statement() -> None:
    """Secrets Manager and S3 use the caller's permissions: the IAM grant is the permission."""
    policy = key_policy(account="1", partition="aws", region="r", services=("s3", "secretsmanager"))
    assert {s["Sid"] for s in policy} == {"AccountRootFullAccess"}


def test_grant_decrypt_is_limited_to_one_service_and_this_key() -> None:
    def build(opts: Any) -> None:
        key = EncryptionKey(
            "k",
            EncryptionKeyArgs(description="d", services=("secretsmanager",), alias="alias/x"),
            opts,
        )
        role = aws.iam.Role("reader", assume_role_policy="{}", opts=opts)
        key.grant_decrypt(role, "secretsmanager")

    rec = run(with_aws(build), config=BASE_CONFIG)
    policy = json.loads(rec.find("aws:iam/rolePolicy:RolePolicy", "k-decrypt-reader")["policy"])
    [statement] = policy["Statement"]
    assert statement["Action"] == ["kms:Decrypt"]
    assert statement["Resource"] == rec.find(KEY, "k-key").outputs["arn"]
    assert statement["Condition"] == {
        "StringEquals": {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}
    }
