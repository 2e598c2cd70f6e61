"""S3: buckets with their domain names; the bucket's configuration resources."""

from __future__ import annotations

from typing import Any

from aws_web_platform.offline.fake_aws.context import (
    PARTITION,
    Fake,
    FakeContext,
    generic,
)


def s3_bucket(ctx: FakeContext) -> tuple[str, dict[str, Any]]:
    name = str(ctx.get("bucket") or ctx.physical_name().lower())
    return name, {
        "bucket": name,
        "arn": f"arn:{PARTITION}:s3:::{name}",
        "bucketDomainName": f"{name}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{name}.s3.{ctx.region}.amazonaws.com",
        "hostedZoneId": "Z1BKCTXD74EZPE",
        "region": ctx.region,
    }


#: The resource types this service fakes, each explicitly.
RESOURCES: dict[str, Fake] = {
    "aws:s3/bucket:Bucket": s3_bucket,
    "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration": generic,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": generic,
    "aws:s3/bucketLogging:BucketLogging": generic,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": generic,
    "aws:s3/bucketPolicy:BucketPolicy": generic,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": generic,
    (
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    ): generic,
    "aws:s3/bucketVersioning:BucketVersioning": generic,
}
