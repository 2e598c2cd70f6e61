"""The recording mock engine enforces the rules the real engine would (aws_web_platform.offline)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pytest

from aws_web_platform.offline import EngineRuleError, UnknownInvokeError, run

NO_DEFAULTS = {"pulumi:disable-default-providers": '["*"]'}


def test_a_duplicate_urn_fails_as_in_the_engine() -> None:
    def program() -> None:
        provider = aws.Provider("p", region="eu-west-1")
        opts = pulumi.ResourceOptions(provider=provider)
        aws.ec2.Vpc("same", cidr_block="10.0.0.0/16", opts=opts)
        aws.ec2.Vpc("same", cidr_block="10.1.0.0/16", opts=opts)

    with pytest.raises(EngineRuleError, match="Duplicate resource URN"):
        run(program)


def test_a_resource_without_provider_fails_when_default_providers_are_disabled() -> None:
    with pytest.raises(EngineRuleError, match="default aws provider"):
        run(lambda: aws.ec2.Vpc("v", cidr_block="10.0.0.0/16"), config=NO_DEFAULTS)


def test_an_invoke_without_provider_fails_when_default_providers_are_disabled() -> None:
    with pytest.raises(EngineRuleError, match="invoke aws:index/getRegion:getRegion"):
        run(aws.get_region, config=NO_DEFAULTS)


def test_an_unknown_invoke_fails_loudly() -> None:
    def program() -> None:
        provider = aws.Provider("p", region="eu-west-1")
        aws.ec2.get_vpc(default=True, opts=pulumi.InvokeOptions(provider=provider))

    with pytest.raises(UnknownInvokeError, match="aws:ec2/getVpc:getVpc"):
        run(program)


def test_secret_inputs_are_recorded_as_secret() -> None:
    def program() -> None:
        provider = aws.Provider("p", region="eu-west-1")
        aws.ssm.Parameter(
            "param",
            type="SecureString",
            value=pulumi.Output.secret("s3cr3t"),
            opts=pulumi.ResourceOptions(provider=provider),
        )

    rec = run(program)
    param = rec.find("aws:ssm/parameter:Parameter", "param")
    assert param["value"] == "s3cr3t"
    assert "value" in param.secret_inputs


def test_outputs_are_deterministic_and_realistic() -> None:
    def program() -> None:
        provider = aws.Provider("p", region="eu-west-1")
        aws.iam.Role(
            "role", assume_role_policy="{}", opts=pulumi.ResourceOptions(provider=provider)
        )

    first, second = run(program), run(program)
    role = first.find("aws:iam/role:Role", "role")
    assert role.outputs["arn"] == f"arn:aws:iam::123456789012:role/{role.outputs['name']}"
    assert role.outputs == second.find("aws:iam/role:Role", "role").outputs


def test_options_are_recorded() -> None:
    def program() -> None:
        provider = aws.Provider("p", region="eu-west-1")
        aws.s3.Bucket(
            "b",
            opts=pulumi.ResourceOptions(
                provider=provider, protect=True, retain_on_delete=True, ignore_changes=["tags"]
            ),
        )

    bucket = run(program).find("aws:s3/bucket:Bucket", "b")
    assert bucket.protect and bucket.retain_on_delete
    assert bucket.ignore_changes == ["tags"]


def test_errors_can_be_kept_with_what_was_registered_before() -> None:
    def program() -> None:
        aws.Provider("p", region="eu-west-1")
        raise ValueError("boom")

    rec = run(program, raise_errors=False)
    assert isinstance(rec.error, ValueError)


def test_resources_and_invokes_answer_in_their_providers_region() -> None:
    def program() -> None:
        home = aws.Provider("home", region="sa-east-1")
        east = aws.Provider("east", region="us-east-1")
        for label, provider in (("home", home), ("east", east)):
            aws.acm.Certificate(
                f"cert-{label}",
                domain_name="example.com",
                validation_method="DNS",
                opts=pulumi.ResourceOptions(provider=provider),
            )
            region = aws.get_region(opts=pulumi.InvokeOptions(provider=provider)).region
            pulumi.export(label, region)

    rec = run(program, region="sa-east-1")
    assert (
        rec.find("aws:acm/certificate:Certificate", "cert-home")
        .outputs["arn"]
        .startswith("arn:aws:acm:sa-east-1:")
    )
    assert (
        rec.find("aws:acm/certificate:Certificate", "cert-east")
        .outputs["arn"]
        .startswith("arn:aws:acm:us-east-1:")
    )
    assert rec.outputs == {"home": "sa-east-1", "east": "us-east-1"}


def test_certificates_for_the_same_name_share_its_validation_record() -> None:
    """As in ACM: the record depends on the account and the name, not on the certificate."""

    def program() -> None:
        provider = aws.Provider("p", region="eu-west-1")
        opts = pulumi.ResourceOptions(provider=provider)
        aws.acm.Certificate("a", domain_name="example.com", validation_method="DNS", opts=opts)
        aws.acm.Certificate(
            "b",
            domain_name="example.com",
            subject_alternative_names=["www.example.com"],
            validation_method="DNS",
            opts=opts,
        )

    rec = run(program)
    a, b = (rec.find("aws:acm/certificate:Certificate", n) for n in ("a", "b"))
    (apex_a,) = a.outputs["domainValidationOptions"]
    apex_b, www = b.outputs["domainValidationOptions"]
    assert apex_a == apex_b and apex_a["domainName"] == "example.com"
    assert www["domainName"] == "www.example.com"
    assert www["resourceRecordName"] != apex_a["resourceRecordName"]


def test_managed_cloudfront_policies_are_found_by_name_and_unknown_names_fail() -> None:
    def program(name: str) -> None:
        provider = aws.Provider("p", region="eu-west-1")
        found = aws.cloudfront.get_cache_policy(
            name=name, opts=pulumi.InvokeOptions(provider=provider)
        )
        pulumi.export("id", found.id)

    rec = run(lambda: program("Managed-CachingDisabled"))
    assert rec.outputs["id"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
    with pytest.raises(UnknownInvokeError, match="Managed-NoSuchPolicy"):
        run(lambda: program("Managed-NoSuchPolicy"))
