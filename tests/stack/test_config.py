"""Specification of the typed stack configuration: defaults, validation and error messages."""

from __future__ import annotations

import json
import re
import types
import typing
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from aws_web_platform.network.config import FlowLogsConfig, NetworkConfig
from aws_web_platform.offline import run
from aws_web_platform.secrets.config import AppSecretsConfig
from aws_web_platform.stack.config import StackConfig
from aws_web_platform.stack.loading import ConfigError, decode_config_value, parse_stack_config
from aws_web_platform.stack.messages import config_key, iter_models
from tools.plan import PROJECT_ROOT, as_config_string, load_stack_file, run_main

NAMESPACE = "platform"
SECRET_VALUES = {name: f"value-of-{name}" for name in AppSecretsConfig().names}
VALID: dict[str, Any] = {
    "project": "shop",
    "owner": "team",
    "costCenter": "CC-1",
    "appSecretValues": SECRET_VALUES,
    "dns": {"domain": "shop.example.com"},
    "observability": {
        "notifications": {
            "emails": {"warning": ["ops@shop.example.com"], "critical": ["oncall@shop.example.com"]}
        }
    },
}


def parse(values: dict[str, Any], **kwargs: Any) -> StackConfig:
    """Validate as the program does, the app secret values set with --secret."""
    kwargs.setdefault("region", "eu-west-1")
    kwargs.setdefault("secret_keys", ["appSecretValues"])
    return parse_stack_config(values, namespace=NAMESPACE, stack="prod", **kwargs)


def error_of(values: dict[str, Any], **kwargs: Any) -> str:
    with pytest.raises(ConfigError) as caught:
        parse(values, **kwargs)
    return str(caught.value)


# --- Defaults are the production values ------------------------------------------------------


def test_network_defaults_are_production_ready() -> None:
    network = NetworkConfig()
    assert str(network.cidr) == "10.0.0.0/16"
    assert network.az_count == 3
    assert network.nat_strategy == "per_az"
    assert {"ecr.api", "ecr.dkr", "sts", "logs", "secretsmanager", "ssm"} <= set(
        network.interface_endpoints
    )


def test_flow_logs_default_to_all_traffic_at_one_minute() -> None:
    flow_logs = FlowLogsConfig()
    assert (flow_logs.traffic_type, flow_logs.max_aggregation_interval) == ("ALL", 60)
    assert flow_logs.retention_days == 30


def test_environment_defaults_to_the_stack_name() -> None:
    assert parse(VALID).environment == "prod"


def test_common_tags_carry_project_environment_owner_cost_center_and_manager() -> None:
    assert parse(VALID).common_tags() == {
        "Project": "shop",
        "Environment": "prod",
        "ManagedBy": "pulumi",
        "Owner": "team",
        "CostCenter": "CC-1",
    }


def test_every_config_field_documents_its_default_and_why() -> None:
    for model in iter_models(StackConfig):
        for name, info in model.model_fields.items():
            assert info.description and len(info.description) > 20, f"{model.__name__}.{name}"


def test_models_are_immutable() -> None:
    with pytest.raises(ValueError, match="frozen"):
        NetworkConfig().az_count = 2  # type: ignore[misc]


# --- One test per validation rule, each message naming key path, value and what is allowed ---


