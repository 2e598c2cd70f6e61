"""DatabaseRoles: the database roles the apps log in as, created inside the cluster before any
of them connects.

RDS creates only the master user. This component runs the platform's role script
(:func:`aws_web_platform.database.roles.render_roles_sql`) with the master's credentials as a
Kubernetes Job, once per change: the Job's name carries a hash of the script, the passwords'
version and the image, so a new role, grant or rotated password is a new Job and an unchanged
one is left alone. The migration Job and every Deployment using the database wait for it.

Why a Job in the cluster, not the pulumi-postgresql provider: the database lives in isolated
subnets that only the VPC reaches, while ``pulumi preview`` runs on CI runners outside it; the
provider connects when it is configured and reads every role on refresh, so each preview would
need a network path to the database and the master password in the provider's configuration.
The Job runs next to the apps, with the same path to the writer they have.

The master secret reaches this Job and nothing else:

* the Job runs in a namespace of its own (``platform-database``), Pod Security ``restricted``,
  every connection denied but DNS and PostgreSQL to the data subnets;
* its credentials come from a ClusterSecretStore that serves only that namespace and whose role
  may read only the master's and the login roles' secrets
  (:class:`~aws_web_platform.k8s.addons.NamespaceStore`);
* the script holds no password: psql reads them from the Job's environment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
from pydantic import Field

from aws_web_platform.core.fields import InputStr, Wiring
from aws_web_platform.database.roles import RolePlan, render_roles_sql
from aws_web_platform.eks.config import Scheduling
from aws_web_platform.k8s.jobs import (
    DATABASE_PORT,
    POSTGRES_UID,
    egress_only,
    restricted_container,
    restricted_pod,
)

NAMESPACE = "platform-database"
#: The ClusterSecretStore of that namespace: the only reader of the database master secret.
STORE = "aws-secrets-manager-database-admin"
JOB = "database-roles"
SQL_PATH = "/etc/database-roles"


class DatabaseRolesArgs(Wiring):
    """What :class:`DatabaseRoles` runs and where."""

    plan: RolePlan = Field(description="The roles (``database.role_plan``). Required.")
    host: InputStr = Field(description="The writer's address (never the proxy). Required.")
    master_secret_name: str = Field(description="Secrets Manager name of the master's secret.")
    login_secret_names: Mapping[str, str] = Field(
        description="Secrets Manager name of each login role's secret, by role name "
        "(``database.role_secrets``): the passwords the script sets."
    )
    secret_store: str = Field(
        description="ClusterSecretStore serving this namespace only, which may read exactly "
        "those secrets. Required."
    )
    image: str = Field(
        description="Image with psql 15 or later (``\\getenv``): "
        "``jobs.postgres_client_image(engine_version)``."
    )
    password_version: int = Field(
        default=1, description="The passwords' version: a bump re-runs the script."
    )
    namespace: str = Field(default=NAMESPACE, description="Namespace of the Job.")
    data_cidrs: Sequence[str] = Field(
        description="Where the database may be (the data subnets): the Job's only egress."
    )
    scheduling: Scheduling = Field(
        default_factory=Scheduling, description="Nodes the Job may run on (the system nodes)."
    )
    timeout_seconds: int = Field(
        default=600, ge=60, description="Longest the Job may run before the deploy fails."
    )
    prerequisites: Sequence[pulumi.Resource] = Field(
        default=(),
        description="What must exist first: the namespace, its store, the database itself.",
    )


class DatabaseRoles(pulumi.ComponentResource):
    """The role bootstrap: a Job running the role script as the master, once per change."""

    job: k8s.batch.v1.Job
    sql: str
    job_name: str

    def __init__(
        self, name: str, args: DatabaseRolesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:k8s:DatabaseRoles", name, None, opts)
        self.sql = render_roles_sql(args.plan)
        fingerprint = hashlib.sha256(
            "\n".join([self.sql, str(args.password_version), args.image]).encode()
        ).hexdigest()[:10]
        self.job_name = f"{JOB}-{fingerprint}"
        labels = {
            "app.kubernetes.io/name": JOB,
            "app.kubernetes.io/component": "database-roles",
            "app.kubernetes.io/managed-by": "pulumi",
        }
        after = pulumi.ResourceOptions(parent=self, depends_on=list(args.prerequisites))
        script = k8s.core.v1.ConfigMap(
            f"{name}-sql",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=self.job_name, namespace=args.namespace, labels=labels
            ),
            data={"roles.sql": self.sql},
            immutable=True,
            opts=after,
        )
        credentials = self._credentials(name, args, labels, after)
        egress_only(
            f"{name}-network-policy",
            name=JOB,
            namespace=args.namespace,
            labels=labels,
            rules=[(args.data_cidrs, [DATABASE_PORT])],
            opts=after,
        )
        plan = args.plan
        timeout = args.timeout_seconds
        self.job = k8s.batch.v1.Job(
            f"{name}-job",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=self.job_name,
                namespace=args.namespace,
                labels=labels,
                # A failed run is replaced (run again) by the next `pulumi up`, not awaited.
                annotations={"pulumi.com/replaceUnready": "true"},
            ),
            spec=k8s.batch.v1.JobSpecArgs(
                backoff_limit=3,
                active_deadline_seconds=timeout,
                template=k8s.core.v1.PodTemplateSpecArgs(
                    metadata=k8s.meta.v1.ObjectMetaArgs(labels=labels),
                    spec=restricted_pod(
                        [
                            restricted_container(
                                "roles",
                                args.image,
                                command=[
                                    "psql",
                                    "--no-psqlrc",
                                    "--quiet",
                                    "--set=ON_ERROR_STOP=1",
                                    "--single-transaction",
                                    f"--file={SQL_PATH}/roles.sql",
                                ],
                                env={
                                    "PGHOST": args.host,
                                    "PGPORT": str(DATABASE_PORT),
                                    "PGDATABASE": plan.database,
                                    "PGUSER": plan.master,
                                    # Like the apps: TLS, which the database forces.
                                    "PGSSLMODE": "require",
                                    "PGCONNECT_TIMEOUT": "30",
                                    "PGAPPNAME": JOB,
                                },
                                env_from_secret=self.job_name,
                                mounts={"sql": SQL_PATH},
                            )
                        ],
                        scheduling=args.scheduling,
                        uid=POSTGRES_UID,
                        volumes=[
                            k8s.core.v1.VolumeArgs(
                                name="sql",
                                config_map=k8s.core.v1.ConfigMapVolumeSourceArgs(
                                    name=script.metadata.name
                                ),
                            )
                        ],
                    ),
                ),
            ),
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[*args.prerequisites, script, credentials],
                delete_before_replace=True,
                custom_timeouts=pulumi.CustomTimeouts(create=f"{timeout + 120}s"),
            ),
        )
        self.register_outputs({"job_name": self.job_name})

    def _credentials(
        self,
        name: str,
        args: DatabaseRolesArgs,
        labels: dict[str, str],
        opts: pulumi.ResourceOptions,
    ) -> k8s.apiextensions.CustomResource:
        """The Job's environment secret, written by External Secrets: the master's password
        (``PGPASSWORD``) and each login role's. Named like the Job, so a rotation is a new
        ExternalSecret synced afresh rather than one refreshed within the hour."""
        data: list[dict[str, Any]] = [
            {
                "secretKey": "PGPASSWORD",
                "remoteRef": {"key": args.master_secret_name, "property": "password"},
            }
        ]
        for login in args.plan.logins:
            data.append(
                {
                    "secretKey": login.password_env,
                    "remoteRef": {
                        "key": args.login_secret_names[login.name],
                        "property": "password",
                    },
                }
            )
        return k8s.apiextensions.CustomResource(
            f"{name}-credentials",
            api_version="external-secrets.io/v1",
            kind="ExternalSecret",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=self.job_name,
                namespace=args.namespace,
                labels=labels,
                annotations={"pulumi.com/waitFor": "condition=Ready"},
            ),
            spec={
                "refreshInterval": "1h",
                "secretStoreRef": {"name": args.secret_store, "kind": "ClusterSecretStore"},
                "target": {"name": self.job_name, "creationPolicy": "Owner"},
                "data": data,
            },
            opts=opts,
        )
