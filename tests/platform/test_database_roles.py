"""The database roles on the plans of every stack file: created by the role bootstrap before
anything logs in, with the master secret reaching that bootstrap and nothing else."""

from __future__ import annotations

import json
from collections.abc import Callable

from aws_web_platform.database.roles import render_roles_sql
from aws_web_platform.k8s.database_roles import NAMESPACE
from aws_web_platform.offline import Recording
from aws_web_platform.stack.workloads import plan_workloads
from tests.conftest import stack_config

StackRun = Callable[[str], Recording]
JOB = "kubernetes:batch/v1:Job"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret"
STORE = "kubernetes:external-secrets.io/v1:ClusterSecretStore"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
SECRET = "aws:secretsmanager/secret:Secret"
ADMIN_STORE = "aws-secrets-manager-database-admin"


def _ancestors(rec: Recording, urn: str | None) -> set[str]:
    found: set[str] = set()
    while urn:
        found.add(urn)
        urn = rec.by_urn(urn).parent
    return found


def _depends_on_transitively(rec: Recording, resource: str, on: str) -> bool:
    """Whether ``resource`` (a URN) waits for ``on``: through dependsOn or a parent's."""
    seen: set[str] = set()
    frontier = [resource]
    while frontier:
        urn = frontier.pop()
        if urn == on:
            return True
        if urn in seen:
            continue
        seen.add(urn)
        registered = rec.by_urn(urn)
        frontier.extend(registered.depends_on)
        if registered.parent:
            frontier.append(registered.parent)
    return False


