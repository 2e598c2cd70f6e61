"""The environment contract between the platform and the apps, written once.

Every variable the platform puts into an app's environment is a row of :data:`CONTRACT`: its
name, whether it comes from the workload's ConfigMap (plain values) or its secret (built by
External Secrets from Secrets Manager), which workloads get it, and what it means. Everything
else derives from the table:

* the names a workload's own ``env`` or app secrets may not shadow (:func:`shadows_platform`,
  checked by ``WorkloadConfig``);
* the names each workload of a stack gets (:func:`variables_for`, used by the stack's workload
  plan and by the tests that compare it with the ConfigMaps and secrets of the offline plan);
* the ConfigMap values the platform wires (:func:`platform_config`);
* the table in docs/workloads.md (``make docs``).

The apps read these names and nothing else the platform sets; renaming one is a breaking
change for the apps.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import pulumi

Source = Literal["config", "secret"]
#: Who gets a variable: every workload, or the workloads that use the database, the cache, a
#: bucket (``S3_<BUCKET>_BUCKET``, one per bucket), or have app secrets (one per secret).
Audience = Literal["every", "database", "cache", "bucket", "secret"]


@dataclass(frozen=True)
class StackEnvironment:
    """What every workload of a stack is told: the first rows of :data:`CONTRACT`."""

    node_env: str
    log_level: str
    redis_prefix: str
    version: str
    aws_region: str
    public_url: pulumi.Input[str]
    api_internal_url: str


@dataclass(frozen=True)
class DatabaseEndpoints:
    """Where a database workload sends queries (its ConfigMap's ``DATABASE_*``)."""

    host: pulumi.Input[str]
    reader_hosts: Sequence[pulumi.Input[str]]
    port: int
    name: str


@dataclass(frozen=True)
class CacheEndpoint:
    """Where a cache workload connects (its ConfigMap's ``REDIS_*``)."""

    host: pulumi.Input[str]
    port: int


@dataclass(frozen=True)
class Endpoints:
    """What a workload's ConfigMap values are made of: the stack's, and the data tier's
    endpoints when the workload uses them."""

    stack: StackEnvironment
    database: DatabaseEndpoints | None
    cache: CacheEndpoint | None

    @property
    def db(self) -> DatabaseEndpoints:
        assert self.database is not None, "only database workloads get DATABASE_*"
        return self.database

    @property
    def redis(self) -> CacheEndpoint:
        assert self.cache is not None, "only cache workloads get REDIS_*"
        return self.cache


@dataclass(frozen=True)
class Variable:
    """One environment variable the platform sets."""

    name: str
    source: Source
    audience: Audience
    meaning: str
    value: Callable[[Endpoints], pulumi.Input[str]] | None = None
    """How the platform's wiring fills it in the ConfigMap. None where the AppService fills it
    itself (``PORT``, ``HOME``: its port and paths) or External Secrets does (the secret)."""


CONTRACT: tuple[Variable, ...] = (
    Variable("PORT", "config", "every", "the container port the app listens on"),
    Variable("HOME", "config", "every", "/tmp (when writable): Node and npm write caches there"),
    Variable("NODE_ENV", "config", "every", "platform:apps.nodeEnv", lambda e: e.stack.node_env),
    Variable("LOG_LEVEL", "config", "every", "platform:apps.logLevel", lambda e: e.stack.log_level),
    Variable(
        "REDIS_PREFIX",
        "config",
        "every",
        "platform:apps.redisPrefix: keeps stacks apart",
        lambda e: e.stack.redis_prefix,
    ),
    Variable(
        "VERSION", "config", "every", "the release (image tag) running", lambda e: e.stack.version
    ),
    Variable(
        "AWS_REGION",
        "config",
        "every",
        "the stack's region, for the AWS SDKs",
        lambda e: e.stack.aws_region,
    ),
    Variable(
        "PUBLIC_URL",
        "config",
        "every",
        "the site's public URL (https://<domain>)",
        lambda e: e.stack.public_url,
    ),
    Variable(
        "API_INTERNAL_URL",
        "config",
        "every",
        "the api inside the cluster (http, Service DNS)",
        lambda e: e.stack.api_internal_url,
    ),
    Variable(
        "DATABASE_HOST",
        "config",
        "database",
        "where queries go: RDS Proxy, or the writer",
        lambda e: e.db.host,
    ),
    Variable(
        "DATABASE_READER_HOSTS",
        "config",
        "database",
        "read replicas, comma-separated",
        lambda e: pulumi.Output.all(*e.db.reader_hosts).apply(",".join),
    ),
    Variable("DATABASE_PORT", "config", "database", "5432", lambda e: str(e.db.port)),
    Variable(
        "DATABASE_NAME", "config", "database", "platform:database.databaseName", lambda e: e.db.name
    ),
    Variable(
        "DATABASE_URL",
        "secret",
        "database",
        "Prisma url: TLS, connection_limit = databasePoolSize, connect_timeout 30 s",
    ),
    Variable(
        "DATABASE_DIRECT_URL",
        "secret",
        "database",
        "Prisma directUrl: the writer itself, for migrations (advisory locks)",
    ),
    Variable(
        "DATABASE_REPLICA_URLS",
        "secret",
        "database",
        "one URL per read replica, comma-separated (connection_limit = databaseReplicaPoolSize)",
    ),
    Variable(
        "REDIS_HOST",
        "config",
        "cache",
        "the primary endpoint of Redis/Valkey",
        lambda e: e.redis.host,
    ),
    Variable("REDIS_PORT", "config", "cache", "6379", lambda e: str(e.redis.port)),
    Variable("REDIS_TLS", "config", "cache", "true: the cache accepts TLS only", lambda _: "true"),
    Variable("REDIS_URL", "secret", "cache", "rediss://:<AUTH token>@<host>:<port>"),
    Variable("REDIS_PASSWORD", "secret", "cache", "the AUTH token alone"),
    Variable(
        "S3_<BUCKET>_BUCKET",
        "config",
        "bucket",
        "name of each bucket the workload is granted (S3_UPLOADS_BUCKET ...)",
    ),
    Variable(
        "<SECRET_NAME>",
        "secret",
        "secret",
        "each app secret the workload lists, UPPER_SNAKE (clerkSecretKey -> CLERK_SECRET_KEY)",
    ),
)

#: The prefix every variable of a conditional audience starts with: a workload's own names may
#: not start with one, so a workload that later gains the database cannot already shadow it.
AUDIENCE_PREFIXES: Mapping[Audience, str] = {
    "database": "DATABASE_",
    "cache": "REDIS_",
    "bucket": "S3_",
}
#: What every workload gets: no workload's ``env`` or app secret may take these names.
PLATFORM_ENV = frozenset(v.name for v in CONTRACT if v.audience == "every")
PLATFORM_ENV_PREFIXES = tuple(AUDIENCE_PREFIXES.values())


def env_name(secret: str) -> str:
    """The environment variable of an app secret: ``clerkSecretKey`` -> ``CLERK_SECRET_KEY``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", secret).upper()


def bucket_variable(bucket: str) -> str:
    """The variable naming a bucket: ``uploads`` -> ``S3_UPLOADS_BUCKET``."""
    return f"S3_{bucket.upper()}_BUCKET"


def shadows_platform(name: str) -> bool:
    """Whether a workload's own variable would shadow (or could later shadow) the platform's."""
    return name in PLATFORM_ENV or name.startswith(PLATFORM_ENV_PREFIXES)


def variables_for(
    *,
    database: bool,
    cache: bool,
    buckets: Sequence[str],
    secrets: Sequence[str],
    writable_tmp: bool = True,
) -> dict[str, Source]:
    """The variables the platform gives one workload, by name, with where each comes from
    (``HOME`` only where /tmp is writable)."""
    found: dict[str, Source] = {}
    for variable in CONTRACT:
        if variable.name == "HOME" and not writable_tmp:
            continue
        if variable.audience == "every" or (
            (variable.audience == "database" and database)
            or (variable.audience == "cache" and cache)
        ):
            found[variable.name] = variable.source
    for bucket in sorted(buckets):
        found[bucket_variable(bucket)] = "config"
    for secret in sorted(secrets):
        found[env_name(secret)] = "secret"
    return found


def platform_config(
    stack: StackEnvironment,
    *,
    database: DatabaseEndpoints | None,
    cache: CacheEndpoint | None,
    buckets: Mapping[str, pulumi.Input[str]],
) -> dict[str, pulumi.Input[str]]:
    """The ConfigMap values the platform wires into a workload: every row of :data:`CONTRACT`
    its wiring fills, for the workload's audiences, and a name per bucket."""
    endpoints = Endpoints(stack, database, cache)
    gets = {"every": True, "database": database is not None, "cache": cache is not None}
    values: dict[str, pulumi.Input[str]] = {
        variable.name: variable.value(endpoints)
        for variable in CONTRACT
        if variable.value is not None and gets.get(variable.audience, False)
    }
    for bucket, bucket_name in sorted(buckets.items()):
        values[bucket_variable(bucket)] = bucket_name
    return values
