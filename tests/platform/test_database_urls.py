"""The connection strings the platform renders into the apps' and the migration's secrets,
taken from the plan's ExternalSecret templates with the placeholders filled as External Secrets
fills them, parsed by libpq and used against a real PostgreSQL that requires TLS (Debian's
build, with a certificate the harness makes; tests/servers/postgres.py), where the platform's
role SQL created the roles."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from aws_web_platform.database.roles import RolePlan, render_roles_sql
from aws_web_platform.k8s.app_service import PRISMA_ONLY_PARAMS
from aws_web_platform.offline import Recording
from tests.conftest import stack_config
from tests.servers.postgres import (
    MASTER,
    PostgresServer,
    available_extensions,
    debian_bin_dir,
    postgres_server,
)

StackRun = Callable[[str], Recording]
EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret"


def _role_plan() -> RolePlan:
    database = stack_config("prod").database
    return RolePlan(
        database=database.database_name,
        master=MASTER,
        migrator=database.migration_username,
        runtime_group=database.app_username,
        runtime_classes=("api", "worker"),
        monitoring=database.monitoring_username,
        backup=database.backup_username,
        extensions=database.extensions,
    )


PASSWORDS = {login.name: f"{login.name}-{'x' * 40}"[:40] for login in _role_plan().logins}


@pytest.fixture(scope="module")
def server() -> Iterator[PostgresServer]:
    with postgres_server(debian_bin_dir(), tls=True) as started:
        plan = _role_plan()
        plan = dataclasses.replace(
            plan, extensions=tuple(e for e in plan.extensions if e in available_extensions(started))
        )
        env = {login.password_env: PASSWORDS[login.name] for login in plan.logins}
        result = started.psql(render_roles_sql(plan), env)
        assert result.returncode == 0, result.stderr
        yield started


def _filled(template: str, user: str, server: PostgresServer, hosts: set[str]) -> str:
    """A template as External Secrets fills it, pointed at the test server."""
    url = template.replace("{{ .dbUsername }}", user).replace("{{ .dbPassword }}", PASSWORDS[user])
    for host in hosts:
        url = url.replace(f"@{host}:5432/", f"@127.0.0.1:{server.port}/")
    assert "{{" not in url, url
    return url


def _libpq(url: str) -> str:
    """The URL without the parameters Prisma reads and strips before it connects."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in PRISMA_ONLY_PARAMS]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _urls(rec: Recording, resource: str) -> dict[str, list[str]]:
    data = rec.find(EXTERNAL_SECRET, resource)["spec"]["target"]["template"]["data"]
    return {
        key: [u for u in str(value).split(",") if u]
        for key, value in data.items()
        if key.startswith("DATABASE_")
    }


def _hosts(rec: Recording) -> set[str]:
    return {
        str(r.outputs.get("address") or r.outputs.get("endpoint"))
        for r in rec.resources
        if r.type in ("aws:rds/instance:Instance", "aws:rds/proxy:Proxy")
    }


def _secret_of(role: str) -> str:
    """The ExternalSecret of the first database workload of a class (or the migration's)."""
    if role == "migrate":
        return "platform-app-api-migrate-secrets"
    workloads = stack_config("prod").apps.workloads
    name = min(n for n, w in workloads.items() if w.role == role and w.database)
    return f"platform-app-{name}-secrets"


@pytest.mark.parametrize(
    ("role", "user"), [("api", "app_api"), ("worker", "app_worker"), ("migrate", "migrator")]
)
def test_the_rendered_urls_parse_with_libpq_and_connect_with_tls(
    stack_run: StackRun, server: PostgresServer, role: str, user: str
) -> None:
    rec = stack_run("prod")
    urls = _urls(rec, _secret_of(role))
    assert urls["DATABASE_URL"], urls
    for key, values in urls.items():
        for template in values:
            url = _libpq(_filled(template, user, server, _hosts(rec)))
            params = conninfo_to_dict(url)  # libpq's own parser: an unknown key fails here
            assert params["sslmode"] == "require", key
            assert params["user"] == user
            with psycopg.connect(url) as conn:
                tls = conn.execute(
                    "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
                ).fetchone()
                assert tls == (True,), key
                assert conn.execute("SELECT current_user").fetchone() == (user,)


def test_the_server_refuses_connections_without_tls(server: PostgresServer) -> None:
    """Like rds.force_ssl: the URLs' sslmode=require is what gets the apps in."""
    with pytest.raises(psycopg.OperationalError):
        server.connect("app_api", PASSWORDS["app_api"], sslmode="disable").close()
