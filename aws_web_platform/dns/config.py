"""Settings of the stack's public DNS zone."""

from __future__ import annotations

from pydantic import (
    Field,
    model_validator,
)

from aws_web_platform.core.fields import ConfigModel

# DNS
# --------------------------------------------------------------------------------------------


class DnsConfig(ConfigModel):
    """The stack's public DNS zone (Route 53)."""

    domain: str = Field(
        pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
        max_length=253,
        description="Domain the stack serves (the apex; www and other hostnames go under it). "
        "Required: certificates, the CDN and external-dns are scoped to it.",
        json_schema_extra={"allowed": "a lowercase domain name such as example.com"},
    )
    hosted_zone_id: str | None = Field(
        default=None,
        pattern=r"^Z[A-Z0-9]{1,31}$",
        description="Use this existing public hosted zone. Default None: create the zone "
        "(createZone true) or look it up by domain (createZone false).",
        json_schema_extra={"allowed": "a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ"},
    )
    create_zone: bool = Field(
        default=True,
        description="Create the public hosted zone for the domain (then delegate to its name "
        "servers, a stack output). Default true; false looks an existing zone up by domain.",
    )
    delegated: bool = Field(
        default=True,
        description="The domain resolves through this zone (the registrar or parent zone names "
        "its name servers). Default true. Set false for the first deploy of a zone this stack "
        "creates: the edge, whose certificates validate through the zone, is left out until "
        "the domain is delegated to the dnsNameServers output; then remove the key and deploy "
        "again.",
    )

    @model_validator(mode="after")
    def _one_source(self) -> DnsConfig:
        problems: list[str] = []
        if self.hosted_zone_id is not None and self.create_zone:
            problems.append("$.hostedZoneId names an existing zone: set $.createZone false")
        if not self.delegated and not self.create_zone:
            problems.append(
                "$.delegated false only applies to a zone this stack creates ($.createZone "
                "true): an existing zone already answers for the domain"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self
