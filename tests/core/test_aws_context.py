"""Account, partition and region are asked once per AWS provider, not once per component."""

from __future__ import annotations

import gc
import weakref
from collections import Counter
from collections.abc import Callable

import pulumi
import pulumi_aws as aws

from aws_web_platform.kms.encryption_key import EncryptionKey, EncryptionKeyArgs
from aws_web_platform.offline import Recording, run
from tests.conftest import BASE_CONFIG

StackRun = Callable[[str], Recording]
CONTEXT = (
    "aws:index/getRegion:getRegion",
    "aws:index/getPartition:getPartition",
    "aws:index/getCallerIdentity:getCallerIdentity",
)


def _keys(regions: list[str]) -> Callable[[], None]:
    def program() -> None:
        for index, region in enumerate(regions):
            provider = aws.Provider(f"aws-{index}", region=region)
            for key in ("data", "logs", "secrets"):
                EncryptionKey(
                    f"{key}-{index}",
                    EncryptionKeyArgs(
                        description=key, alias=f"alias/{key}-{index}", services=("logs",)
                    ),
                    opts=pulumi.ResourceOptions(provider=provider),
                )

    return program


def test_three_components_under_one_provider_ask_each_question_once() -> None:
    rec = run(_keys(["eu-west-1"]), config=BASE_CONFIG)
    asked = Counter(token for token, _ in rec.invokes if token in CONTEXT)
    assert asked == dict.fromkeys(CONTEXT, 1)


def test_each_provider_is_asked_for_its_own_region() -> None:
    rec = run(_keys(["eu-west-1", "us-east-1"]), config=BASE_CONFIG)
    asked = Counter(token for token, _ in rec.invokes if token in CONTEXT)
    assert asked == dict.fromkeys(CONTEXT, 2)
    policies = {k.name: str(k["policy"]) for k in rec.all_of("aws:kms/key:Key")}
    assert "logs.us-east-1.amazonaws.com" in policies["logs-1-key"]
    assert "logs.eu-west-1.amazonaws.com" in policies["logs-0-key"]


def test_a_stack_asks_at_most_once_per_provider(stack_run: StackRun, stack_name: str) -> None:
    rec = stack_run(stack_name)
    providers = len(rec.all_of("pulumi:providers:aws"))
    asked = Counter(token for token, _ in rec.invokes if token in CONTEXT)
    assert asked and all(count <= providers for count in asked.values()), asked


def test_a_finished_program_leaves_its_providers_to_the_collector() -> None:
    providers: list[weakref.ref[aws.Provider]] = []

    def program() -> None:
        provider = aws.Provider("aws-gone", region="eu-west-1")
        providers.append(weakref.ref(provider))
        EncryptionKey(
            "gone",
            EncryptionKeyArgs(description="gone", alias="alias/gone", services=("logs",)),
            opts=pulumi.ResourceOptions(provider=provider),
        )

    run(program, config=BASE_CONFIG)
    gc.collect()
    assert providers[0]() is None
