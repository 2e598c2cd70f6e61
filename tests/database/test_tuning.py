"""Specification of the PostgreSQL tuning: the spec's figures, scaled to the instance class."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aws_web_platform.database.tuning import (
    INSTANCE_CLASSES,
    check_fit,
    connection_budget,
    derive_settings,
    rds_parameters,
    tune,
)

CLASSES = sorted(INSTANCE_CLASSES)


def test_a_4_gib_class_gets_the_spec_figures() -> None:
    """docs/requirements.md's tuning is for ~4 GiB: derived on db.t4g.medium it is reproduced."""
    settings = derive_settings("db.t4g.medium", storage_gb=100)
    assert settings.shared_buffers_mb == 1024  # 1GB
    assert settings.effective_cache_size_mb == 3072  # 3GB
    assert settings.maintenance_work_mem_mb == 256  # 256MB
    assert 2048 <= settings.work_mem_kb <= 2400  # 2MB
    assert settings.wal_buffers_mb == 16  # 16MB
    assert (settings.min_wal_size_mb, settings.max_wal_size_mb) == (2048, 8192)  # 2GB / 8GB
    assert settings.checkpoint_completion_target == 0.9
    assert settings.random_page_cost == 1.1
    assert settings.effective_io_concurrency == 200
    # 500 is the spec's figure; RDS caps a 4 GiB class at 450 connections.
    assert settings.max_connections == 450


def test_the_prod_class_keeps_500_connections_and_scales_memory() -> None:
    settings = derive_settings("db.r6g.xlarge", storage_gb=100)
    assert settings.max_connections == 500
    assert settings.shared_buffers_mb == 8192  # 25 % of 32 GiB
    assert settings.effective_cache_size_mb == 24576
    assert settings.maintenance_work_mem_mb == 2048  # capped
    assert settings.max_parallel_workers == 4  # the class has 4 vCPUs
    assert settings.max_parallel_workers_per_gather == 2


def test_a_small_dev_class_never_gets_the_production_memory() -> None:
    small = derive_settings("db.t4g.micro", storage_gb=20)
    assert small.shared_buffers_mb == 256
    assert small.shared_buffers_mb < derive_settings("db.r6g.xlarge", 100).shared_buffers_mb


def test_wal_sizes_stay_within_a_small_disk() -> None:
    settings = derive_settings("db.t4g.medium", storage_gb=20)
    assert settings.max_wal_size_mb == 4096  # a fifth of 20 GB
    assert settings.min_wal_size_mb == 1024


@given(st.sampled_from(CLASSES), st.integers(20, 65536))
def test_derived_settings_always_fit_their_class(instance_class: str, storage_gb: int) -> None:
    assert check_fit(derive_settings(instance_class, storage_gb), instance_class, storage_gb) == []


def test_overrides_replace_derived_values() -> None:
    assert tune("db.r6g.xlarge", 100, {"work_mem_kb": 4096}).work_mem_kb == 4096


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"shared_buffers_mb": 2048}, "shared_buffers_mb: 2048 MiB is more than 40 %"),
        ({"effective_cache_size_mb": 8192}, "effective_cache_size_mb: 8192 MiB exceeds the memory"),
        ({"max_connections": 5000}, "max_connections: 5000 is outside 10..450"),
        ({"work_mem_kb": 65536}, "max_connections x work_mem_kb"),
        ({"max_parallel_workers": 9}, "max_parallel_workers: 9 exceeds max_worker_processes"),
        ({"min_wal_size_mb": 8000}, "min_wal_size_mb: 8000 MiB must be at most half"),
        ({"max_wal_size_mb": 30000}, "max_wal_size_mb: 30000 MiB is more than a quarter"),
    ],
)
def test_values_that_do_not_fit_the_class_are_refused(overrides: dict, problem: str) -> None:
    settings = tune("db.t4g.medium", 100, overrides)
    assert any(problem in p for p in check_fit(settings, "db.t4g.medium", 100))


def test_parameters_are_in_rds_units() -> None:
    params = {p.name: p.value for p in rds_parameters(derive_settings("db.t4g.medium", 100))}
    assert params["shared_buffers"] == str(1024 * 128)  # 8 kB pages
    assert params["effective_cache_size"] == str(3072 * 128)  # 8 kB pages
    assert params["wal_buffers"] == str(16 * 128)  # 8 kB pages
    assert params["maintenance_work_mem"] == str(256 * 1024)  # kB
    assert params["max_wal_size"] == "8192"  # MB
    assert params["rds.force_ssl"] == "1"
    assert params["shared_preload_libraries"] == "pg_stat_statements"
    assert params["pg_stat_statements.track"] == "all"
    assert params["log_min_duration_statement"] == "500"
    assert params["log_parameter_max_length"] == "0"  # no bind values (personal data) in logs


def test_static_parameters_wait_for_a_reboot_and_dynamic_ones_apply_at_once() -> None:
    methods = {
        p.name: p.apply_method for p in rds_parameters(derive_settings("db.r6g.xlarge", 100))
    }
    static = {"shared_buffers", "max_connections", "wal_buffers", "max_worker_processes",
              "shared_preload_libraries"}  # fmt: skip
    assert {name for name, method in methods.items() if method == "pending-reboot"} == static


def test_the_spec_pool_budget_holds_through_the_proxy() -> None:
    """20 API pods x 50 connections (spec) are served by the proxy within max_connections."""
    budget = connection_budget(
        max_connections=500,
        api_max_replicas=20,
        pool_size_per_replica=50,
        pool_min_per_replica=2,
        reserved=20,
        proxy_enabled=True,
        proxy_max_connections_percent=80,
    )
    assert budget.api_client_connections == 1000  # more than the database accepts directly
    assert budget.api_client_connections > budget.max_connections
    assert budget.proxy_share == 400  # what the proxy may open, for all 1000 clients
    assert budget.proxy_share + budget.reserved <= budget.max_connections
    assert budget.proxy_share >= budget.api_min_connections
    assert budget.problems() == []


def test_without_the_proxy_the_spec_pools_overflow_max_connections() -> None:
    budget = connection_budget(
        max_connections=500,
        api_max_replicas=20,
        pool_size_per_replica=50,
        pool_min_per_replica=2,
        reserved=20,
        proxy_enabled=False,
        proxy_max_connections_percent=80,
    )
    assert "1000" in budget.problems()[0]


def test_a_proxy_share_that_leaves_no_reserve_is_refused() -> None:
    budget = connection_budget(
        max_connections=500,
        api_max_replicas=20,
        pool_size_per_replica=50,
        pool_min_per_replica=2,
        reserved=20,
        proxy_enabled=True,
        proxy_max_connections_percent=100,
    )
    assert "exceeds max_connections" in budget.problems()[0]
