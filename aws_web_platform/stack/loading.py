"""Reading a stack's configuration: decoding, validation, the one error message, app secrets.

:func:`load_stack_config` is the program's first step, and with ``__main__.py`` the only place
that reads ``pulumi.Config``; components take typed Args. :func:`load_config_model` gives a
program of your own the same decoding and messages for a settings model of its own.
"""

from __future__ import annotations

import json
import typing
from typing import Any

import pulumi
from pydantic import (
    BaseModel,
    ValidationError,
)

from aws_web_platform.secrets.config import APP_SECRET_VALUES_KEY
from aws_web_platform.stack.config import StackConfig
from aws_web_platform.stack.messages import config_key, describe_error

# Loading and error reporting
# --------------------------------------------------------------------------------------------


class ConfigError(pulumi.RunError):
    """The stack's configuration is invalid; raised before any resource is registered.

    A ``RunError``, so ``pulumi up`` prints the message alone, without a Python traceback.
    """


def load_stack_config() -> StackConfig:
    """Read and validate the running stack's configuration (the program's first step)."""
    namespace = pulumi.get_project()
    values: dict[str, Any] = {}
    secret_keys: list[str] = []
    for key, raw in _namespace_values(namespace).items():
        values[key] = decode_config_value(raw)
        if pulumi.runtime.is_config_secret(f"{namespace}:{key}"):
            secret_keys.append(key)
    return parse_stack_config(
        values,
        namespace=namespace,
        stack=pulumi.get_stack(),
        region=pulumi.Config("aws").get("region"),
        secret_keys=secret_keys,
    )


def parse_stack_config(
    values: dict[str, Any],
    *,
    namespace: str,
    stack: str,
    region: str | None,
    secret_keys: typing.Iterable[str] = (),
) -> StackConfig:
    """Validate the keys of the project's namespace (already decoded) into a StackConfig.

    ``environment`` defaults to the stack's name. Raises :class:`ConfigError` listing every
    problem, each with its full key path, the value found and what is allowed.
    """
    problems: list[str] = []
    for key in sorted(secret_keys):
        if key in _top_level_aliases():
            problems.append(
                f"{namespace}:{key}: is set as a secret, but this key is used in plaintext "
                "(tags, names, sizes), so its value would be stored unencrypted; set it with "
                "`pulumi config set` without --secret"
            )
    data = dict(values)
    secret_values = data.pop(APP_SECRET_VALUES_KEY, None)
    data.setdefault("environment", stack)
    if region is not None:
        data["aws:region"] = region
    try:
        config = StackConfig.model_validate(data)
    except ValidationError as error:
        problems.extend(describe_error(StackConfig, d, namespace) for d in error.errors())
        config = None
    if config is not None:
        problems += _check_secret_values(
            config.app_secrets.names,
            secret_values,
            is_secret=APP_SECRET_VALUES_KEY in set(secret_keys),
            namespace=namespace,
        )
    if problems or config is None:
        raise ConfigError(_format_problems(problems, stack))
    return config


ModelT = typing.TypeVar("ModelT", bound=BaseModel)


def load_config_model(model: type[ModelT], *, namespace: str | None = None) -> ModelT:
    """Read the running stack's ``<namespace>:*`` keys into ``model`` (your own program's config).

    For programs that compose the components with a config of their own (examples/): the same
    decoding and messages as the platform's stack config, so a bad value names its key path, the
    value and what is allowed, and raises :class:`ConfigError` before any resource exists.
    ``namespace`` defaults to the project's name.
    """
    namespace = namespace or pulumi.get_project()
    values = {key: decode_config_value(raw) for key, raw in _namespace_values(namespace).items()}
    try:
        return model.model_validate(values)
    except ValidationError as error:
        problems = [describe_error(model, d, namespace) for d in error.errors()]
        raise ConfigError(_format_problems(problems, pulumi.get_stack())) from None


def load_app_secret_values(config: StackConfig) -> dict[str, pulumi.Output[str]]:
    """The app secrets' values, as Pulumi secrets, from ``platform:appSecretValues``.

    Call after :func:`load_stack_config`, which has checked that every declared secret has a
    value set with --secret; the values never leave Pulumi's secret outputs.
    """
    namespace = pulumi.get_project()
    raw = _namespace_values(namespace).get(APP_SECRET_VALUES_KEY)
    values = decode_config_value(raw) if raw is not None else {}
    if not isinstance(values, dict):
        values = {}
    return {name: pulumi.Output.secret(str(values[name])) for name in config.app_secrets.names}


def _check_secret_values(
    names: tuple[str, ...], values: Any, *, is_secret: bool, namespace: str
) -> list[str]:
    """Every declared app secret has a non-empty value, set with --secret; no unknown ones."""
    key = f"{namespace}:{APP_SECRET_VALUES_KEY}"
    how = f"pulumi config set --secret --path '{APP_SECRET_VALUES_KEY}.<name>' <value>"
    if values is None:
        if not names:
            return []
        return [f"{key}: not set; each app secret needs a value ({', '.join(names)}): {how}"]
    if not is_secret:
        return [f"{key}: is in plaintext; app secret values must be set with --secret: {how}"]
    if not isinstance(values, dict):
        return [f"{key}: must be a mapping of secret name to value: {how}"]
    problems = [
        f"{key}.{name}: not set (declared in {namespace}:appSecrets.names): {how}"
        for name in names
        if not isinstance(values.get(name), str) or not values.get(name)
    ]
    problems += [
        f"{key}.{name}: unknown secret (value hidden); declared names: {', '.join(names)}"
        for name in sorted(set(values) - set(names))
    ]
    return problems


def _namespace_values(namespace: str) -> dict[str, str]:
    """Every ``<namespace>:<key>`` the engine passed to the program, as raw strings."""
    prefix = f"{namespace}:"
    merged = {**pulumi.runtime.get_config_env(), **pulumi.runtime.config.CONFIG.get()}
    return {key[len(prefix) :]: value for key, value in merged.items() if key.startswith(prefix)}


def decode_config_value(raw: Any) -> Any:
    """Structured values (objects, lists) arrive as JSON text; scalars stay text for pydantic."""
    if isinstance(raw, str) and raw[:1] in ("{", "["):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return raw


def _top_level_aliases() -> set[str]:
    return {config_key(name, info) for name, info in StackConfig.model_fields.items()}


def _format_problems(problems: list[str], stack: str) -> str:
    lines = [f"Invalid configuration for stack '{stack}'; nothing was deployed:"]
    lines += [f"  - {problem}" for problem in problems]
    lines.append(
        "Fix the stack file (Pulumi.<stack>.yaml) or use `pulumi config set --path "
        "'<key.path>' <value>`; docs/config.md lists every key."
    )
    return "\n".join(lines)
