"""The app environment contract: one table, from which the reserved names derive."""

from __future__ import annotations

from aws_web_platform.k8s.environment import (
    AUDIENCE_PREFIXES,
    CONTRACT,
    PLATFORM_ENV,
    PLATFORM_ENV_PREFIXES,
    env_name,
    shadows_platform,
    variables_for,
)


def test_every_workload_is_told_the_stack_it_runs_in() -> None:
    assert {
        "PORT",
        "HOME",
        "NODE_ENV",
        "LOG_LEVEL",
        "REDIS_PREFIX",
        "VERSION",
        "AWS_REGION",
        "PUBLIC_URL",
        "API_INTERNAL_URL",
    } == PLATFORM_ENV


def test_what_only_some_workloads_get_carries_its_audiences_prefix() -> None:
    for variable in CONTRACT:
        prefix = AUDIENCE_PREFIXES.get(variable.audience)  # pyright: ignore[reportArgumentType]
        if prefix is not None:
            assert variable.name.startswith(prefix), variable.name
    assert PLATFORM_ENV_PREFIXES == ("DATABASE_", "REDIS_", "S3_")


def test_names_are_unique_and_each_has_a_meaning() -> None:
    names = [v.name for v in CONTRACT]
    assert len(names) == len(set(names))
    assert all(len(v.meaning) > 3 for v in CONTRACT)


def test_a_database_and_cache_workload_gets_their_urls_in_its_secret() -> None:
    found = variables_for(
        database=True, cache=True, buckets=["uploads"], secrets=["clerkSecretKey"]
    )
    assert found["DATABASE_URL"] == found["REDIS_URL"] == found["CLERK_SECRET_KEY"] == "secret"
    assert found["DATABASE_HOST"] == found["S3_UPLOADS_BUCKET"] == "config"


def test_a_workload_without_the_data_tier_gets_none_of_its_variables() -> None:
    found = variables_for(database=False, cache=False, buckets=[], secrets=[])
    assert set(found) == PLATFORM_ENV
    assert "HOME" not in variables_for(
        database=False, cache=False, buckets=[], secrets=[], writable_tmp=False
    )


def test_a_workloads_own_names_may_not_start_like_the_platforms() -> None:
    assert shadows_platform("DATABASE_POOL")  # the platform may add one later
    assert not shadows_platform("WORKER_QUEUE")
    assert env_name("oauthGoogleClientSecret") == "OAUTH_GOOGLE_CLIENT_SECRET"


def test_the_wiring_fills_every_config_value_but_the_app_services_own() -> None:
    """The ConfigMap values come from the contract's rows: only PORT and HOME (the
    AppService's port and paths) and the bucket names (one per bucket) are filled elsewhere."""
    unfilled = {v.name for v in CONTRACT if v.source == "config" and v.value is None}
    assert unfilled == {"PORT", "HOME", "S3_<BUCKET>_BUCKET"}
    assert all(v.value is None for v in CONTRACT if v.source == "secret")
