"""The shared mock harness: every test runs programs through these fixtures.

``run_program`` runs any Pulumi program (a component, a few components) under the recording
engine of :mod:`aws_web_platform.offline`; ``stack_run`` runs the real ``__main__.py`` for a
stack file exactly as the offline plan does, once per session per stack (the runs are
deterministic).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_docker as docker
import pulumi_random as random
import pytest

from aws_web_platform.offline import Recording, run
from aws_web_platform.stack.config import StackConfig
from aws_web_platform.stack.loading import decode_config_value, parse_stack_config
from tools.plan import PROJECT_ROOT, load_stack_file, run_main, run_stack, stack_names

RunProgram = Callable[..., Recording]

# Stack-level config every component test can start from (the values of no particular stack).
BASE_CONFIG: dict[str, str] = {
    "pulumi:disable-default-providers": '["*"]',
    "aws:region": "eu-west-1",
    "platform:project": "test-product",
    "platform:owner": "platform-team",
    "platform:costCenter": "CC-0001",
}


@pytest.fixture
def run_program() -> RunProgram:
    """Run a program under the recording engine (keyword arguments: ``offline.run``)."""

    def _run(program: Callable[[], Any], **kwargs: Any) -> Recording:
        kwargs.setdefault("config", BASE_CONFIG)
        return run(program, **kwargs)

    return _run


_STACK_RUNS: dict[str, Recording] = {}


@pytest.fixture
def stack_run() -> Callable[[str], Recording]:
    """The recording of ``__main__.py`` for ``Pulumi.<stack>.yaml`` (cached per session)."""

    def _get(stack: str) -> Recording:
        if stack not in _STACK_RUNS:
            _STACK_RUNS[stack] = run_stack(stack, PROJECT_ROOT, raise_errors=True)
        return _STACK_RUNS[stack]

    return _get


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``stack_name`` parametrizes a test over every stack file of the project."""
    if "stack_name" in metafunc.fixturenames:
        metafunc.parametrize("stack_name", stack_names(PROJECT_ROOT))


def with_aws(build: Callable[[Any], Any], region: str = "eu-west-1") -> Callable[[], Any]:
    """A program that makes explicit AWS, random and docker providers and passes them to
    ``build(opts)``. Default providers are disabled in every stack, so components are tested
    the same way."""

    def program() -> Any:
        providers = {
            "aws": aws.Provider("test-aws", region=region),
            "random": random.Provider("test-random"),
            "docker": docker.Provider("test-docker"),
        }
        return build(pulumi.ResourceOptions(providers=providers))

    return program


def built(component: type, name: str, args: Any, **run_kwargs: Any) -> tuple[Any, Recording]:
    """Build one component under the recording engine: the instance and the recording."""
    captured: dict[str, Any] = {}

    def build(opts: Any) -> None:
        captured["it"] = component(name, args, opts)

    recording = run(with_aws(build), config=BASE_CONFIG, **run_kwargs)
    return captured["it"], recording


def stack_config(stack: str) -> StackConfig:
    """The validated StackConfig of ``Pulumi.<stack>.yaml``, as the program parses it."""
    stack_file = load_stack_file(stack, PROJECT_ROOT)
    prefix = f"{stack_file.project}:"
    values = {
        key.removeprefix(prefix): decode_config_value(raw)
        for key, raw in stack_file.config.items()
        if key.startswith(prefix)
    }
    return parse_stack_config(
        values,
        namespace=stack_file.project,
        stack=stack,
        region=stack_file.region,
        secret_keys=[k.removeprefix(prefix) for k in stack_file.secret_keys],
    )


def plan_variant(
    stack: str,
    *,
    ecr_images: Mapping[str, Iterable[str]] | None = None,
    raise_errors: bool = True,
    **changes: Any,
) -> Recording:
    """The plan of ``Pulumi.<stack>.yaml`` with some ``platform:`` keys changed: each keyword
    (a top-level key, camelCase) is deep-merged onto the stack file's value (``None`` removes
    the key). ``ecr_images``: the tags ECR holds (default: every image asked for)."""
    stack_file = load_stack_file(stack, PROJECT_ROOT)
    config = dict(stack_file.config)
    for key, change in changes.items():
        full = f"{stack_file.project}:{key}"
        if change is None:
            config.pop(full, None)
            continue
        current = decode_config_value(config.get(full, "{}"))
        merged = _merged(current, change) if isinstance(current, dict) else change
        config[full] = merged if isinstance(merged, str) else json.dumps(merged)
    return run_main(
        PROJECT_ROOT,
        project=stack_file.project,
        stack=stack,
        config=config,
        secret_keys=stack_file.secret_keys,
        region=stack_file.region,
        raise_errors=raise_errors,
        ecr_images=ecr_images,
    )


def _merged(base: Any, change: Any) -> Any:
    if isinstance(base, dict) and isinstance(change, dict):
        merged = dict(base)
        for key, value in change.items():
            merged[key] = _merged(merged.get(key), value)
        return merged
    return change
