"""DnsZone: the stack's public Route 53 hosted zone: created, or an existing one.

Three ways, from config: create the zone for the domain (then delegate the domain to the name
servers it outputs), use an existing zone by id, or look an existing public zone up by domain.
Everything that writes records (external-dns, the edge's certificates and aliases) is scoped to
this zone's id and ARN.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
from pydantic import Field

from aws_web_platform.core.aws_context import aws_context
from aws_web_platform.core.fields import Wiring, compose
from aws_web_platform.dns.config import DnsConfig


class DnsZoneWiring(Wiring):
    """What :class:`DnsZone` is wired to besides its settings."""

    protect: bool = Field(
        default=True,
        description="Pulumi protect on a created zone: deleting it would take the domain off the "
        "internet and change its name servers. Default true.",
    )


class DnsZoneArgs(DnsConfig, DnsZoneWiring):
    """Arguments of :class:`DnsZone`: its settings (``DnsConfig``) and its wiring
    (``DnsZoneWiring``), every field flat."""

    @classmethod
    def from_config(cls, config: DnsConfig, wiring: DnsZoneWiring) -> DnsZoneArgs:
        """The Args of a stack file's settings and the platform's wiring."""
        return compose(cls, config, wiring)


class DnsZone(pulumi.ComponentResource):
    """The public hosted zone of the stack's domain."""

    domain: str
    zone_id: pulumi.Output[str]
    zone_arn: pulumi.Output[str]
    name_servers: pulumi.Output[list[str]] | None
    zone: aws.route53.Zone | None

    def __init__(
        self, name: str, args: DnsZoneArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:dns:DnsZone", name, None, opts)
        self.domain = args.domain
        self.zone = None
        self.name_servers = None
        partition = aws_context(self).partition
        if args.hosted_zone_id is not None:
            self.zone_id = pulumi.Output.from_input(args.hosted_zone_id)
        elif args.create_zone:
            self.zone = aws.route53.Zone(
                f"{name}-zone",
                name=args.domain,
                comment=f"Public zone of {args.domain}, managed by Pulumi",
                force_destroy=not args.protect,
                opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
            )
            self.zone_id = self.zone.zone_id
            self.name_servers = self.zone.name_servers.apply(list)
        else:
            found = aws.route53.get_zone_output(
                name=args.domain, private_zone=False, opts=pulumi.InvokeOutputOptions(parent=self)
            )
            self.zone_id = found.zone_id
        self.zone_arn = pulumi.Output.concat(f"arn:{partition}:route53:::hostedzone/", self.zone_id)
        self.register_outputs(
            {
                "domain": self.domain,
                "zone_id": self.zone_id,
                "zone_arn": self.zone_arn,
                "name_servers": self.name_servers,
            }
        )
