"""Specification of Bucket: secure defaults and least-privilege grants."""

from __future__ import annotations

import json
from typing import Any

import pulumi_aws as aws
import pytest

from aws_web_platform.offline import Recording, run
from aws_web_platform.storage.bucket import Bucket, BucketArgs, LifecycleRule
from tests.conftest import BASE_CONFIG, built, with_aws

KEY = "arn:aws:kms:eu-west-1:123456789012:key/storage"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


def bucket(**args: Any) -> tuple[Bucket, Recording]:
    return built(Bucket, "b", BucketArgs(**args))


@pytest.fixture(scope="module")
def secure() -> Recording:
    return bucket(kms_key_arn=KEY, access_logs_bucket="logs-bucket")[1]


def policy_of(rec: Recording, name: str = "b-policy") -> dict[str, dict]:
    return {s["Sid"]: s for s in json.loads(rec.find(POLICY, name)["policy"])["Statement"]}


def test_all_public_access_is_blocked(secure: Recording) -> None:
    block = secure.find(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "b-public-access-block"
    )
    for flag in (
        "blockPublicAcls",
        "blockPublicPolicy",
        "ignorePublicAcls",
        "restrictPublicBuckets",
    ):
        assert block[flag] is True


def test_acls_are_disabled_by_bucket_owner_enforced(secure: Recording) -> None:
    ownership = secure.find("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "b-ownership")
    assert ownership["rule"] == {"objectOwnership": "BucketOwnerEnforced"}


def test_default_encryption_is_sse_kms_with_a_bucket_key(secure: Recording) -> None:
    enc = secure.find(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "b-encryption",
    )
    [rule] = enc["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": KEY,
    }
    assert rule["bucketKeyEnabled"] is True


def test_sse_s3_where_a_service_cannot_write_with_kms() -> None:
    _, rec = bucket()
    enc = rec.find(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "b-encryption",
    )
    assert enc["rules"][0]["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}


def test_versioning_is_on(secure: Recording) -> None:
    versioning = secure.find("aws:s3/bucketVersioning:BucketVersioning", "b-versioning")
    assert versioning["versioningConfiguration"]["status"] == "Enabled"


def test_the_policy_refuses_anything_but_tls_1_2_and_up(secure: Recording) -> None:
    statements = policy_of(secure)
    tls = statements["DenyInsecureTransport"]
    assert (tls["Effect"], tls["Principal"], tls["Action"]) == ("Deny", "*", "s3:*")
    assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert statements["DenyOutdatedTls"]["Condition"] == {
        "NumericLessThan": {"s3:TlsVersion": "1.2"}
    }
    bucket_arn = secure.find("aws:s3/bucket:Bucket", "b-bucket").outputs["arn"]
    assert tls["Resource"] == [bucket_arn, f"{bucket_arn}/*"]


def test_lifecycle_expires_old_versions_and_aborts_unfinished_uploads(secure: Recording) -> None:
    lifecycle = secure.find(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "b-lifecycle"
    )
    [rule] = lifecycle["rules"]
    assert rule["status"] == "Enabled"
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 30}
    assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}


def test_prefix_rules_expire_and_transition_where_asked() -> None:
    _, rec = bucket(
        lifecycle_rules=(
            LifecycleRule(prefix="daily/", expire_after_days=90, infrequent_access_after_days=30),
        )
    )
    rules = {
        r["id"]: r
        for r in rec.find(
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "b-lifecycle"
        )["rules"]
    }
    daily = rules["prefix-daily"]
    assert daily["filter"] == {"prefix": "daily/"}
    assert daily["expiration"] == {"days": 90}
    assert daily["transitions"] == [{"days": 30, "storageClass": "STANDARD_IA"}]


def test_access_logs_go_to_the_logs_bucket(secure: Recording) -> None:
    logging = secure.find("aws:s3/bucketLogging:BucketLogging", "b-access-logs")
    assert logging["targetBucket"] == "logs-bucket"
    assert logging["targetPrefix"] == "s3/b/"


def test_cors_only_for_the_given_origins() -> None:
    _, rec = bucket(cors_origins=("https://app.example.com",))
    [rule] = rec.find("aws:s3/bucketCorsConfiguration:BucketCorsConfiguration", "b-cors")[
        "corsRules"
    ]
    assert rule["allowedOrigins"] == ["https://app.example.com"]
    assert set(rule["allowedMethods"]) == {"GET", "PUT", "POST", "HEAD"}
    _, none = bucket()
    assert none.all_of("aws:s3/bucketCorsConfiguration:BucketCorsConfiguration") == []


def test_protected_buckets_are_never_destroyed_with_their_objects(secure: Recording) -> None:
    s3 = secure.find("aws:s3/bucket:Bucket", "b-bucket")
    assert s3.protect and s3["forceDestroy"] is False
    _, dev = bucket(protect=False)
    assert dev.find("aws:s3/bucket:Bucket", "b-bucket")["forceDestroy"] is True