@pytest.mark.parametrize(
    ("values", "path", "shown", "allowed"),
    [
        (
            {"network": {"azCount": 1}},
            "platform:network.azCount",
            "got 1",
            "an integer from 2 to 3",
        ),
        (
            {"network": {"azCount": 4}},
            "platform:network.azCount",
            "got 4",
            "an integer from 2 to 3",
        ),
        ({"network": {"azCount": "three"}}, "platform:network.azCount", "'three'", "from 2 to 3"),
        (
            {"network": {"cidr": "10.0.0.0/24"}},
            "platform:network.cidr",
            "'10.0.0.0/24'",
            "/16 to /20",
        ),
        (
            {"network": {"cidr": "10.0.0.1/16"}},
            "platform:network.cidr",
            "'10.0.0.1/16'",
            "/16 to /20",
        ),
        ({"network": {"cidr": "banana"}}, "platform:network.cidr", "'banana'", "CIDR notation"),
        (
            {"network": {"natStrategy": "per-az"}},
            "platform:network.natStrategy",
            "'per-az'",
            '"per_az", "single", "none"',
        ),
        (
            {"network": {"interfaceEndpoints": ["sts", "s4"]}},
            "platform:network.interfaceEndpoints[1]",
            "'s4'",
            '"ecr.api"',
        ),
        (
            {"network": {"flowLogs": {"retentionDays": 8}}},
            "platform:network.flowLogs.retentionDays",
            "got 8",
            "one of 1, 3, 5, 7",
        ),
        (
            {"network": {"flowLogs": {"trafficType": "SOME"}}},
            "platform:network.flowLogs.trafficType",
            "'SOME'",
            '"ALL", "ACCEPT", "REJECT"',
        ),
        (
            {"network": {"flowLogs": {"maxAggregationInterval": 30}}},
            "platform:network.flowLogs.maxAggregationInterval",
            "got 30",
            "one of 60, 600",
        ),
        ({"network": 5}, "platform:network", "got 5", "a mapping with keys cidr, azCount"),
        ({"environment": "Prod_1"}, "platform:environment", "'Prod_1'", "lowercase letters"),
        ({"owner": "team#1"}, "platform:owner", "'team#1'", "letters, digits, spaces"),
        ({"allowedAccountIds": ["12345"]}, "platform:allowedAccountIds[0]", "'12345'", "12-digit"),
        (
            {"edge": {"waf": {"login": {"limit": 5}}}},
            "platform:edge.waf.login.limit",
            "got 5",
            "an integer from 10 to 2000000000",
        ),
        (
            {"edge": {"waf": {"api": {"limit": 1200, "windowSeconds": 1}}}},
            "platform:edge.waf.api.windowSeconds",
            "got 1",
            "one of 60, 120, 300, 600",
        ),
        (
            {"edge": {"priceClass": "PriceClass_50"}},
            "platform:edge.priceClass",
            "'PriceClass_50'",
            '"PriceClass_100", "PriceClass_200", "PriceClass_All"',
        ),
        (
            {"edge": {"hostnames": ["WWW"]}},
            "platform:edge.hostnames[0]",
            "'WWW'",
            "a DNS label",
        ),
        (
            {"edge": {"staticAssetPatterns": ["images/*"]}},
            "platform:edge.staticAssetPatterns[0]",
            "'images/*'",
            "a CloudFront path pattern",
        ),
        (
            {"edge": {"web": {"port": 0}}},
            "platform:edge.web.port",
            "got 0",
            "an integer from 1 to 65535",
        ),
    ],
)
def test_bad_values_are_refused_naming_key_value_and_allowed(
    values: dict[str, Any], path: str, shown: str, allowed: str
) -> None:
    message = error_of(VALID | values)
    line = next(line for line in message.splitlines() if path + ":" in line)
    assert shown in line and allowed in line, line


def test_the_proxys_idle_pool_cannot_exceed_its_maximum() -> None:
    message = error_of(VALID | {"database": {"proxy": {"maxIdleConnectionsPercent": 90}}})
    assert "platform:database.proxy.maxIdleConnectionsPercent (90) exceeds" in message


def test_the_proxy_needs_the_secrets_manager_endpoint() -> None:
    message = error_of(VALID | {"network": {"interfaceEndpoints": ["sts"]}})
    assert "platform:database.proxy.enabled needs the secretsmanager endpoint" in message


def test_elasticache_windows_last_at_least_an_hour() -> None:
    message = error_of(VALID | {"cache": {"snapshotWindow": "03:00-03:30"}})
    assert "platform:cache.snapshotWindow 03:00-03:30 is shorter than the 60 minutes" in message


