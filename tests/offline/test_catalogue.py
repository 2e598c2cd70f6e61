"""The offline catalogue: every resource type a program registers is known to every table.

The offline plan answers for a resource type in five places: its fake outputs
(``offline/fake_aws``), the provider functions it may call (``fake_aws`` invokes), its price or
its declaration as free (``tools/prices.json`` and ``tools/cost/``), and its create-time class
(``tools/deploy_time.py``). A type missing from one of them would still plan, with generic
outputs, no cost or a default create time, so the plan would quietly be wrong; these tests name
the type and the table instead.
"""

from __future__ import annotations

import pytest

from aws_web_platform.offline import Recording
from aws_web_platform.offline.fake_aws import INVOKES, RESOURCES
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


def test_every_registered_type_has_fake_outputs_of_its_own(
    recordings: dict[str, Recording],
) -> None:
    missing = sorted(t for t in _types(recordings) if t not in RESOURCES)
    assert not missing, f"add these to a module of aws_web_platform/offline/fake_aws: {missing}"


def test_every_provider_function_called_is_answered_by_the_catalogue(
    recordings: dict[str, Recording],
) -> None:
    called = {token for rec in recordings.values() for token, _ in rec.invokes}
    assert called and called <= set(INVOKES)


def test_every_cloud_type_is_priced_or_declared_free(recordings: dict[str, Recording]) -> None:
    cloud = {r.type for rec in recordings.values() for r in rec.cloud_resources()}
    missing = sorted(t for t in cloud if pricing_of(t) is None)
    assert not missing, f"price these in tools/cost/ or declare them free: {missing}"


def test_every_cloud_type_has_a_create_time_class(recordings: dict[str, Recording]) -> None:
    cloud = {r.type for rec in recordings.values() for r in rec.cloud_resources()}
    missing = sorted(t for t in cloud if create_class(t) is None)
    assert not missing, f"add these to tools/deploy_time.py (CREATE_CLASS_OF): {missing}"


def test_the_catalogue_test_sees_a_type_no_table_knows() -> None:
    unknown = "aws:memorydb/cluster:Cluster"
    assert unknown not in RESOURCES
    assert pricing_of(unknown) is None
    assert create_class(unknown) is None


def test_every_fake_of_the_catalogue_is_used_by_a_program_or_documented(
    recordings: dict[str, Recording],
) -> None:
    """The catalogue lists what the programs register, not a wish list: a fake nobody uses
    is either a type a component may register under other settings, or dead weight."""
    optional = {
        # Registered only with other settings than the committed stacks'.
        "aws:backup/vaultLockConfiguration:VaultLockConfiguration",  # backup.vaultLock
        "aws:cloudfront/originRequestPolicy:OriginRequestPolicy",  # managed ones are looked up
        "aws:iam/instanceProfile:InstanceProfile",
        "aws:iam/policy:Policy",
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider",  # the bootstrap project
        "docker:index/image:Image",  # platform:registry.images.<app>.build
    }
    unused = sorted(set(RESOURCES) - _types(recordings) - optional)
    assert not unused, f"fakes no program registers: {unused}"
