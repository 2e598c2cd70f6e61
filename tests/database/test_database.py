"""Specification of PostgresDatabase, one test per promised behaviour."""

from __future__ import annotations

import json
from typing import Any

import pulumi_aws as aws
import pytest

from aws_web_platform.database.database import PostgresDatabase, PostgresDatabaseArgs
from aws_web_platform.database.tuning import derive_settings, rds_parameters
from aws_web_platform.offline import Recording, run
from tests.conftest import BASE_CONFIG, built, with_aws

INSTANCE = "aws:rds/instance:Instance"
PARAMS = "aws:rds/parameterGroup:ParameterGroup"
PROXY = "aws:rds/proxy:Proxy"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
DATA_KEY = "arn:aws:kms:eu-west-1:123456789012:key/data"
SECRETS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/secrets"
LOGS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/logs"


def db_args(**overrides: Any) -> PostgresDatabaseArgs:
    wiring: dict[str, Any] = {
        "vpc_id": "vpc-1",
        "subnet_ids": ["subnet-a", "subnet-b", "subnet-c"],
        "availability_zones": ZONES,
        "identifier": "shop-prod-postgres",
        "storage_kms_key_arn": DATA_KEY,
        "secrets_kms_key_arn": SECRETS_KEY,
        "logs_kms_key_arn": LOGS_KEY,
        "secret_name_prefix": "shop-prod",
    }
    return PostgresDatabaseArgs(**(wiring | overrides))


def database(**overrides: Any) -> tuple[PostgresDatabase, Recording]:
    return built(PostgresDatabase, "db", db_args(**overrides))


@pytest.fixture(scope="module")
def prod() -> tuple[PostgresDatabase, Recording]:
    """The database with every default: the production configuration."""
    return database()


@pytest.fixture(scope="module")
def dev() -> tuple[PostgresDatabase, Recording]:
    """As the dev stack file turns it down."""
    return database(
        instance_class="db.t4g.medium",
        allocated_storage_gb=20,
        max_allocated_storage_gb=100,
        multi_az=False,
        read_replicas=0,
        backup_retention_days=7,
        proxy={"enabled": False},
        pool={"api_max_replicas": 3},
        protect=False,
    )


def primary(rec: Recording) -> Any:
    return rec.find(INSTANCE, "db-primary")


# --- The instance ----------------------------------------------------------------------------


def test_postgresql_16_on_encrypted_gp3_with_autoscaling_storage(prod: Any) -> None:
    db = primary(prod[1])
    assert (db["engine"], db["engineVersion"]) == ("postgres", "16")
    assert db["storageType"] == "gp3"
    assert (db["allocatedStorage"], db["maxAllocatedStorage"]) == (100, 1000)
    assert db["storageEncrypted"] is True
    assert db["kmsKeyId"] == DATA_KEY


def test_never_publicly_accessible_and_only_in_the_data_subnets(prod: Any) -> None:
    rec = prod[1]
    assert primary(rec)["publiclyAccessible"] is False
    subnets = rec.find("aws:rds/subnetGroup:SubnetGroup", "db-subnets")
    assert subnets["subnetIds"] == ["subnet-a", "subnet-b", "subnet-c"]
    assert primary(rec)["dbSubnetGroupName"] == subnets.outputs["name"]


def test_tls_is_forced(prod: Any) -> None:
    params = {p["name"]: p for p in prod[1].find(PARAMS, "db-params")["parameters"]}
    assert params["rds.force_ssl"]["value"] == "1"
    assert primary(prod[1])["caCertIdentifier"] == "rds-ca-rsa2048-g1"


def test_prod_is_multi_az_with_two_replicas_in_other_zones(prod: Any) -> None:
    rec = prod[1]
    assert primary(rec)["multiAz"] is True
    replicas = [r for r in rec.all_of(INSTANCE) if r.name != "db-primary"]
    assert [r["identifier"] for r in replicas] == [
        "shop-prod-postgres-replica-1",
        "shop-prod-postgres-replica-2",
    ]
    assert [r["availabilityZone"] for r in replicas] == ["eu-west-1b", "eu-west-1c"]
    for replica in replicas:
        assert replica["replicateSourceDb"] == primary(rec).outputs["identifier"]
        assert replica["publiclyAccessible"] is False
        assert "username" not in replica.inputs and "password" not in replica.inputs
        assert "dbName" not in replica.inputs