def test_backup_and_maintenance_windows_must_not_overlap() -> None:
    message = error_of(VALID | {"database": {"backupWindow": "04:30-05:30"}})
    assert "platform:database.backupWindow 04:30-05:30 overlaps" in message


def test_dev_sized_overrides_that_do_not_fit_the_class_are_refused() -> None:
    database = {"instanceClass": "db.t4g.small", "parameters": {"sharedBuffersMb": 1024}}
    message = error_of(VALID | {"database": database, "protectData": False})
    assert "platform:database.parameters.sharedBuffersMb: 1024 MiB is more than 40 %" in message


def test_a_protected_stack_keeps_a_week_of_backups() -> None:
    message = error_of(VALID | {"cache": {"snapshotRetentionDays": 1}})
    assert "platform:protectData is true" in message
    assert "platform:cache.snapshotRetentionDays is 1" in message


def test_duplicate_app_secret_names_are_refused() -> None:
    message = error_of(VALID | {"appSecrets": {"names": ["jwtSecret", "jwtSecret"]}})
    assert "platform:appSecrets.names: each secret may appear once; repeated: jwtSecret" in message


def test_node_groups_that_outgrow_the_private_subnets_are_refused() -> None:
    group = {"instanceTypes": ["m7g.4xlarge"], "minSize": 1, "desiredSize": 1, "maxSize": 500}
    message = error_of(
        VALID | {"network": {"cidr": "10.0.0.0/20"}, "cluster": {"nodeGroups": {"big": group}}}
    )
    assert "platform:cluster.nodeGroups at their maxSize may need 120000" in message
    assert "platform:network.cidr" in message


def test_instance_types_must_match_the_ami_architecture() -> None:
    group = {"instanceTypes": ["m7i.large"], "amiType": "AL2023_ARM_64_STANDARD"}
    message = error_of(VALID | {"cluster": {"nodeGroups": {"apps": group}}})
    assert (
        "platform:cluster.nodeGroups.apps.instanceTypes m7i.large are not offered for the arm64"
        in message
    )


def test_spot_groups_need_several_instance_types() -> None:
    group = {"instanceTypes": ["m7g.large"], "capacityType": "SPOT"}
    message = error_of(VALID | {"cluster": {"nodeGroups": {"workers": group}}})
    assert "platform:cluster.nodeGroups.workers.capacityType SPOT needs at least two" in message


def test_node_group_sizes_must_be_ordered() -> None:
    group = {"instanceTypes": ["m7g.large"], "minSize": 3, "desiredSize": 2, "maxSize": 4}
    message = error_of(VALID | {"cluster": {"nodeGroups": {"apps": group}}})
    assert "need platform:cluster.nodeGroups.apps.minSize <= " in message


def test_pinned_versions_must_match_the_kubernetes_version() -> None:
    message = error_of(VALID | {"cluster": {"kubernetesVersion": "1.35"}})
    assert "platform:cluster.amiReleaseVersion 1.36.3-20260911 is not for" in message
    assert "platform:cluster.addons.kubeProxy v1.36.0-eksbuild.14 is not for" in message


def test_edge_spec_figures_are_the_defaults() -> None:
    edge = parse(VALID).edge
    assert (edge.waf.general.limit, edge.waf.general.window_seconds) == (600, 60)  # 10 req/s
    assert (edge.waf.api.limit, edge.waf.api.window_seconds) == (1200, 60)  # 20 req/s
    # 5 per minute on average; WAF's minimum limit is 10 per window.
    assert edge.waf.login.limit / (edge.waf.login.window_seconds / 60) == 5
    assert (edge.static_ttl_days, edge.asset_ttl_days, edge.api_cache_ttl_seconds) == (365, 7, 300)
    assert edge.web.health_check_path == edge.api.health_check_path == "/ready"


def test_cacheable_api_paths_must_be_under_the_api() -> None:
    message = error_of(VALID | {"edge": {"cacheableApiPaths": ["/public/*"]}})
    assert "platform:edge.cacheableApiPaths /public/* is not under /api/" in message


