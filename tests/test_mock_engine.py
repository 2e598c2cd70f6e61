"""The recording mock engine enforces the rules the real engine would (components.testing)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pytest

from components.testing import EngineRuleError, UnknownInvokeError, run

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
