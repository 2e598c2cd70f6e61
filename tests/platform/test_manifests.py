"""Every Kubernetes object the program registers is valid for the cluster's Kubernetes version.

Built-in kinds are validated by kubernetes-validate against the OpenAPI schemas of that version
in strict mode (unknown fields, such as a misspelt ``readOnlyRootFilesytem``, are errors); the
custom resources against their CRDs' required fields and the fields we use
(``tests/crd_schemas.py``). Helm releases are not objects: their charts are pinned and installed
by Helm.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jsonschema
import kubernetes_validate
import pytest

from aws_web_platform.eks.config import ClusterConfig
from aws_web_platform.offline import Recording, kubernetes_manifest
from tests.crd_schemas import CRD_SCHEMAS

StackRun = Callable[[str], Recording]
KUBERNETES_VERSION = f"{ClusterConfig().kubernetes_version}.0"


def cluster_version(rec: Recording) -> str:
    """The Kubernetes version of the stack's EKS cluster, as kubernetes-validate takes it."""
    return f"{rec.find('aws:eks/cluster:Cluster', 'platform-cluster-cluster')['version']}.0"


def objects(rec: Recording) -> list[Any]:
    return [
        r
        for r in rec.resources
        if r.type.startswith("kubernetes:") and not r.type.startswith("kubernetes:helm.sh/")
    ]


def test_the_schemas_are_those_of_the_clusters_kubernetes_version() -> None:
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "x"},
        "spec": {
            "selector": {"matchLabels": {"a": "b"}},
            "template": {
                "metadata": {"labels": {"a": "b"}},
                "spec": {"containers": [{"name": "x", "image": "x"}]},
            },
        },
    }
    assert (
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
        == (KUBERNETES_VERSION.rsplit(".", 1)[0])
    )


def test_strict_validation_rejects_a_misspelt_field(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    deployment = kubernetes_manifest(
        rec.find("kubernetes:apps/v1:Deployment", "platform-app-api-deployment")
    )
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["securityContext"]["readOnlyRootFilesytem"] = True
    with pytest.raises(kubernetes_validate.ValidationError, match="readOnlyRootFilesytem"):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def test_every_builtin_object_is_valid_for_the_clusters_version(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    version = cluster_version(rec)
    builtin = [r for r in objects(rec) if r.type not in CRD_SCHEMAS]
    assert len(builtin) > 30
    failures = []
    for resource in builtin:
        try:
            kubernetes_validate.validate(kubernetes_manifest(resource), version, strict=True)
        except kubernetes_validate.ValidationError as error:
            failures.append(f"{resource.type} {resource.name}: {error}")
    assert failures == []


def test_every_custom_resource_is_valid_for_its_crd(stack_run: StackRun, stack_name: str) -> None:
    rec = stack_run(stack_name)
    # Custom resources: API groups with a dot, except Kubernetes' own (*.k8s.io: RBAC,
    # admission, networking, storage), which the strict OpenAPI validation above covers.
    custom = [
        r
        for r in objects(rec)
        if "." in (group := r.type.split(":")[1].split("/")[0]) and not group.endswith(".k8s.io")
    ]
    kinds = {r.type for r in custom}
    assert kinds == set(CRD_SCHEMAS), "a custom resource type without a schema here"
    for resource in custom:
        if resource.type in CRD_SCHEMAS:
            jsonschema.Draft202012Validator(CRD_SCHEMAS[resource.type]).validate(
                kubernetes_manifest(resource)
            )


def test_crd_schemas_reject_a_misspelt_field(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    binding = kubernetes_manifest(
        rec.find(
            "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding",
            "platform-app-api-target-group-binding",
        )
    )
    binding["spec"]["targetGroupArn"] = binding["spec"].pop("targetGroupARN")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(
            CRD_SCHEMAS[f"kubernetes:{binding['apiVersion']}:TargetGroupBinding"]
        ).validate(binding)