def test_asset_patterns_shadowed_by_earlier_behaviours_are_refused() -> None:
    message = error_of(VALID | {"edge": {"staticAssetPatterns": ["/api/*.png", "/images/*"]}})
    assert "platform:edge.staticAssetPatterns /api/*.png is shadowed" in message


def test_web_and_api_ports_differ_and_the_origin_is_not_a_site_hostname() -> None:
    message = error_of(
        VALID | {"edge": {"web": {"port": 3000}, "hostnames": ["www", "origin", "www"]}}
    )
    assert "platform:edge.web.port and platform:edge.api.port must differ" in message
    assert "platform:edge.originHostname origin is also in platform:edge.hostnames" in message
    assert "platform:edge.hostnames ['www', 'origin', 'www'] has duplicates" in message


def test_cloudfront_keepalive_must_be_below_the_alb_idle_timeout() -> None:
    message = error_of(VALID | {"edge": {"albIdleTimeoutSeconds": 30}})
    assert (
        "platform:edge.originKeepaliveSeconds 50 must be below platform:edge.albIdleTimeoutSeconds"
        " 30" in message
    )


def test_only_a_created_zone_can_be_awaiting_delegation() -> None:
    message = error_of(
        VALID | {"dns": {"domain": "shop.example.com", "createZone": False, "delegated": False}}
    )
    assert "platform:dns.delegated false only applies to a zone this stack creates" in message
    assert not parse(
        VALID | {"dns": {"domain": "shop.example.com", "delegated": False}}
    ).dns.delegated


def test_an_existing_zone_id_and_zone_creation_are_exclusive() -> None:
    message = error_of(VALID | {"dns": {"domain": "shop.example.com", "hostedZoneId": "Z0ABC"}})
    assert "platform:dns.hostedZoneId names an existing zone" in message


def test_the_dns_domain_is_required() -> None:
    values = {k: v for k, v in VALID.items() if k != "dns"}
    assert "platform:dns: required but not set" in error_of(values)


def test_unknown_keys_are_refused_listing_the_allowed_keys() -> None:
    message = error_of(VALID | {"network": {"azCuont": 2}})
    assert "platform:network.azCuont: unknown key (value 2); allowed keys: cidr, azCount" in message


def test_unknown_top_level_keys_are_refused() -> None:
    message = error_of(VALID | {"databse": {}})
    assert "platform:databse: unknown key" in message and "allowed keys: aws:region" in message


def test_missing_required_keys_are_named() -> None:
    message = error_of({"project": "shop"})
    assert "platform:owner: required but not set" in message
    assert "platform:costCenter: required but not set" in message


def test_missing_region_is_named_by_its_aws_key() -> None:
    assert "aws:region: required but not set" in error_of(VALID, region=None)


def test_bad_region_is_named_by_its_aws_key() -> None:
    assert "aws:region: String should match" in error_of(VALID, region="Europe")


def test_duplicate_endpoints_are_refused() -> None:
    message = error_of(VALID | {"network": {"interfaceEndpoints": ["sts", "sts"]}})
    assert (
        "platform:network.interfaceEndpoints: each endpoint may appear once; repeated: sts"
        in message
    )


def test_no_nat_requires_the_endpoints_private_nodes_need() -> None:
    message = error_of(VALID | {"network": {"natStrategy": "none"}})
    assert "platform:network: platform:network.natStrategy 'none'" in message
    assert "add to platform:network.interfaceEndpoints" in message
    assert "add to platform:network.interfaceEndpoints ec2, elasticloadbalancing" in message


def test_every_problem_is_reported_in_one_message() -> None:
    message = error_of({"network": {"azCount": 9, "natStrategy": "x"}}, region="mars")
    assert message.startswith("Invalid configuration for stack 'prod'; nothing was deployed:")
    # project, owner, costCenter, dns and observability missing; azCount, natStrategy and
    # aws:region wrong
    assert len([line for line in message.splitlines() if line.startswith("  - ")]) == 8


