"""Specification of the EKS Cluster component, one test per promised behaviour."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from aws_web_platform.bootstrap.config import BootstrapConfig
from aws_web_platform.eks.cluster import Cluster, ClusterArgs
from aws_web_platform.eks.config import CiClusterAccessConfig, ClusterConfig
from aws_web_platform.eks.preview_access import (
    PREVIEW_DRY_RUN_WRITABLE,
    PREVIEW_GROUP,
    PREVIEW_NEVER_WRITABLE_GROUPS,
    PreviewAccessArgs,
)
from aws_web_platform.offline import ACCOUNT_ID, Recording, run
from tests.conftest import BASE_CONFIG, built, stack_config, with_aws
from tools.plan import PROJECT_ROOT

CLUSTER = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
ADDON = "aws:eks/addon:Addon"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
SUBNETS = ["subnet-private-a", "subnet-private-b", "subnet-private-c"]
SECRETS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/secrets"
LOGS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/logs"


def cluster_args(**overrides: Any) -> ClusterArgs:
    wiring: dict[str, Any] = {
        "cluster_name": "shop-prod",
        "vpc_id": "vpc-1",
        "subnet_ids": SUBNETS,
        "secrets_kms_key_arn": SECRETS_KEY,
        "logs_kms_key_arn": LOGS_KEY,
        "node_tags": {"Project": "shop", "Environment": "prod"},
    }
    return ClusterArgs(**(wiring | overrides))


@pytest.fixture(scope="module")
def prod() -> Recording:
    """The cluster with the production defaults (three node groups), plus one workload role."""

    def build(opts: Any) -> None:
        cluster = Cluster("eks", cluster_args(), opts)
        cluster.workload_role(
            "api",
            "app",
            "api",
            [
                "AmazonS3ReadOnlyAccess",
                {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"},
            ],
        )

    return run(with_aws(build), config=BASE_CONFIG)


def eks(rec: Recording) -> Any:
    return rec.find(CLUSTER, "eks-cluster")


def policy_names(rec: Recording, role_name: str) -> set[str]:
    role = rec.find(ROLE, role_name).outputs["name"]
    return {a["policyArn"].rsplit("/", 1)[-1] for a in rec.all_of(ATTACHMENT) if a["role"] == role}


# --- The control plane -----------------------------------------------------------------------


def test_kubernetes_version_from_config_on_standard_support_only(prod: Recording) -> None:
    cluster = eks(prod)
    assert cluster["version"] == "1.36"
    assert cluster["upgradePolicy"] == {"supportType": "STANDARD"}
    assert cluster["name"] == "shop-prod"


def test_authentication_by_access_entries_with_the_deployer_as_admin(prod: Recording) -> None:
    assert eks(prod)["accessConfig"] == {
        "authenticationMode": "API",
        "bootstrapClusterCreatorAdminPermissions": True,
    }


def test_configured_admins_get_cluster_admin_through_access_entries() -> None:
    admin = "arn:aws:iam::123456789012:role/platform-admins"
    _, rec = built(Cluster, "eks", cluster_args(admin_principal_arns=(admin,)))
    [entry] = rec.all_of("aws:eks/accessEntry:AccessEntry")
    assert (entry["principalArn"], entry["type"]) == (admin, "STANDARD")
    [association] = rec.all_of("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
    assert association["policyArn"].endswith("cluster-access-policy/AmazonEKSClusterAdminPolicy")
    assert association["accessScope"] == {"type": "cluster"}
    assert entry.urn in association.depends_on


def test_kubernetes_secrets_are_envelope_encrypted_with_the_stack_key(prod: Recording) -> None:
    assert eks(prod)["encryptionConfig"] == {
        "provider": {"keyArn": SECRETS_KEY},
        "resources": ["secrets"],
    }


def test_every_control_plane_log_goes_to_a_retained_encrypted_group(prod: Recording) -> None:
    cluster = eks(prod)
    assert cluster["enabledClusterLogTypes"] == [
        "api",
        "audit",
        "authenticator",
        "controllerManager",
        "scheduler",
    ]
    group = prod.find("aws:cloudwatch/logGroup:LogGroup", "eks-control-plane-logs")
    assert group["name"] == "/aws/eks/shop-prod/cluster"
    assert (group["retentionInDays"], group["kmsKeyId"]) == (90, LOGS_KEY)
    assert group.urn in cluster.depends_on


def test_the_endpoint_is_private_by_default(prod: Recording) -> None:
    vpc = eks(prod)["vpcConfig"]
    assert vpc["endpointPrivateAccess"] is True
    assert vpc["endpointPublicAccess"] is False
    assert "publicAccessCidrs" not in vpc
    assert vpc["subnetIds"] == SUBNETS


def test_the_public_endpoint_opens_only_to_the_configured_networks() -> None:
    _, rec = built(Cluster, "eks", cluster_args(endpoint_public_access_cidrs=("203.0.113.0/24",)))
    vpc = eks(rec)["vpcConfig"]
    assert vpc["endpointPublicAccess"] is True
    assert vpc["publicAccessCidrs"] == ["203.0.113.0/24"]


def test_the_private_endpoint_answers_only_the_configured_networks() -> None:
    _, rec = built(Cluster, "eks", cluster_args(private_endpoint_access_cidrs=("10.0.0.0/16",)))
    group = rec.find("aws:ec2/securityGroup:SecurityGroup", "eks-api-sg")
    assert eks(rec)["vpcConfig"]["securityGroupIds"] == [group.id]
    rules = rec.all_of("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert [(r["securityGroupId"], r["cidrIpv4"], r["fromPort"]) for r in rules] == [
        (group.id, "10.0.0.0/16", 443)
    ]


def test_deletion_protection_from_config(prod: Recording) -> None:
    assert eks(prod)["deletionProtection"] is True
    _, dev = built(Cluster, "eks", cluster_args(deletion_protection=False))
    assert eks(dev)["deletionProtection"] is False


def test_the_cluster_role_has_only_the_eks_cluster_policy(prod: Recording) -> None:
    trust = json.loads(prod.find(ROLE, "eks-cluster-role")["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "eks.amazonaws.com"}
    assert policy_names(prod, "eks-cluster-role") == {"AmazonEKSClusterPolicy"}


# --- Nodes -----------------------------------------------------------------------------------


def test_the_node_role_has_exactly_the_three_policies_nodes_need(prod: Recording) -> None:
    trust = json.loads(prod.find(ROLE, "eks-node-role")["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert policy_names(prod, "eks-node-role") == {
        "AmazonEKSWorkerNodePolicy",
        "AmazonEC2ContainerRegistryPullOnly",
        "AmazonEKS_CNI_Policy",
    }


def test_prod_has_system_apps_and_workers_node_groups(prod: Recording) -> None:
    groups = {g.name.removeprefix("eks-"): g for g in prod.all_of(NODE_GROUP)}
    assert set(groups) == {"system", "apps", "workers"}
    assert groups["system"]["capacityType"] == "ON_DEMAND"
    assert groups["system"]["taints"] == [
        {"key": "CriticalAddonsOnly", "value": "true", "effect": "NO_SCHEDULE"}
    ]
    assert groups["apps"]["capacityType"] == "ON_DEMAND"
    assert groups["apps"]["scalingConfig"] == {"minSize": 3, "desiredSize": 4, "maxSize": 20}
    assert groups["workers"]["capacityType"] == "SPOT"
    assert len(groups["workers"]["instanceTypes"]) >= 2
    assert groups["workers"]["labels"] == {"platform.io/node-group": "workers"}


def test_nodes_run_only_in_the_private_subnets(prod: Recording) -> None:
    assert all(g["subnetIds"] == SUBNETS for g in prod.all_of(NODE_GROUP))


def test_the_autoscaler_owns_the_desired_size_after_creation(prod: Recording) -> None:
    assert all(g.ignore_changes == ["scalingConfig.desiredSize"] for g in prod.all_of(NODE_GROUP))


def test_imdsv2_is_required_and_pods_cannot_reach_it(prod: Recording) -> None:
    for template in prod.all_of(TEMPLATE):
        metadata = template["metadataOptions"]
        assert metadata["httpTokens"] == "required"
        assert metadata["httpPutResponseHopLimit"] == 1


def test_root_volumes_are_encrypted_gp3(prod: Recording) -> None:
    for template in prod.all_of(TEMPLATE):
        [device] = template["blockDeviceMappings"]
        assert device["deviceName"] == "/dev/xvda"
        assert device["ebs"]["volumeType"] == "gp3"
        assert device["ebs"]["encrypted"] == "true"
        assert device["ebs"]["volumeSize"] == 50


def test_instances_and_volumes_carry_the_platform_tags(prod: Recording) -> None:
    template = prod.find(TEMPLATE, "eks-apps-launch-template")
    kinds = {spec["resourceType"]: spec["tags"] for spec in template["tagSpecifications"]}
    assert set(kinds) == {"instance", "volume", "network-interface"}
    assert kinds["instance"]["Project"] == "shop"
    assert kinds["volume"]["Name"] == "shop-prod-apps"


def test_each_group_uses_its_launch_template_and_the_pinned_ami_release(prod: Recording) -> None:
    for group in prod.all_of(NODE_GROUP):
        template = prod.find(TEMPLATE, f"{group.name}-launch-template")
        assert group["launchTemplate"] == {"id": template.id, "version": "1"}
        assert group["amiType"] == "AL2023_ARM_64_STANDARD"
        assert group["releaseVersion"] == "1.36.3-20260911"
        assert "diskSize" not in group.inputs  # set in the launch template instead


def test_updates_roll_keeping_capacity_and_broken_nodes_are_repaired(prod: Recording) -> None:
    for group in prod.all_of(NODE_GROUP):
        assert group["updateConfig"] == {"maxUnavailablePercentage": 33}
        assert group["nodeRepairConfig"] == {"enabled": True}


def test_bottlerocket_groups_use_the_data_volume_and_their_own_release() -> None:
    config = (
        ClusterConfig()
        .node_groups["apps"]
        .model_copy(
            update={"ami_type": "BOTTLEROCKET_ARM_64", "release_version": "1.50.0-0be31b34"}
        )
    )
    _, rec = built(Cluster, "eks", cluster_args(node_groups={"apps": config}))
    template = rec.find(TEMPLATE, "eks-apps-launch-template")
    assert template["blockDeviceMappings"][0]["deviceName"] == "/dev/xvdb"
    assert rec.find(NODE_GROUP, "eks-apps")["releaseVersion"] == "1.50.0-0be31b34"


# --- Managed add-ons -------------------------------------------------------------------------


def test_every_managed_addon_is_installed_at_its_pinned_version(prod: Recording) -> None:
    versions = {a["addonName"]: a["addonVersion"] for a in prod.all_of(ADDON)}
    defaults = ClusterConfig().addons
    assert versions == {
        "vpc-cni": defaults.vpc_cni,
        "kube-proxy": defaults.kube_proxy,
        "eks-pod-identity-agent": defaults.pod_identity_agent,
        "coredns": defaults.coredns,
        "aws-ebs-csi-driver": defaults.ebs_csi_driver,
        "amazon-cloudwatch-observability": defaults.cloudwatch_observability,
    }
    assert all(a["resolveConflictsOnUpdate"] == "OVERWRITE" for a in prod.all_of(ADDON))


def test_the_vpc_cni_enforces_network_policies(prod: Recording) -> None:
    cni = prod.find(ADDON, "eks-vpc-cni")
    assert json.loads(cni["configurationValues"]) == {"enableNetworkPolicy": "true"}


def test_networking_addons_come_before_the_nodes_and_the_rest_after(prod: Recording) -> None:
    groups = {g.urn for g in prod.all_of(NODE_GROUP)}
    for addon in ("vpc-cni", "kube-proxy", "eks-pod-identity-agent"):
        urn = prod.find(ADDON, f"eks-{addon}").urn
        assert all(urn in g.depends_on for g in prod.all_of(NODE_GROUP)), addon
    for addon in ("coredns", "aws-ebs-csi-driver", "amazon-cloudwatch-observability"):
        assert groups <= set(prod.find(ADDON, f"eks-{addon}").depends_on), addon


@pytest.mark.parametrize(
    ("addon", "account", "policies"),
    [
        ("aws-ebs-csi-driver", "ebs-csi-controller-sa", {"AmazonEBSCSIDriverPolicy"}),
        (
            "amazon-cloudwatch-observability",
            "cloudwatch-agent",
            {"CloudWatchAgentServerPolicy", "AWSXrayWriteOnlyAccess"},
        ),
    ],
)
def test_addons_calling_aws_use_pod_identity_roles(
    prod: Recording, addon: str, account: str, policies: set[str]
) -> None:
    role = prod.find(ROLE, f"eks-{addon}-role")
    [association] = prod.find(ADDON, f"eks-{addon}")["podIdentityAssociations"]
    assert association == {"roleArn": role.outputs["arn"], "serviceAccount": account}
    assert policy_names(prod, f"eks-{addon}-role") == policies


# --- Workload roles --------------------------------------------------------------------------


def test_a_workload_role_trusts_only_pod_identity(prod: Recording) -> None:
    [statement] = json.loads(prod.find(ROLE, "eks-api-role")["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert statement["Action"] == ["sts:AssumeRole", "sts:TagSession"]


def test_a_workload_role_is_bound_to_exactly_its_namespace_and_service_account(
    prod: Recording,
) -> None:
    [association] = [a for a in prod.all_of(ASSOCIATION) if a.name == "eks-api-pod-identity"]
    assert (association["namespace"], association["serviceAccount"]) == ("app", "api")
    assert association["roleArn"] == prod.find(ROLE, "eks-api-role").outputs["arn"]
    assert association["clusterName"] == "shop-prod"
    assert prod.find(ADDON, "eks-eks-pod-identity-agent").urn in association.depends_on


def test_a_workload_role_gets_its_managed_and_inline_policies(prod: Recording) -> None:
    assert policy_names(prod, "eks-api-role") == {"AmazonS3ReadOnlyAccess"}
    inline = json.loads(prod.find("aws:iam/rolePolicy:RolePolicy", "eks-api-policy")["policy"])
    assert inline["Statement"] == [
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}
    ]


# --- Kubernetes provider and outputs ---------------------------------------------------------


def test_the_kubernetes_provider_authenticates_with_aws_eks_get_token(prod: Recording) -> None:
    provider = prod.find("pulumi:providers:kubernetes", "eks-k8s")
    kubeconfig = (
        json.loads(provider["kubeconfig"])
        if isinstance(provider["kubeconfig"], str)
        else provider["kubeconfig"]
    )
    [user] = kubeconfig["users"]
    assert user["user"]["exec"]["command"] == "aws"
    assert user["user"]["exec"]["args"][:4] == ["eks", "get-token", "--cluster-name", "shop-prod"]
    assert "token" not in json.dumps(kubeconfig).replace("get-token", "")
    assert kubeconfig["clusters"][0]["cluster"]["server"] == eks(prod).outputs["endpoint"]


def test_the_kubernetes_provider_waits_for_the_node_groups(prod: Recording) -> None:
    provider = prod.find("pulumi:providers:kubernetes", "eks-k8s")
    assert {g.urn for g in prod.all_of(NODE_GROUP)} <= set(provider.depends_on)


def test_outputs_name_endpoint_oidc_node_security_group_and_a_secret_kubeconfig(
    prod: Recording,
) -> None:
    component = prod.find("platform:eks:Cluster", "eks")
    out = component.outputs
    cluster = eks(prod)
    assert out["cluster_name"] == "shop-prod"
    assert out["endpoint"] == cluster.outputs["endpoint"]
    assert out["oidc_issuer"].startswith("https://oidc.eks.eu-west-1.amazonaws.com/id/")
    assert out["node_security_group_id"] == cluster.outputs["vpcConfig"]["clusterSecurityGroupId"]
    assert "kubeconfig" in component.secret_outputs


# --- Cluster access of the CI roles ----------------------------------------------------------

ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry"
POLICY_ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"
CLUSTER_ROLE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"
CLUSTER_ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"
ADMISSION_POLICY = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy"
ADMISSION_BINDING = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding"
DEPLOY_ROLE = f"arn:aws:iam::{ACCOUNT_ID}:role/shop-prod-ci-deploy"
PREVIEW_ROLE = f"arn:aws:iam::{ACCOUNT_ID}:role/shop-prod-ci-preview"


@pytest.fixture(scope="module")
def with_ci() -> Recording:
    """The cluster with both CI roles named, as the stack files do."""
    ci_access = CiClusterAccessConfig(
        deploy_role_name="shop-prod-ci-deploy", preview_role_name="shop-prod-ci-preview"
    )
    _, rec = built(Cluster, "eks", cluster_args(ci_access=ci_access))
    return rec


def preview_rules_of(rec: Recording) -> list[dict[str, Any]]:
    return rec.find(CLUSTER_ROLE, "eks-ci-preview-cluster-role")["rules"]


def test_the_ci_deploy_role_is_cluster_admin_through_an_access_entry(with_ci: Recording) -> None:
    [entry] = [e for e in with_ci.all_of(ACCESS_ENTRY) if e["principalArn"] == DEPLOY_ROLE]
    assert entry["type"] == "STANDARD"
    assert "kubernetesGroups" not in entry.inputs
    [association] = with_ci.all_of(POLICY_ASSOCIATION)
    assert association["principalArn"] == DEPLOY_ROLE
    assert association["policyArn"].endswith("cluster-access-policy/AmazonEKSClusterAdminPolicy")
    assert association["accessScope"] == {"type": "cluster"}
    assert entry.urn in association.depends_on
    # Named as an adminPrincipalArns entry would be: moving the role between the two keeps it.
    assert entry.name == "eks-admin-role-shop-prod-ci-deploy"


def test_the_ci_preview_role_gets_a_standard_entry_in_its_group_and_no_access_policy(
    with_ci: Recording,
) -> None:
    [entry] = [e for e in with_ci.all_of(ACCESS_ENTRY) if e["principalArn"] == PREVIEW_ROLE]
    assert entry["type"] == "STANDARD"
    assert entry["kubernetesGroups"] == [PREVIEW_GROUP] == ["platform:ci-preview"]
    associations = with_ci.all_of(POLICY_ASSOCIATION)
    assert [a["principalArn"] for a in associations] == [DEPLOY_ROLE]


def test_the_preview_group_reads_everything_but_secrets_and_pod_access(
    with_ci: Recording,
) -> None:
    reads = [r for r in preview_rules_of(with_ci) if r["verbs"] == ["get", "list", "watch"]]
    assert len(reads) == 2
    core = next(r for r in reads if r["apiGroups"] == [""])
    assert {"pods", "configmaps", "services", "namespaces", "nodes"} <= set(core["resources"])
    assert "secrets" not in core["resources"] and "*" not in core["resources"]
    assert not [r for r in core["resources"] if "/" in r]  # no exec, log, proxy, portforward
    groups = next(r for r in reads if r["apiGroups"] != [""])
    assert groups["resources"] == ["*"]
    assert "" not in groups["apiGroups"] and "*" not in groups["apiGroups"]
    assert {"apps", "batch", "rbac.authorization.k8s.io", "external-secrets.io"} <= set(
        groups["apiGroups"]
    )


def test_the_preview_group_may_only_create_and_patch_harmless_managed_kinds(
    with_ci: Recording,
) -> None:
    rules = preview_rules_of(with_ci)
    writes = [r for r in rules if r["verbs"] != ["get", "list", "watch"]]
    assert writes and all(r["verbs"] == ["create", "patch"] for r in writes)
    written = {(g, res) for r in writes for g in r["apiGroups"] for res in r["resources"]}
    assert ("apps", "deployments") in written and ("", "configmaps") in written
    assert not [(g, res) for g, res in written if res in ("secrets", "*") or "/" in res]
    assert not {g for g, _ in written} & {
        "*",
        "rbac.authorization.k8s.io",
        "admissionregistration.k8s.io",
    }
    assert all("secrets" not in r["resources"] for r in rules)


def test_the_admission_policy_rejects_every_request_of_the_group_that_is_not_a_dry_run(
    with_ci: Recording,
) -> None:
    policy = with_ci.find(ADMISSION_POLICY, "eks-ci-preview-dry-run-only")
    spec = policy["spec"]
    assert spec["failurePolicy"] == "Fail"
    [rule] = spec["matchConstraints"]["resourceRules"]
    assert rule == {
        "apiGroups": ["*"],
        "apiVersions": ["*"],
        "operations": ["CREATE", "UPDATE", "DELETE", "CONNECT"],
        "resources": ["*/*"],
    }
    [condition] = spec["matchConditions"]
    assert condition["expression"] == (
        "has(request.userInfo.groups) && 'platform:ci-preview' in request.userInfo.groups"
    )
    [validation] = spec["validations"]
    assert validation["expression"] == "has(request.dryRun) && request.dryRun == true"
    assert validation["reason"] == "Forbidden"
    binding = with_ci.find(ADMISSION_BINDING, "eks-ci-preview-dry-run-only-binding")
    assert binding["spec"] == {
        "policyName": policy["metadata"]["name"],
        "validationActions": ["Deny"],
    }


def test_the_group_gets_its_verbs_only_once_the_admission_policy_is_in_force(
    with_ci: Recording,
) -> None:
    binding = with_ci.find(CLUSTER_ROLE_BINDING, "eks-ci-preview-cluster-role-binding")
    role = with_ci.find(CLUSTER_ROLE, "eks-ci-preview-cluster-role")
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "ClusterRole",
        "name": role["metadata"]["name"],
    }
    assert binding["subjects"] == [
        {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": PREVIEW_GROUP}
    ]
    guard = with_ci.find(ADMISSION_BINDING, "eks-ci-preview-dry-run-only-binding")
    policy = with_ci.find(ADMISSION_POLICY, "eks-ci-preview-dry-run-only")
    assert guard.urn in binding.depends_on and policy.urn in guard.depends_on


def test_the_preview_access_objects_use_the_clusters_kubernetes_provider(
    with_ci: Recording,
) -> None:
    component = with_ci.find("platform:eks:PreviewAccess", "eks-ci-preview")
    objects = with_ci.descendants_of(component)
    assert {o.type for o in objects} == {
        CLUSTER_ROLE,
        CLUSTER_ROLE_BINDING,
        ADMISSION_POLICY,
        ADMISSION_BINDING,
    }
    provider = with_ci.find("pulumi:providers:kubernetes", "eks-k8s")
    for obj in objects:
        found = with_ci.provider_of(obj)
        assert found is not None and found.urn == provider.urn, obj.name


def test_nothing_is_created_for_the_ci_when_no_role_is_named(prod: Recording) -> None:
    assert prod.all_of(ACCESS_ENTRY) == []
    assert prod.all_of(POLICY_ASSOCIATION) == []
    assert [r for r in prod.resources if r.type.startswith("kubernetes:")] == []
    assert [r for r in prod.resources if r.type == "platform:eks:PreviewAccess"] == []


def test_preview_access_refuses_wildcards_secrets_and_access_objects() -> None:
    bad_args: list[dict[str, Any]] = [
        {"readable_core": ("pods", "secrets")},
        {"readable_core": ("pods/exec",)},
        {"readable_groups": ("*",)},
        {"dry_run_writable": {"": ("secrets",)}},
        {"dry_run_writable": {"apps": ("*",)}},
        {"dry_run_writable": {"rbac.authorization.k8s.io": ("clusterroles",)}},
        {"dry_run_writable": {"admissionregistration.k8s.io": ("validatingadmissionpolicies",)}},
        {"dry_run_writable": {"example.com": ("widgets",)}},  # writable but not readable
    ]
    for bad in bad_args:
        with pytest.raises(ValidationError):
            PreviewAccessArgs.model_validate(bad)


def _plural(kind: str) -> str:
    lower = kind.lower()
    if lower.endswith("y"):
        return lower[:-1] + "ies"
    return lower + ("es" if lower.endswith("s") else "s")


def test_every_kind_the_stack_manages_is_dry_run_writable_but_secrets_and_access_objects(
    stack_run: Callable[[str], Recording], stack_name: str
) -> None:
    rec = stack_run(stack_name)
    managed = set()
    for resource in rec.resources:
        if not resource.type.startswith("kubernetes:") or "helm.sh" in resource.type:
            continue
        _, group_version, kind = resource.type.split(":")
        group = group_version.rsplit("/", 1)[0].removeprefix("core")
        managed.add((group, _plural(kind)))
    excluded = {(g, r) for g, r in managed if r == "secrets" or g in PREVIEW_NEVER_WRITABLE_GROUPS}
    assert ("", "secrets") in excluded and len(excluded) == 5
    writable = {(g, r) for g, resources in PREVIEW_DRY_RUN_WRITABLE.items() for r in resources}
    assert managed - excluded == writable


def test_the_stack_files_name_the_roles_their_bootstrap_stacks_create(stack_name: str) -> None:
    bootstrap = yaml.safe_load(
        (PROJECT_ROOT / "bootstrap" / f"Pulumi.{stack_name}.yaml").read_text()
    )
    prefix = "platform-bootstrap:"
    config = BootstrapConfig.model_validate(
        {k.removeprefix(prefix): v for k, v in bootstrap["config"].items() if k.startswith(prefix)}
    )
    name_prefix = config.name_prefix(stack_name)
    ci_access = stack_config(stack_name).cluster.ci_access
    assert ci_access.deploy_role_name == f"{name_prefix}-ci-deploy"
    assert ci_access.preview_role_name == f"{name_prefix}-ci-preview"
    assert name_prefix == stack_config(stack_name).slug
