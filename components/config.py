"""Typed stack configuration: every knob of the platform, parsed from the stack file.

Data flows one way: ``Pulumi.<stack>.yaml`` -> :class:`StackConfig` -> ``Platform`` -> components.
This module and ``__main__.py`` are the only places that read ``pulumi.Config``; components take
their typed Args, so platform engineers can use them in their own programs.

Conventions:

* Keys live under the project's namespace (``platform:``) and are camelCase, as Pulumi keys are:
  ``platform:network`` holds ``{cidr, azCount, natStrategy, ...}``. Python code uses snake_case.
* Defaults are the production-safe values from ``SPEC.md``. The dev stack file turns them down
  (sizes, counts, HA); the code never branches on the stack's name.
* A bad value stops the program before any resource is registered, with one message naming the
  full key path (``platform:network.azCount``), the bad value and what is allowed.
* Secrets are never read here in plaintext: a key of this model set with ``--secret`` is refused,
  because its value would end up in plaintext (tags, names) in the state.
"""

from __future__ import annotations

import ipaddress
import json
import typing
from typing import Annotated, Any, Literal

import pulumi
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from components.config_messages import config_key, describe_error
from components.network_layout import LayoutError, parse_vpc_cidr

# --------------------------------------------------------------------------------------------
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

#: Interface endpoints the network knows how to create (service name after com.amazonaws.<region>.).
EndpointService = Literal[
    "autoscaling",
    "ec2",
    "ec2messages",
    "ecr.api",
    "ecr.dkr",
    "eks",
    "eks-auth",
    "elasticloadbalancing",
    "kms",
    "logs",
    "monitoring",
    "secretsmanager",
    "sns",
    "sqs",
    "ssm",
    "ssmmessages",
    "sts",
    "xray",
]

#: What private nodes need to reach AWS when the VPC has no NAT (EKS private-cluster guide).
ENDPOINTS_REQUIRED_WITHOUT_NAT: tuple[str, ...] = (
    "ec2",
    "ecr.api",
    "ecr.dkr",
    "eks-auth",
    "elasticloadbalancing",
    "logs",
    "sts",
)

NatStrategy = Literal["per_az", "single", "none"]


