"""The offline catalogue: every resource type a program registers is known to every table.

The offline plan answers for a resource type in four tables: its fake outputs
(``offline/fake_aws``), its price (``tools/cost/``) or its declaration as free
(``tools/prices.json``), and its create-time class (``tools/deploy_time.py``); the engine itself
fails a program that calls a provider function ``fake_aws`` does not answer. A type missing from
one of them would still plan, with generic outputs, no cost or a default create time, so the
plan would quietly be wrong; these tests name the type and the table instead.
"""

from __future__ import annotations

import pytest

from aws_web_platform.offline import Recording
from aws_web_platform.offline.fake_aws import RESOURCES
from tools.cost import pricing_of
from tools.deploy_time import create_class
from tools.plan import run_stack
from tools.urns import programs

PROGRAMS = programs()


@pytest.fixture(scope="module")
def recordings() -> dict[str, Recording]:
    return {p.label: run_stack(p.stack, p.root, raise_errors=True) for p in PROGRAMS}


def _types(recordings: dict[str, Recording]) -> set[str]:
    return {r.type for rec in recordings.values() for r in rec.resources if r.custom}


def _cloud_types(recordings: dict[str, Recording]) -> set[str]:
    """Every type the programs create in a cloud, and every type the catalogue fakes (a
    component registers some only under other settings: Vault Lock, image builds ...)."""
    registered = {r.type for rec in recordings.values() for r in rec.cloud_resources()}
    return registered | {t for t in RESOURCES if not t.startswith("pulumi:providers:")}


def test_the_programs_include_the_platform_the_bootstrap_project_and_the_example(
    recordings: dict[str, Recording],
) -> None:
    assert {"dev", "prod", "bootstrap-dev", "data-service-demo"} <= set(recordings)


def test_every_registered_type_has_fake_outputs_of_its_own(
    recordings: dict[str, Recording],
) -> None:
    missing = sorted(t for t in _types(recordings) if t not in RESOURCES)
    assert not missing, f"add these to a module of aws_web_platform/offline/fake_aws: {missing}"


def test_every_cloud_type_is_priced_or_declared_free(recordings: dict[str, Recording]) -> None:
    missing = sorted(t for t in _cloud_types(recordings) if pricing_of(t) is None)
    assert not missing, f"price these in tools/cost/ or declare them free: {missing}"


def test_every_cloud_type_has_a_create_time_class(recordings: dict[str, Recording]) -> None:
    missing = sorted(t for t in _cloud_types(recordings) if create_class(t) is None)
    assert not missing, f"add these to tools/deploy_time.py (CREATE_CLASS_OF): {missing}"


def test_the_catalogue_test_sees_a_type_no_table_knows() -> None:
    unknown = "aws:memorydb/cluster:Cluster"
    assert unknown not in RESOURCES
    assert pricing_of(unknown) is None
    assert create_class(unknown) is None


def test_every_fake_of_the_catalogue_is_used_by_a_program_or_named_here(
    recordings: dict[str, Recording],
) -> None:
    """The catalogue lists what the programs register, not a wish list: a fake nobody uses
    is a type a component registers only under other settings (named here), or dead weight."""
    other_settings = {
        "aws:backup/vaultLockConfiguration:VaultLockConfiguration",  # backup.vaultLock
        "aws:cloudfront/originRequestPolicy:OriginRequestPolicy",  # managed ones are looked up
        "aws:iam/instanceProfile:InstanceProfile",
        "aws:iam/policy:Policy",
        "docker:index/image:Image",  # platform:registry.images.<app>.build
        "pulumi:providers:docker",  # the same
    }
    unused = sorted(set(RESOURCES) - _types(recordings) - other_settings)
    assert not unused, f"fakes no program registers: {unused}"
