"""Conventions every component keeps (docs/architecture.md), checked over the whole library."""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable

import pulumi
from pydantic import BaseModel

import aws_web_platform
from aws_web_platform.offline import Recording
from tools.docs import library_modules

StackRun = Callable[[str], Recording]


def _component_modules() -> list[types.ModuleType]:
    return library_modules()


def _args_models() -> list[type[BaseModel]]:
    found = []
    for module in _component_modules():
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if obj.__module__ == module.__name__ and obj.__name__.endswith("Args"):
                found.append(obj)
    return found


def test_every_args_field_documents_its_default_and_why() -> None:
    models = _args_models()
    assert models, "no Args models found"
    for model in models:
        for name, info in model.model_fields.items():
            assert info.description and len(info.description) > 20, f"{model.__name__}.{name}"


def test_every_component_class_has_a_docstring_saying_why() -> None:
    for module in _component_modules():
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if obj.__module__ == module.__name__ and issubclass(obj, pulumi.ComponentResource):
                assert obj.__doc__ and len(obj.__doc__) > 40, obj.__name__


def test_every_component_uses_a_platform_type_token_and_registers_outputs(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    components_ = [r for r in rec.resources if not r.custom and r.type != "pulumi:pulumi:Stack"]
    assert components_
    for component in components_:
        assert component.type.startswith("platform:"), component.type
        assert component.registered_outputs, f"{component.type} never called register_outputs"


def test_children_are_named_after_their_parent_component(
    stack_run: StackRun, stack_name: str
) -> None:
    rec = stack_run(stack_name)
    for resource in rec.resources:
        if resource.parent is None:
            continue
        parent = rec.by_urn(resource.parent)
        if parent.type == "pulumi:pulumi:Stack":
            continue
        assert resource.name.startswith(f"{parent.name}-"), (parent.name, resource.name)


def test_the_public_api_exports_every_component_and_its_args() -> None:
    exported = set(aws_web_platform.__all__)
    for module in _component_modules():
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if obj.__module__ != module.__name__:
                continue
            is_component = issubclass(obj, pulumi.ComponentResource)
            if is_component or (obj.__name__.endswith("Args") and issubclass(obj, BaseModel)):
                assert obj.__name__ in exported, f"aws_web_platform.{obj.__name__} is not exported"
    for name in aws_web_platform.__all__:
        assert getattr(aws_web_platform, name) is not None, name  # every export resolves
