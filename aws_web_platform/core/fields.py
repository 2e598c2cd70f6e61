"""Field types every settings model shares, and the base model they derive from.

A settings model (``<domain>/config.py``) is what a stack file says about one component: keys
are camelCase like Pulumi's, unknown keys are errors, values are immutable once parsed. The
types here carry, beside their constraint, an ``allowed`` text that validation messages print
("allowed: a 12-digit AWS account id"), so a bad value says what would be right.
"""

from __future__ import annotations

import inspect
import ipaddress
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar, cast

import pulumi
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, GetCoreSchemaHandler
from pydantic.alias_generators import to_camel
from pydantic_core import CoreSchema, core_schema


class ConfigModel(BaseModel):
    """Base of every config model: camelCase keys, unknown keys rejected, immutable."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
        validate_default=True,
    )


class Wiring(ConfigModel):
    """Base of a component's wiring: what it is connected to besides its settings (ids, ARNs
    and endpoints other resources output, providers, other components).

    A component's Args derives from its settings model and its wiring model
    (``class PostgresDatabaseArgs(DatabaseConfig, PostgresDatabaseWiring)``), so a program
    passes every field flat (``PostgresDatabaseArgs(instance_class=..., vpc_id=...)``), and the
    platform composes a stack file's settings with typed wiring through ``from_config``, which
    pyright checks field by field.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)


ArgsT = TypeVar("ArgsT", bound=BaseModel)


def compose(args_type: type[ArgsT], settings: BaseModel, wiring: Wiring) -> ArgsT:
    """An Args model from a settings model and a wiring model, fields taken as they are (nested
    models stay models: nothing is dumped and parsed again)."""
    fields = {name: getattr(settings, name) for name in type(settings).model_fields}
    fields |= {name: getattr(wiring, name) for name in type(wiring).model_fields}
    return args_type(**fields)


# --------------------------------------------------------------------------------------------
# Pulumi inputs in Args models
# --------------------------------------------------------------------------------------------


def _is_pending(value: object) -> bool:
    """An Output or an awaitable: a value Pulumi resolves later, taken as is."""
    return isinstance(value, pulumi.Output) or inspect.isawaitable(value)


@dataclass(frozen=True)
class PulumiInput:
    """Pydantic metadata of an Args field that takes a Pulumi input.

    The static type (``pulumi.Input[str]``: a value, an Output or an awaitable) is what pyright
    checks at the seams between components; at run time the field takes an Output or awaitable
    as is and checks a plain value's type (``many``: a sequence of them, or one Output of the
    whole list), so ``vpc_id=5`` fails at construction with the field's name.
    """

    plain: type | tuple[type, ...] = str
    many: bool = False

    def __get_pydantic_core_schema__(
        self, _source: Any, _handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(self._check)

    def _check(self, value: object) -> object:
        if _is_pending(value):
            return value
        if not self.many:
            if isinstance(value, self.plain):
                return value
            raise ValueError(f"expected {self._name()} or a Pulumi Output of one")
        if isinstance(value, (list, tuple)):
            items = cast(Sequence[object], value)
            for item in items:
                if not (_is_pending(item) or isinstance(item, self.plain)):
                    raise ValueError(f"each item must be {self._name()} or a Pulumi Output")
            return items
        raise ValueError(f"expected a list (items {self._name()} or Outputs) or an Output of one")

    def _name(self) -> str:
        kinds = self.plain if isinstance(self.plain, tuple) else (self.plain,)
        return " or ".join(kind.__name__ for kind in kinds)


# ``pulumi.Input[T]`` spelled out: the SDK's alias names Output by a forward reference that
# pydantic would try to resolve.
_Str = str | Awaitable[str] | pulumi.Output[str]
#: An id, ARN, name or endpoint another resource outputs (a str, or an Output of one).
InputStr = Annotated[_Str, PulumiInput()]
#: A list of them (a list whose items may be Outputs, or an Output of the whole list).
InputStrs = Annotated[
    Sequence[_Str] | Awaitable[Sequence[_Str]] | pulumi.Output[Sequence[_Str]],
    PulumiInput(many=True),
]


# --------------------------------------------------------------------------------------------
# Shared field types
# --------------------------------------------------------------------------------------------


#: Retention periods CloudWatch Logs accepts (days); any other number is rejected by the API.
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                      2192, 2557, 2922, 3288, 3653)  # fmt: skip
LogRetentionDays = Literal[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
                           1827, 2192, 2557, 2922, 3288, 3653]  # fmt: skip

#: AWS tag values: up to 256 letters, digits, spaces and ``_ . : / = + - @``.
TagValue = Annotated[
    str,
    Field(
        min_length=1,
        max_length=256,
        pattern=r"^[\w .:/=+\-@]+$",
        json_schema_extra={
            "allowed": "1 to 256 characters: letters, digits, spaces and _ . : / = + - @"
        },
    ),
]

AccountId = Annotated[
    str, Field(pattern=r"^\d{12}$", json_schema_extra={"allowed": "a 12-digit AWS account id"})
]

IPv4NetworkText = Annotated[
    str,
    AfterValidator(lambda v: str(ipaddress.IPv4Network(v, strict=True))),
    Field(json_schema_extra={"allowed": "an IPv4 network in CIDR notation, e.g. 203.0.113.0/24"}),
]
IamPrincipalArn = Annotated[
    str,
    Field(
        pattern=r"^arn:aws[a-z-]*:iam::\d{12}:(role|user)/[\w+=,.@/-]+$",
        json_schema_extra={"allowed": "an IAM role or user ARN"},
    ),
]

#: Maintenance and backup windows (checked by :mod:`aws_web_platform.core.time_windows`).
DailyWindow = Annotated[
    str,
    Field(json_schema_extra={"allowed": "a daily UTC window hh24:mi-hh24:mi of 30+ minutes"}),
]
WeeklyWindow = Annotated[
    str,
    Field(
        json_schema_extra={"allowed": "a weekly UTC window ddd:hh24:mi-ddd:hh24:mi of 30+ minutes"}
    ),
]
