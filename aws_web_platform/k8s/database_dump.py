"""DatabaseDump: the daily logical dump of PostgreSQL, compressed, in the backups bucket.

RDS snapshots and AWS Backup restore an RDS instance; a logical dump restores into any
PostgreSQL (another account, another version, a laptop) and outlives the instance and its
snapshots. The spec asks for one daily, compressed, under ``backups/daily/``, kept 30 days (the
bucket's lifecycle rule on ``daily/`` expires them).

A CronJob in a namespace of its own (``database-backup``: Pod Security restricted, every
connection denied but DNS and this Job's paths):

* ``pg_dump`` (the server's major version) logs in as the backup role (``pg_read_all_data``:
  every row, read-only) on the writer, and writes PostgreSQL's custom format, compressed, to an
  encrypted EBS volume made for the run (a generic ephemeral volume: the node's disk does not
  bound the dump's size);
* the AWS CLI uploads it as ``daily/<database>-<UTC time>.dump`` with a Pod Identity role that
  may put objects under ``daily/`` of that bucket and nothing else (``bucket.grant_write``);
* its credentials come from a ClusterSecretStore serving this namespace only, which may read the
  backup role's secret only.

Its failures page: a Prometheus rule on kube-state-metrics' job status (a failed run) and on the
CronJob's last success (no success for 26 hours), routed by Alertmanager to the critical topic.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
from pydantic import Field

from aws_web_platform.backup.config import DatabaseDumpConfig
from aws_web_platform.core.fields import InputStr, Wiring, compose
from aws_web_platform.eks.cluster import Cluster
from aws_web_platform.eks.config import Scheduling
from aws_web_platform.k8s.jobs import (
    DATABASE_PORT,
    POSTGRES_UID,
    egress_only,
    restricted_container,
    restricted_pod,
)
from aws_web_platform.storage.bucket import Bucket

NAMESPACE = "database-backup"
#: The ClusterSecretStore of that namespace: the backup role's secret only.
STORE = "aws-secrets-manager-database-backup"
NAME = "database-dump"
PREFIX = "daily/"
#: The AWS CLI v2 from ECR Public (multi-arch: the Graviton nodes run it).
UPLOADER_IMAGE = "public.ecr.aws/aws-cli/aws-cli:2.31.23"
#: Alarm when the last success is older than this: a day and a margin for a slow run.
STALE_HOURS = 26
#: The EKS Pod Identity agent on every node, which hands out the role's credentials.
POD_IDENTITY_AGENT = ("169.254.170.23/32", 80)


class DatabaseDumpWiring(Wiring):
    """What :class:`DatabaseDump` is wired to besides its settings."""

    cluster: Cluster = Field(description="The cluster: the uploader's Pod Identity role.")
    bucket: Bucket = Field(description="The backups bucket: the dumps go under daily/.")
    host: InputStr = Field(description="The writer's address (pg_dump connects there).")
    database: str = Field(description="The database to dump (one file per run).")
    username: str = Field(description="The backup role pg_dump logs in as (pg_read_all_data).")
    secret_name: str = Field(description="Secrets Manager name of the backup role's secret.")
    secret_store: str = Field(
        description="ClusterSecretStore serving this namespace only, which may read that secret."
    )
    image: str = Field(description="PostgreSQL image of the server's major version (pg_dump).")
    uploader_image: str = Field(
        default=UPLOADER_IMAGE,
        description="Image with the AWS CLI v2 that uploads the dump. Default the CLI's own "
        "image from ECR Public, pinned.",
    )
    region: str = Field(description="The bucket's region, for the AWS CLI (AWS_REGION).")
    namespace: str = Field(default=NAMESPACE, description="Namespace of the CronJob.")
    data_cidrs: Sequence[str] = Field(description="Where the database may be (the data subnets).")
    storage_class: str = Field(description="StorageClass of the scratch volume (encrypted gp3).")
    default_scratch_gb: int = Field(
        ge=1, description="Scratch size when the settings give none: the database's storage."
    )
    scheduling: Scheduling = Field(
        default_factory=Scheduling, description="Nodes the dump may run on (the system nodes)."
    )
    prerequisites: Sequence[pulumi.Resource] = Field(
        default=(),
        description="What must exist first: the namespace, its store, the backup role (the "
        "role bootstrap), Prometheus' CRDs.",
    )


class DatabaseDumpArgs(DatabaseDumpConfig, DatabaseDumpWiring):
    """Arguments of :class:`DatabaseDump`: its settings (``DatabaseDumpConfig``) and its wiring
    (``DatabaseDumpWiring``), every field flat."""

    @classmethod
    def from_config(
        cls, config: DatabaseDumpConfig, wiring: DatabaseDumpWiring
    ) -> DatabaseDumpArgs:
        """The Args of a stack file's settings and the platform's wiring."""
        return compose(cls, config, wiring)


class DatabaseDump(pulumi.ComponentResource):
    """A daily pg_dump of the database, uploaded to ``daily/`` of the backups bucket."""

    role: aws.iam.Role
    write_grant: aws.iam.RolePolicy
    cron_job: k8s.batch.v1.CronJob
    alerts: k8s.apiextensions.CustomResource

    def __init__(
        self, name: str, args: DatabaseDumpArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:k8s:DatabaseDump", name, None, opts)
        labels = {
            "app.kubernetes.io/name": NAME,
            "app.kubernetes.io/component": "database-dump",
            "app.kubernetes.io/managed-by": "pulumi",
        }
        after = pulumi.ResourceOptions(parent=self, depends_on=list(args.prerequisites))
        self.role = args.cluster.workload_role(NAME, args.namespace, NAME)
        self.write_grant = args.bucket.grant_write(self.role, prefix=PREFIX)
        account = k8s.core.v1.ServiceAccount(
            f"{name}-sa",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=NAME, namespace=args.namespace, labels=labels),
            # Pod Identity mounts its own token; the Kubernetes API token is never mounted.
            automount_service_account_token=False,
            opts=after,
        )
        credentials = k8s.apiextensions.CustomResource(
            f"{name}-credentials",
            api_version="external-secrets.io/v1",
            kind="ExternalSecret",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=f"{NAME}-credentials",
                namespace=args.namespace,
                labels=labels,
                annotations={"pulumi.com/waitFor": "condition=Ready"},
            ),
            spec={
                "refreshInterval": "1h",
                "secretStoreRef": {"name": args.secret_store, "kind": "ClusterSecretStore"},
                "target": {"name": f"{NAME}-credentials", "creationPolicy": "Owner"},
                "data": [
                    {
                        "secretKey": "PGPASSWORD",
                        "remoteRef": {"key": args.secret_name, "property": "password"},
                    }
                ],
            },
            opts=after,
        )
        agent_cidr, agent_port = POD_IDENTITY_AGENT
        egress_only(
            f"{name}-network-policy",
            name=NAME,
            namespace=args.namespace,
            labels=labels,
            rules=[
                (args.data_cidrs, [DATABASE_PORT]),
                # S3 (through the VPC's gateway endpoint, whose addresses are S3's public ones).
                (["0.0.0.0/0"], [443]),
                ([agent_cidr], [agent_port]),
            ],
            opts=after,
        )
        self.cron_job = self._cron_job(
            name, args, labels, account, depends_on=[credentials, self.write_grant]
        )
        self.alerts = self._alerts(name, args, labels, after)
        self.register_outputs({"schedule": args.schedule, "prefix": PREFIX})

    def _cron_job(
        self,
        name: str,
        args: DatabaseDumpArgs,
        labels: dict[str, str],
        account: k8s.core.v1.ServiceAccount,
        depends_on: list[pulumi.Resource],
    ) -> k8s.batch.v1.CronJob:
        scratch_gb = args.scratch_gb or args.default_scratch_gb
        dump_file = f"/dump/{args.database}.dump"
        upload = (
            'key="${PREFIX}${DATABASE}-$(date -u +%Y-%m-%dT%H%M%SZ).dump"; '
            'aws s3 cp "$DUMP_FILE" "s3://${BUCKET}/${key}" --only-show-errors && '
            'echo "uploaded s3://${BUCKET}/${key}"'
        )
        pod = restricted_pod(
            [
                restricted_container(
                    "upload",
                    args.uploader_image,
                    command=["/bin/sh", "-ec", upload],
                    env={
                        "BUCKET": args.bucket.name,
                        "PREFIX": PREFIX,
                        "DATABASE": args.database,
                        "DUMP_FILE": dump_file,
                        "AWS_REGION": args.region,
                        "HOME": "/tmp",
                    },
                    mounts={"dump": "/dump", "tmp": "/tmp"},
                    memory="256Mi",
                )
            ],
            init_containers=[
                restricted_container(
                    "dump",
                    args.image,
                    command=[
                        "pg_dump",
                        "--no-password",
                        "--format=custom",
                        "--compress=6",
                        f"--file={dump_file}",
                    ],
                    env={
                        "PGHOST": args.host,
                        "PGPORT": str(DATABASE_PORT),
                        "PGDATABASE": args.database,
                        "PGUSER": args.username,
                        "PGSSLMODE": "require",
                        "PGCONNECT_TIMEOUT": "30",
                        "PGAPPNAME": NAME,
                    },
                    env_from_secret=f"{NAME}-credentials",
                    mounts={"dump": "/dump"},
                    cpu="250m",
                    cpu_limit="1",
                    memory="512Mi",
                )
            ],
            scheduling=args.scheduling,
            uid=POSTGRES_UID,
            service_account=account.metadata.name,
            volumes=[
                k8s.core.v1.VolumeArgs(
                    name="dump",
                    # An encrypted volume made for the run and deleted with its pod.
                    ephemeral=k8s.core.v1.EphemeralVolumeSourceArgs(
                        volume_claim_template=k8s.core.v1.PersistentVolumeClaimTemplateArgs(
                            metadata=k8s.meta.v1.ObjectMetaArgs(labels=labels),
                            spec=k8s.core.v1.PersistentVolumeClaimSpecArgs(
                                access_modes=["ReadWriteOnce"],
                                storage_class_name=args.storage_class,
                                resources=k8s.core.v1.VolumeResourceRequirementsArgs(
                                    requests={"storage": f"{scratch_gb}Gi"}
                                ),
                            ),
                        )
                    ),
                ),
                k8s.core.v1.VolumeArgs(
                    name="tmp",
                    empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(size_limit="256Mi"),
                ),
            ],
        )
        return k8s.batch.v1.CronJob(
            f"{name}-cron",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=NAME, namespace=args.namespace, labels=labels),
            spec=k8s.batch.v1.CronJobSpecArgs(
                schedule=args.schedule,
                time_zone="Etc/UTC",
                suspend=not args.enabled,
                # One dump at a time; a run missed by more than an hour waits for the next day.
                concurrency_policy="Forbid",
                starting_deadline_seconds=3600,
                successful_jobs_history_limit=3,
                failed_jobs_history_limit=1,
                job_template=k8s.batch.v1.JobTemplateSpecArgs(
                    metadata=k8s.meta.v1.ObjectMetaArgs(labels=labels),
                    spec=k8s.batch.v1.JobSpecArgs(
                        backoff_limit=1,
                        active_deadline_seconds=args.timeout_minutes * 60,
                        template=k8s.core.v1.PodTemplateSpecArgs(
                            metadata=k8s.meta.v1.ObjectMetaArgs(labels=labels), spec=pod
                        ),
                    ),
                ),
            ),
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[*args.prerequisites, account, *depends_on],
            ),
        )

    def _alerts(
        self,
        name: str,
        args: DatabaseDumpArgs,
        labels: dict[str, str],
        opts: pulumi.ResourceOptions,
    ) -> k8s.apiextensions.CustomResource:
        """Prometheus rules paging when a dump fails or none succeeded for a day."""
        return k8s.apiextensions.CustomResource(
            f"{name}-alerts",
            api_version="monitoring.coreos.com/v1",
            kind="PrometheusRule",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=NAME, namespace=args.namespace, labels=labels),
            spec=dump_rules(args.namespace),
            opts=opts,
        )


def dump_rules(namespace: str = NAMESPACE) -> dict[str, object]:
    """The dump's alerting rules (a PrometheusRule's spec): a failed run, or no success for
    :data:`STALE_HOURS` hours once one has succeeded."""
    where = f'namespace="{namespace}"'
    return {
        "groups": [
            {
                "name": "database-dump",
                "rules": [
                    {
                        "alert": "DatabaseDumpFailed",
                        "expr": f'kube_job_status_failed{{{where}, job_name=~"{NAME}-.*"}} > 0',
                        "labels": {"severity": "critical"},
                        "annotations": {
                            "summary": "The daily database dump failed",
                            "description": "Job {{ $labels.job_name }} failed: "
                            f"kubectl -n {namespace} logs job/{{{{ $labels.job_name }}}} "
                            "--all-containers",
                        },
                    },
                    {
                        "alert": "DatabaseDumpMissing",
                        "expr": (
                            "time() - kube_cronjob_status_last_successful_time"
                            f'{{{where}, cronjob="{NAME}"}} > {STALE_HOURS * 3600}'
                        ),
                        "labels": {"severity": "critical"},
                        "annotations": {
                            "summary": f"No database dump succeeded for {STALE_HOURS} hours",
                            "description": "The last good dump in the backups bucket is older "
                            "than a day: the point the logical backup restores to grows old.",
                        },
                    },
                ],
            }
        ]
    }
