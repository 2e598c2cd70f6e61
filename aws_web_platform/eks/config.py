"""Settings of the EKS cluster: version, endpoint access, node groups, managed add-ons and CI's
access."""

from __future__ import annotations

import warnings
from typing import Annotated, Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel
from pydantic.config import JsonDict

from aws_web_platform.core.fields import (
    ConfigModel,
    IamPrincipalArn,
    IPv4NetworkText,
    LogRetentionDays,
)
from aws_web_platform.eks.capacity import (
    AMI_ARCHITECTURES,
    architecture_mismatches,
)

KubernetesVersion = Literal["1.34", "1.35", "1.36"]
InstanceTypeName = Literal[
    "t4g.medium", "t4g.large", "t4g.xlarge", "t4g.2xlarge",
    "m7g.large", "m7g.xlarge", "m7g.2xlarge", "m7g.4xlarge",
    "m6g.large", "m6g.xlarge", "m6g.2xlarge", "m6g.4xlarge",
    "c7g.large", "c7g.xlarge", "c7g.2xlarge", "c7g.4xlarge",
    "c6g.large", "c6g.xlarge", "c6g.2xlarge", "c6g.4xlarge",
    "r7g.large", "r7g.xlarge", "r7g.2xlarge", "r7g.4xlarge",
    "r6g.large", "r6g.xlarge", "r6g.2xlarge", "r6g.4xlarge",
    "t3.medium", "t3.large", "t3.xlarge", "t3.2xlarge",
    "m7i.large", "m7i.xlarge", "m7i.2xlarge", "m7i.4xlarge",
    "m6i.large", "m6i.xlarge", "m6i.2xlarge", "m6i.4xlarge",
    "c7i.large", "c7i.xlarge", "c7i.2xlarge", "c7i.4xlarge",
    "c6i.large", "c6i.xlarge", "c6i.2xlarge", "c6i.4xlarge",
    "r7i.large", "r7i.xlarge", "r7i.2xlarge", "r7i.4xlarge",
    "r6i.large", "r6i.xlarge", "r6i.2xlarge", "r6i.4xlarge",
]  # fmt: skip
AmiType = Literal[
    "AL2023_ARM_64_STANDARD", "AL2023_x86_64_STANDARD", "BOTTLEROCKET_ARM_64", "BOTTLEROCKET_x86_64"
]
AddonVersion = Annotated[
    str,
    Field(
        pattern=r"^v\d+\.\d+\.\d+-eksbuild\.\d+$",
        json_schema_extra={"allowed": "an EKS add-on version such as v1.22.4-eksbuild.3"},
    ),
]
LabelKey = Annotated[
    str, Field(pattern=r"^([a-z0-9.-]{1,253}/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
]
LabelValue = Annotated[str, Field(pattern=r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")]


class TaintConfig(ConfigModel):
    """A Kubernetes taint put on every node of a group."""

    key: LabelKey = Field(description="Taint key, e.g. CriticalAddonsOnly.")
    value: LabelValue = Field(default="", description="Taint value. Default empty.")
    effect: Literal["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"] = Field(
        default="NO_SCHEDULE",
        description="What the taint does to pods without a toleration. Default NO_SCHEDULE.",
    )


#: Taint effects: the EKS node group API's names -> Kubernetes' names.
KubernetesTaintEffect = Literal["NoSchedule", "NoExecute", "PreferNoSchedule"]
KUBERNETES_TAINT_EFFECTS: dict[str, KubernetesTaintEffect] = {
    "NO_SCHEDULE": "NoSchedule",
    "NO_EXECUTE": "NoExecute",
    "PREFER_NO_SCHEDULE": "PreferNoSchedule",
}


class Toleration(BaseModel):
    """A pod's toleration of one node-group taint (Kubernetes' effect names)."""

    model_config = ConfigDict(frozen=True)

    key: str
    value: str = ""
    effect: KubernetesTaintEffect = "NoSchedule"

    def as_dict(self) -> dict[str, str]:
        """The toleration as a pod spec (and a Helm chart's values) write it."""
        return {"key": self.key, "operator": "Equal", "value": self.value, "effect": self.effect}


class Scheduling(BaseModel):
    """What a pod needs to land on one node group: its labels and its taints' tolerations.

    Derived from the group's settings by :meth:`NodeGroupConfig.scheduling`, which both the
    cluster (``Cluster.scheduling``) and the stack's workload plan use, so the two never differ.
    """

    model_config = ConfigDict(frozen=True)

    node_selector: dict[str, str] = Field(default_factory=dict[str, str])
    tolerations: tuple[Toleration, ...] = ()


def legacy_scheduling(data: Any, *, selector: str, tolerations: str, into: str, owner: str) -> Any:
    """Arguments of 0.1.0 that gave a node selector and taints apart (``selector`` and
    ``tolerations``, by field name or camelCase alias), turned into ``into`` (a
    :class:`Scheduling`) with a ``DeprecationWarning``: they go away in the next release.
    Taints may name their effect as Kubernetes does or as the EKS API does (NO_SCHEDULE)."""
    if not isinstance(data, dict):
        return cast(object, data)
    given = cast(dict[str, Any], data)
    names = {name: name for name in (selector, tolerations)}
    names |= {to_camel(name): name for name in (selector, tolerations)}
    legacy = {names[key]: given[key] for key in list(given) if key in names}
    if not legacy:
        return given
    warnings.warn(
        f"{owner}: {' and '.join(sorted(legacy))} are deprecated; pass {into}="
        "Scheduling(...) (cluster.scheduling[<node group>]); they go away in the next release",
        DeprecationWarning,
        stacklevel=4,
    )
    rest = {key: value for key, value in given.items() if key not in names}
    taints = cast(list[dict[str, str]], legacy.get(tolerations) or [])
    rest[into] = Scheduling(
        node_selector=dict(cast(dict[str, str], legacy.get(selector) or {})),
        tolerations=tuple(
            Toleration(
                key=taint["key"],
                value=taint.get("value", ""),
                effect=KUBERNETES_TAINT_EFFECTS.get(
                    taint.get("effect", "NO_SCHEDULE"),
                    cast(KubernetesTaintEffect, taint.get("effect")),
                ),
            )
            for taint in taints
        ),
    )
    return rest


class NodeGroupConfig(ConfigModel):
    """One EKS managed node group."""

    instance_types: tuple[InstanceTypeName, ...] = Field(
        min_length=1,
        description="EC2 instance types, first preferred. Required. Several types (same "
        "vCPU/memory) make spot capacity far more available.",
    )
    capacity_type: Literal["ON_DEMAND", "SPOT"] = Field(
        default="ON_DEMAND",
        description="ON_DEMAND (default) or SPOT (up to 90 % cheaper, can be reclaimed with two "
        "minutes' notice: only for interruptible work such as queue workers).",
    )
    ami_type: AmiType = Field(
        default="AL2023_ARM_64_STANDARD",
        description="EKS-managed AMI. Default AL2023 on Graviton (arm64): better price per "
        "vCPU; images must be built for linux/arm64.",
    )
    release_version: str | None = Field(
        default=None,
        pattern=r"^\d+\.\d+\.\d+-([0-9]{8}|[0-9a-f]{8})$",
        description="AMI release of this group. Default: cluster.amiReleaseVersion for AL2023 "
        "groups; Bottlerocket groups pin their own.",
        json_schema_extra={"allowed": "1.36.3-20260911 (AL2023) or 1.50.0-0be31b34 (Bottlerocket)"},
    )
    min_size: int = Field(default=1, ge=0, le=1000, description="Fewest nodes. Default 1.")
    desired_size: int = Field(
        default=2,
        ge=0,
        le=1000,
        description="Nodes at creation; afterwards the cluster autoscaler owns it (Pulumi "
        "ignores changes, so a deploy never undoes a scale-out). Default 2.",
    )
    max_size: int = Field(default=3, ge=1, le=1000, description="Most nodes. Default 3.")
    labels: dict[LabelKey, LabelValue] = Field(
        default_factory=dict,
        description="Kubernetes labels on the nodes; workloads select a group by them.",
    )
    taints: tuple[TaintConfig, ...] = Field(
        default=(), description="Taints on the nodes: only pods tolerating them land there."
    )
    disk_size_gb: int = Field(
        default=50,
        ge=20,
        le=1000,
        description="Root volume (gp3, encrypted) in GB. Default 50: room for images and logs.",
    )
    max_unavailable_percent: int = Field(
        default=33,
        ge=1,
        le=100,
        description="Share of nodes replaced at once during an update (AMI release, config). "
        "Default 33: capacity stays for the PodDisruptionBudgets of the apps.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> NodeGroupConfig:
        problems: list[str] = []
        if not self.min_size <= self.desired_size <= self.max_size:
            problems.append(
                f"need $.minSize <= $.desiredSize <= $.maxSize, got {self.min_size} <= "
                f"{self.desired_size} <= {self.max_size}"
            )
        mismatched = architecture_mismatches(self.instance_types, self.ami_type)
        if mismatched:
            problems.append(
                f"$.instanceTypes {', '.join(mismatched)} are not offered for the "
                f"{AMI_ARCHITECTURES[self.ami_type]} architecture of $.amiType {self.ami_type}"
            )
        if self.capacity_type == "SPOT" and len(self.instance_types) < 2:
            problems.append(
                "$.capacityType SPOT needs at least two $.instanceTypes: one type alone runs "
                "out of spot capacity"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def scheduling(self) -> Scheduling:
        """The node selector and tolerations of a pod that runs on this group."""
        return Scheduling(
            node_selector=dict(self.labels),
            tolerations=tuple(
                Toleration(
                    key=taint.key,
                    value=taint.value or "",
                    effect=KUBERNETES_TAINT_EFFECTS[taint.effect],
                )
                for taint in self.taints
            ),
        )


class ClusterAddonsConfig(ConfigModel):
    """Versions of the EKS managed add-ons, pinned (docs/compute.md says how to bump them)."""

    vpc_cni: AddonVersion = Field(
        default="v1.22.4-eksbuild.3",
        description="Amazon VPC CNI (pod networking, network policy enforcement on).",
    )
    coredns: AddonVersion = Field(
        default="v1.14.3-eksbuild.3", description="CoreDNS (cluster DNS)."
    )
    kube_proxy: AddonVersion = Field(
        default="v1.36.0-eksbuild.14", description="kube-proxy: its minor follows Kubernetes."
    )
    pod_identity_agent: AddonVersion = Field(
        default="v1.3.10-eksbuild.3",
        description="EKS Pod Identity agent: workload IAM roles without node credentials.",
    )
    ebs_csi_driver: AddonVersion = Field(
        default="v1.63.1-eksbuild.1",
        description="Amazon EBS CSI driver: gp3 volumes for Prometheus and other state.",
    )
    cloudwatch_observability: AddonVersion = Field(
        default="v6.2.0-eksbuild.1",
        description="Container Insights metrics and Fluent Bit logs (the alarms' source).",
    )


_IAM_ROLE_NAME_ALLOWED: JsonDict = {
    "allowed": "an IAM role name: 1 to 64 letters, digits or + = , . @ _ - (no path, no ARN), "
    "e.g. learning-platform-prod-ci-deploy"
}
IamRoleName = Annotated[
    str, Field(pattern=r"^[\w+=,.@-]{1,64}$", json_schema_extra=_IAM_ROLE_NAME_ALLOWED)
]


class CiClusterAccessConfig(ConfigModel):
    """Kubernetes access of the CI roles the bootstrap stack creates (docs/delivery.md).

    Role names, not ARNs: the roles live in the stack's own account, whose id the program reads
    from the deploying credentials, so the stack files carry no account id.
    """

    deploy_role_name: IamRoleName | None = Field(
        default=None,
        json_schema_extra=_IAM_ROLE_NAME_ALLOWED,  # also when the key is set but not a name
        description="IAM role of the deploy workflows (the bootstrap stack's "
        "<project>-<environment>-ci-deploy), given cluster admin (AmazonEKSClusterAdminPolicy, "
        "cluster scope) through an access entry: a deploy installs CRDs, cluster roles and "
        "admission policies. The role must exist (deploy the bootstrap stack first) and must "
        "not be the cluster's creator, which EKS has made admin already. Default none: no entry.",
    )
    preview_role_name: IamRoleName | None = Field(
        default=None,
        json_schema_extra=_IAM_ROLE_NAME_ALLOWED,  # also when the key is set but not a name
        description="IAM role of the pull-request previews (<project>-<environment>-ci-preview), "
        "given a STANDARD access entry in the Kubernetes group platform:ci-preview: read "
        "everything but Secrets, and dry-run-only create/patch of the kinds the platform "
        "manages, enforced by a ValidatingAdmissionPolicy. The role must exist (bootstrap "
        "first). Default none: no entry, so Kubernetes previews fail as Unauthorized.",
    )

    @model_validator(mode="after")
    def _distinct(self) -> CiClusterAccessConfig:
        if self.deploy_role_name is not None and self.deploy_role_name == self.preview_role_name:
            raise ValueError(
                f"$.deployRoleName and $.previewRoleName name the same role "
                f"{self.deploy_role_name!r}: an IAM principal has one access entry, and the "
                "preview role must never be admin"
            )
        return self


class ClusterConfig(ConfigModel):
    """EKS: version, endpoint access, admins, logs, node groups, managed add-ons."""

    kubernetes_version: KubernetesVersion = Field(
        default="1.36",
        description="Kubernetes version. Default 1.36, the newest EKS offers in standard support "
        "(to 2027-08; 1.34 leaves it on 2026-12-02). The cluster is on standard support only: "
        "it is upgraded rather than billed for extended support.",
    )
    ami_release_version: str = Field(
        default="1.36.3-20260911",
        pattern=r"^\d+\.\d+\.\d+-\d{8}$",
        description="EKS AL2023 AMI release of the node groups, pinned so nodes change only when "
        "this changes (docs/compute.md: how to bump for security patches).",
        json_schema_extra={"allowed": "<kubernetes patch>-<YYYYMMDD>, e.g. 1.36.3-20260911"},
    )
    endpoint_public_access_cidrs: tuple[IPv4NetworkText, ...] = Field(
        default=(),
        description="Networks that may reach the Kubernetes API from the internet (e.g. the CI "
        "runners' egress). Default none: the public endpoint is off.",
    )
    private_endpoint_access_cidrs: tuple[IPv4NetworkText, ...] | None = Field(
        default=None,
        description="Networks inside or connected to the VPC (a runner in the private subnets, "
        "a VPN) that may reach the private endpoint on 443. Default: the VPC's own CIDR, so a "
        "deploy runner in the private subnets reaches the API (docs/compute.md: first deploy).",
    )
    admin_principal_arns: tuple[IamPrincipalArn, ...] = Field(
        default=(),
        description="IAM roles/users given cluster-admin through EKS access entries (the "
        "deploying principal is admin already). Default none.",
    )
    log_retention_days: LogRetentionDays = Field(
        default=90,
        description="Days CloudWatch keeps control-plane logs (api, audit, authenticator, "
        "controllerManager, scheduler). Default 90: audit trails for incident reviews.",
    )
    deletion_protection: bool = Field(
        default=True,
        description="EKS deletion protection: the cluster cannot be deleted until it is turned "
        "off. Default true; dev sets false.",
    )
    imds_hop_limit: Literal[1, 2] = Field(
        default=1,
        description="IMDSv2 hop limit on the nodes. Default 1: pods (which get AWS credentials "
        "from Pod Identity) cannot reach the instance metadata and the node's role.",
    )
    node_groups: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,30}$")], NodeGroupConfig] = (
        Field(
            default_factory=lambda: {
                "system": NodeGroupConfig(
                    instance_types=("m7g.large",),
                    min_size=2,
                    desired_size=2,
                    max_size=4,
                    labels={"platform.io/node-group": "system"},
                    taints=(TaintConfig(key="CriticalAddonsOnly", value="true"),),
                ),
                "apps": NodeGroupConfig(
                    instance_types=("m7g.xlarge",),
                    min_size=3,
                    desired_size=4,
                    max_size=20,
                    labels={"platform.io/node-group": "apps"},
                ),
                "workers": NodeGroupConfig(
                    # Same vCPU and memory: the autoscaler sizes a group by one shape.
                    instance_types=("m7g.large", "m6g.large"),
                    capacity_type="SPOT",
                    min_size=1,
                    desired_size=2,
                    max_size=10,
                    labels={"platform.io/node-group": "workers"},
                    taints=(TaintConfig(key="platform.io/workers", value="true"),),
                ),
            },
            description="Managed node groups by name. Default: system (on-demand, tainted for "
            "add-ons), apps (on-demand, web and API) and workers (spot, tainted for queue "
            "workers).",
        )
    )
    addons: ClusterAddonsConfig = Field(
        default=ClusterAddonsConfig(), description="EKS managed add-on versions (pinned)."
    )
    application_signals: bool = Field(
        default=False,
        description="CloudWatch Application Signals in the amazon-cloudwatch-observability "
        "add-on. Default false: the add-on turns it on by default, and its operator then "
        "injects an ADOT init container without a security context into every Node.js pod "
        "(auto-monitor), which the app namespaces' restricted Pod Security refuses, and sends "
        "telemetry the NetworkPolicies block. True keeps the add-on's defaults: only for "
        "namespaces at Pod Security baseline with egress to the agent allowed.",
    )
    ci_access: CiClusterAccessConfig = Field(
        default=CiClusterAccessConfig(),
        description="Cluster access of the CI's deploy and preview roles (see "
        "CiClusterAccessConfig). Default none: CI cannot reach the Kubernetes API.",
    )

    @model_validator(mode="after")
    def _ci_roles_are_not_also_admins(self) -> ClusterConfig:
        problems: list[str] = []
        for key, role in (
            ("deployRoleName", self.ci_access.deploy_role_name),
            ("previewRoleName", self.ci_access.preview_role_name),
        ):
            for index, arn in enumerate(self.admin_principal_arns):
                resource = arn.split(":", 5)[-1]  # role/[path/]name or user/[path/]name
                if resource.startswith("role/") and resource.rsplit("/", 1)[-1] == role:
                    problems.append(
                        f"$.ciAccess.{key} {role!r} is also $.adminPrincipalArns[{index}]: an "
                        "IAM principal has one access entry; list the role in one place only"
                    )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @model_validator(mode="after")
    def _versions_agree(self) -> ClusterConfig:
        problems: list[str] = []
        if not self.ami_release_version.startswith(f"{self.kubernetes_version}."):
            problems.append(
                f"$.amiReleaseVersion {self.ami_release_version} is not for $.kubernetesVersion "
                f"{self.kubernetes_version}"
            )
        if not self.addons.kube_proxy.startswith(f"v{self.kubernetes_version}."):
            problems.append(
                f"$.addons.kubeProxy {self.addons.kube_proxy} is not for $.kubernetesVersion "
                f"{self.kubernetes_version}"
            )
        for name, group in self.node_groups.items():
            if group.ami_type.startswith("BOTTLEROCKET") and group.release_version is None:
                problems.append(
                    f"$.nodeGroups.{name}.releaseVersion: Bottlerocket groups pin their own"
                )
        if not self.node_groups:
            problems.append("$.nodeGroups needs at least one node group")

        if problems:
            raise ValueError("; ".join(problems))
        return self
