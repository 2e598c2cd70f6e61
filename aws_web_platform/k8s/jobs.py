"""The pieces every platform Job shares: a restricted pod, PostgreSQL's client image, and a
NetworkPolicy opening a Job's few paths.

Platform Jobs (the role bootstrap, the daily dump) run in namespaces of their own under Pod
Security ``restricted``: non-root, no privilege escalation, every capability dropped,
RuntimeDefault seccomp, a read-only root filesystem, no service-account token.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_kubernetes as k8s

from aws_web_platform.eks.config import Scheduling

#: The postgres user of the official image's Alpine variant (docker-library/postgres).
POSTGRES_UID = 70
DATABASE_PORT = 5432


def postgres_client_image(engine_version: str) -> str:
    """The official PostgreSQL image of the server's major version, from ECR Public (no Docker
    Hub rate limits): its psql and pg_dump speak that version (pg_dump refuses a newer
    server)."""
    major = engine_version.split(".", maxsplit=1)[0]
    return f"public.ecr.aws/docker/library/postgres:{major}-alpine"


def restricted_container(
    name: str,
    image: pulumi.Input[str],
    *,
    command: Sequence[pulumi.Input[str]],
    env: Mapping[str, pulumi.Input[str]] | None = None,
    env_from_secret: pulumi.Input[str] | None = None,
    mounts: Mapping[str, str] | None = None,
    cpu: str = "100m",
    cpu_limit: str = "500m",
    memory: str = "128Mi",
) -> k8s.core.v1.ContainerArgs:
    """A container that may do nothing but run ``command``: read-only root, no privileges."""
    return k8s.core.v1.ContainerArgs(
        name=name,
        image=image,
        command=list(command),
        env=[k8s.core.v1.EnvVarArgs(name=k, value=v) for k, v in sorted((env or {}).items())]
        or None,
        env_from=[
            k8s.core.v1.EnvFromSourceArgs(
                secret_ref=k8s.core.v1.SecretEnvSourceArgs(name=env_from_secret)
            )
        ]
        if env_from_secret is not None
        else None,
        volume_mounts=[
            k8s.core.v1.VolumeMountArgs(name=volume, mount_path=path)
            for volume, path in sorted((mounts or {}).items())
        ]
        or None,
        resources=k8s.core.v1.ResourceRequirementsArgs(
            requests={"cpu": cpu, "memory": memory}, limits={"cpu": cpu_limit, "memory": memory}
        ),
        security_context=k8s.core.v1.SecurityContextArgs(
            allow_privilege_escalation=False,
            read_only_root_filesystem=True,
            capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"]),
        ),
    )


def restricted_pod(
    containers: Sequence[k8s.core.v1.ContainerArgs],
    *,
    scheduling: Scheduling,
    uid: int,
    volumes: Sequence[k8s.core.v1.VolumeArgs] = (),
    init_containers: Sequence[k8s.core.v1.ContainerArgs] = (),
    service_account: pulumi.Input[str] | None = None,
) -> k8s.core.v1.PodSpecArgs:
    """A Job's pod: never restarted in place (the Job retries), on the system nodes; with a
    service account only where it needs a Pod Identity role (its token is never mounted)."""
    return k8s.core.v1.PodSpecArgs(
        restart_policy="Never",
        service_account_name=service_account,
        automount_service_account_token=False,
        enable_service_links=False,
        node_selector=dict(scheduling.node_selector) or None,
        tolerations=[
            k8s.core.v1.TolerationArgs(key=t.key, operator="Equal", value=t.value, effect=t.effect)
            for t in scheduling.tolerations
        ]
        or None,
        security_context=k8s.core.v1.PodSecurityContextArgs(
            run_as_non_root=True,
            run_as_user=uid,
            run_as_group=uid,
            fs_group=uid,
            seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
        ),
        init_containers=list(init_containers) or None,
        containers=list(containers),
        volumes=list(volumes) or None,
    )


def egress_only(
    resource_name: str,
    *,
    name: str,
    namespace: str,
    labels: Mapping[str, str],
    rules: Sequence[tuple[Sequence[str], Sequence[int]]],
    opts: pulumi.ResourceOptions,
) -> k8s.networking.v1.NetworkPolicy:
    """The pods labelled ``app.kubernetes.io/name: <name>`` may reach each rule's CIDRs on its
    ports and take no connection (DNS comes from the namespace's allow-dns)."""
    return k8s.networking.v1.NetworkPolicy(
        resource_name,
        metadata=k8s.meta.v1.ObjectMetaArgs(name=name, namespace=namespace, labels=dict(labels)),
        spec=k8s.networking.v1.NetworkPolicySpecArgs(
            pod_selector=k8s.meta.v1.LabelSelectorArgs(
                match_labels={"app.kubernetes.io/name": name}
            ),
            policy_types=["Ingress", "Egress"],
            egress=[
                k8s.networking.v1.NetworkPolicyEgressRuleArgs(
                    to=[
                        k8s.networking.v1.NetworkPolicyPeerArgs(
                            ip_block=k8s.networking.v1.IPBlockArgs(cidr=cidr)
                        )
                        for cidr in cidrs
                    ],
                    ports=[
                        k8s.networking.v1.NetworkPolicyPortArgs(protocol="TCP", port=port)
                        for port in ports
                    ],
                )
                for cidrs, ports in rules
            ],
        ),
        opts=opts,
    )
