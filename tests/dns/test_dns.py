"""Specification of DnsZone: created, existing by id, or looked up by domain."""

from __future__ import annotations

from aws_web_platform.dns.zone import DnsZone, DnsZoneArgs
from tests.conftest import built

ZONE = "aws:route53/zone:Zone"


def test_a_created_zone_is_protected_and_outputs_its_name_servers() -> None:
    _, rec = built(DnsZone, "dns", DnsZoneArgs(domain="shop.example.com"))
    created = rec.find(ZONE, "dns-zone")
    assert created["name"] == "shop.example.com"
    assert created.protect and created["forceDestroy"] is False
    out = rec.find("platform:dns:DnsZone", "dns").outputs
    assert out["zone_id"] == created.outputs["zoneId"]
    assert out["zone_arn"] == f"arn:aws:route53:::hostedzone/{created.outputs['zoneId']}"
    assert len(out["name_servers"]) == 4


def test_an_existing_zone_is_used_by_id_without_creating_one() -> None:
    _, rec = built(
        DnsZone,
        "dns",
        DnsZoneArgs(domain="shop.example.com", hosted_zone_id="Z0ABC", create_zone=False),
    )
    assert rec.all_of(ZONE) == []
    assert rec.find("platform:dns:DnsZone", "dns").outputs["zone_id"] == "Z0ABC"


def test_an_existing_zone_can_be_found_by_domain() -> None:
    _, rec = built(DnsZone, "dns", DnsZoneArgs(domain="shop.example.com", create_zone=False))
    lookups = [args for token, args in rec.invokes if token == "aws:route53/getZone:getZone"]
    assert lookups == [{"name": "shop.example.com", "privateZone": False}]
    assert rec.all_of(ZONE) == []