def test_a_logs_bucket_lets_each_service_write_under_its_own_prefix_only() -> None:
    _, rec = bucket(log_delivery_services=("s3", "alb", "cloudfront"), expire_after_days=90)
    statements = policy_of(rec)
    arn = rec.find("aws:s3/bucket:Bucket", "b-bucket").outputs["arn"]
    s3 = statements["S3ServerAccessLogs"]
    assert s3["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert s3["Resource"] == f"{arn}/s3/*"
    assert s3["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    alb = statements["LoadBalancerAccessLogs"]
    assert alb["Principal"]["Service"] == "logdelivery.elasticloadbalancing.amazonaws.com"
    assert alb["Principal"]["AWS"].endswith(":root")  # the regional ELB account
    assert alb["Resource"] == f"{arn}/alb/AWSLogs/123456789012/*"
    cloudfront = statements["CloudFrontLogDeliveryWrite"]
    assert cloudfront["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
    assert cloudfront["Resource"] == f"{arn}/cloudfront/*"
    lifecycle = rec.find(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "b-lifecycle"
    )
    assert lifecycle["rules"][0]["expiration"] == {"days": 90}


# --- Grants ----------------------------------------------------------------------------------


def granted(grants: list[tuple[str, str]], **args: Any) -> Recording:
    """A bucket and roles, with ``grants`` as (method, role) pairs."""

    def build(opts: Any) -> None:
        b = Bucket("b", BucketArgs(kms_key_arn=KEY, **args), opts)
        roles = {
            name: aws.iam.Role(name, assume_role_policy="{}", opts=opts)
            for name in ("api", "pdf", "backup")
        }
        for method, role in grants:
            prefix = "daily/" if role == "backup" else ""
            getattr(b, method)(roles[role], prefix)

    return run(with_aws(build), config=BASE_CONFIG)


def test_grant_read_allows_get_and_list_and_decrypt_through_s3_only() -> None:
    rec = granted([("grant_read", "api")])
    arn = rec.find("aws:s3/bucket:Bucket", "b-bucket").outputs["arn"]
    statements = json.loads(rec.find(ROLE_POLICY, "b-read-api")["policy"])["Statement"]
    assert statements[0] == {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"{arn}/*"}
    assert statements[1] == {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": arn}
    assert statements[2]["Action"] == ["kms:Decrypt"]
    assert (
        statements[2]["Condition"]["StringEquals"]["kms:ViaService"] == "s3.eu-west-1.amazonaws.com"
    )


def test_grant_read_write_adds_put_and_delete() -> None:
    rec = granted([("grant_read_write", "api")])
    statements = json.loads(rec.find(ROLE_POLICY, "b-read-write-api")["policy"])["Statement"]
    assert {"s3:GetObject", "s3:PutObject", "s3:DeleteObject"} <= set(statements[0]["Action"])
    assert "kms:GenerateDataKey" in statements[2]["Action"]


def test_grant_write_under_a_prefix_cannot_read_or_list_elsewhere() -> None:
    rec = granted([("grant_write", "backup")])
    arn = rec.find("aws:s3/bucket:Bucket", "b-bucket").outputs["arn"]
    statements = json.loads(rec.find(ROLE_POLICY, "b-write-daily-backup")["policy"])["Statement"]
    assert statements[0]["Resource"] == f"{arn}/daily/*"
    assert "s3:GetObject" not in statements[0]["Action"]
    assert not any(s["Action"] == "s3:ListBucket" for s in statements)


def test_a_role_without_a_grant_has_no_statement_for_the_bucket() -> None:
    rec = granted([("grant_read_write", "api")])
    arn = rec.find("aws:s3/bucket:Bucket", "b-bucket").outputs["arn"]
    pdf = rec.find("aws:iam/role:Role", "pdf").outputs["name"]
    for policy in rec.all_of(ROLE_POLICY):
        if policy["role"] == pdf:
            assert arn not in policy["policy"]
    assert all(p["role"] != pdf for p in rec.all_of(ROLE_POLICY))
    bucket_policy = json.loads(rec.find(POLICY, "b-policy")["policy"])
    assert [s["Effect"] for s in bucket_policy["Statement"]] == ["Deny", "Deny"]  # TLS only


def test_grant_cloudfront_read_lets_exactly_that_distribution_read() -> None:
    distribution = "arn:aws:cloudfront::123456789012:distribution/E123"

    def build(opts: Any) -> None:
        Bucket(
            "b", BucketArgs(kms_key_arn=KEY, read_by_cloudfront=True), opts
        ).grant_cloudfront_read(distribution)

    rec = run(with_aws(build), config=BASE_CONFIG)
    statements = policy_of(rec)
    read = statements["CloudFrontOriginAccessControlRead"]
    assert read["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert read["Action"] == "s3:GetObject"
    assert read["Condition"] == {"StringEquals": {"AWS:SourceArn": distribution}}
    assert "DenyInsecureTransport" in statements
    assert len(rec.all_of(POLICY)) == 1


def test_grant_cloudfront_read_on_a_bucket_not_made_for_it_fails_clearly() -> None:
    def build(opts: Any) -> None:
        Bucket("b", BucketArgs(), opts).grant_cloudfront_read("arn")

    with pytest.raises(ValueError, match="read_by_cloudfront=True"):
        run(with_aws(build), config=BASE_CONFIG)
