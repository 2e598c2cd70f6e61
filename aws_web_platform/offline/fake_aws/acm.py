"""ACM: DNS-validated certificates and their validation records."""

from __future__ import annotations

from typing import Any

from aws_web_platform.offline.fake_aws.context import (
    Fake,
    FakeContext,
    hex_of,
    uuid_of,
)


def acm_certificate(ctx: FakeContext) -> tuple[str, dict[str, Any]]:
    """A DNS-validated certificate: one validation record per name. ACM derives the record from
    the account and the name, so two certificates naming one domain share its record."""
    arn = ctx.arn("acm", f"certificate/{uuid_of(ctx.seed)}")
    domain = str(ctx.get("domainName") or "")
    names = [domain, *(ctx.get("subjectAlternativeNames") or [])]
    options = []
    for name in dict.fromkeys(names):
        token = hex_of(f"{ctx.account}/{name}", 32)
        options.append(
            {
                "domainName": name,
                "resourceRecordName": f"_{token}.{name.removeprefix('*.')}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": (
                    f"_{hex_of(token, 32)}.{hex_of(token, 10)}.acm-validations.aws."
                ),
            }
        )
    return arn, {
        "arn": arn,
        "domainValidationOptions": options,
        "status": "PENDING_VALIDATION",
        "validationMethod": "DNS",
    }


def certificate_validation(ctx: FakeContext) -> tuple[str, dict[str, Any]]:
    return str(ctx.get("certificateArn") or ctx.name), {}


#: The resource types this service fakes, each explicitly.
RESOURCES: dict[str, Fake] = {
    "aws:acm/certificate:Certificate": acm_certificate,
    "aws:acm/certificateValidation:CertificateValidation": certificate_validation,
}
