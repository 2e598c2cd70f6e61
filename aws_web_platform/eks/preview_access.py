"""PreviewAccess: what CI's read-only preview role may do inside an EKS cluster.

A pull request's `pulumi preview` reads the cluster's objects and sends server-side dry-run
applies, which Kubernetes authorises like real writes. This component gives the preview role's
Kubernetes group exactly that: reads without Secrets, dry-run create/patch on the kinds the
platform manages, and an admission policy that rejects any of the group's requests that is not a
dry run. docs/delivery.md explains the choices (no Secrets at all, Helm release records
included).
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: Kubernetes group of the preview role's access entry: the RBAC binding and the admission
#: policy name it, never the role itself.
PREVIEW_GROUP = "platform:ci-preview"
#: Core-group resources the preview group reads: every top-level one except Secrets (their
#: values). Named one by one because ``*`` would include Secrets and the subresources that
#: reach into running pods and nodes (pods/exec, attach, portforward, proxy, log; nodes/proxy;
#: services/proxy), which a pull request has no business with.
PREVIEW_READABLE_CORE: tuple[str, ...] = (
    "configmaps",
    "endpoints",
    "events",
    "limitranges",
    "namespaces",
    "nodes",
    "persistentvolumeclaims",
    "persistentvolumes",
    "pods",
    "podtemplates",
    "replicationcontrollers",
    "resourcequotas",
    "serviceaccounts",
    "services",
)
#: API groups the preview group reads in full (``*`` resources): Kubernetes' built-in groups
#: other than the core group, and those of the custom resources the platform manages or its
#: add-ons install. ``apiGroups: ["*"]`` would include the core group, hence Secrets. Groups
#: left out (an add-on's generators, say) are simply not readable.
PREVIEW_READABLE_GROUPS: tuple[str, ...] = (
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "apps",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "networking.k8s.io",
    "node.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "resource.k8s.io",
    "scheduling.k8s.io",
    "storage.k8s.io",
    # Custom resources: the load balancer controller's, External Secrets', the Prometheus
    # operator's, and the VPC CNI's (network policy endpoints, security groups for pods).
    "elbv2.k8s.aws",
    "external-secrets.io",
    "monitoring.coreos.com",
    "networking.k8s.aws",
    "vpcresources.k8s.aws",
)
#: What a preview sends: server-side apply (PATCH, and CREATE when the object does not exist
#: yet) with dryRun=All. It never updates (PUT) or deletes: a preview plans deletes without
#: calling the API.
PREVIEW_DRY_RUN_VERBS: tuple[str, ...] = ("create", "patch")
#: Resources (by API group) whose changes a preview dry-runs on the server: the kinds the
#: platform's program manages, except Secrets (a dry-run apply answers with the merged object,
#: values included), RBAC and admission objects (the access's own guard; admission policies and
#: webhooks are exempt from admission, so nothing would stop a real write). A kind missing here
#: still previews, from its inputs only: the provider falls back when the dry-run is forbidden.
PREVIEW_DRY_RUN_WRITABLE: dict[str, tuple[str, ...]] = {
    "": (
        "configmaps",
        "limitranges",
        "namespaces",
        "resourcequotas",
        "serviceaccounts",
        "services",
    ),
    "apps": ("deployments",),
    "autoscaling": ("horizontalpodautoscalers",),
    "batch": ("cronjobs", "jobs"),
    "monitoring.coreos.com": ("prometheusrules",),
    "networking.k8s.io": ("networkpolicies",),
    "policy": ("poddisruptionbudgets",),
    "storage.k8s.io": ("storageclasses",),
    "elbv2.k8s.aws": ("targetgroupbindings",),
    "external-secrets.io": ("clustersecretstores", "externalsecrets"),
}
#: Never dry-run writable: see PREVIEW_DRY_RUN_WRITABLE.
PREVIEW_NEVER_WRITABLE_GROUPS = ("rbac.authorization.k8s.io", "admissionregistration.k8s.io")
#: The admission policy admits the group's requests only as dry-runs (``dryRun`` is false, or
#: absent, on a real request). Written so it cannot fail to evaluate.
PREVIEW_DRY_RUN_ONLY = "has(request.dryRun) && request.dryRun == true"


def group_match_condition(group: str) -> str:
    """CEL selecting the requests of one Kubernetes group. It cannot fail to evaluate: with the
    policy failing closed, an error would reject everybody's requests, not only the group's."""
    return f"has(request.userInfo.groups) && '{group}' in request.userInfo.groups"


class PreviewAccessArgs(BaseModel):
    """Arguments of :class:`PreviewAccess`: the group and what it may read and dry-run."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    group: str = Field(
        default=PREVIEW_GROUP,
        pattern=r"^[a-z0-9][a-z0-9.:-]{0,62}$",
        description="Kubernetes group of the preview principal's access entry. Default "
        "platform:ci-preview. Not system:*: those groups belong to Kubernetes.",
    )
    object_name: str = Field(
        default="platform-ci-preview",
        pattern=r"^[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?$",
        description="Name of the ClusterRole and its binding; the admission policy and its "
        "binding add -dry-run-only. Default platform-ci-preview.",
    )
    readable_core: tuple[str, ...] = Field(
        default=PREVIEW_READABLE_CORE,
        description="Core-group resources the group may get, list and watch. Default every "
        "top-level one but Secrets (PREVIEW_READABLE_CORE).",
    )
    readable_groups: tuple[str, ...] = Field(
        default=PREVIEW_READABLE_GROUPS,
        description="API groups the group may read in full. Default the built-in groups and "
        "the platform's custom resource groups (PREVIEW_READABLE_GROUPS).",
    )
    dry_run_writable: dict[str, tuple[str, ...]] = Field(
        default_factory=lambda: dict(PREVIEW_DRY_RUN_WRITABLE),
        description="Resources by API group the group may create and patch, as dry-runs only. "
        "Default the kinds the platform manages but Secrets, RBAC and admission objects "
        "(PREVIEW_DRY_RUN_WRITABLE).",
    )

    @field_validator("readable_core", "readable_groups")
    @classmethod
    def _no_wildcards_or_secrets(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        bad = [v for v in values if v in ("*", "", "secrets") or "/" in v]
        if bad:
            raise ValueError(
                f"{bad} not allowed: '*' or the core group would include Secrets, and "
                "subresources reach into pods and nodes"
            )
        return values

    @model_validator(mode="after")
    def _writes_stay_harmless(self) -> PreviewAccessArgs:
        problems = []
        for group, resources in self.dry_run_writable.items():
            if group in PREVIEW_NEVER_WRITABLE_GROUPS or group == "*":
                problems.append(
                    f"{group!r}: a write there would change the access itself, or escape the "
                    "admission policy (admission objects are exempt from admission)"
                )
            for resource in resources:
                if resource in ("*", "secrets") or "/" in resource:
                    problems.append(
                        f"{group}/{resource}: wildcards, Secrets and subresources are not "
                        "dry-run writable (a dry-run apply answers with the whole object)"
                    )
                readable = (
                    resource in self.readable_core if group == "" else group in self.readable_groups
                )
                if not readable:
                    problems.append(
                        f"{group or 'core'}/{resource} is writable but not readable: an update "
                        "preview reads the live object first"
                    )
        if problems:
            raise ValueError("; ".join(problems))
        return self


class PreviewAccess(pulumi.ComponentResource):
    """What a pull-request preview may do in the cluster: read, and dry-run, nothing more.

    Pull-request code runs with the preview role, so whoever can push a branch holds this
    access. A preview needs to read the live objects it updates and to dry-run its changes on
    the server (pulumi-kubernetes previews are server-side apply requests with dryRun=All,
    which Kubernetes authorizes like real writes). So the group gets, through a ClusterRole:

    * get/list/watch on every resource except Secrets and the pod and node subresources
      (exec, attach, port-forward, proxy, logs);
    * create/patch on the kinds the platform manages, except Secrets, RBAC and admission
      objects;

    and a ValidatingAdmissionPolicy (failing closed) rejects every CREATE, UPDATE, DELETE or
    CONNECT request of the group that is not a dry-run, so the write verbs can never change
    anything. The policy and its binding exist before the ClusterRoleBinding grants the verbs.
    Helm releases need nothing more: their previews render the chart on the client and
    compare inputs; only a refresh would read the release records (Secrets), and previews do
    not refresh.
    """

    cluster_role: k8s.rbac.v1.ClusterRole
    cluster_role_binding: k8s.rbac.v1.ClusterRoleBinding
    policy: k8s.admissionregistration.v1.ValidatingAdmissionPolicy
    policy_binding: k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding

    def __init__(
        self, name: str, args: PreviewAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:eks:PreviewAccess", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        guard = f"{args.object_name}-dry-run-only"
        self.policy = k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
            f"{name}-dry-run-only",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=guard),
            spec=k8s.admissionregistration.v1.ValidatingAdmissionPolicySpecArgs(
                failure_policy="Fail",
                match_constraints=k8s.admissionregistration.v1.MatchResourcesArgs(
                    resource_rules=[
                        k8s.admissionregistration.v1.NamedRuleWithOperationsArgs(
                            api_groups=["*"],
                            api_versions=["*"],
                            operations=["CREATE", "UPDATE", "DELETE", "CONNECT"],
                            resources=["*/*"],  # every resource and subresource
                        )
                    ]
                ),
                match_conditions=[
                    k8s.admissionregistration.v1.MatchConditionArgs(
                        name="preview-group", expression=group_match_condition(args.group)
                    )
                ],
                validations=[
                    k8s.admissionregistration.v1.ValidationArgs(
                        expression=PREVIEW_DRY_RUN_ONLY,
                        message=f"members of {args.group} may only send dry-run requests",
                        reason="Forbidden",
                    )
                ],
            ),
            opts=child,
        )
        self.policy_binding = k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
            f"{name}-dry-run-only-binding",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=guard),
            spec=k8s.admissionregistration.v1.ValidatingAdmissionPolicyBindingSpecArgs(
                policy_name=guard, validation_actions=["Deny"]
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.policy]),
        )
        self.cluster_role = k8s.rbac.v1.ClusterRole(
            f"{name}-cluster-role",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=args.object_name),
            rules=preview_rules(args),
            opts=child,
        )
        self.cluster_role_binding = k8s.rbac.v1.ClusterRoleBinding(
            f"{name}-cluster-role-binding",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=args.object_name),
            role_ref=k8s.rbac.v1.RoleRefArgs(
                api_group="rbac.authorization.k8s.io", kind="ClusterRole", name=args.object_name
            ),
            subjects=[
                k8s.rbac.v1.SubjectArgs(
                    api_group="rbac.authorization.k8s.io", kind="Group", name=args.group
                )
            ],
            # The write verbs only once the policy making them dry-run-only is in force.
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[self.cluster_role, self.policy_binding]
            ),
        )
        self.register_outputs(
            {"group": args.group, "cluster_role": args.object_name, "admission_policy": guard}
        )


def preview_rules(args: PreviewAccessArgs) -> list[k8s.rbac.v1.PolicyRuleArgs]:
    """The preview group's RBAC rules: reads without Secrets, then the dry-run writes."""
    reads = ["get", "list", "watch"]
    return [
        k8s.rbac.v1.PolicyRuleArgs(
            api_groups=[""], resources=list(args.readable_core), verbs=reads
        ),
        k8s.rbac.v1.PolicyRuleArgs(
            api_groups=list(args.readable_groups), resources=["*"], verbs=reads
        ),
        *(
            k8s.rbac.v1.PolicyRuleArgs(
                api_groups=[group], resources=list(resources), verbs=list(PREVIEW_DRY_RUN_VERBS)
            )
            for group, resources in sorted(args.dry_run_writable.items())
        ),
    ]