def _check_vpc_cidr(value: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
    try:
        return parse_vpc_cidr(value)
    except LayoutError as error:
        raise ValueError(str(error)) from None


def _require_text(value: Any) -> Any:
    if not isinstance(value, (str, ipaddress.IPv4Network)):
        raise ValueError("must be text in CIDR notation")  # pydantic would take 167772160 too
    return value


VpcCidr = Annotated[
    ipaddress.IPv4Network,
    BeforeValidator(_require_text),
    AfterValidator(_check_vpc_cidr),
    Field(
        json_schema_extra={
            "allowed": "an IPv4 network in CIDR notation with prefix /16 to /20, e.g. 10.0.0.0/16"
        }
    ),
]

# --------------------------------------------------------------------------------------------
# Network
# --------------------------------------------------------------------------------------------


class FlowLogsConfig(ConfigModel):
    """VPC flow logs, always on: the record of who talked to what, for incidents and audits."""

    retention_days: LogRetentionDays = Field(
        default=30,
        description="Days CloudWatch keeps flow logs. Default 30: long enough to investigate an "
        "incident reported weeks later, bounded in cost; dev keeps 7.",
    )
    traffic_type: Literal["ALL", "ACCEPT", "REJECT"] = Field(
        default="ALL",
        description="Which traffic is logged. Default ALL: accepted flows matter as much as "
        "rejected ones when tracing an intrusion.",
    )
    max_aggregation_interval: Literal[60, 600] = Field(
        default=60,
        description="Seconds over which flows are aggregated into one record. Default 60, the "
        "finest AWS offers, so records line up with 1-minute alarms.",
    )


class NetworkConfig(ConfigModel):
    """The VPC: CIDR, AZ spread, NAT strategy, endpoints and flow logs."""

    cidr: VpcCidr = Field(
        default=ipaddress.IPv4Network("10.0.0.0/16"),
        description="VPC CIDR. Default 10.0.0.0/16, the largest VPC AWS allows, so each AZ gets a "
        "/19 private subnet for VPC-CNI pod IPs. Subnets are carved from it by a fixed grid "
        "(docs/network.md).",
    )
    az_count: int = Field(
        default=3,
        ge=2,
        le=3,
        description="Availability zones to spread over (the first ones of the region, looked up "
        "at run time). Default 3: the cluster and the database survive the loss of an AZ with "
        "capacity to spare. Raising it later adds subnets without moving existing ones.",
    )
    nat_strategy: NatStrategy = Field(
        default="per_az",
        description="Egress for private subnets. per_az (default): one NAT gateway per AZ, so "
        "losing an AZ never cuts the others off the internet. single: one NAT gateway for all "
        "AZs (cheaper, for dev). none: no internet egress; nodes reach AWS through endpoints.",
    )
    interface_endpoints: tuple[EndpointService, ...] = Field(
        default=("ecr.api", "ecr.dkr", "sts", "logs", "secretsmanager", "ssm"),
        description="Interface VPC endpoints (service names) in the private subnets, with private "
        "DNS. Default: what nodes and pods call most (image pulls, Pod Identity credentials, "
        "logs, secrets, SSM), so that traffic stays private and off NAT data charges. The S3 "
        "gateway endpoint is always created (it is free).",
    )
    flow_logs: FlowLogsConfig = Field(
        default=FlowLogsConfig(),
        description="VPC flow logs to CloudWatch Logs. Always on; this tunes retention and scope.",
    )

    @field_validator("interface_endpoints")
    @classmethod
    def _no_duplicate_endpoints(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        duplicates = sorted({service for service in value if value.count(service) > 1})
        if duplicates:
            raise ValueError(f"each endpoint may appear once; repeated: {', '.join(duplicates)}")
        return value

    @model_validator(mode="after")
    def _endpoints_cover_no_nat(self) -> NetworkConfig:
        if self.nat_strategy == "none":
            missing = [
                s for s in ENDPOINTS_REQUIRED_WITHOUT_NAT if s not in self.interface_endpoints
            ]
            if missing:
                raise ValueError(
                    "natStrategy 'none' leaves private subnets without internet egress, so nodes "
                    "reach AWS only through endpoints: add to interfaceEndpoints "
                    f"{', '.join(missing)} (or use natStrategy 'single' or 'per_az')"
                )
        return self


# --------------------------------------------------------------------------------------------
# The stack
# --------------------------------------------------------------------------------------------


class StackConfig(ConfigModel):
    """Everything a stack file says. One field per top-level key of the ``platform:`` namespace,
    plus the AWS region from the provider's own ``aws:region`` key."""

    aws_region: str = Field(
        validation_alias="aws:region",
        pattern=r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$",
        description="AWS region of the stack, from the standard aws:region key. Required: a "
        "platform deployed to an unintended region is a costly mistake.",
        json_schema_extra={"allowed": "an AWS region code such as eu-west-1 or us-east-1"},
    )
    environment: str = Field(
        pattern=r"^[a-z][a-z0-9-]{0,15}$",
        description="Environment name, used in the Environment tag and Name tags. Default: the "
        "stack's name.",
        json_schema_extra={
            "allowed": "1 to 16 lowercase letters, digits or '-', starting with a letter",
            "default": "the stack's name",
        },
    )
    project: TagValue = Field(
        description="Product name, for the Project tag on every resource. Required: cost reports "
        "group by it."
    )
    owner: TagValue = Field(
        description="Team or person answerable for the stack (Owner tag). Required: an untagged "
        "resource nobody owns is never cleaned up."
    )
    cost_center: TagValue = Field(
        description="Cost center billed for the stack (CostCenter tag). Required for cost "
        "allocation."
    )
    allowed_account_ids: tuple[AccountId, ...] = Field(
        default=(),
        description="AWS accounts the stack may be deployed to; the provider refuses any other. "
        "Default empty (any account); set it in prod so prod config never lands in a dev "
        "account.",
    )
    network: NetworkConfig = Field(
        NetworkConfig(), description="The VPC (see NetworkConfig). Default: production layout."
    )

    def common_tags(self) -> dict[str, str]:
        """Tags every taggable AWS resource carries, applied as the provider's default tags."""
        return {
            "Project": self.project,
            "Environment": self.environment,
            "ManagedBy": "pulumi",
            "Owner": self.owner,
            "CostCenter": self.cost_center,
        }


# --------------------------------------------------------------------------------------------
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
    data.setdefault("environment", stack)
    if region is not None:
        data["aws:region"] = region
    try:
        config = StackConfig.model_validate(data)
    except ValidationError as error:
        problems.extend(describe_error(StackConfig, d, namespace) for d in error.errors())
        config = None
    if problems or config is None:
        raise ConfigError(_format_problems(problems, stack))
    return config


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
