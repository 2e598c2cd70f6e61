"""Validation messages for the stack configuration: key paths, values and what is allowed.

Pydantic reports errors by Python location; operators edit YAML keys. This turns each error into
one line naming the full key path as written in the stack file (``platform:network.azCount``),
the bad value and, in words, what the key allows, read from the field's type and constraints.
"""

from __future__ import annotations

import json
import types
import typing
from typing import Annotated, Any, Literal

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo


def config_key(name: str, info: FieldInfo) -> str:
    """The key a field is written as in the stack file (camelCase, or its explicit alias)."""
    if isinstance(info.validation_alias, str):
        return info.validation_alias
    return info.alias or name


#: In a model validator's message, ``$.azCount`` stands for the full path of that model's key
#: (``platform:network.azCount``), so cross-key errors name every key involved.
KEY_MARKER = "$."


def describe_error(model: type[BaseModel], detail: Any, namespace: str) -> str:
    """One line per pydantic error: '<key path>: <problem> (got <value>); allowed: <what>'."""
    path, annotation, info, parent = _walk(model, tuple(detail["loc"]))
    kind = detail["type"]
    value = detail.get("input")
    key = _format_path(path, namespace)
    if kind == "extra_forbidden":
        allowed = _model_keys(parent) if parent is not None else "no extra keys"
        return f"{key}: unknown key (value {_show(value)}); allowed keys: {allowed}"
    if kind == "missing":
        return f"{key}: required but not set; allowed: {describe_allowed(annotation, info)}"
    message = detail["msg"].removeprefix("Value error, ")
    if KEY_MARKER in message:
        # A rule across several keys of one model: "$.name" in its message is that key's path.
        prefix = f"{namespace}:" if not path else f"{key}."
        return f"{key if path else namespace}: {message.replace(KEY_MARKER, prefix)}"
    if isinstance(value, dict) and _is_model(_unwrap(annotation)):
        return f"{key}: {message}"
    return f"{key}: {message} (got {_show(value)}); allowed: {describe_allowed(annotation, info)}"


def _walk(
    model: type[BaseModel], loc: tuple[Any, ...]
) -> tuple[list[str | int], Any, FieldInfo | None, type[BaseModel] | None]:
    """Follow a pydantic error location through the models.

    Returns the key path (aliases and list indexes, without pydantic's internal location parts),
    the annotation and FieldInfo at its end, and the model holding the last key.
    """
    path: list[str | int] = []
    annotation: Any = model
    info: FieldInfo | None = None
    parent: type[BaseModel] | None = None
    for part in loc:
        annotation = _unwrap(annotation)
        if _is_model(annotation):
            parent = annotation
            field_name = _field_for_alias(annotation, part)
            path.append(part)
            if field_name is None:  # an unknown key: nothing further to follow
                return path, None, None, parent
            field_info = annotation.model_fields[field_name]
            info, annotation = field_info, field_info.annotation
        elif isinstance(part, int) and typing.get_origin(annotation) in (list, tuple, set):
            path.append(part)
            annotation = typing.get_args(annotation)[0]
            info = None
        elif isinstance(part, str) and typing.get_origin(annotation) is dict:
            path.append(part)
            annotation = typing.get_args(annotation)[1]
            info = None
        # any other part is pydantic's own (a union member, a validator): not a key
    return path, annotation, info, parent


def _format_path(path: list[str | int], namespace: str) -> str:
    if not path:
        return f"{namespace}:<root>"
    first, rest = str(path[0]), path[1:]
    text = first if ":" in first else f"{namespace}:{first}"
    for part in rest:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated[...] and Optional[...] down to the type that carries the meaning."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _field_for_alias(model: type[BaseModel], key: Any) -> str | None:
    for name, info in model.model_fields.items():
        if key in (config_key(name, info), name):
            return name
    return None


def _model_keys(model: type[BaseModel]) -> str:
    return ", ".join(config_key(name, info) for name, info in model.model_fields.items())


def _show(value: Any) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def describe_allowed(annotation: Any, info: FieldInfo | None) -> str:
    """What a key accepts, in words, from its type and constraints."""
    extra = info.json_schema_extra if info is not None else None
    if isinstance(extra, dict) and "allowed" in extra:
        return str(extra["allowed"])
    metadata = list(info.metadata) if info is not None else []
    while typing.get_origin(annotation) is Annotated:
        annotation, *more = typing.get_args(annotation)
        for item in more:
            if isinstance(item, FieldInfo):
                if isinstance(item.json_schema_extra, dict) and "allowed" in item.json_schema_extra:
                    return str(item.json_schema_extra["allowed"])
                metadata.extend(item.metadata)
            else:
                metadata.append(item)
    annotation = _unwrap(annotation)
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return "one of " + ", ".join(json.dumps(v) for v in typing.get_args(annotation))
    if _is_model(annotation):
        return f"a mapping with keys {_model_keys(annotation)}"
    if origin in (list, tuple, set):
        return "a list; each item " + describe_allowed(typing.get_args(annotation)[0], None)
    if annotation is bool:
        return "true or false"
    if annotation in (int, float):
        noun = "an integer" if annotation is int else "a number"
        low = next((m.ge for m in metadata if isinstance(m, annotated_types.Ge)), None)
        high = next((m.le for m in metadata if isinstance(m, annotated_types.Le)), None)
        if low is not None and high is not None:
            return f"{noun} from {low} to {high}"
        if low is not None:
            return f"{noun} >= {low}"
        if high is not None:
            return f"{noun} <= {high}"
        return noun
    if annotation is str:
        return "text"
    return getattr(annotation, "__name__", str(annotation))


def iter_models(model: type[BaseModel]) -> typing.Iterator[type[BaseModel]]:
    """Every config model reachable from ``model`` (itself first), for docs and tests."""
    seen: set[type[BaseModel]] = set()
    stack = [model]
    while stack:
        current = stack.pop(0)
        if current in seen:
            continue
        seen.add(current)
        yield current
        for info in current.model_fields.values():
            stack.extend(_models_in(info.annotation))


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if _is_model(annotation):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found.extend(_models_in(arg))
    return found
