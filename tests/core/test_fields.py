"""Typed seams: Pulumi inputs in Args, and Args composed from settings plus wiring."""

from __future__ import annotations

import pulumi
import pytest
from pydantic import ValidationError

from aws_web_platform.core.fields import InputStr, InputStrs, Wiring
from aws_web_platform.database.config import DatabaseConfig
from aws_web_platform.database.database import PostgresDatabaseArgs, PostgresDatabaseWiring


class _Wired(Wiring):
    one: InputStr
    many: InputStrs = ()
    maybe: InputStr | None = None


def test_an_input_takes_a_str_an_output_or_an_awaitable() -> None:
    output = pulumi.Output.from_input("vpc-1")
    assert _Wired(one="vpc-1").one == "vpc-1"
    assert _Wired(one=output).one is output


def test_an_input_refuses_a_plain_value_of_another_type_naming_the_field() -> None:
    with pytest.raises(ValidationError, match=r"one\n.*expected str or a Pulumi Output"):
        _Wired(one=5)  # pyright: ignore[reportArgumentType]


def test_a_list_input_takes_a_list_of_inputs_or_one_output_of_a_list() -> None:
    ids = pulumi.Output.from_input(["subnet-a", "subnet-b"])
    assert _Wired(one="x", many=["subnet-a", pulumi.Output.from_input("b")]).many
    assert _Wired(one="x", many=ids).many is ids
    with pytest.raises(ValidationError, match="expected a list"):
        _Wired(one="x", many="subnet-a")
    with pytest.raises(ValidationError, match="each item must be str"):
        _Wired(one="x", many=["subnet-a", 7])  # pyright: ignore[reportArgumentType]


def test_from_config_composes_the_settings_and_the_wiring_field_by_field() -> None:
    settings = DatabaseConfig(instance_class="db.t4g.medium", read_replicas=0, multi_az=False)
    wiring = PostgresDatabaseWiring(
        vpc_id="vpc-1",
        subnet_ids=["subnet-a", "subnet-b"],
        availability_zones=["eu-west-1a", "eu-west-1b"],
        identifier="shop-dev-postgres",
        storage_kms_key_arn="arn:aws:kms:eu-west-1:123456789012:key/data",
        secrets_kms_key_arn="arn:aws:kms:eu-west-1:123456789012:key/secrets",
        secret_name_prefix="shop-dev",
    )
    args = PostgresDatabaseArgs.from_config(settings, wiring)
    flat = PostgresDatabaseArgs(
        instance_class="db.t4g.medium",
        read_replicas=0,
        multi_az=False,
        vpc_id="vpc-1",
        subnet_ids=["subnet-a", "subnet-b"],
        availability_zones=["eu-west-1a", "eu-west-1b"],
        identifier="shop-dev-postgres",
        storage_kms_key_arn="arn:aws:kms:eu-west-1:123456789012:key/data",
        secrets_kms_key_arn="arn:aws:kms:eu-west-1:123456789012:key/secrets",
        secret_name_prefix="shop-dev",
    )
    assert args == flat
    assert args.parameters is settings.parameters  # nested settings passed as they are