def test_the_master_secret_reaches_the_role_bootstrap_and_nothing_else(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    config = stack_config(stack_name)
    master_name = f"{config.slug}/database/master"
    master = rec.find(SECRET, "platform-database-master-secret-secret")
    master_arn = master.outputs["arn"]
    own = {r.urn for r in rec.resources if master.parent in _ancestors(rec, r.urn)}
    readers = sorted(
        r.name
        for r in rec.resources
        if r.urn not in own
        and (master_name in json.dumps(r.inputs) or master_arn in json.dumps(r.inputs))
    )
    assert readers == [
        "platform-addons-aws-secrets-manager-database-admin-read",
        "platform-database-roles-credentials",
    ]
    for proxy in rec.all_of("aws:rds/proxy:Proxy"):
        assert master_arn not in {a["secretArn"] for a in proxy["auths"]}


def test_the_admin_store_serves_the_bootstrap_namespace_only(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    store = rec.find(STORE, f"platform-addons-{ADMIN_STORE}")
    assert store["spec"]["conditions"] == [{"namespaces": [NAMESPACE]}]
    namespace = rec.find("kubernetes:core/v1:Namespace", f"platform-addons-{NAMESPACE}")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    deny = rec.find(
        "kubernetes:networking.k8s.io/v1:NetworkPolicy", f"platform-addons-{NAMESPACE}-default-deny"
    )
    assert deny["spec"]["policyTypes"] == ["Ingress", "Egress"]


def test_the_bootstrap_runs_the_rendered_sql_with_every_password_from_its_store(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    config = stack_config(stack_name)
    job = rec.find(JOB, "platform-database-roles-job")
    script = rec.find(CONFIG_MAP, "platform-database-roles-sql")
    credentials = rec.find(EXTERNAL_SECRET, "platform-database-roles-credentials")
    classes = plan_workloads(config).database_classes
    assert classes == ("api", "worker")
    database = rec.find("platform:database:PostgresDatabase", "platform-database")
    assert database.outputs["role_secret_arns"].keys() == {
        "migrator",
        "app_api",
        "app_worker",
        "monitoring",
        "backup",
    }
    sql = script["data"]["roles.sql"]
    assert "CREATE EXTENSION IF NOT EXISTS vector;" in sql
    assert "GRANT pg_monitor TO monitoring;" in sql
    # The Job, its script and its secret share one name: a changed script or a rotation is a
    # new Job run.
    name = job["metadata"]["name"]
    assert script["metadata"]["name"] == credentials["metadata"]["name"] == name
    assert credentials["spec"]["secretStoreRef"]["name"] == ADMIN_STORE
    keys = {d["secretKey"]: d["remoteRef"]["key"] for d in credentials["spec"]["data"]}
    assert keys == {
        "PGPASSWORD": f"{config.slug}/database/master",
        "MIGRATOR_PASSWORD": f"{config.slug}/database/migrator",
        "RUNTIME_API_PASSWORD": f"{config.slug}/database/app_api",
        "RUNTIME_WORKER_PASSWORD": f"{config.slug}/database/app_worker",
        "MONITORING_PASSWORD": f"{config.slug}/database/monitoring",
        "BACKUP_PASSWORD": f"{config.slug}/database/backup",
    }
    [container] = job["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e["value"] for e in container["env"]}
    writer = rec.find("aws:rds/instance:Instance", "platform-database-primary").outputs["address"]
    assert env["PGHOST"] == writer
    assert env["PGUSER"] == config.database.master_username
    assert env["PGSSLMODE"] == "require"
    assert container["image"] == (
        f"public.ecr.aws/docker/library/postgres:{config.database.engine_version}-alpine"
    )
    assert "--single-transaction" in container["command"]


def test_the_rendered_sql_is_the_database_role_plan(stack_run: StackRun) -> None:
    """What the ConfigMap carries is exactly the renderer's script for the stack's plan (the
    script the real-server tests run)."""
    from aws_web_platform.database.roles import RolePlan

    rec = stack_run("prod")
    config = stack_config("prod").database
    expected = render_roles_sql(
        RolePlan(
            database=config.database_name,
            master=config.master_username,
            migrator=config.migration_username,
            runtime_group=config.app_username,
            runtime_classes=("api", "worker"),
            monitoring=config.monitoring_username,
            backup=config.backup_username,
            extensions=config.extensions,
        )
    )
    assert rec.find(CONFIG_MAP, "platform-database-roles-sql")["data"]["roles.sql"] == expected


def test_the_bootstrap_runs_before_the_migrations_and_every_database_workload(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    roles = rec.find(JOB, "platform-database-roles-job")
    primary = rec.find("aws:rds/instance:Instance", "platform-database-primary")
    assert _depends_on_transitively(rec, roles.urn, primary.urn)
    migrate = rec.find(JOB, "platform-app-api-migrate")
    assert roles.urn in migrate.depends_on
    for app, workload in stack_config(stack_name).apps.workloads.items():
        deployment = rec.find("kubernetes:apps/v1:Deployment", f"platform-app-{app}-deployment")
        assert (roles.urn in deployment.depends_on) == workload.database, app


def test_the_migration_job_logs_in_as_the_migration_role_on_the_writer(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    config = stack_config(stack_name)
    secret = rec.find(EXTERNAL_SECRET, "platform-app-api-migrate-secrets")
    remote = {d["secretKey"]: d["remoteRef"] for d in secret["spec"]["data"]}
    assert remote["dbPassword"] == {
        "key": f"{config.slug}/database/migrator",
        "property": "password",
    }
    writer = rec.find("aws:rds/instance:Instance", "platform-database-primary").outputs["address"]
    template = secret["spec"]["target"]["template"]["data"]
    for url in (template["DATABASE_URL"], template["DATABASE_DIRECT_URL"]):
        assert f"@{writer}:5432/" in url and "sslmode=require" in url
    job = rec.find(JOB, "platform-app-api-migrate")
    [container] = job["spec"]["template"]["spec"]["containers"]
    secrets = [e["secretRef"]["name"] for e in container["envFrom"] if "secretRef" in e]
    # Its own secret only: not the api's (app secrets, the runtime role, Redis).
    assert secrets == [secret["metadata"]["name"]]


def test_the_exporter_logs_in_as_the_monitoring_role(stack_run: StackRun) -> None:
    rec = stack_run("prod")
    credentials = rec.find(EXTERNAL_SECRET, "platform-addons-postgres-exporter-credentials")
    [key] = {d["remoteRef"]["key"] for d in credentials["spec"]["data"]}
    assert key.endswith("/database/monitoring")
