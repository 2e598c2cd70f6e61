"""Cluster: EKS, its managed node groups and managed add-ons, and a Kubernetes provider.

* EKS on standard support only (upgraded, never billed for extended support), authentication
  by access entries (API mode; the deploying principal, the configured admins and the CI's
  deploy role are cluster admins), Kubernetes secrets envelope-encrypted with the secrets key,
  all control-plane logs in a log group with retention and the logs key, the API endpoint
  private unless CIDRs are allowed.
* The CI's preview role (:class:`PreviewAccess`): a STANDARD access entry in the Kubernetes
  group ``platform:ci-preview``, which may read everything but Secrets and send create/patch
  requests for the kinds the platform manages only as dry-runs (RBAC grants the verbs, a
  ValidatingAdmissionPolicy rejects every request of the group that is not a dry-run).
* IAM: the cluster role has AmazonEKSClusterPolicy only; the nodes' role the three policies EKS
  nodes need (worker node, ECR pull-only, VPC CNI) and nothing else. Workloads get their own
  roles through EKS Pod Identity (:meth:`Cluster.workload_role`).
* Managed node groups in the private subnets, each with a launch template: IMDSv2 required with
  a hop limit of 1 by default (pods get credentials from Pod Identity, not the node), encrypted
  gp3 root volume, the platform's tags on instances and volumes; the AMI release pinned; rolling
  updates that keep capacity; automatic node repair; ``desired_size`` left to the autoscaler.
* Managed add-ons with pinned versions: vpc-cni (network policy enforcement on), kube-proxy and
  the Pod Identity agent before the nodes (so nodes come up with them); CoreDNS, the EBS CSI
  driver and CloudWatch observability (Container Insights, Fluent Bit) after them.
* A Kubernetes provider authenticating with ``aws eks get-token``, created once the node groups
  exist: every Kubernetes resource of the platform uses it, so none is created before there are
  nodes to run it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
from pydantic import Field

from aws_web_platform.core.aws_context import aws_context
from aws_web_platform.core.fields import InputStr, InputStrs, Wiring, compose
from aws_web_platform.core.iam import Statement, label_of, policy_document
from aws_web_platform.eks.config import ClusterConfig, NodeGroupConfig, Scheduling
from aws_web_platform.eks.preview_access import PREVIEW_GROUP, PreviewAccess, PreviewAccessArgs

LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
CLUSTER_ADMIN_POLICY = "arn:{partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
NODE_POLICIES = (
    "AmazonEKSWorkerNodePolicy",
    "AmazonEC2ContainerRegistryPullOnly",
    "AmazonEKS_CNI_Policy",
)
POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com"
#: The amazon-cloudwatch-observability add-on's configuration without Application Signals: no
#: application_signals pipeline in the agent, and the operator's auto-monitor off, so it injects
#: nothing into the apps' pods. Keys of the add-on's chart (aws-observability/helm-charts,
#: charts/amazon-cloudwatch-observability/values.yaml and templates/_helpers.tpl
#: "manager.modify-auto-monitor-config", release 6.2.0): monitorAllServices otherwise defaults to
#: true in every commercial region.
APPLICATION_SIGNALS_OFF: dict[str, Any] = {
    "applicationSignals": {"enabled": False},
    "manager": {"applicationSignals": {"autoMonitor": {"monitorAllServices": False}}},
}
#: Log groups the amazon-cloudwatch-observability add-on writes, with default retention (days).
CONTAINER_LOG_GROUPS = {"application": 7, "host": 30, "dataplane": 30, "performance": 7}

# --- The CI preview role's Kubernetes access ---------------------------------------------------


def _oidc_issuer(identities: Sequence[Any]) -> str:
    oidcs = identities[0].oidcs if identities else None
    return (oidcs[0].issuer if oidcs else None) or ""


class ClusterWiring(Wiring):
    """What :class:`Cluster` is wired to besides its settings."""

    cluster_name: str = Field(
        pattern=r"^[a-zA-Z][a-zA-Z0-9-]{0,99}$",
        description="EKS cluster name (fixed: the control-plane log group is named after it).",
    )
    vpc_id: InputStr = Field(
        description="VPC id (str or Output): the API endpoint's security group."
    )
    subnet_ids: InputStrs = Field(
        description="Private subnet ids (list or Output): nodes and the control-plane ENIs."
    )
    secrets_kms_key_arn: InputStr = Field(
        description="Key (ARN) envelope-encrypting Kubernetes secrets. Required."
    )
    logs_kms_key_arn: InputStr | None = Field(
        default=None, description="Key (ARN) of the control-plane log group. Default: CloudWatch's."
    )
    node_tags: dict[str, str] = Field(
        default_factory=dict,
        description="Tags for the instances and volumes the node groups launch (provider default "
        "tags do not reach them). Default none.",
    )
    container_log_retention_days: dict[str, int] = Field(
        default_factory=lambda: dict(CONTAINER_LOG_GROUPS),
        description="Retention (days) of each Container Insights log group: application (the "
        "pods' stdout), host, dataplane, performance. Created before the add-on, so Fluent "
        "Bit finds them encrypted and bounded instead of creating them without either. "
        "Default application 7 (spec), host and dataplane 30, performance 7.",
    )
    protect: bool = Field(
        default=True,
        description="Pulumi protect on the cluster: no deploy can delete it (and every "
        "workload with it), on top of EKS deletion protection, which a deploy could turn off "
        "in the same update. Default true; a stack without real data (dev) sets false.",
    )


class ClusterArgs(ClusterConfig, ClusterWiring):
    """Arguments of :class:`Cluster`: its settings (``ClusterConfig``) and its wiring
    (``ClusterWiring``), every field flat."""

    @classmethod
    def from_config(cls, config: ClusterConfig, wiring: ClusterWiring) -> ClusterArgs:
        """The Args of a stack file's settings and the platform's wiring."""
        return compose(cls, config, wiring)


class Cluster(pulumi.ComponentResource):
    """An EKS cluster with managed node groups, managed add-ons and a Kubernetes provider."""

    cluster: aws.eks.Cluster
    eks_name: str
    cluster_name: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    oidc_issuer: pulumi.Output[str]
    node_security_group_id: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    node_role: aws.iam.Role
    node_groups: dict[str, aws.eks.NodeGroup]
    addons: dict[str, aws.eks.Addon]
    container_log_groups: dict[str, aws.cloudwatch.LogGroup]
    workload_associations: dict[str, aws.eks.PodIdentityAssociation]
    provider: k8s.Provider
    ready: list[pulumi.Resource]
    deploy_access_entry: aws.eks.AccessEntry | None
    preview_access_entry: aws.eks.AccessEntry | None
    preview_access: PreviewAccess | None
    scheduling: dict[str, Scheduling]
    """Per node group: the node selector and tolerations of a pod that runs there."""

    def __init__(
        self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:eks:Cluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self._partition = aws_context(self).partition
        self._region = aws_context(self).region
        self._args = args
        self.eks_name = args.cluster_name
        self.scheduling = {group: config.scheduling() for group, config in args.node_groups.items()}

        role = aws.iam.Role(
            f"{name}-cluster-role",
            assume_role_policy=self._trust("eks.amazonaws.com"),
            description=f"EKS control plane of {args.cluster_name}",
            opts=child,
        )
        cluster_policy = aws.iam.RolePolicyAttachment(
            f"{name}-cluster-policy",
            role=role.name,
            policy_arn=self._managed("AmazonEKSClusterPolicy"),
            opts=child,
        )
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-control-plane-logs",
            name=f"/aws/eks/{args.cluster_name}/cluster",  # the group EKS writes to
            retention_in_days=args.log_retention_days,
            kms_key_id=args.logs_kms_key_arn,
            opts=child,
        )
        public_cidrs = list(args.endpoint_public_access_cidrs)
        # The control plane's ENIs also wear this group: it opens the private endpoint to the
        # configured networks without opening anything on the nodes (they wear only the
        # cluster security group EKS creates).
        api_group = aws.ec2.SecurityGroup(
            f"{name}-api-sg",
            vpc_id=args.vpc_id,
            description="EKS API private endpoint: 443 from the configured networks only",
            tags={"Name": f"{args.cluster_name}-api"},
            opts=child,
        )
        for cidr in args.private_endpoint_access_cidrs or ():
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-api-from-{cidr.replace('/', '-').replace('.', '-')}",
                security_group_id=api_group.id,
                cidr_ipv4=cidr,
                ip_protocol="tcp",
                from_port=443,
                to_port=443,
                description=f"Kubernetes API (private endpoint) from {cidr}",
                opts=child,
            )
        self.cluster = aws.eks.Cluster(
            f"{name}-cluster",
            name=args.cluster_name,
            version=args.kubernetes_version,
            role_arn=role.arn,
            vpc_config=aws.eks.ClusterVpcConfigArgs(
                subnet_ids=args.subnet_ids,
                security_group_ids=[api_group.id],
                endpoint_private_access=True,
                endpoint_public_access=bool(public_cidrs),
                public_access_cidrs=public_cidrs or None,
            ),
            access_config=aws.eks.ClusterAccessConfigArgs(
                authentication_mode="API",
                # The principal running `pulumi up` must reach the API to install the add-ons.
                bootstrap_cluster_creator_admin_permissions=True,
            ),
            encryption_config=aws.eks.ClusterEncryptionConfigArgs(
                provider=aws.eks.ClusterEncryptionConfigProviderArgs(
                    key_arn=args.secrets_kms_key_arn
                ),
                resources=["secrets"],
            ),
            enabled_cluster_log_types=LOG_TYPES,
            upgrade_policy=aws.eks.ClusterUpgradePolicyArgs(support_type="STANDARD"),
            # Every add-on is an EKS managed add-on with a pinned version, none self-managed.
            bootstrap_self_managed_addons=False,
            deletion_protection=args.deletion_protection,
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[cluster_policy, log_group], protect=args.protect
            ),
        )
        self.cluster_name = self.cluster.name
        self.endpoint = self.cluster.endpoint
        self.oidc_issuer = self.cluster.identities.apply(_oidc_issuer)
        # Nodes launched from a template without security groups get the cluster security group.
        self.node_security_group_id = self.cluster.vpc_config.apply(
            lambda config: config.cluster_security_group_id or ""
        )

        self._admins(name, args)
        self._ci_access(name, args)

        self.node_role, node_policies = self._node_role(name)
        self.addons = {}
        self.workload_associations = {}
        before = [
            self._addon(
                "vpc-cni",
                args.addons.vpc_cni,
                configuration={"enableNetworkPolicy": "true"},
            ),
            self._addon("kube-proxy", args.addons.kube_proxy),
            self._addon("eks-pod-identity-agent", args.addons.pod_identity_agent),
        ]
        self.node_groups = {
            group: self._node_group(name, group, config, depends_on=[*node_policies, *before])
            for group, config in sorted(args.node_groups.items())
        }
        nodes: list[pulumi.Resource] = list(self.node_groups.values())
        self.container_log_groups = {
            group: aws.cloudwatch.LogGroup(
                f"{name}-container-{group}-logs",
                name=f"/aws/containerinsights/{args.cluster_name}/{group}",
                retention_in_days=days,
                kms_key_id=args.logs_kms_key_arn,
                opts=child,
            )
            for group, days in sorted(args.container_log_retention_days.items())
        }
        after = [
            self._addon("coredns", args.addons.coredns, depends_on=nodes),
            self._addon(
                "aws-ebs-csi-driver",
                args.addons.ebs_csi_driver,
                depends_on=nodes,
                service_account=("ebs-csi-controller-sa", ["AmazonEBSCSIDriverPolicy"]),
            ),
            self._addon(
                "amazon-cloudwatch-observability",
                args.addons.cloudwatch_observability,
                configuration=None if args.application_signals else APPLICATION_SIGNALS_OFF,
                depends_on=[*nodes, *self.container_log_groups.values()],
                service_account=(
                    "cloudwatch-agent",
                    ["CloudWatchAgentServerPolicy", "AWSXrayWriteOnlyAccess"],
                ),
            ),
        ]
        self.ready = nodes + after

        self.kubeconfig = pulumi.Output.secret(self._kubeconfig())
        self.provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=self.kubeconfig,
            enable_server_side_apply=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=nodes),
        )
        self.preview_access = None
        if self.preview_access_entry is not None:
            self.preview_access = PreviewAccess(
                f"{name}-ci-preview",
                PreviewAccessArgs(),
                opts=pulumi.ResourceOptions(parent=self, providers={"kubernetes": self.provider}),
            )
        self.register_outputs(
            {
                "cluster_name": self.cluster_name,
                "endpoint": self.endpoint,
                "oidc_issuer": self.oidc_issuer,
                "node_security_group_id": self.node_security_group_id,
                "kubeconfig": self.kubeconfig,
            }
        )

    # --- intent -------------------------------------------------------------------------------

    def workload_role(
        self,
        name: str,
        namespace: str,
        service_account: str,
        policies: Sequence[str | Statement] = (),
    ) -> aws.iam.Role:
        """A role for exactly one Kubernetes service account, through EKS Pod Identity.

        The role trusts only the Pod Identity service; the association binds it to
        ``namespace``/``service_account`` of this cluster and nothing else. ``policies`` are AWS
        managed policy names or ARNs, or policy statements (dicts) kept as one inline policy.
        Intent methods of other components (``bucket.grant_read(role)``) add more. Pods get the
        credentials only if created after the association: deploy them after
        ``workload_associations[name]``.
        """
        role = self._service_role(name, policies, f"{namespace}/{service_account}")
        self.workload_associations[name] = aws.eks.PodIdentityAssociation(
            f"{label_of(self)}-{name}-pod-identity",
            cluster_name=self.cluster.name,
            namespace=namespace,
            service_account=service_account,
            role_arn=role.arn,
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[self.addons["eks-pod-identity-agent"]]
            ),
        )
        return role

    # --- parts --------------------------------------------------------------------------------

    def _managed(self, policy: str) -> str:
        if policy.startswith("arn:"):
            return policy
        path = "service-role/" if policy == "AmazonEBSCSIDriverPolicy" else ""
        return f"arn:{self._partition}:iam::aws:policy/{path}{policy}"

    @staticmethod
    def _trust(service: str) -> pulumi.Output[str]:
        return policy_document(
            [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": ["sts:AssumeRole", "sts:TagSession"],
                }
            ]
        )

    def _service_role(
        self, name: str, policies: Sequence[str | Statement], subject: str
    ) -> aws.iam.Role:
        """A Pod Identity role with its policies; the association is the caller's."""
        child = pulumi.ResourceOptions(parent=self)
        prefix = f"{label_of(self)}-{name}"
        role = aws.iam.Role(
            f"{prefix}-role",
            assume_role_policy=self._trust(POD_IDENTITY_PRINCIPAL),
            description=f"{subject} in EKS cluster {self._args.cluster_name} (Pod Identity)",
            opts=child,
        )
        statements = [p for p in policies if isinstance(p, dict)]
        for policy in (p for p in policies if isinstance(p, str)):
            slug = re.sub(r"[^a-z0-9]+", "-", policy.rsplit("/", 1)[-1].lower()).strip("-")
            aws.iam.RolePolicyAttachment(
                f"{prefix}-{slug}", role=role.name, policy_arn=self._managed(policy), opts=child
            )
        if statements:
            aws.iam.RolePolicy(
                f"{prefix}-policy", role=role.name, policy=policy_document(statements), opts=child
            )
        return role

    def _admins(self, name: str, args: ClusterArgs) -> None:
        """Cluster-admin access entries for the configured principals."""
        for arn in args.admin_principal_arns:
            self._admin(name, arn)

    def _admin(self, name: str, arn: str) -> aws.eks.AccessEntry:
        """One principal made cluster admin: an access entry with AmazonEKSClusterAdminPolicy
        at cluster scope. Named after the principal, so a role moved between the admin list
        and the CI deploy role keeps its entry."""
        label = re.sub(r"[^a-z0-9]+", "-", arn.rsplit(":", maxsplit=1)[-1].lower()).strip("-")
        entry = aws.eks.AccessEntry(
            f"{name}-admin-{label}",
            cluster_name=self.cluster.name,
            principal_arn=arn,
            type="STANDARD",
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.eks.AccessPolicyAssociation(
            f"{name}-admin-{label}-policy",
            cluster_name=self.cluster.name,
            principal_arn=arn,
            policy_arn=CLUSTER_ADMIN_POLICY.format(partition=self._partition),
            access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type="cluster"),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[entry]),
        )
        return entry

    def _ci_access(self, name: str, args: ClusterArgs) -> None:
        """Access entries of the CI roles the bootstrap stack made in this account: the deploy
        role as cluster admin, the preview role in the preview group (no access policy: the
        group's RBAC, :class:`PreviewAccess`, is all it gets). The account is the deploying
        credentials' own, so the stack files name roles, not ARNs."""
        ci = args.ci_access
        self.deploy_access_entry = self.preview_access_entry = None
        if ci.deploy_role_name is None and ci.preview_role_name is None:
            return
        account = aws_context(self).account_id

        def role_arn(role: str) -> str:
            return f"arn:{self._partition}:iam::{account}:role/{role}"

        if ci.deploy_role_name is not None:
            self.deploy_access_entry = self._admin(name, role_arn(ci.deploy_role_name))
        if ci.preview_role_name is not None:
            self.preview_access_entry = aws.eks.AccessEntry(
                f"{name}-ci-preview-entry",
                cluster_name=self.cluster.name,
                principal_arn=role_arn(ci.preview_role_name),
                type="STANDARD",
                kubernetes_groups=[PREVIEW_GROUP],
                opts=pulumi.ResourceOptions(parent=self),
            )

    def _node_role(self, name: str) -> tuple[aws.iam.Role, list[pulumi.Resource]]:
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            f"{name}-node-role",
            assume_role_policy=policy_document(
                [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "ec2.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ]
            ),
            description=f"Nodes of EKS cluster {self._args.cluster_name}",
            opts=child,
        )
        attachments: list[pulumi.Resource] = [
            aws.iam.RolePolicyAttachment(
                f"{name}-node-{policy.lower().replace('_', '-')}",
                role=role.name,
                policy_arn=self._managed(policy),
                opts=child,
            )
            for policy in NODE_POLICIES
        ]
        return role, attachments

    def _addon(
        self,
        addon: str,
        version: str,
        *,
        configuration: dict[str, Any] | None = None,
        depends_on: Sequence[pulumi.Resource] = (),
        service_account: tuple[str, list[str]] | None = None,
    ) -> aws.eks.Addon:
        """An EKS managed add-on at a pinned version; with a Pod Identity role if it calls AWS."""
        associations = None
        if service_account is not None:
            account, policies = service_account
            role = self._service_role(addon, policies, f"add-on {addon}")
            associations = [
                aws.eks.AddonPodIdentityAssociationArgs(role_arn=role.arn, service_account=account)
            ]
        created = aws.eks.Addon(
            f"{label_of(self)}-{addon}",
            cluster_name=self.cluster.name,
            addon_name=addon,
            addon_version=version,
            configuration_values=json.dumps(configuration) if configuration else None,
            pod_identity_associations=associations,
            # The platform owns add-on configuration: a deploy restores it.
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(depends_on)),
        )
        self.addons[addon] = created
        return created

    def _node_group(
        self,
        name: str,
        group: str,
        config: NodeGroupConfig,
        depends_on: Sequence[pulumi.Resource],
    ) -> aws.eks.NodeGroup:
        args = self._args
        bottlerocket = config.ami_type.startswith("BOTTLEROCKET")
        template = aws.ec2.LaunchTemplate(
            f"{name}-{group}-launch-template",
            description=f"Nodes of {group} in {args.cluster_name}",
            update_default_version=True,
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled",
                http_tokens="required",  # IMDSv2 only
                http_put_response_hop_limit=args.imds_hop_limit,
                instance_metadata_tags="disabled",
            ),
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    # Bottlerocket keeps images and logs on its second (data) volume.
                    device_name="/dev/xvdb" if bottlerocket else "/dev/xvda",
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_size=config.disk_size_gb,
                        volume_type="gp3",
                        encrypted="true",
                        delete_on_termination="true",
                    ),
                )
            ],
            tag_specifications=[
                aws.ec2.LaunchTemplateTagSpecificationArgs(
                    resource_type=kind,
                    tags=args.node_tags | {"Name": f"{args.cluster_name}-{group}"},
                )
                for kind in ("instance", "volume", "network-interface")
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
        release = config.release_version or (None if bottlerocket else args.ami_release_version)
        return aws.eks.NodeGroup(
            f"{name}-{group}",
            cluster_name=self.cluster.name,
            node_group_name_prefix=f"{group}-",
            node_role_arn=self.node_role.arn,
            subnet_ids=args.subnet_ids,
            instance_types=list(config.instance_types),
            capacity_type=config.capacity_type,
            ami_type=config.ami_type,
            release_version=release,
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(
                min_size=config.min_size,
                desired_size=config.desired_size,
                max_size=config.max_size,
            ),
            labels=dict(config.labels) or None,
            taints=[
                aws.eks.NodeGroupTaintArgs(key=t.key, value=t.value or None, effect=t.effect)
                for t in config.taints
            ]
            or None,
            launch_template=aws.eks.NodeGroupLaunchTemplateArgs(
                id=template.id, version=template.latest_version.apply(str)
            ),
            update_config=aws.eks.NodeGroupUpdateConfigArgs(
                max_unavailable_percentage=config.max_unavailable_percent
            ),
            node_repair_config=aws.eks.NodeGroupNodeRepairConfigArgs(enabled=True),
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=list(depends_on),
                # The autoscaler owns the size once the group exists.
                ignore_changes=["scalingConfig.desiredSize"],
            ),
        )

    def _kubeconfig(self) -> pulumi.Output[str]:
        """A kubeconfig that authenticates with `aws eks get-token` (no static credentials)."""
        region = self._region
        return pulumi.Output.all(
            self.cluster.endpoint, self.cluster.certificate_authority.data, self.cluster.name
        ).apply(
            lambda values: json.dumps(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "clusters": [
                        {
                            "name": values[2],
                            "cluster": {
                                "server": values[0],
                                "certificate-authority-data": values[1],
                            },
                        }
                    ],
                    "contexts": [
                        {"name": values[2], "context": {"cluster": values[2], "user": values[2]}}
                    ],
                    "current-context": values[2],
                    "users": [
                        {
                            "name": values[2],
                            "user": {
                                "exec": {
                                    "apiVersion": "client.authentication.k8s.io/v1beta1",
                                    "command": "aws",
                                    "args": [
                                        "eks",
                                        "get-token",
                                        "--cluster-name",
                                        values[2],
                                        "--region",
                                        region,
                                        "--output",
                                        "json",
                                    ],
                                    "interactiveMode": "Never",
                                }
                            },
                        }
                    ],
                },
                sort_keys=True,
            )
        )
