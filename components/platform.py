"""Platform: the whole environment, composed from the components for one StackConfig."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components.config import StackConfig
from components.network import Network, NetworkArgs


class Platform(pulumi.ComponentResource):
    """Every component of one environment, wired together from a :class:`StackConfig`.

    It owns the AWS provider all children use: the stack's region, the common tags as default
    tags (so every taggable resource carries Project, Environment, ManagedBy, Owner and
    CostCenter without repeating them), and the accounts the stack may touch.
    """

    aws_provider: aws.Provider
    network: Network

    def __init__(
        self, name: str, config: StackConfig, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:index:Platform", name, None, opts)
        self.config = config
        self.aws_provider = aws.Provider(
            f"{name}-aws",
            region=config.aws_region,
            default_tags=aws.ProviderDefaultTagsArgs(tags=config.common_tags()),
            allowed_account_ids=list(config.allowed_account_ids) or None,
            opts=pulumi.ResourceOptions(parent=self),
        )
        with_aws = pulumi.ResourceOptions(parent=self, providers={"aws": self.aws_provider})
        name_tag = f"{config.project}-{config.environment}"

        self.network = Network(
            f"{name}-network",
            NetworkArgs(**config.network.model_dump(), name_tag=name_tag),
            opts=with_aws,
        )

        self.register_outputs(self.stack_outputs())

    def stack_outputs(self) -> dict[str, Any]:
        """What the stack exports (camelCase, as Pulumi outputs are named)."""
        return {
            "region": self.config.aws_region,
            "environment": self.config.environment,
            "vpcId": self.network.vpc_id,
            "vpcCidr": self.network.vpc_cidr,
            "availabilityZones": self.network.availability_zones,
            "publicSubnetIds": self.network.public_subnet_ids,
            "privateSubnetIds": self.network.private_subnet_ids,
            "dataSubnetIds": self.network.data_subnet_ids,
            "natPublicIps": self.network.nat_public_ips,
        }