def test_dev_is_single_az_without_replicas_or_proxy(dev: Any) -> None:
    rec = dev[1]
    assert primary(rec)["multiAz"] is False
    assert len(rec.all_of(INSTANCE)) == 1
    assert rec.all_of(PROXY) == []


def test_the_parameter_group_carries_the_tuning_derived_from_the_class(prod: Any) -> None:
    group = prod[1].find(PARAMS, "db-params")
    assert group["family"] == "postgres16"
    expected = rds_parameters(derive_settings("db.r6g.xlarge", 100))
    assert group["parameters"] == [
        {"name": p.name, "value": p.value, "applyMethod": p.apply_method} for p in expected
    ]
    assert primary(prod[1])["parameterGroupName"] == group.outputs["name"]


def test_devs_parameter_group_fits_its_instance_class(dev: Any) -> None:
    params = {p["name"]: int(p["value"]) for p in dev[1].find(PARAMS, "db-params")["parameters"]
              if p["value"].isdigit()}  # fmt: skip
    memory_pages = 4 * 1024 * 1024 // 8  # db.t4g.medium: 4 GiB in 8 kB pages
    assert params["shared_buffers"] == memory_pages // 4  # 1 GiB, not the 8 GiB of prod
    assert params["effective_cache_size"] <= memory_pages
    assert params["max_connections"] <= 4 * 1024**3 // 9531392
    assert params["max_wal_size"] <= 20 * 1024 // 4  # within a quarter of 20 GB


def test_pg_stat_statements_and_a_slow_query_log(prod: Any) -> None:
    params = {p["name"]: p["value"] for p in prod[1].find(PARAMS, "db-params")["parameters"]}
    assert params["shared_preload_libraries"] == "pg_stat_statements"
    assert params["log_min_duration_statement"] == "500"


def test_config_overrides_reach_the_parameter_group() -> None:
    _, rec = database(parameters={"work_mem_kb": 8192, "slow_query_ms": 250})
    params = {p["name"]: p["value"] for p in rec.find(PARAMS, "db-params")["parameters"]}
    assert (params["work_mem"], params["log_min_duration_statement"]) == ("8192", "250")


def test_master_password_is_generated_secret_and_kept_in_secrets_manager(prod: Any) -> None:
    rec = prod[1]
    db = primary(rec)
    assert "manageMasterUserPassword" not in db.inputs  # RDS refuses replicas of such a source
    password = rec.find("random:index/randomPassword:RandomPassword", "db-master-password")
    assert db["password"] == password.outputs["result"]
    assert "password" in db.secret_inputs
    secret = rec.find("aws:secretsmanager/secret:Secret", "db-master-secret-secret")
    assert secret["name"] == "shop-prod/database/master"
    assert secret["kmsKeyId"] == SECRETS_KEY
    value = json.loads(rec.find(VERSION, "db-master-secret-value")["secretString"])
    assert value["username"] == "app_admin" and value["password"] == password.outputs["result"]
    assert "host" not in value  # so the proxy need not wait for the instance to read it


def test_iam_database_authentication_is_on(prod: Any) -> None:
    assert all(i["iamDatabaseAuthenticationEnabled"] is True for i in prod[1].all_of(INSTANCE))


# --- Backups, protection ---------------------------------------------------------------------


def test_backups_kept_30_days_with_windows_apart_and_tags_on_snapshots(prod: Any) -> None:
    db = primary(prod[1])
    assert db["backupRetentionPeriod"] == 30
    assert (db["backupWindow"], db["maintenanceWindow"]) == ("02:00-03:00", "sun:04:00-sun:05:00")
    assert db["copyTagsToSnapshot"] is True
    assert db["autoMinorVersionUpgrade"] is True


def test_prod_keeps_a_final_snapshot_and_cannot_be_deleted(prod: Any) -> None:
    db = primary(prod[1])
    assert db["deletionProtection"] is True
    assert db["skipFinalSnapshot"] is False
    assert db["finalSnapshotIdentifier"] == "shop-prod-postgres-final"
    assert db["deleteAutomatedBackups"] is False
    assert db.protect


def test_dev_can_be_torn_down(dev: Any) -> None:
    db = primary(dev[1])
    assert db["deletionProtection"] is False and db["skipFinalSnapshot"] is True
    assert not db.protect


# --- Observability ---------------------------------------------------------------------------