def test_keys_read_in_plaintext_must_not_be_set_as_secrets() -> None:
    message = error_of(VALID, secret_keys=["owner"])
    assert "platform:owner: is set as a secret, but this key is used in plaintext" in message


def test_structured_values_arrive_as_json_text_as_the_cli_passes_them() -> None:
    config = {
        "aws:region": "eu-west-1",
        "platform:project": "shop",
        "platform:owner": "team",
        "platform:costCenter": "CC-1",
        "platform:network": json.dumps({"azCount": 2}),
        "platform:appSecrets": json.dumps({"names": []}),
        "platform:dns": json.dumps({"domain": "shop.example.com"}),
        "platform:observability": json.dumps(
            {
                "notifications": {
                    "emails": {
                        "warning": ["a@shop.example.com"],
                        "critical": ["b@shop.example.com"],
                    }
                }
            }
        ),
        # No app secrets declared: no workload may ask for one.
        "platform:apps": json.dumps(
            {"workloads": {w: {"secrets": []} for w in ("web", "api", "ai", "pdf", "email")}}
        ),
    }

    def program() -> StackConfig:
        from aws_web_platform.stack.loading import load_stack_config

        loaded = load_stack_config()
        assert loaded.network.az_count == 2
        return loaded

    run(program, config=config, stack="dev")


def test_config_errors_are_clean_run_errors_without_traceback() -> None:
    import pulumi

    assert issubclass(ConfigError, pulumi.RunError)


# --- Property: any invalid config fails cleanly and registers nothing -----------------------


def _leaves(
    model: type[BaseModel], path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], Any]]:
    """Every (key path, annotation) of the stack file: each key of each model, nested models
    (also optional ones and the values of mappings) expanded."""
    found: list[tuple[tuple[str, ...], Any]] = []
    for name, info in model.model_fields.items():
        key = config_key(name, info)
        if ":" in key:
            continue  # aws:region is the provider's key, set apart from the namespace
        found.append(((*path, key), info.annotation))
        for sub_path, sub_model in _nested_models(info.annotation, (*path, key)):
            found.extend(_leaves(sub_model, sub_path))
    return found


def _nested_models(annotation: Any, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], Any]]:
    origin = typing.get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [(path, annotation)]
    if origin is dict:
        key_type, value_type = typing.get_args(annotation)
        keys = (
            typing.get_args(key_type) if typing.get_origin(key_type) is typing.Literal else ("k",)
        )
        return _nested_models(value_type, (*path, str(keys[0])))
    if origin in (list, tuple):
        return _nested_models(typing.get_args(annotation)[0], (*path, "0"))
    found: list[tuple[tuple[str, ...], Any]] = []
    if origin in (typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found.extend(_nested_models(arg, path))
    return found


LEAVES = _leaves(StackConfig)
MODEL_PATHS = [()] + [p for p, a in LEAVES for _ in _nested_models(a, p)]

junk = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.booleans(),
    st.none(),
    st.lists(st.one_of(st.integers(), st.text(max_size=8)), max_size=3),
    st.dictionaries(st.text(min_size=1, max_size=8), st.integers(), max_size=2),
)


def _stack_file_values() -> dict[str, Any]:
    """The prod stack file's ``platform:`` values with every key spelled out (defaults too), so
    a mutation lands in an existing object wherever the model has one."""
    stack_file = load_stack_file("prod", PROJECT_ROOT)
    values: dict[str, Any] = {}
    for key, raw in stack_file.config.items():
        if key.startswith("platform:"):
            values[key.removeprefix("platform:")] = json.loads(raw) if raw[:1] in "{[" else raw
    secret_values = values.pop("appSecretValues")
    parsed = parse(values | {"appSecretValues": secret_values})
    full = parsed.model_dump(mode="json", by_alias=True, exclude={"aws_region"})
    return full | {"appSecretValues": secret_values}


