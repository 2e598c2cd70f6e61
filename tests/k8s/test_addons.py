"""Specification of PlatformAddons: the Helm add-ons, their IAM, and the app namespaces."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from aws_web_platform.eks.cluster import Cluster
from aws_web_platform.eks.config import NodeGroupConfig, Scheduling, TaintConfig
from aws_web_platform.k8s.addons import CHARTS, PlatformAddons, PlatformAddonsArgs
from aws_web_platform.k8s.config import AddonsConfig
from aws_web_platform.offline import Recording, run
from tests.conftest import BASE_CONFIG, with_aws
from tests.eks.test_cluster import cluster_args

RELEASE = "kubernetes:helm.sh/v3:Release"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ZONE_ARN = "arn:aws:route53:::hostedzone/Z0ZONE"
SECRETS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/secrets"


def addons_program(**overrides: Any) -> Any:
    def build(opts: Any) -> None:
        cluster = Cluster("eks", cluster_args(), opts)
        args: dict[str, Any] = {
            "cluster": cluster,
            "vpc_id": "vpc-1",
            "domain": "shop.example.com",
            "zone_id": "Z0ZONE",
            "zone_arn": ZONE_ARN,
            "app_secret_names": [
                "shop-prod/app/jwtSecret",
                "shop-prod/database/app",
                "shop-prod/cache/auth",
            ],
            "secrets_kms_key_arn": SECRETS_KEY,
            "system_scheduling": NodeGroupConfig(
                instance_types=("m7g.large",),
                labels={"platform.io/node-group": "system"},
                taints=(TaintConfig(key="CriticalAddonsOnly", value="true"),),
            ).scheduling(),
            "postgres_host": "db.internal",
            "postgres_monitoring_secret": "shop-prod/database/monitoring",
            "redis_host": "redis.internal",
            "redis_auth_secret": "shop-prod/cache/auth",
        }
        providers = dict(opts.providers or {}) | {"kubernetes": cluster.provider}
        given = {k: v for k, v in (args | overrides).items() if v is not None}
        PlatformAddons(
            "addons",
            PlatformAddonsArgs(**given),
            pulumi.ResourceOptions(providers=providers),
        )

    return with_aws(build)


@pytest.fixture(scope="module")
def rec() -> Recording:
    return run(addons_program(), config=BASE_CONFIG)


def release(rec: Recording, key: str) -> Any:
    return rec.find(RELEASE, f"addons-{key}")


def statements(rec: Recording, role: str) -> list[dict]:
    return json.loads(rec.find(ROLE_POLICY, f"eks-{role}-policy")["policy"])["Statement"]


# --- Every release ---------------------------------------------------------------------------


def test_every_release_is_an_official_chart_at_its_pinned_version(rec: Recording) -> None:
    charts = AddonsConfig().charts
    releases = rec.all_of(RELEASE)
    assert {r.name.removeprefix("addons-") for r in releases} == set(CHARTS)
    for r in releases:
        key = r.name.removeprefix("addons-")
        chart, repository = CHARTS[key]
        assert r["chart"] == chart
        assert r["repositoryOpts"] == {"repo": repository}
        assert r["version"] == getattr(charts, key.replace("-", "_"))
        assert r["atomic"] is True


def test_every_release_waits_for_the_node_groups_and_managed_addons(rec: Recording) -> None:
    ready = {g.urn for g in rec.all_of("aws:eks/nodeGroup:NodeGroup")}
    ready.add(rec.find("aws:eks/addon:Addon", "eks-coredns").urn)
    for r in rec.all_of(RELEASE):
        assert ready <= set(r.depends_on), r.name


def test_every_kubernetes_resource_uses_the_clusters_provider(rec: Recording) -> None:
    provider = rec.find("pulumi:providers:kubernetes", "eks-k8s")
    kube = [r for r in rec.resources if r.custom and r.package == "kubernetes"]
    assert kube
    for resource in kube:
        assert rec.provider_of(resource) == provider, resource.name


def test_addons_run_on_the_system_nodes_tolerating_their_taint(rec: Recording) -> None:
    values = release(rec, "aws-load-balancer-controller")["values"]
    assert values["nodeSelector"] == {"platform.io/node-group": "system"}
    assert values["tolerations"] == [
        {"key": "CriticalAddonsOnly", "operator": "Equal", "value": "true", "effect": "NoSchedule"}
    ]


def test_the_system_scheduling_arguments_of_0_1_still_work_with_a_warning(
    rec: Recording,
) -> None:
    legacy = addons_program(
        system_scheduling=None,
        system_node_labels={"platform.io/node-group": "system"},
        system_node_taints=[
            {"key": "CriticalAddonsOnly", "value": "true", "effect": "NO_SCHEDULE"}
        ],
    )
    with pytest.warns(DeprecationWarning, match="system_node_labels and system_node_taints"):
        old = run(legacy, config=BASE_CONFIG)
    for chart in ("aws-load-balancer-controller", "metrics-server"):
        assert release(old, chart)["values"] == release(rec, chart)["values"]


def test_without_a_system_group_addons_schedule_anywhere() -> None:
    rec = run(addons_program(system_scheduling=Scheduling()), config=BASE_CONFIG)
    values = release(rec, "metrics-server")["values"]
    assert values["nodeSelector"] == {} and values["tolerations"] == []


# --- Load balancer controller ----------------------------------------------------------------


def test_the_load_balancer_controller_only_binds_target_groups(rec: Recording) -> None:
    r = release(rec, "aws-load-balancer-controller")
    assert r["namespace"] == "kube-system"
    values = r["values"]
    assert values["clusterName"] == "shop-prod"
    assert (values["region"], values["vpcId"]) == ("eu-west-1", "vpc-1")  # IMDS hop limit 1
    assert values["enableServiceMutatorWebhook"] is False
    assert values["serviceAccount"] == {"create": True, "name": "aws-load-balancer-controller"}


def test_the_controller_has_its_published_permissions(rec: Recording) -> None:
    by_sid = {s["Sid"]: s for s in statements(rec, "aws-load-balancer-controller")}
    assert by_sid["RegisterTargets"]["Resource"].endswith(":targetgroup/*/*")
    assert by_sid["ModifyOwnLoadBalancers"]["Condition"] == {
        "Null": {"aws:ResourceTag/elbv2.k8s.aws/cluster": "false"}
    }
    assert "elasticloadbalancing:DescribeTargetHealth" in by_sid["Describe"]["Action"]
    assert "elasticloadbalancing:SetRulePriorities" in by_sid["ModifyListenersAndRules"]["Action"]
    association = rec.find(
        "aws:eks/podIdentityAssociation:PodIdentityAssociation",
        "eks-aws-load-balancer-controller-pod-identity",
    )
    assert (association["namespace"], association["serviceAccount"]) == (
        "kube-system",
        "aws-load-balancer-controller",
    )


# --- Autoscaling, metrics --------------------------------------------------------------------


def test_the_cluster_autoscaler_discovers_and_scales_only_this_clusters_groups(
    rec: Recording,
) -> None:
    values = release(rec, "cluster-autoscaler")["values"]
    assert values["autoDiscovery"] == {"clusterName": "shop-prod"}
    assert values["awsRegion"] == "eu-west-1"
    describe, scale = statements(rec, "cluster-autoscaler")
    assert "autoscaling:SetDesiredCapacity" not in describe["Action"]
    assert scale["Condition"] == {
        "StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/shop-prod": "owned"}
    }


def test_metrics_server_serves_the_hpas_with_two_replicas(rec: Recording) -> None:
    r = release(rec, "metrics-server")
    assert r["namespace"] == "kube-system"
    assert r["values"]["replicas"] == 2


# --- DNS and secrets -------------------------------------------------------------------------


def test_external_dns_is_limited_to_the_stacks_zone(rec: Recording) -> None:
    values = release(rec, "external-dns")["values"]
    assert values["domainFilters"] == ["shop.example.com"]
    assert "--zone-id-filter=Z0ZONE" in values["extraArgs"]
    assert values["policy"] == "upsert-only"
    assert values["txtOwnerId"] == "shop-prod"
    change, _ = statements(rec, "external-dns")
    assert change == {
        "Sid": "ChangeThisZone",
        "Effect": "Allow",
        "Action": "route53:ChangeResourceRecordSets",
        "Resource": ZONE_ARN,
    }


def test_the_external_secrets_controller_can_only_assume_its_stores_roles(rec: Recording) -> None:
    policy = json.loads(rec.find(ROLE_POLICY, "addons-external-secrets-assume-stores")["policy"])
    [statement] = policy["Statement"]
    assert statement["Action"] == ["sts:AssumeRole", "sts:TagSession"]
    stores = {
        rec.find(ROLE, f"addons-{store}-role").outputs["arn"]
        for store in ("aws-secrets-manager", "aws-secrets-manager-monitoring")
    }
    assert set(statement["Resource"]) == stores
    controller = rec.find(ROLE, "eks-external-secrets-role").outputs["name"]
    assert all(
        p["role"] != controller or p.name == "addons-external-secrets-assume-stores"
        for p in rec.all_of(ROLE_POLICY)
    )


def store_reads(rec: Recording, store: str) -> list[str]:
    policy = json.loads(rec.find(ROLE_POLICY, f"addons-{store}-read")["policy"])
    read, decrypt = policy["Statement"]
    assert decrypt["Resource"] == SECRETS_KEY
    assert decrypt["Condition"]["StringEquals"]["kms:ViaService"].startswith("secretsmanager.")
    return read["Resource"]


def test_each_secret_store_reads_exactly_its_secrets_never_the_master(rec: Recording) -> None:
    prefix = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:"
    assert store_reads(rec, "aws-secrets-manager") == sorted(
        f"{prefix}{name}-??????"
        for name in ("shop-prod/app/jwtSecret", "shop-prod/database/app", "shop-prod/cache/auth")
    )
    assert store_reads(rec, "aws-secrets-manager-monitoring") == sorted(
        f"{prefix}{name}-??????"
        for name in ("shop-prod/database/monitoring", "shop-prod/cache/auth")
    )
    everything = json.dumps([p["policy"] for p in rec.all_of(ROLE_POLICY)])
    assert "database/master" not in everything


def test_each_store_serves_only_its_namespaces_through_its_role(rec: Recording) -> None:
    stores = {
        s["metadata"]["name"]: s
        for s in rec.all_of("kubernetes:external-secrets.io/v1:ClusterSecretStore")
    }
    assert stores["aws-secrets-manager"]["spec"]["conditions"] == [{"namespaces": ["app"]}]
    assert stores["aws-secrets-manager-monitoring"]["spec"]["conditions"] == [
        {"namespaces": ["monitoring"]}
    ]
    provider = stores["aws-secrets-manager"]["spec"]["provider"]["aws"]
    assert provider["service"] == "SecretsManager" and provider["region"] == "eu-west-1"
    assert provider["role"] == rec.find(ROLE, "addons-aws-secrets-manager-role").outputs["arn"]
    for store in stores.values():
        assert release(rec, "external-secrets").urn in store.depends_on


def test_editing_a_namespace_does_not_allow_creating_external_secrets(rec: Recording) -> None:
    rbac = release(rec, "external-secrets")["values"]["rbac"]
    assert rbac == {"aggregateToEdit": False, "aggregateToView": False}


def test_releases_start_after_their_pod_identity_association(rec: Recording) -> None:
    for key in (
        "aws-load-balancer-controller",
        "cluster-autoscaler",
        "external-dns",
        "external-secrets",
    ):
        association = rec.find(
            "aws:eks/podIdentityAssociation:PodIdentityAssociation", f"eks-{key}-pod-identity"
        )
        assert association.urn in release(rec, key).depends_on, key


# --- Monitoring ------------------------------------------------------------------------------


def test_prometheus_scrapes_every_15s_keeps_30_days_on_encrypted_gp3(rec: Recording) -> None:
    values = release(rec, "kube-prometheus-stack")["values"]
    spec = values["prometheus"]["prometheusSpec"]
    assert (spec["scrapeInterval"], spec["retention"]) == ("15s", "30d")
    claim = spec["storageSpec"]["volumeClaimTemplate"]["spec"]
    assert claim["storageClassName"] == "gp3-encrypted"
    assert claim["resources"]["requests"]["storage"] == "100Gi"
    storage = rec.find("kubernetes:storage.k8s.io/v1:StorageClass", "addons-gp3-encrypted")
    assert storage["parameters"] == {"type": "gp3", "encrypted": "true"}
    assert storage["provisioner"] == "ebs.csi.aws.com"
    assert storage["reclaimPolicy"] == "Retain"
    assert values["nodeExporter"] == {"enabled": True}
    assert values["prometheus-node-exporter"] == {"namespaceOverride": "node-exporter"}


def test_eks_managed_control_plane_parts_are_not_scraped(rec: Recording) -> None:
    values = release(rec, "kube-prometheus-stack")["values"]
    for part in ("kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy"):
        assert values[part] == {"enabled": False}, part


def test_the_exporters_wait_for_the_servicemonitor_crds(rec: Recording) -> None:
    prometheus = release(rec, "kube-prometheus-stack").urn
    for key in ("postgres-exporter", "redis-exporter"):
        assert prometheus in release(rec, key).depends_on, key


def test_grafanas_admin_password_is_a_generated_pulumi_secret(rec: Recording) -> None:
    values = release(rec, "kube-prometheus-stack")["values"]
    assert values["grafana"]["admin"]["existingSecret"] == "grafana-admin"
    secret = rec.find("kubernetes:core/v1:Secret", "addons-grafana-admin")
    password = rec.find(
        "random:index/randomPassword:RandomPassword", "addons-grafana-admin-password"
    )
    assert secret["stringData"]["admin-password"] == password.outputs["result"]
    assert any(path.startswith("stringData") for path in secret.secret_inputs)
    assert password.outputs["result"] not in json.dumps(values)


def test_the_data_tier_exporters_read_their_credentials_through_external_secrets(
    rec: Recording,
) -> None:
    postgres = rec.find(
        "kubernetes:external-secrets.io/v1:ExternalSecret",
        "addons-postgres-exporter-credentials",
    )
    assert postgres["spec"]["data"][0]["remoteRef"]["key"] == "shop-prod/database/monitoring"
    assert postgres["spec"]["secretStoreRef"] == {
        "name": "aws-secrets-manager-monitoring",
        "kind": "ClusterSecretStore",
    }
    monitoring = rec.find("kubernetes:core/v1:Namespace", "addons-monitoring").urn
    assert monitoring in postgres.depends_on
    redis = rec.find(
        "kubernetes:external-secrets.io/v1:ExternalSecret", "addons-redis-exporter-credentials"
    )
    assert redis["spec"]["data"] == [
        {
            "secretKey": "authToken",
            "remoteRef": {"key": "shop-prod/cache/auth", "property": "authToken"},
        }
    ]
    pg_values = release(rec, "postgres-exporter")["values"]
    assert pg_values["config"]["datasource"]["host"] == "db.internal"
    assert pg_values["config"]["datasource"]["sslmode"] == "require"
    redis_values = release(rec, "redis-exporter")["values"]
    assert redis_values["redisAddress"] == "rediss://redis.internal:6379"
    assert redis_values["serviceMonitor"] == {"enabled": True}


# --- Namespaces ------------------------------------------------------------------------------


def test_app_namespaces_enforce_restricted_pod_security(rec: Recording) -> None:
    namespace = rec.find("kubernetes:core/v1:Namespace", "addons-app-namespace-namespace")
    labels = namespace["metadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"


def test_app_namespaces_have_a_quota_and_container_defaults_from_config(rec: Recording) -> None:
    quota = rec.find("kubernetes:core/v1:ResourceQuota", "addons-app-namespace-quota")
    assert quota["metadata"]["namespace"] == "app"
    assert quota["spec"]["hard"] == {
        "requests.cpu": "64",
        "requests.memory": "128Gi",
        "limits.cpu": "120",
        "limits.memory": "160Gi",
        "pods": "200",
    }
    limits = rec.find("kubernetes:core/v1:LimitRange", "addons-app-namespace-limits")
    [item] = limits["spec"]["limits"]
    assert item["type"] == "Container"
    assert item["defaultRequest"] == {"cpu": "100m", "memory": "128Mi"}
    assert item["max"] == {"cpu": "4", "memory": "8Gi"}


def test_app_namespaces_deny_all_traffic_by_default_but_dns(rec: Recording) -> None:
    deny = rec.find(
        "kubernetes:networking.k8s.io/v1:NetworkPolicy", "addons-app-namespace-default-deny"
    )
    assert deny["metadata"] == {"name": "default-deny", "namespace": "app"}
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    dns = rec.find(
        "kubernetes:networking.k8s.io/v1:NetworkPolicy", "addons-app-namespace-allow-dns"
    )
    (rule,) = dns["spec"]["egress"]
    assert rule["to"] == [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
        }
    ]


def test_only_node_exporter_runs_privileged_the_rest_restricted_or_baseline(rec: Recording) -> None:
    levels = {
        n["metadata"]["name"]: n["metadata"]["labels"]["pod-security.kubernetes.io/enforce"]
        for n in rec.all_of("kubernetes:core/v1:Namespace")
    }
    assert levels == {
        "node-exporter": "privileged",
        "monitoring": "baseline",
        "external-dns": "restricted",
        "external-secrets": "restricted",
        "app": "restricted",
    }
