"""The whole program (``__main__.py``) run for each stack file, as ``pulumi up`` would run it."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable

import yaml

from aws_web_platform.offline import Recording
from tools.plan import PROJECT_ROOT, load_stack_file, run_main, run_stack

StackRun = Callable[[str], Recording]

COMMON_TAG_KEYS = {"Project", "Environment", "ManagedBy", "Owner", "CostCenter"}


def count(rec: Recording, type_: str) -> int:
    return len(rec.all_of(type_))


def test_every_stack_file_plans_without_error(stack_run: StackRun, stack_name: str) -> None:
    rec = stack_run(stack_name)
    assert rec.error is None
    assert rec.cloud_resources()


def test_prod_spans_three_zones_with_three_tiers_and_a_nat_per_zone(stack_run: StackRun) -> None:
    prod = stack_run("prod")
    assert count(prod, "aws:ec2/subnet:Subnet") == 9
    zones = {s["availabilityZone"] for s in prod.all_of("aws:ec2/subnet:Subnet")}
    assert len(zones) == 3
    assert count(prod, "aws:ec2/natGateway:NatGateway") == 3
    assert count(prod, "aws:ec2/flowLog:FlowLog") == 1
    assert count(prod, "aws:ec2/vpcEndpoint:VpcEndpoint") >= 7  # S3 + at least six interface


def test_dev_is_turned_down_to_two_zones_and_a_single_nat(stack_run: StackRun) -> None:
    dev = stack_run("dev")
    assert count(dev, "aws:ec2/subnet:Subnet") == 6
    assert count(dev, "aws:ec2/natGateway:NatGateway") == 1


def test_every_aws_resource_uses_the_platforms_tagged_provider(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    providers = {r.urn for r in rec.resources if r.type == "pulumi:providers:aws"}
    assert len(providers) >= 1
    for resource in rec.cloud_resources():
        if resource.package == "aws":
            provider = rec.provider_of(resource)
            assert provider is not None and provider.urn in providers, resource.name
            assert set(provider["defaultTags"]["tags"]) == COMMON_TAG_KEYS, resource.name


def test_common_tags_come_from_the_stack_file(stack_run: StackRun) -> None:
    prod = stack_run("prod")
    provider = prod.find("pulumi:providers:aws", "platform-aws")
    assert provider["defaultTags"]["tags"] == {
        "Project": "learning-platform",
        "Environment": "prod",
        "ManagedBy": "pulumi",
        "Owner": "platform-team",
        "CostCenter": "CC-1000",
    }
    assert provider["region"] == "eu-west-1"


def test_every_stack_file_disables_default_providers(stack_name: str) -> None:
    config = yaml.safe_load((PROJECT_ROOT / f"Pulumi.{stack_name}.yaml").read_text())["config"]
    assert config["pulumi:disable-default-providers"] == ["*"]


def test_stack_files_hold_no_plaintext_secrets(stack_name: str) -> None:
    """Anything that looks like a credential must be a ``secure:`` value set with --secret."""
    config = yaml.safe_load((PROJECT_ROOT / f"Pulumi.{stack_name}.yaml").read_text())["config"]
    suspicious = re.compile(r"(password|secret|token|apikey|api_key|privatekey|dsn)", re.I)

    def walk(value: object, path: str) -> None:
        if isinstance(value, dict):
            if set(value) == {"secure"}:
                return
            for key, inner in value.items():
                walk(inner, f"{path}.{key}")
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                walk(inner, f"{path}[{index}]")
        else:
            assert not suspicious.search(path.rsplit(".", 1)[-1]), f"plaintext secret at {path}"

    for key, value in config.items():
        walk(value, key)


def test_two_runs_register_the_same_resources_with_the_same_inputs(
    stack_run: StackRun, stack_name: str
) -> None:
    """No timestamps or random values at plan time: `pulumi preview` shows no spurious diff."""
    first = stack_run(stack_name)  # the session's run, compared with a fresh one
    second = run_stack(stack_name, PROJECT_ROOT, raise_errors=True)

    def snapshot(rec: Recording) -> dict[str, object]:
        return {r.urn: (r.inputs, r.parent, r.provider, r.protect) for r in rec.resources}

    assert snapshot(first) == snapshot(second)
    assert first.outputs == second.outputs


def test_stack_exports_the_network(stack_run: StackRun) -> None:
    prod = stack_run("prod")
    vpc = prod.find("aws:ec2/vpc:Vpc", "platform-network-vpc")
    assert prod.outputs["vpcId"] == vpc.id
    assert prod.outputs["vpcCidr"] == "10.20.0.0/16"
    assert len(prod.outputs["privateSubnetIds"]) == 3
    assert len(prod.outputs["natPublicIps"]) == 3


def test_stack_exports_the_database_identifier_the_deploy_job_snapshots(
    stack_run: StackRun,
) -> None:
    prod = stack_run("prod")
    primary = prod.find("aws:rds/instance:Instance", "platform-database-primary")
    assert prod.outputs["databaseIdentifier"] == primary["identifier"]


def test_no_resource_name_is_registered_twice(stack_run: StackRun, stack_name: str) -> None:
    names = Counter((r.type, r.name) for r in stack_run(stack_name).resources)
    assert [key for key, n in names.items() if n > 1] == []


def test_no_secret_is_exported_in_plaintext(stack_run: StackRun, stack_name: str) -> None:
    rec = stack_run(stack_name)
    for key, value in rec.outputs.items():
        assert "plan-placeholder-secret" not in str(value) or key in rec.secret_outputs, key


# --- Data tier -------------------------------------------------------------------------------


def test_prod_plan_has_the_production_data_tier(stack_run: StackRun) -> None:
    prod = stack_run("prod")
    instances = prod.all_of("aws:rds/instance:Instance")
    primary = prod.find("aws:rds/instance:Instance", "platform-database-primary")
    assert primary["multiAz"] is True and len(instances) == 3  # primary + 2 replicas
    assert count(prod, "aws:rds/proxy:Proxy") == 1
    assert (
        len(
            prod.find("aws:rds/parameterGroup:ParameterGroup", "platform-database-params")[
                "parameters"
            ]
        )
        > 10
    )
    redis = prod.find("aws:elasticache/replicationGroup:ReplicationGroup", "platform-cache-group")
    assert redis["numCacheClusters"] == 3 and redis["automaticFailoverEnabled"] is True
    assert count(prod, "aws:s3/bucket:Bucket") == 4
    assert count(prod, "aws:ecr/repository:Repository") == 3


def test_dev_plan_has_the_small_data_tier(stack_run: StackRun) -> None:
    dev = stack_run("dev")
    [primary] = dev.all_of("aws:rds/instance:Instance")
    assert primary["multiAz"] is False and primary["instanceClass"] == "db.t4g.medium"
    assert count(dev, "aws:rds/proxy:Proxy") == 0
    redis = dev.find("aws:elasticache/replicationGroup:ReplicationGroup", "platform-cache-group")
    assert redis["numCacheClusters"] == 1 and redis["nodeType"] == "cache.t4g.small"


def test_every_bucket_refuses_plain_http(stack_run: StackRun, stack_name: str) -> None:
    rec = stack_run(stack_name)
    policies = {p["bucket"]: p for p in rec.all_of("aws:s3/bucketPolicy:BucketPolicy")}
    for bucket in rec.all_of("aws:s3/bucket:Bucket"):
        policy = json.loads(policies[bucket.id]["policy"])
        assert any(s.get("Sid") == "DenyInsecureTransport" for s in policy["Statement"]), (
            bucket.name
        )


STATEFUL = (
    "aws:kms/key:Key",
    "aws:secretsmanager/secret:Secret",
    "aws:elasticache/replicationGroup:ReplicationGroup",
    "aws:s3/bucket:Bucket",
    "aws:ecr/repository:Repository",
)


def test_prod_protects_every_stateful_resource_and_dev_none(stack_run: StackRun) -> None:
    prod, dev = stack_run("prod"), stack_run("dev")
    for type_ in STATEFUL:
        assert prod.all_of(type_) and all(r.protect for r in prod.all_of(type_)), type_
        assert not any(r.protect for r in dev.all_of(type_)), type_
    assert prod.find("aws:rds/instance:Instance", "platform-database-primary").protect
    assert not dev.find("aws:rds/instance:Instance", "platform-database-primary").protect


def test_every_log_group_is_encrypted_with_the_logs_key_of_its_region(
    stack_run: StackRun, stack_name: str
) -> None:
    """The stack region's groups with the logs key; the edge's (us-east-1) with the edge-logs
    key, as a log group can only use a key of its own region."""
    rec = stack_run(stack_name)
    keys = {
        "eu-west-1": rec.find("aws:kms/key:Key", "platform-logs-key-key").outputs["arn"],
        "us-east-1": rec.find("aws:kms/key:Key", "platform-edge-logs-key-key").outputs["arn"],
    }
    regions = set()
    for group in rec.all_of("aws:cloudwatch/logGroup:LogGroup"):
        provider = rec.provider_of(group)
        assert provider is not None
        region = provider["region"]
        regions.add(region)
        assert group["kmsKeyId"] == keys[region], group.name
        assert f":{region}:" in keys[region]
    assert regions == {"eu-west-1", "us-east-1"}


def _walk(value: object, path: str = "") -> list[tuple[str, object]]:
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in _walk(v, f"{path}.{k}" if path else k)]
    if isinstance(value, list):
        return [pair for i, v in enumerate(value) for pair in _walk(v, f"{path}[{i}]")]
    return [(path, value)]


def _covered(path: str, secret_paths: set[str]) -> bool:
    return any(
        path == p or path.startswith((f"{p}.", f"{p}[")) or p == "<root>" for p in secret_paths
    )


def test_no_secret_value_appears_in_plaintext_in_any_input_or_output(
    stack_run: StackRun, stack_name: str
) -> None:
    """App secret values, generated passwords and the registry token are secret everywhere
    they appear: resource inputs, resource outputs, component outputs, stack outputs."""
    rec = stack_run(stack_name)
    secrets = {
        value
        for value in json.loads(
            load_stack_file(stack_name, PROJECT_ROOT).config["platform:appSecretValues"]
        ).values()
    }
    secrets |= {
        p.outputs["result"] for p in rec.all_of("random:index/randomPassword:RandomPassword")
    }
    secrets.add("mock-ecr-token")
    assert len(secrets) >= 10
    leaks = []
    for resource in rec.resources:
        for where, data, secret_paths in (
            ("inputs", resource.inputs, resource.secret_inputs),
            ("outputs", resource.outputs, resource.secret_outputs),
        ):
            for path, value in _walk(data):
                leaked = isinstance(value, str) and any(s in value for s in secrets)
                if leaked and not _covered(path, secret_paths):
                    leaks.append(f"{resource.name} {where} {path}")
    for key, value in rec.outputs.items():
        if any(s in json.dumps(value) for s in secrets) and key not in rec.secret_outputs:
            leaks.append(f"stack output {key}")
    assert leaks == []


# --- Compute ---------------------------------------------------------------------------------


def test_prod_plan_has_the_cluster_three_node_groups_and_every_addon(stack_run: StackRun) -> None:
    prod = stack_run("prod")
    assert count(prod, "aws:eks/cluster:Cluster") == 1
    groups = {g.name for g in prod.all_of("aws:eks/nodeGroup:NodeGroup")}
    assert groups == {
        "platform-cluster-system",
        "platform-cluster-apps",
        "platform-cluster-workers",
    }
    addons = {a["addonName"] for a in prod.all_of("aws:eks/addon:Addon")}
    assert addons == {
        "vpc-cni",
        "kube-proxy",
        "eks-pod-identity-agent",
        "coredns",
        "aws-ebs-csi-driver",
        "amazon-cloudwatch-observability",
    }
    releases = {r["chart"]: r["version"] for r in prod.all_of("kubernetes:helm.sh/v3:Release")}
    assert len(releases) == 8 and all(releases.values())
    quota = prod.find("kubernetes:core/v1:ResourceQuota", "platform-addons-app-namespace-quota")
    assert quota["spec"]["hard"]["pods"] == "200"


def test_dev_plan_has_a_smaller_cluster_with_one_node_group(stack_run: StackRun) -> None:
    dev = stack_run("dev")
    [group] = dev.all_of("aws:eks/nodeGroup:NodeGroup")
    assert group["instanceTypes"] == ["t4g.large"]
    assert group["scalingConfig"]["maxSize"] == 4
    assert (
        dev.find("aws:eks/cluster:Cluster", "platform-cluster-cluster")["deletionProtection"]
        is False
    )
    values = dev.find("kubernetes:helm.sh/v3:Release", "platform-addons-metrics-server")["values"]
    assert values["nodeSelector"] == {}  # no system group in dev: add-ons run anywhere


def test_every_kubernetes_resource_uses_the_clusters_provider(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    provider = rec.find("pulumi:providers:kubernetes", "platform-cluster-k8s")
    for resource in rec.cloud_resources():
        if resource.package == "kubernetes":
            assert rec.provider_of(resource) == provider, resource.name


def test_the_data_tier_accepts_the_cluster_nodes(stack_run: StackRun) -> None:
    prod = stack_run("prod")
    node_group = prod.find("aws:eks/cluster:Cluster", "platform-cluster-cluster").outputs
    nodes = node_group["vpcConfig"]["clusterSecurityGroupId"]
    rules = prod.all_of("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    from_nodes = {r.name for r in rules if r.get("referencedSecurityGroupId") == nodes}
    assert from_nodes == {
        "platform-database-from-eks-nodes",
        "platform-database-proxy-from-eks-nodes",
        "platform-cache-from-eks-nodes",
    }


def test_the_kubeconfig_is_exported_only_as_a_secret(stack_run: StackRun) -> None:
    prod = stack_run("prod")
    assert "kubeconfig" in prod.secret_outputs


# --- Edge ------------------------------------------------------------------------------------


def test_prod_plan_has_the_whole_edge(stack_run: StackRun) -> None:
    prod = stack_run("prod")
    domain = "learning-platform.example.com"
    zone = prod.find("aws:route53/zone:Zone", "platform-dns-zone").outputs["zoneId"]
    records = prod.all_of("aws:route53/record:Record")
    assert all(r["zoneId"] == zone for r in records)
    aliases = {(r["name"], r["type"]) for r in records if r.get("aliases")}
    assert aliases == {
        (domain, "A"),
        (domain, "AAAA"),
        (f"www.{domain}", "A"),
        (f"www.{domain}", "AAAA"),
        (f"origin.{domain}", "A"),
    }
    certificates = prod.all_of("aws:acm/certificate:Certificate")
    regions = sorted(getattr(prod.provider_of(c), "inputs", {})["region"] for c in certificates)
    assert regions == ["eu-west-1", "us-east-1"]
    assert count(prod, "aws:acm/certificateValidation:CertificateValidation") == 2
    assert count(prod, "aws:lb/loadBalancer:LoadBalancer") == 1
    assert count(prod, "aws:lb/listener:Listener") == 2
    assert count(prod, "aws:lb/listenerRule:ListenerRule") == 2
    assert count(prod, "aws:lb/targetGroup:TargetGroup") == 2
    (cdn,) = prod.all_of("aws:cloudfront/distribution:Distribution")
    patterns = [b["pathPattern"] for b in cdn["orderedCacheBehaviors"]]
    assert patterns[:4] == ["/_next/static/*", "/certificates/*", "/api/public/*", "/api/*"]
    (headers,) = prod.all_of("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy")
    csp = headers["securityHeadersConfig"]["contentSecurityPolicy"]["contentSecurityPolicy"]
    assert "https://clerk.learning-platform.example.com" in csp  # per stack (requirements)
    (acl,) = prod.all_of("aws:wafv2/webAcl:WebAcl")
    kinds = Counter(next(iter(r["statement"])) for r in acl["rules"])
    assert kinds == {"managedRuleGroupStatement": 4, "rateBasedStatement": 3}
    assert count(prod, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration") == 1
    assert prod.find("aws:lb/loadBalancer:LoadBalancer", "platform-edge-alb")[
        "enableDeletionProtection"
    ]


def test_the_alb_reaches_the_cluster_nodes_and_serves_from_the_public_subnets(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    nodes = rec.find("aws:eks/cluster:Cluster", "platform-cluster-cluster").outputs["vpcConfig"][
        "clusterSecurityGroupId"
    ]
    egress = rec.all_of("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
    assert {r["referencedSecurityGroupId"] for r in egress if "alb-to" in r.name} == {nodes}
    public = rec.outputs["publicSubnetIds"]
    alb = rec.find("aws:lb/loadBalancer:LoadBalancer", "platform-edge-alb")
    assert alb["subnets"] == public and public
    certificates = rec.find("aws:s3/bucket:Bucket", "platform-certificates-bucket")
    cdn = rec.find("aws:cloudfront/distribution:Distribution", "platform-edge-cdn")
    assert any(
        o["domainName"] == certificates.outputs["bucketRegionalDomainName"] for o in cdn["origins"]
    )


def test_stack_exports_the_edge(stack_run: StackRun) -> None:
    outputs = stack_run("prod").outputs
    assert outputs["siteUrl"] == "https://learning-platform.example.com"
    assert outputs["cdnDomainName"].endswith(".cloudfront.net")
    assert set(outputs["targetGroupArns"]) == {"web", "api"}
    assert outputs["webAclArn"].startswith("arn:aws:wafv2:us-east-1:")


def test_dev_edge_is_turned_down(stack_run: StackRun) -> None:
    dev = stack_run("dev")
    cdn = dev.find("aws:cloudfront/distribution:Distribution", "platform-edge-cdn")
    assert cdn["priceClass"] == "PriceClass_100"
    alb = dev.find("aws:lb/loadBalancer:LoadBalancer", "platform-edge-alb")
    assert alb["enableDeletionProtection"] is False
    assert (
        dev.find("aws:cloudwatch/logGroup:LogGroup", "platform-edge-waf-logs")["retentionInDays"]
        == 7
    )


def test_a_new_zone_not_yet_delegated_gets_everything_but_the_edge() -> None:
    """First deploy of a created zone: ACM could not validate through it yet."""
    stack_file = load_stack_file("prod", PROJECT_ROOT)
    config = dict(stack_file.config)
    config["platform:dns"] = json.dumps(json.loads(config["platform:dns"]) | {"delegated": False})
    rec = run_main(
        PROJECT_ROOT,
        project=stack_file.project,
        stack="prod",
        config=config,
        secret_keys=stack_file.secret_keys,
        region=stack_file.region,
        raise_errors=True,
    )
    assert not [r for r in rec.resources if r.type.startswith(("platform:edge", "aws:acm/"))]
    assert count(rec, "aws:cloudfront/distribution:Distribution") == 0
    assert count(rec, "aws:route53/zone:Zone") == 1
    assert rec.outputs["dnsNameServers"] and "siteUrl" not in rec.outputs
    # The certificates bucket keeps its TLS-only policy until CloudFront reads it.
    policy = json.loads(
        rec.find("aws:s3/bucketPolicy:BucketPolicy", "platform-certificates-policy")["policy"]
    )
    assert [s["Sid"] for s in policy["Statement"]] == ["DenyInsecureTransport", "DenyOutdatedTls"]