def _set(values: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    result = json.loads(json.dumps(values))
    target = result
    for key in path[:-1]:
        if not isinstance(target.get(key), dict):
            target[key] = {}
        target = target[key]
    target[path[-1]] = value
    return result


@st.composite
def invalid_stack_files(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    """A valid stack file with one key made invalid: a bad value, or an unknown key."""
    base = _stack_file_values()
    if draw(st.booleans()):
        path, _ = draw(st.sampled_from(LEAVES))
        values = _set(base, path, draw(junk))
    else:
        parent = draw(st.sampled_from(MODEL_PATHS))
        name = draw(st.from_regex(r"[a-z][a-zA-Z]{2,12}", fullmatch=True))
        path = (*parent, name)
        values = _set(base, path, draw(junk))
    # The message must name the changed key, or, when the change created objects the file did not
    # have (e.g. registry.images.web.build), a key inside the first object it created: there a
    # missing required sibling is the first thing wrong.
    existing = 0
    node: Any = base
    while existing < len(path) - 1 and isinstance(node, dict) and path[existing] in node:
        node = node[path[existing]]
        existing += 1
    key_path = "platform:" + ".".join(path[: existing + 1])
    return values, key_path


def _as_cli_config(values: dict[str, Any]) -> tuple[dict[str, str], tuple[str, ...]]:
    """The config strings and secret keys the CLI would pass for these stack-file values."""
    stack_file = load_stack_file("prod", PROJECT_ROOT)
    config = {k: v for k, v in stack_file.config.items() if not k.startswith("platform:")}
    config |= {f"platform:{k}": as_config_string(v) for k, v in values.items()}
    return config, stack_file.secret_keys


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(invalid_stack_files())
def test_random_invalid_configs_fail_cleanly_and_register_nothing(
    case: tuple[dict[str, Any], str],
) -> None:
    values, key_path = case
    config, secret_keys = _as_cli_config(values)
    try:
        parse(
            {
                key.removeprefix("platform:"): decode_config_value(raw)
                for key, raw in config.items()
                if key.startswith("platform:")
            },
            secret_keys=[key.removeprefix("platform:") for key in secret_keys],
        )
    except ConfigError:
        pass
    else:
        assume(False)  # the junk happened to be valid (e.g. a known key, a coercible number)

    recording = run_main(
        PROJECT_ROOT, project="platform", stack="prod", config=config, secret_keys=secret_keys
    )
    assert isinstance(recording.error, ConfigError), recording.error
    assert key_path in str(recording.error)
    assert recording.cloud_resources() == []
    assert [r.type for r in recording.resources] == ["pulumi:pulumi:Stack"]


def test_leaves_cover_every_key_of_every_model() -> None:
    """The property test above reaches every key: a new model is covered without new code."""
    paths = {path for path, _ in LEAVES}
    for model in iter_models(StackConfig):
        for name, info in model.model_fields.items():
            key = config_key(name, info)
            assert ":" in key or any(path[-1] == key for path in paths), key


def test_describe_handles_every_annotation_in_the_models() -> None:
    """Every key has a human description of what it allows (no Python type names leak)."""
    from aws_web_platform.stack.messages import describe_allowed

    for model in iter_models(StackConfig):
        for _name, info in model.model_fields.items():
            text = describe_allowed(info.annotation, info)
            assert not re.search(r"typing\.|<class|Annotated", text), text
            assert typing.get_origin(info.annotation) is not typing.Union or text


def test_the_property_tests_base_stack_file_is_valid() -> None:
    """Every invalid case above is one change away from a valid stack file."""
    values = _stack_file_values()
    assert parse(values).database.read_replicas == 2
    assert "database" in values and "parameters" in values["database"]


# --- Workloads -------------------------------------------------------------------------------


def test_workload_overrides_merge_onto_the_defaults() -> None:
    apps = parse(
        VALID
        | {
            "apps": {
                "workloads": {
                    "api": {"autoscaling": {"maxReplicas": 10}, "limitsCpu": "1500m"},
                    "email": None,
                    "reports": {"role": "worker", "image": "worker", "port": 3100},
                }
            }
        }
    ).apps
    api = apps.workloads["api"]
    assert api.autoscaling is not None
    assert (api.autoscaling.min_replicas, api.autoscaling.max_replicas) == (3, 10)
    assert api.limits_cpu == "1500m" and api.limits_memory == "2Gi"  # the rest kept
    assert api.buckets == {"uploads": "read_write", "certificates": "write"}
    assert "email" not in apps.workloads and "reports" in apps.workloads
    assert set(apps.workloads) == {"web", "api", "ai", "pdf", "reports"}


def test_workloads_must_fit_the_namespace_quota_at_their_peak() -> None:
    message = error_of(
        VALID
        | {
            "apps": {"workloads": {"api": {"autoscaling": {"maxReplicas": 60}}}},
            "database": {"pool": {"apiMaxReplicas": 60}},
        }
    )
    assert (
        "platform:apps.workloads at their maxReplicas plus the rollout surge need more than "
        "platform:addons.appNamespaces.app allows" in message
    )
    assert "limitsCpu: 201 needed, 120 allowed" in message


def test_workloads_must_fit_their_node_group_at_its_max_size() -> None:
    message = error_of(
        VALID
        | {
            "cluster": {
                "nodeGroups": {
                    "system": {
                        "instanceTypes": ["m7g.large"],
                        "minSize": 2,
                        "desiredSize": 2,
                        "maxSize": 3,
                        "labels": {"platform.io/node-group": "system"},
                    },
                    "apps": {
                        "instanceTypes": ["m7g.xlarge"],
                        "minSize": 1,
                        "desiredSize": 1,
                        "maxSize": 4,
                    },
                    "workers": {
                        "instanceTypes": ["m7g.large"],
                        "minSize": 1,
                        "desiredSize": 1,
                        "maxSize": 10,
                    },
                }
            }
        }
    )
    assert (
        "platform:apps.workloads api, api-migrate, web at their peak do not fit "
        "platform:cluster.nodeGroups.apps at its maxSize 4" in message
    )


def test_workloads_must_use_declared_node_groups_images_secrets_and_namespace() -> None:
    message = error_of(
        VALID
        | {
            "apps": {
                "namespace": "shop",
                "placement": {"apps": "apps", "workers": "batch"},
                "workloads": {"pdf": {"secrets": ["pdfKey"]}},
            }
        }
    )
    assert (
        "platform:apps.namespace shop is not one of platform:addons.appNamespaces (app)" in message
    )
    assert (
        "platform:apps.placement.workers batch is not one of platform:cluster.nodeGroups" in message
    )
    assert "platform:apps.workloads.pdf.secrets pdfKey not in platform:appSecrets.names" in message


def test_web_and_api_ports_must_be_their_target_groups_ports() -> None:
    message = error_of(VALID | {"apps": {"workloads": {"web": {"port": 8080}}}})
    assert "platform:apps.workloads.web.port 8080 must equal platform:edge.web.port 3001" in message


def test_the_api_may_not_outgrow_the_databases_connection_budget() -> None:
    message = error_of(VALID | {"apps": {"workloads": {"api": {"databasePoolSize": 80}}}})
    assert (
        "platform:apps.workloads.api.databasePoolSize 80 is above "
        "platform:database.pool.sizePerReplica 50" in message
    )


def test_there_is_exactly_one_web_and_one_api() -> None:
    message = error_of(VALID | {"apps": {"workloads": {"web": None}}})
    assert "platform:apps.workloads needs exactly one workload with role web" in message


def test_a_workload_is_internally_consistent() -> None:
    message = error_of(
        VALID
        | {
            "apps": {
                "workloads": {
                    "ai": {"autoscaling": {"minReplicas": 5, "maxReplicas": 2}},
                    "pdf": {"requestsMemory": "2Gi", "preStopSleepSeconds": 90},
                }
            }
        }
    )
    assert "platform:apps.workloads.ai.autoscaling.minReplicas 5 is above" in message
    assert "platform:apps.workloads.pdf.requestsMemory 2Gi is above" in message
    assert "platform:apps.workloads.pdf.preStopSleepSeconds 90 must be below" in message


def test_workloads_cannot_take_the_namespaces_object_names() -> None:
    worker = {"role": "worker", "image": "worker", "port": 3100}
    message = error_of(VALID | {"apps": {"workloads": {"default-deny": worker}}})
    assert "platform:apps.workloads.default-deny: the name is taken" in message


def test_workloads_cannot_shadow_the_platforms_environment_or_volumes() -> None:
    message = error_of(
        VALID
        | {
            "apps": {
                "workloads": {
                    "ai": {"env": {"PORT": "9000", "DATABASE_URL": "x"}},
                    "pdf": {"writablePaths": ["/tmp", "/tmp/"]},
                }
            }
        }
    )
    assert (
        "platform:apps.workloads.ai.env/platform:apps.workloads.ai.secrets "
        "DATABASE_URL, PORT would shadow" in message
    )
    assert "platform:apps.workloads.pdf.writablePaths ['/tmp', '/tmp/'] repeat a path" in message


def test_migrations_need_an_api_using_the_database() -> None:
    message = error_of(VALID | {"apps": {"workloads": {"api": {"database": False}}}})
    assert "platform:apps.migrations.enabled needs the api (api) to use the database" in message


def test_pods_behind_the_alb_outlive_its_deregistration_delay() -> None:
    message = error_of(VALID | {"edge": {"deregistrationDelaySeconds": 90}})
    assert (
        "platform:apps.workloads.api.terminationGracePeriodSeconds 60 must exceed "
        "platform:edge.deregistrationDelaySeconds 90" in message
    )


def test_every_database_users_pools_fit_the_replicas_and_a_proxyless_primary() -> None:
    message = error_of(
        VALID
        | {
            "database": {"proxy": {"enabled": False}, "pool": {"sizePerReplica": 20}},
            "apps": {
                "workloads": {
                    "api": {"databasePoolSize": 20, "databaseReplicaPoolSize": 30},
                    "ai": {"databasePoolSize": 20},
                }
            },
        }
    )
    assert (
        "platform:apps.workloads connections to each read replica (ai 10 x 2 + api 20 x 30 "
        "+ email 6 x 2 + pdf 10 x 2 = 652)" in message
    )
    assert (
        "connections to the primary (ai 10 x 20 + api 20 x 20 + email 6 x 5 + pdf 10 x 5 "
        "= 680)" in message
    )


# --- Cluster access of the CI roles ----------------------------------------------------------


def test_ci_role_names_are_role_names_not_arns() -> None:
    arn = "arn:aws:iam::123456789012:role/shop-prod-ci-deploy"
    message = error_of(VALID | {"cluster": {"ciAccess": {"deployRoleName": arn}}})
    line = next(
        line for line in message.splitlines() if "platform:cluster.ciAccess.deployRoleName:" in line
    )
    assert repr(arn) in line and "an IAM role name" in line, line


def test_the_ci_roles_default_to_no_cluster_access() -> None:
    ci_access = parse(VALID).cluster.ci_access
    assert (ci_access.deploy_role_name, ci_access.preview_role_name) == (None, None)


def test_the_preview_role_cannot_also_be_the_deploy_role() -> None:
    same = {"deployRoleName": "shop-ci", "previewRoleName": "shop-ci"}
    message = error_of(VALID | {"cluster": {"ciAccess": same}})
    assert "platform:cluster.ciAccess.deployRoleName and platform:cluster.ciAccess." in message
    assert "'shop-ci'" in message


def test_a_ci_role_cannot_also_be_a_listed_admin() -> None:
    cluster = {
        "adminPrincipalArns": ["arn:aws:iam::123456789012:role/ops/shop-prod-ci-preview"],
        "ciAccess": {"previewRoleName": "shop-prod-ci-preview"},
    }
    message = error_of(VALID | {"cluster": cluster})
    assert "platform:cluster.ciAccess.previewRoleName 'shop-prod-ci-preview'" in message
    assert "platform:cluster.adminPrincipalArns[0]" in message