def test_performance_insights_encrypted_with_the_data_key(prod: Any) -> None:
    db = primary(prod[1])
    assert db["performanceInsightsEnabled"] is True
    assert db["performanceInsightsKmsKeyId"] == DATA_KEY
    assert db["performanceInsightsRetentionPeriod"] == 7


def test_enhanced_monitoring_every_15_seconds_with_its_role(prod: Any) -> None:
    rec = prod[1]
    role = rec.find("aws:iam/role:Role", "db-monitoring-role")
    assert primary(rec)["monitoringInterval"] == 15
    assert primary(rec)["monitoringRoleArn"] == role.outputs["arn"]
    [statement] = json.loads(role["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"Service": "monitoring.rds.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    attachment = rec.find(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "db-monitoring-policy"
    )
    assert attachment["policyArn"].endswith("service-role/AmazonRDSEnhancedMonitoringRole")


def test_instances_wait_for_the_monitoring_permissions(prod: Any) -> None:
    """RDS checks the role's permissions when it creates an instance with monitoring on."""
    rec = prod[1]
    attachment = rec.find(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "db-monitoring-policy"
    )
    for instance in rec.all_of(INSTANCE):
        assert attachment.urn in instance.depends_on, instance.name


def test_logs_are_exported_to_groups_made_beforehand_with_retention_and_key(prod: Any) -> None:
    rec = prod[1]
    db = primary(rec)
    assert db["enabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    for log in ("postgresql", "upgrade"):
        group = rec.find(LOG_GROUP, f"db-primary-{log}-logs")
        assert group["name"] == f"/aws/rds/instance/shop-prod-postgres/{log}"
        assert group["retentionInDays"] == 30 and group["kmsKeyId"] == LOGS_KEY
        assert group.urn in db.depends_on


# --- Proxy and pooling -----------------------------------------------------------------------


def test_proxy_in_front_of_the_primary_requires_tls_and_authenticates_the_runtime_roles(
    prod: Any,
) -> None:
    """The runtime logins only: the master's secret is the role bootstrap's alone, and the
    migrations, the exporter and the dump connect to the writer."""
    rec = prod[1]
    proxy = rec.find(PROXY, "db-proxy")
    assert proxy["engineFamily"] == "POSTGRESQL"
    assert proxy["requireTls"] is True
    assert proxy["debugLogging"] is False
    secrets = {
        rec.find("aws:secretsmanager/secret:Secret", f"db-{which}-secret-secret").outputs["arn"]
        for which in ("runtime-api", "runtime-worker")
    }
    assert {a["secretArn"] for a in proxy["auths"]} == secrets
    assert all(a["authScheme"] == "SECRETS" for a in proxy["auths"])
    target = rec.find("aws:rds/proxyTarget:ProxyTarget", "db-proxy-target")
    assert target["dbInstanceIdentifier"] == primary(rec).outputs["identifier"]
    pool = rec.find("aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup", "db-proxy-pool")
    assert pool["connectionPoolConfig"]["maxConnectionsPercent"] == 80
    assert pool["connectionPoolConfig"]["connectionBorrowTimeout"] == 30


def test_proxy_role_reads_only_its_two_secrets_through_secrets_manager(prod: Any) -> None:
    rec = prod[1]
    policy = json.loads(rec.find(ROLE_POLICY, "db-proxy-read-secrets")["policy"])
    read, decrypt = policy["Statement"]
    assert read["Action"] == "secretsmanager:GetSecretValue"
    assert len(read["Resource"]) == 2
    assert decrypt == {
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Resource": SECRETS_KEY,
        "Condition": {"StringEquals": {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}},
    }
    assert (
        rec.find(ROLE_POLICY, "db-proxy-read-secrets").urn in rec.find(PROXY, "db-proxy").depends_on
    )


def test_proxy_waits_for_its_secrets_values(prod: Any) -> None:
    rec = prod[1]
    proxy = rec.find(PROXY, "db-proxy")
    for which in ("runtime-api", "runtime-worker"):
        assert rec.find(VERSION, f"db-{which}-secret-value").urn in proxy.depends_on


def test_proxy_role_is_assumable_by_rds_of_this_account_only(prod: Any) -> None:
    role = prod[1].find("aws:iam/role:Role", "db-proxy-role")
    [statement] = json.loads(role["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"Service": "rds.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_proxy_reaches_secrets_manager_through_the_vpc_endpoint() -> None:
    _, rec = database(aws_endpoints_security_group_id="sg-endpoints")
    proxy_group = rec.find(SG, "db-proxy-sg")
    rules = {
        (r["referencedSecurityGroupId"], r["fromPort"])
        for r in rec.all_of(EGRESS)
        if r["securityGroupId"] == proxy_group.id
    }
    assert rules == {(rec.find(SG, "db-sg").id, 5432), ("sg-endpoints", 443)}


def test_proxy_reaches_the_database_and_nothing_else(prod: Any) -> None:
    rec = prod[1]
    db_group = rec.find(SG, "db-sg")
    proxy_group = rec.find(SG, "db-proxy-sg")
    [egress] = [r for r in rec.all_of(EGRESS) if r["securityGroupId"] == proxy_group.id]
    assert (egress["referencedSecurityGroupId"], egress["fromPort"]) == (db_group.id, 5432)
    from_proxy = rec.find(INGRESS, "db-from-proxy")
    assert from_proxy["securityGroupId"] == db_group.id
    assert from_proxy["referencedSecurityGroupId"] == proxy_group.id


def test_the_pool_budget_holds_for_the_spec_numbers(prod: Any) -> None:
    """API max replicas x pool size (20 x 50) are served by the proxy, and max_connections
    covers the proxy's share plus the reserve."""
    db, rec = prod
    budget = db_args().connection_budget()
    assert budget.api_client_connections == 20 * 50
    assert budget.proxy_enabled and budget.problems() == []
    params = {p["name"]: int(p["value"]) for p in rec.find(PARAMS, "db-params")["parameters"]
              if p["value"].isdigit()}  # fmt: skip
    pool = rec.find("aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup", "db-proxy-pool")
    share = params["max_connections"] * pool["connectionPoolConfig"]["maxConnectionsPercent"] // 100
    assert share + 20 <= params["max_connections"]
    assert db.settings.max_connections == params["max_connections"] == 500


# --- Access ----------------------------------------------------------------------------------


def test_no_ingress_by_default(dev: Any) -> None:
    rec = dev[1]
    group = rec.find(SG, "db-sg")
    assert "ingress" not in group.inputs
    assert [r for r in rec.all_of(INGRESS) if r["securityGroupId"] == group.id] == []


def test_allow_from_opens_5432_to_exactly_that_group_on_database_and_proxy() -> None:
    def build(opts: Any) -> None:
        db = PostgresDatabase("db", db_args(), opts)
        api = aws.ec2.SecurityGroup("api-sg", vpc_id="vpc-1", description="api", opts=opts)
        db.allow_from(api)

    rec = run(with_aws(build), config=BASE_CONFIG)
    api_id = rec.find(SG, "api-sg").id
    for group_name in ("db-sg", "db-proxy-sg"):
        group_id = rec.find(SG, group_name).id
        rules = [
            r
            for r in rec.all_of(INGRESS)
            if r["securityGroupId"] == group_id and r.get("referencedSecurityGroupId") == api_id
        ]
        assert len(rules) == 1, group_name
        assert (rules[0]["ipProtocol"], rules[0]["fromPort"], rules[0]["toPort"]) == (
            "tcp",
            5432,
            5432,
        )
        assert "cidrIpv4" not in rules[0].inputs


def test_allow_from_an_id_needs_a_stable_label() -> None:
    def build(opts: Any) -> None:
        PostgresDatabase("db", db_args(), opts).allow_from("sg-123")

    with pytest.raises(ValueError, match="needs a label"):
        run(with_aws(build), config=BASE_CONFIG)


def test_outputs_name_every_endpoint_and_secret(prod: Any) -> None:
    rec = prod[1]
    out = rec.find("platform:database:PostgresDatabase", "db").outputs
    assert out["writer_endpoint"] == primary(rec).outputs["address"]
    assert len(out["reader_endpoints"]) == 2
    assert out["proxy_endpoint"] == rec.find(PROXY, "db-proxy").outputs["endpoint"]
    assert out["app_endpoint"] == out["proxy_endpoint"]
    assert out["port"] == 5432
    assert out["master_secret_arn"].startswith("arn:aws:secretsmanager:")
    assert out["security_group_id"] == rec.find(SG, "db-sg").id


def test_without_a_proxy_apps_connect_to_the_writer(dev: Any) -> None:
    out = dev[1].find("platform:database:PostgresDatabase", "db").outputs
    assert out.get("proxy_endpoint") is None  # None outputs are not registered
    assert out["app_endpoint"] == out["writer_endpoint"]
