"""Kubernetes: objects come back as sent, with a uid; Helm releases as deployed."""

from __future__ import annotations

from typing import Any

from aws_web_platform.offline.fake_aws.context import (
    Fake,
    FakeContext,
    hex_of,
)


def kubernetes(ctx: FakeContext) -> tuple[str, dict[str, Any]]:
    """Kubernetes objects come back as sent, with a uid; Helm releases as deployed."""
    metadata = dict(ctx.get("metadata") or {})
    if ctx.type == "kubernetes:helm.sh/v3:Release":
        name = str(ctx.get("name") or ctx.name)
        namespace = str(ctx.get("namespace") or "default")
        return f"{namespace}/{name}", {
            "name": name,
            "status": {"status": "deployed", "name": name, "namespace": namespace, "revision": 1},
        }
    name = str(metadata.get("name") or ctx.name)
    metadata |= {"name": name, "uid": hex_of(ctx.seed, 32)}
    namespace = metadata.get("namespace")
    return (f"{namespace}/{name}" if namespace else name), {"metadata": metadata}


#: The resource types this service fakes, each explicitly.
RESOURCES: dict[str, Fake] = {
    "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy": kubernetes,
    "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding": kubernetes,
    "kubernetes:apps/v1:Deployment": kubernetes,
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": kubernetes,
    "kubernetes:batch/v1:CronJob": kubernetes,
    "kubernetes:batch/v1:Job": kubernetes,
    "kubernetes:core/v1:ConfigMap": kubernetes,
    "kubernetes:core/v1:LimitRange": kubernetes,
    "kubernetes:core/v1:Namespace": kubernetes,
    "kubernetes:core/v1:ResourceQuota": kubernetes,
    "kubernetes:core/v1:Secret": kubernetes,
    "kubernetes:core/v1:Service": kubernetes,
    "kubernetes:core/v1:ServiceAccount": kubernetes,
    "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding": kubernetes,
    "kubernetes:external-secrets.io/v1:ClusterSecretStore": kubernetes,
    "kubernetes:external-secrets.io/v1:ExternalSecret": kubernetes,
    "kubernetes:monitoring.coreos.com/v1:PrometheusRule": kubernetes,
    "kubernetes:helm.sh/v3:Release": kubernetes,
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": kubernetes,
    "kubernetes:policy/v1:PodDisruptionBudget": kubernetes,
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole": kubernetes,
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": kubernetes,
    "kubernetes:storage.k8s.io/v1:StorageClass": kubernetes,
}
