"""Settings of the VPC (:class:`~aws_web_platform.network.network.Network`): CIDR, AZs, NAT,
interface endpoints and flow logs."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    field_validator,
    model_validator,
)

from aws_web_platform.core.fields import ConfigModel, LogRetentionDays
from aws_web_platform.network.layout import (
    LayoutError,
    parse_vpc_cidr,
)

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
        default=("ecr.api", "ecr.dkr", "sts", "eks-auth", "logs", "secretsmanager", "ssm"),
        description="Interface VPC endpoints (service names) in the private subnets, with private "
        "DNS. Default: what nodes and pods call most (image pulls, STS, the EKS Pod Identity "
        "agent's credentials from eks-auth, logs, secrets, SSM), so that traffic stays private "
        "and off NAT data charges, and losing a NAT's zone (dev has one) does not stop every "
        "pod's credential refresh. The S3 gateway endpoint is always created (it is free).",
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
                    "$.natStrategy 'none' leaves private subnets without internet egress, so "
                    "nodes reach AWS only through endpoints: add to $.interfaceEndpoints "
                    f"{', '.join(missing)} (or use natStrategy 'single' or 'per_az')"
                )
        return self


# --------------------------------------------------------------------------------------------
