"""The daily logical dump on the plans of every stack file, and its pg_dump run for real: the
CronJob's exact command, as the backup role, against a PostgreSQL that requires TLS."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import yaml

from aws_web_platform.database.roles import RolePlan, render_roles_sql
from aws_web_platform.k8s.database_dump import dump_rules
from aws_web_platform.offline import Recording
from tests.conftest import stack_config
from tests.servers.postgres import MASTER, available_extensions, debian_bin_dir, postgres_server

StackRun = Callable[[str], Recording]
CRON_JOB = "kubernetes:batch/v1:CronJob"


def _pod(rec: Recording) -> dict:
    cron = rec.find(CRON_JOB, "platform-database-dump-cron")
    return cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]


def test_a_daily_dump_runs_as_the_backup_role_on_the_writer(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    config = stack_config(stack_name)
    cron = rec.find(CRON_JOB, "platform-database-dump-cron")
    assert cron["metadata"]["namespace"] == "database-backup"
    assert cron["spec"]["schedule"] == "15 4 * * *"
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    assert cron["spec"]["suspend"] is False
    [dump] = _pod(rec)["initContainers"]
    env = {e["name"]: e["value"] for e in dump["env"]}
    writer = rec.find("aws:rds/instance:Instance", "platform-database-primary").outputs["address"]
    assert env["PGHOST"] == writer
    assert env["PGUSER"] == config.database.backup_username
    assert env["PGSSLMODE"] == "require"
    assert dump["command"][:1] == ["pg_dump"]
    assert "--format=custom" in dump["command"] and "--compress=6" in dump["command"]
    credentials = rec.find(EXTERNAL_SECRET, "platform-database-dump-credentials")
    [item] = credentials["spec"]["data"]
    assert item["remoteRef"]["key"] == f"{config.slug}/database/backup"
    assert credentials["spec"]["secretStoreRef"]["name"] == "aws-secrets-manager-database-backup"
    store = rec.find(
        "kubernetes:external-secrets.io/v1:ClusterSecretStore",
        "platform-addons-aws-secrets-manager-database-backup",
    )
    assert store["spec"]["conditions"] == [{"namespaces": ["database-backup"]}]


EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret"


def test_the_dump_goes_to_daily_of_the_backups_bucket_with_a_write_only_grant(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    [upload] = _pod(rec)["containers"]
    env = {e["name"]: e["value"] for e in upload["env"]}
    bucket = rec.find("aws:s3/bucket:Bucket", "platform-backups-bucket").outputs
    assert env["BUCKET"] == bucket["bucket"]
    assert env["PREFIX"] == "daily/"
    assert "aws s3 cp" in upload["command"][-1]
    association = rec.find(
        "aws:eks/podIdentityAssociation:PodIdentityAssociation",
        "platform-cluster-database-dump-pod-identity",
    )
    assert (association["namespace"], association["serviceAccount"]) == (
        "database-backup",
        "database-dump",
    )
    grants = [
        json.loads(p["policy"])
        for p in rec.all_of("aws:iam/rolePolicy:RolePolicy")
        if "database-dump" in p.name
    ]
    statements = [s for g in grants for s in g["Statement"]]
    s3 = [s for s in statements if any(str(a).startswith("s3:") for a in _list(s["Action"]))]
    assert s3, statements
    for statement in s3:
        assert set(_list(statement["Action"])) <= {"s3:PutObject", "s3:AbortMultipartUpload"}
        assert _list(statement["Resource"]) == [f"{bucket['arn']}/daily/*"]
    # The bucket keeps the dumps 30 days (the spec's retention).
    lifecycle = rec.find(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "platform-backups-lifecycle",
    )
    daily = [r for r in lifecycle["rules"] if r.get("filter", {}).get("prefix") == "daily/"]
    assert daily and daily[0]["expiration"]["days"] == 30


def _list(value: object) -> list:
    return value if isinstance(value, list) else [value]


def test_the_dump_writes_to_an_encrypted_volume_of_its_own_and_pages_on_failure(
    stack_run: StackRun,
) -> None:
    rec = stack_run("prod")
    [volume] = [v for v in _pod(rec)["volumes"] if v["name"] == "dump"]
    claim = volume["ephemeral"]["volumeClaimTemplate"]["spec"]
    assert claim["storageClassName"] == "gp3-encrypted"
    assert claim["resources"]["requests"]["storage"] == (
        f"{stack_config('prod').database.allocated_storage_gb}Gi"
    )
    rule = rec.find(
        "kubernetes:monitoring.coreos.com/v1:PrometheusRule", "platform-database-dump-alerts"
    )
    alerts = {r["alert"]: r for g in rule["spec"]["groups"] for r in g["rules"]}
    assert set(alerts) == {"DatabaseDumpFailed", "DatabaseDumpMissing"}
    assert {r["labels"]["severity"] for r in alerts.values()} == {"critical"}


def test_promtool_accepts_the_dump_rules(tmp_path: Path) -> None:
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: .ci/servers installs it (Debian's prometheus)"
    path = tmp_path / "rules.yml"
    path.write_text(yaml.safe_dump(dump_rules()))
    result = subprocess.run(
        [promtool, "check", "rules", str(path)], check=False, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_cronjobs_pg_dump_dumps_the_database_as_the_backup_role(
    stack_run: StackRun, tmp_path: Path
) -> None:
    """The command of the plan's CronJob, run with Debian's pg_dump against a server where the
    platform's role SQL made the roles: the dump is complete and pg_restore reads it."""
    rec = stack_run("prod")
    [dump] = _pod(rec)["initContainers"]
    database = stack_config("prod").database
    plan = RolePlan(
        database=database.database_name,
        master=MASTER,
        migrator=database.migration_username,
        runtime_group=database.app_username,
        runtime_classes=("api", "worker"),
        monitoring=database.monitoring_username,
        backup=database.backup_username,
        extensions=database.extensions,
    )
    passwords = {login.password_env: f"{login.name}-{'d' * 40}"[:40] for login in plan.logins}
    with postgres_server(debian_bin_dir(), tls=True) as server:
        have = available_extensions(server)
        plan = dataclasses.replace(plan, extensions=tuple(e for e in plan.extensions if e in have))
        assert server.psql(render_roles_sql(plan), passwords).returncode == 0
        migrate = server.psql(
            "CREATE TABLE lessons (id bigserial PRIMARY KEY, title text);"
            "INSERT INTO lessons (title) VALUES ('one'), ('two');",
            {},
            user="migrator",
            password=passwords["MIGRATOR_PASSWORD"],
        )
        assert migrate.returncode == 0, migrate.stderr
        env = {e["name"]: e["value"] for e in dump["env"]}
        output = tmp_path / "app.dump"
        command = [
            str(server.bin_dir / "pg_dump"),
            *[a for a in dump["command"][1:] if not a.startswith("--file=")],
            f"--file={output}",
        ]
        result = subprocess.run(
            command,
            env={
                **env,
                "PGHOST": "127.0.0.1",
                "PGPORT": str(server.port),
                "PGPASSWORD": passwords["BACKUP_PASSWORD"],
            },
            check=False,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        listing = subprocess.run(
            [str(server.bin_dir / "pg_restore"), "--list", str(output)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert "TABLE DATA public lessons" in listing
