"""Hardened containers: non-root, read-only, no privilege, limits, probes, pinned images."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import (
    ResourceValidationArgs,
)
from pulumi_policy.proxy import UnknownValueError

from .common import (
    POD_SPEC_PATHS,
    RUN_TO_COMPLETION,
    as_number,
    is_set,
    is_true,
    items_of,
    read,
    resource_policy,
)


def _runs_as_non_root(pod_context: Any, container_context: Any) -> bool:
    """The container's effective user is not root: runAsUser > 0, or runAsNonRoot true without
    an explicit runAsUser 0 (container settings override the pod's)."""
    user = read(container_context, "runAsUser")
    if user is None:
        user = read(pod_context, "runAsUser")
    non_root = read(container_context, "runAsNonRoot")
    if non_root is None:
        non_root = read(pod_context, "runAsNonRoot")
    uid = as_number(user)
    if uid is not None:
        return uid > 0
    return is_true(non_root)


def _image_problem(image: Any) -> str | None:
    """Why an image reference is not pinned (None when it names a tag other than latest or a
    digest)."""
    if not isinstance(image, str) or not image:
        return "has no image"
    if "@" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    tag = last.rsplit(":", 1)[1] if ":" in last else ""
    if not tag:
        return f"image {image} has no tag (it pulls latest)"
    if tag == "latest":
        return f"image {image} uses the mutable latest tag"
    return None


def _containers_hardened(args: ResourceValidationArgs) -> Iterator[str]:
    pod = read(args.props, *POD_SPEC_PATHS[args.resource_type])
    if pod is None:
        return
    pod_context = read(pod, "securityContext")
    if args.resource_type == "kubernetes:core/v1:Pod":
        long_running = read(pod, "restartPolicy") in (None, "Always")
    else:
        long_running = args.resource_type not in RUN_TO_COMPLETION
    for kind, key in (("init container", "initContainers"), ("container", "containers")):
        for container in items_of(read(pod, key)):
            label = f"{kind} {read(container, 'name') or '?'}"
            if not _runs_as_non_root(pod_context, read(container, "securityContext")):
                yield (
                    f"{label} may run as root: set runAsNonRoot: true or runAsUser > 0 (pod or "
                    "container securityContext)"
                )
            limits = read(container, "resources", "limits")
            missing = [r for r in ("cpu", "memory") if not is_set(limits, r)]
            if missing:
                yield f"{label} has no {' or '.join(missing)} limit: set resources.limits"
            if long_running and key == "containers":
                probes = [
                    p for p in ("readinessProbe", "livenessProbe") if not is_set(container, p)
                ]
                if probes:
                    yield f"{label} has no {' or '.join(probes)}"
            try:
                problem = _image_problem(read(container, "image"))
            except UnknownValueError:
                problem = None  # an image built or tagged in this deploy: checked at update
            if problem:
                yield f"{label}: {problem}: pin a release tag or a digest"


KUBERNETES_CONTAINERS_HARDENED = resource_policy(
    "kubernetes-containers-hardened",
    "Containers of Deployments, StatefulSets, DaemonSets, Jobs, CronJobs and Pods run as "
    "non-root, set cpu and memory limits (init containers too), pin their image (a tag other "
    "than latest, or a digest), and long-running workloads' containers have readiness and "
    "liveness probes. Root in a container is one kernel bug from root on the node, unbounded "
    "containers starve their neighbours, latest makes a rollback redeploy something else, and "
    "without probes traffic reaches pods that cannot serve it. Helm releases render charts the "
    "pack cannot see, so the pods of Helm charts are not checked here.",
    dict.fromkeys(POD_SPEC_PATHS, _containers_hardened),
)
