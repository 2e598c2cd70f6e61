"""Specification of RedisCache, one test per promised behaviour."""

from __future__ import annotations

import json
from typing import Any

import pulumi_aws as aws
import pytest

from aws_web_platform.cache.cache import RedisCache, RedisCacheArgs
from aws_web_platform.offline import Recording, run
from tests.conftest import BASE_CONFIG, built, with_aws

GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
PARAMS = "aws:elasticache/parameterGroup:ParameterGroup"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
DATA_KEY = "arn:aws:kms:eu-west-1:123456789012:key/data"
SECRETS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/secrets"


def cache_args(**overrides: Any) -> RedisCacheArgs:
    wiring: dict[str, Any] = {
        "vpc_id": "vpc-1",
        "subnet_ids": ["subnet-a", "subnet-b", "subnet-c"],
        "availability_zones": ZONES,
        "replication_group_id": "shop-prod-cache",
        "storage_kms_key_arn": DATA_KEY,
        "secrets_kms_key_arn": SECRETS_KEY,
        "logs_kms_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/logs",
        "secret_name": "shop-prod/cache/auth",
    }
    return RedisCacheArgs(**(wiring | overrides))


def cache(**overrides: Any) -> tuple[RedisCache, Recording]:
    return built(RedisCache, "cache", cache_args(**overrides))


@pytest.fixture(scope="module")
def prod() -> Recording:
    return cache()[1]


def group(rec: Recording) -> Any:
    return rec.find(GROUP, "cache-group")


def test_valkey_by_default_a_redis_7_compatible_engine(prod: Recording) -> None:
    assert (group(prod)["engine"], group(prod)["engineVersion"]) == ("valkey", "8.0")
    assert prod.find(PARAMS, "cache-params")["family"] == "valkey8"


def test_redis_engine_from_config() -> None:
    _, rec = cache(engine="redis", engine_version="7.1")
    assert group(rec)["engine"] == "redis"
    assert rec.find(PARAMS, "cache-params")["family"] == "redis7"


def test_prod_is_a_primary_and_two_replicas_across_zones_with_failover(prod: Recording) -> None:
    g = group(prod)
    assert g["numCacheClusters"] == 3
    assert g["preferredCacheClusterAzs"] == ZONES
    assert g["automaticFailoverEnabled"] is True
    assert g["multiAzEnabled"] is True
    assert g["nodeType"] == "cache.r6g.large"


def test_dev_is_a_single_node_without_failover() -> None:
    _, rec = cache(replicas_per_shard=0, node_type="cache.t4g.small")
    g = group(rec)
    assert g["numCacheClusters"] == 1
    assert g["automaticFailoverEnabled"] is False and g["multiAzEnabled"] is False


def test_cluster_mode_gives_the_specs_scale_out_of_three_shards() -> None:
    _, rec = cache(cluster_mode=True, shards=3, replicas_per_shard=1)
    g = group(rec)
    assert (g["clusterMode"], g["numNodeGroups"], g["replicasPerNodeGroup"]) == ("enabled", 3, 1)
    assert "numCacheClusters" not in g.inputs
    assert g["automaticFailoverEnabled"] is True
    params = {p["name"]: p["value"] for p in rec.find(PARAMS, "cache-params")["parameters"]}
    assert params["cluster-enabled"] == "yes"


def test_encrypted_at_rest_with_the_data_key_and_in_transit_with_tls_required(
    prod: Recording,
) -> None:
    g = group(prod)
    assert g["atRestEncryptionEnabled"] is True and g["kmsKeyId"] == DATA_KEY
    assert g["transitEncryptionEnabled"] is True and g["transitEncryptionMode"] == "required"


def test_auth_token_is_generated_secret_and_stored_in_secrets_manager(prod: Recording) -> None:
    g = group(prod)
    token = prod.find("random:index/randomPassword:RandomPassword", "cache-auth-token")
    assert token["length"] == 64 and token["special"] is False
    assert g["authToken"] == token.outputs["result"]
    assert "authToken" in g.secret_inputs
    secret = prod.find("aws:secretsmanager/secret:Secret", "cache-auth-secret-secret")
    assert secret["name"] == "shop-prod/cache/auth" and secret["kmsKeyId"] == SECRETS_KEY
    version = prod.find("aws:secretsmanager/secretVersion:SecretVersion", "cache-auth-secret-value")
    value = json.loads(version["secretString"])
    assert value["authToken"] == token.outputs["result"]
    assert value["host"] == g.outputs["primaryEndpointAddress"] and value["tls"] is True
    assert "secretString" in version.secret_inputs


def test_parameters_follow_the_spec(prod: Recording) -> None:
    params = {p["name"]: p["value"] for p in prod.find(PARAMS, "cache-params")["parameters"]}
    assert params == {"maxmemory-policy": "allkeys-lru", "timeout": "300", "tcp-keepalive": "300"}
    assert group(prod)["parameterGroupName"] == prod.find(PARAMS, "cache-params").outputs["name"]


def test_daily_snapshots_kept_a_week_and_a_final_one_in_protected_stacks(prod: Recording) -> None:
    g = group(prod)
    assert g["snapshotRetentionLimit"] == 7
    assert g["snapshotWindow"] == "03:00-04:00"
    assert g["maintenanceWindow"] == "sun:05:00-sun:06:00"
    assert g["finalSnapshotIdentifier"] == "shop-prod-cache-final"
    assert g.protect
    _, dev = cache(protect=False, snapshot_retention_days=1)
    assert "finalSnapshotIdentifier" not in group(dev).inputs and not group(dev).protect


def test_slow_and_engine_logs_go_to_cloudwatch(prod: Recording) -> None:
    deliveries = {d["logType"]: d for d in group(prod)["logDeliveryConfigurations"]}
    assert set(deliveries) == {"slow-log", "engine-log"}
    for log_type, delivery in deliveries.items():
        log_group = prod.find("aws:cloudwatch/logGroup:LogGroup", f"cache-{log_type}")
        assert delivery["destination"] == log_group.outputs["name"]
        assert delivery["destinationType"] == "cloudwatch-logs"
        assert log_group["retentionInDays"] == 30


def test_in_the_data_subnets_with_no_ingress_by_default(prod: Recording) -> None:
    subnets = prod.find("aws:elasticache/subnetGroup:SubnetGroup", "cache-subnets")
    assert subnets["subnetIds"] == ["subnet-a", "subnet-b", "subnet-c"]
    assert prod.all_of(INGRESS) == []


def test_allow_from_opens_6379_to_exactly_that_group() -> None:
    def build(opts: Any) -> None:
        redis = RedisCache("cache", cache_args(), opts)
        workers = aws.ec2.SecurityGroup("workers-sg", vpc_id="vpc-1", description="w", opts=opts)
        redis.allow_from(workers)

    rec = run(with_aws(build), config=BASE_CONFIG)
    [rule] = rec.all_of(INGRESS)
    assert rule["securityGroupId"] == rec.find(SG, "cache-sg").id
    assert rule["referencedSecurityGroupId"] == rec.find(SG, "workers-sg").id
    assert (rule["fromPort"], rule["toPort"], rule["ipProtocol"]) == (6379, 6379, "tcp")


def test_outputs_name_endpoints_port_and_auth_secret(prod: Recording) -> None:
    out = prod.find("platform:cache:RedisCache", "cache").outputs
    g = group(prod)
    assert out["primary_endpoint"] == g.outputs["primaryEndpointAddress"]
    assert out["reader_endpoint"] == g.outputs["readerEndpointAddress"]
    assert out["port"] == 6379
    assert out["auth_secret_arn"].startswith("arn:aws:secretsmanager:")
