"""Specification of app secrets: one KMS-encrypted secret each, values never in plaintext."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from aws_web_platform.offline import Recording, run
from aws_web_platform.secrets.app_secrets import AppSecrets, AppSecretsArgs
from aws_web_platform.stack.loading import ConfigError
from tests.conftest import BASE_CONFIG, built, with_aws
from tools.plan import PROJECT_ROOT, load_stack_file, run_main

SECRET = "aws:secretsmanager/secret:Secret"
VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/secrets"


def app_secrets(
    values: dict[str, Any] | None = None, **kwargs: Any
) -> tuple[AppSecrets, Recording]:
    args = AppSecretsArgs(
        values=values or {"jwtSecret": pulumi.Output.secret("s3cr3t-jwt"), "sentryDsn": "dsn"},
        name_prefix="shop-prod/app",
        kms_key_arn=KEY_ARN,
        **kwargs,
    )
    return built(AppSecrets, "app", args)


def test_each_app_secret_is_its_own_kms_encrypted_secret() -> None:
    _, rec = app_secrets()
    jwt = rec.find(SECRET, "app-jwtSecret-secret")
    assert jwt["name"] == "shop-prod/app/jwtSecret"
    assert jwt["kmsKeyId"] == KEY_ARN
    assert jwt["recoveryWindowInDays"] == 30
    assert {s["name"] for s in rec.all_of(SECRET)} == {
        "shop-prod/app/jwtSecret",
        "shop-prod/app/sentryDsn",
    }


def test_values_are_pulumi_secrets_even_when_given_in_plaintext() -> None:
    _, rec = app_secrets()
    for version in rec.all_of(VERSION):
        assert "secretString" in version.secret_inputs
        assert "secretString" in version.secret_outputs
    assert rec.find(VERSION, "app-sentryDsn-value")["secretString"] == "dsn"


def test_secrets_are_protected_and_recoverable_by_default() -> None:
    _, rec = app_secrets()
    assert all(s.protect for s in rec.all_of(SECRET))
    _, dev = app_secrets(recovery_window_days=0, protect=False)
    assert all(not s.protect and s["recoveryWindowInDays"] == 0 for s in dev.all_of(SECRET))


def test_grant_read_covers_exactly_the_named_secrets() -> None:
    def build(opts: Any) -> None:
        secrets = AppSecrets(
            "app",
            AppSecretsArgs(
                values={"jwtSecret": "a", "stripeSecretKey": "b", "sentryDsn": "c"},
                name_prefix="p",
                kms_key_arn=KEY_ARN,
            ),
            opts,
        )
        role = aws.iam.Role("pdf-worker", assume_role_policy="{}", opts=opts)
        secrets.grant_read(role, ["sentryDsn"])

    rec = run(with_aws(build), config=BASE_CONFIG)
    policy = json.loads(rec.find("aws:iam/rolePolicy:RolePolicy", "app-read-pdf-worker")["policy"])
    read, decrypt = policy["Statement"]
    assert read["Resource"] == [rec.find(SECRET, "app-sentryDsn-secret").outputs["arn"]]
    assert read["Action"] == ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    assert decrypt["Resource"] == KEY_ARN
    assert decrypt["Condition"]["StringEquals"]["kms:ViaService"].startswith("secretsmanager.")


def test_grant_read_of_an_unknown_secret_fails_clearly() -> None:
    def build(opts: Any) -> None:
        secrets = AppSecrets(
            "app", AppSecretsArgs(values={"a1": "x"}, name_prefix="p", kms_key_arn=KEY_ARN), opts
        )
        secrets.grant_read(aws.iam.Role("r", assume_role_policy="{}", opts=opts), ["nope"])

    with pytest.raises(KeyError, match="no app secret nope"):
        run(with_aws(build), config=BASE_CONFIG)


# --- From the stack file ---------------------------------------------------------------------


def prod_config(**changes: str | None) -> tuple[dict[str, str], tuple[str, ...]]:
    stack_file = load_stack_file("prod", PROJECT_ROOT)
    config = dict(stack_file.config)
    for key, value in changes.items():
        if value is None:
            config.pop(f"platform:{key}", None)
        else:
            config[f"platform:{key}"] = value
    return config, stack_file.secret_keys


def test_a_declared_secret_without_value_stops_the_deploy_naming_it() -> None:
    config, secret_keys = prod_config()
    values = json.loads(config["platform:appSecretValues"])
    del values["stripeSecretKey"]
    config["platform:appSecretValues"] = json.dumps(values)
    rec = run_main(
        PROJECT_ROOT, project="platform", stack="prod", config=config, secret_keys=secret_keys
    )
    assert isinstance(rec.error, ConfigError)
    assert "platform:appSecretValues.stripeSecretKey: not set" in str(rec.error)
    assert "pulumi config set --secret --path 'appSecretValues.<name>'" in str(rec.error)
    assert rec.cloud_resources() == []


def test_secret_values_set_in_plaintext_are_refused() -> None:
    config, secret_keys = prod_config()
    plaintext = tuple(k for k in secret_keys if k != "platform:appSecretValues")
    rec = run_main(
        PROJECT_ROOT, project="platform", stack="prod", config=config, secret_keys=plaintext
    )
    assert "platform:appSecretValues: is in plaintext" in str(rec.error)
    assert rec.cloud_resources() == []


def test_an_undeclared_secret_value_is_refused_without_showing_it() -> None:
    config, secret_keys = prod_config()
    values = json.loads(config["platform:appSecretValues"]) | {"typo": "hunter2"}
    config["platform:appSecretValues"] = json.dumps(values)
    rec = run_main(
        PROJECT_ROOT, project="platform", stack="prod", config=config, secret_keys=secret_keys
    )
    assert "platform:appSecretValues.typo: unknown secret (value hidden)" in str(rec.error)
    assert "hunter2" not in str(rec.error)


def test_the_offline_plan_fills_unset_secrets_with_placeholders_and_says_so() -> None:
    stack_file = load_stack_file("dev", PROJECT_ROOT)
    assert "jwtSecret" in stack_file.placeholder_secrets
    assert "platform:appSecretValues" in stack_file.secret_keys
