"""Field types every settings model shares, and the base model they derive from.

A settings model (``<domain>/config.py``) is what a stack file says about one component: keys
are camelCase like Pulumi's, unknown keys are errors, values are immutable once parsed. The
types here carry, beside their constraint, an ``allowed`` text that validation messages print
("allowed: a 12-digit AWS account id"), so a bad value says what would be right.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
)
from pydantic.alias_generators import to_camel

# Shared building blocks
# --------------------------------------------------------------------------------------------


class ConfigModel(BaseModel):
    """Base of every config model: camelCase keys, unknown keys rejected, immutable."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
        validate_default=True,
    )


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
