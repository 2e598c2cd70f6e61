"""The database roles the apps log in as, rendered as one idempotent psql script.

RDS creates one user, the master. Everything else that connects needs a role of its own with
only what it does:

* the **migration role** (``migrator``) runs the release's migrations: it may create objects in
  the ``public`` schema and owns every table it creates, so later migrations can alter and drop
  them; it cannot create roles or databases;
* the **runtime group** (``app``, NOLOGIN) holds read and write on rows: through default
  privileges *for the migration role*, every table and sequence a later migration creates is
  covered without another grant; it owns nothing, so it cannot drop or alter tables;
* one **runtime login per workload class** (``app_api``, ``app_worker``): members of the group,
  so each class has its own password, connection count and line in ``pg_stat_activity``;
* the **monitoring role** with ``pg_monitor`` (statistics, no table data) for the exporter;
* the **backup role** with ``pg_read_all_data`` (read-only, every table) for the daily dump.

The script runs as the master user (:class:`~aws_web_platform.k8s.database_roles.DatabaseRoles`
runs it in the cluster), in one transaction (``psql --single-transaction``), any number of
times: roles are created when missing and then brought to their declared state (attributes,
password, grants) on every run, so a rotated password or a changed grant is applied by running
it again. Passwords never appear in the script: psql reads them from the environment
(``\\getenv``) and sends them as literals; the statements themselves are fast enough never to
reach the slow-query log (a failing statement is logged by PostgreSQL with its text: keep
``log_min_error_statement`` in mind before changing what the script sends).

It is written against RDS's master user, which is not a superuser: it has ``CREATEROLE`` and
``CREATEDB`` and the ``rds_superuser`` group, which may grant the predefined roles and create
the extensions RDS offers (RDS User Guide, "Understanding the rds_superuser role"). Since
PostgreSQL 16 such a user may not name ``SUPERUSER``, ``REPLICATION`` or ``BYPASSRLS`` in
``ALTER ROLE`` at all, so the script leaves those attributes at their defaults (off).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

#: Shortest password the script accepts from the environment: the platform generates 40
#: alphanumerics; anything shorter means the secret is not what the platform wrote.
MIN_PASSWORD_LENGTH = 32
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class LoginRole:
    """A role that logs in: its name and the environment variable holding its password."""

    name: str
    password_env: str
    purpose: str


@dataclass(frozen=True)
class RolePlan:
    """Every role of one database: who owns the schema, who reads and writes, who watches."""

    database: str
    master: str
    migrator: str
    runtime_group: str
    runtime_classes: tuple[str, ...]
    monitoring: str
    backup: str
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        names = [self.master, self.migrator, self.runtime_group, self.monitoring, self.backup]
        names += [self.runtime_login(c) for c in self.runtime_classes]
        for name in [self.database, *names, *self.extensions]:
            if not _IDENTIFIER.match(name):
                raise ValueError(f"{name!r} is not a lowercase PostgreSQL identifier")
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"database roles must differ; {duplicates} named more than once")

    def runtime_login(self, workload_class: str) -> str:
        """The login role of one workload class: ``app`` + ``api`` -> ``app_api``."""
        return f"{self.runtime_group}_{workload_class}"

    @property
    def logins(self) -> tuple[LoginRole, ...]:
        """Every role the script gives a password, in the order it creates them."""
        return (
            LoginRole(self.migrator, "MIGRATOR_PASSWORD", "migrations: owns the schema's objects"),
            *(
                LoginRole(
                    self.runtime_login(c),
                    f"RUNTIME_{c.upper()}_PASSWORD",
                    f"the {c} workloads: rows only",
                )
                for c in self.runtime_classes
            ),
            LoginRole(self.monitoring, "MONITORING_PASSWORD", "the exporter: pg_monitor"),
            LoginRole(self.backup, "BACKUP_PASSWORD", "the daily dump: pg_read_all_data"),
        )


def render_roles_sql(plan: RolePlan) -> str:
    """The psql script creating and maintaining every role of ``plan`` (run as the master)."""
    lines = [
        f"-- Roles of database {plan.database}: rendered by aws_web_platform.database.roles.",
        "-- Run as the master user, with psql -v ON_ERROR_STOP=1 --single-transaction;",
        "-- idempotent. Passwords come from the environment, never from this file.",
        "\\set ON_ERROR_STOP on",
        "",
        "-- The passwords, each checked before anything changes.",
    ]
    for login in plan.logins:
        lines += _read_password(login)
    lines += [
        "",
        "-- Extensions the apps and the monitoring need (the master may create them on RDS).",
        *(f"CREATE EXTENSION IF NOT EXISTS {e};" for e in plan.extensions),
        "",
        "-- Nobody connects or creates in the schema unless granted here.",
        f"REVOKE ALL ON DATABASE {plan.database} FROM PUBLIC;",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC;",
        "",
        "-- The runtime group: rows only, never logs in.",
        *_ensure_role(plan.runtime_group),
        f"ALTER ROLE {plan.runtime_group} WITH NOLOGIN NOCREATEDB NOCREATEROLE INHERIT;",
    ]
    for login in plan.logins:
        lines += [
            "",
            f"-- {login.name}: {login.purpose}.",
            *_ensure_role(login.name),
            f"ALTER ROLE {login.name} WITH LOGIN NOCREATEDB NOCREATEROLE INHERIT "
            f"CONNECTION LIMIT -1 PASSWORD :'{_variable(login)}';",
            f"GRANT CONNECT ON DATABASE {plan.database} TO {login.name};",
        ]
    group = plan.runtime_group
    migrator = plan.migrator
    lines += [
        "",
        "-- Migrations create in public and own what they create.",
        f"GRANT USAGE, CREATE ON SCHEMA public TO {migrator};",
        "",
        "-- The runtime logins read and write rows, through the group.",
        *(f"GRANT {group} TO {plan.runtime_login(c)};" for c in plan.runtime_classes),
        f"GRANT USAGE ON SCHEMA public TO {group};",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {group};",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {group};",
        "-- Default privileges are set by the role that will create the objects: the master",
        "-- acts as the migration role for these two statements (a member of it may).",
        f"GRANT {migrator} TO CURRENT_USER;",
        f"SET ROLE {migrator};",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public",
        f"    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {group};",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public",
        f"    GRANT USAGE, SELECT ON SEQUENCES TO {group};",
        "RESET ROLE;",
        "",
        "-- Statistics without data for the exporter; every row, read-only, for the dump.",
        f"GRANT pg_monitor TO {plan.monitoring};",
        f"GRANT USAGE ON SCHEMA public TO {plan.monitoring};",
        f"GRANT pg_read_all_data TO {plan.backup};",
        "",
    ]
    return "\n".join(lines)


def _variable(login: LoginRole) -> str:
    return f"password_{login.name}"


def _read_password(login: LoginRole) -> list[str]:
    """psql lines reading one password from the environment and failing when it is missing
    or too short (the script stops before it changes anything)."""
    variable = _variable(login)
    return [
        f"\\getenv {variable} {login.password_env}",
        f"\\if :{{?{variable}}}",
        "\\else",
        f"\\set {variable} ''",
        "\\endif",
        f"SELECT length(:'{variable}') >= {MIN_PASSWORD_LENGTH} AS password_ok \\gset",
        "\\if :password_ok",
        "\\else",
        "DO $$ BEGIN RAISE EXCEPTION "
        f"'{login.password_env} is missing or shorter than {MIN_PASSWORD_LENGTH} characters'; "
        "END $$;",
        "\\endif",
    ]


def _ensure_role(name: str) -> list[str]:
    """psql lines creating a role unless it exists (CREATE ROLE has no IF NOT EXISTS)."""
    return [
        f"SELECT 'CREATE ROLE {name}' WHERE NOT EXISTS "
        f"(SELECT FROM pg_catalog.pg_roles WHERE rolname = '{name}') \\gexec",
    ]


def runtime_classes(classes: Sequence[str]) -> tuple[str, ...]:
    """Workload classes in a stable order, each once."""
    return tuple(sorted(set(classes)))
