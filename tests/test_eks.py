"""Specification of the EKS Cluster component, one test per promised behaviour."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.config import ClusterConfig
from components.eks import Cluster, ClusterArgs
from components.testing import Recording, run
from tests.conftest import BASE_CONFIG, built, with_aws

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
