"""AppNamespace: a Kubernetes namespace for apps, with Pod Security and resource budgets.

* Pod Security Admission ``restricted`` enforced (and audited, warned): pods must run as
  non-root, drop all capabilities, use the RuntimeDefault seccomp profile and never escalate
  privileges (spec, seed 003: non-root, no new privileges).
* A ResourceQuota caps what the namespace may request and consume, so one runaway deployment
  cannot starve the cluster; a LimitRange gives containers that set nothing sane defaults and
  bounds what one container may ask for.
* Pod readiness gates of the AWS Load Balancer Controller: pods behind the ALB are ready only
  once the ALB finds them healthy.
* NetworkPolicies (enforced by the VPC CNI's policy agent): everything denied in and out by
  default, DNS to the cluster's CoreDNS allowed; each workload opens exactly its own paths
  (:class:`~aws_web_platform.k8s.app_service.AppService`)
 . The kubelet's probes come from the node's address,
  which the policy agent always admits.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s
from pydantic import Field

from aws_web_platform.core.fields import Wiring, compose
from aws_web_platform.k8s.config import NamespaceQuotaConfig

POD_SECURITY = "restricted"


class AppNamespaceWiring(Wiring):
    """What :class:`AppNamespace` is wired to besides its settings."""

    namespace: str = Field(
        pattern=r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$", description="Namespace name. Required."
    )


class AppNamespaceArgs(NamespaceQuotaConfig, AppNamespaceWiring):
    """Arguments of :class:`AppNamespace`: its settings (``NamespaceQuotaConfig``) and its wiring
    (``AppNamespaceWiring``), every field flat."""

    @classmethod
    def from_config(
        cls, config: NamespaceQuotaConfig, wiring: AppNamespaceWiring
    ) -> AppNamespaceArgs:
        """The Args of a stack file's settings and the platform's wiring."""
        return compose(cls, config, wiring)


class AppNamespace(pulumi.ComponentResource):
    """A namespace enforcing Pod Security 'restricted', with a ResourceQuota and LimitRange."""

    namespace: k8s.core.v1.Namespace
    name: str

    def __init__(
        self, name: str, args: AppNamespaceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:k8s:AppNamespace", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.name = args.namespace
        labels = {
            f"pod-security.kubernetes.io/{mode}": POD_SECURITY
            for mode in ("enforce", "audit", "warn")
        } | {
            f"pod-security.kubernetes.io/{mode}-version": "latest"
            for mode in ("enforce", "audit", "warn")
        }
        # The load balancer controller gives pods behind a TargetGroupBinding a readiness gate:
        # a new pod counts as ready (and an old one is stopped) only once the ALB's health
        # checks pass, so a rollout never leaves the target group without healthy targets.
        labels["elbv2.k8s.aws/pod-readiness-gate-inject"] = "enabled"
        self.namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=args.namespace, labels=labels),
            opts=child,
        )
        in_namespace = pulumi.ResourceOptions(parent=self, depends_on=[self.namespace])
        k8s.core.v1.ResourceQuota(
            f"{name}-quota",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="compute", namespace=args.namespace),
            spec=k8s.core.v1.ResourceQuotaSpecArgs(
                hard={
                    "requests.cpu": args.requests_cpu,
                    "requests.memory": args.requests_memory,
                    "limits.cpu": args.limits_cpu,
                    "limits.memory": args.limits_memory,
                    "pods": str(args.pods),
                }
            ),
            opts=in_namespace,
        )
        k8s.core.v1.LimitRange(
            f"{name}-limits",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name="container-defaults", namespace=args.namespace
            ),
            spec=k8s.core.v1.LimitRangeSpecArgs(
                limits=[
                    k8s.core.v1.LimitRangeItemArgs(
                        type="Container",
                        default_request={
                            "cpu": args.default_request_cpu,
                            "memory": args.default_request_memory,
                        },
                        default={
                            "cpu": args.default_limit_cpu,
                            "memory": args.default_limit_memory,
                        },
                        max={"cpu": args.max_limit_cpu, "memory": args.max_limit_memory},
                    )
                ]
            ),
            opts=in_namespace,
        )
        isolate(name, args.namespace, in_namespace)
        self.register_outputs({"name": self.name})


def isolate(name: str, namespace: str, opts: pulumi.ResourceOptions) -> None:
    """Deny every connection in and out of ``namespace``'s pods, DNS to CoreDNS aside: each
    workload then opens exactly its own paths with a NetworkPolicy of its own."""
    in_namespace = opts
    k8s.networking.v1.NetworkPolicy(
        f"{name}-default-deny",
        metadata=k8s.meta.v1.ObjectMetaArgs(name="default-deny", namespace=namespace),
        spec=k8s.networking.v1.NetworkPolicySpecArgs(
            pod_selector=k8s.meta.v1.LabelSelectorArgs(),
            policy_types=["Ingress", "Egress"],
        ),
        opts=in_namespace,
    )
    k8s.networking.v1.NetworkPolicy(
        f"{name}-allow-dns",
        metadata=k8s.meta.v1.ObjectMetaArgs(name="allow-dns", namespace=namespace),
        spec=k8s.networking.v1.NetworkPolicySpecArgs(
            pod_selector=k8s.meta.v1.LabelSelectorArgs(),
            policy_types=["Egress"],
            egress=[
                k8s.networking.v1.NetworkPolicyEgressRuleArgs(
                    to=[
                        k8s.networking.v1.NetworkPolicyPeerArgs(
                            namespace_selector=k8s.meta.v1.LabelSelectorArgs(
                                match_labels={"kubernetes.io/metadata.name": "kube-system"}
                            ),
                            pod_selector=k8s.meta.v1.LabelSelectorArgs(
                                match_labels={"k8s-app": "kube-dns"}
                            ),
                        )
                    ],
                    ports=[
                        k8s.networking.v1.NetworkPolicyPortArgs(protocol=protocol, port=53)
                        for protocol in ("UDP", "TCP")
                    ],
                )
            ],
        ),
        opts=in_namespace,
    )
