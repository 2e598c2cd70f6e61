"""Prices of the network: NAT gateways, public addresses, endpoints, the load balancer, DNS."""

from __future__ import annotations

from tools.cost.pricing import PricingContext, handles
from tools.cost.table import NoPriceError


@handles("aws:ec2/natGateway:NatGateway")
def _nat_gateway(ctx: PricingContext) -> None:
    ctx.hourly("vpc.nat_gateway_hour", "NAT gateway-hours")
    gateways = len(ctx.recording.all_of(ctx.resource.type))
    share = float(ctx.usage("nat_processed_gb_per_month")) / max(gateways, 1)
    ctx.charge(
        "vpc.nat_gateway_gb",
        f"data processed (1/{gateways} of the stack's)",
        share,
        uses=("nat_processed_gb_per_month",),
    )


@handles("aws:ec2/eip:Eip")
def _elastic_ip(ctx: PricingContext) -> None:
    ctx.hourly("vpc.public_ipv4_hour", "public IPv4 address-hours")


@handles("aws:ec2/vpcEndpoint:VpcEndpoint")
def _vpc_endpoint(ctx: PricingContext) -> None:
    if ctx.get("vpcEndpointType", "Gateway") == "Gateway":
        return  # S3 and DynamoDB gateway endpoints are free
    zones = len(ctx.get("subnetIds") or []) or 1
    ctx.hourly("vpc.interface_endpoint_az_hour", f"interface endpoint in {zones} AZs", zones)
    endpoints = [
        e
        for e in ctx.recording.all_of(ctx.resource.type)
        if e.get("vpcEndpointType", "Gateway") != "Gateway"
    ]
    share = float(ctx.usage("interface_endpoint_gb_per_month")) / max(len(endpoints), 1)
    ctx.charge(
        "vpc.interface_endpoint_gb",
        f"data processed (1/{len(endpoints)} of the stack's)",
        share,
        uses=("interface_endpoint_gb_per_month",),
    )


@handles("aws:lb/loadBalancer:LoadBalancer")
def _load_balancer(ctx: PricingContext) -> None:
    if ctx.get("loadBalancerType", "application") != "application":
        raise NoPriceError(f"no price for {ctx.get('loadBalancerType')} load balancers")
    ctx.hourly("elb.alb_hour", "Application Load Balancer-hours")
    # What CloudFront does not serve from cache reaches the ALB; 1 GB processed in an hour is
    # one LCU-hour for instance/IP targets, the dimension that dominates for this traffic.
    origin_gb = float(ctx.usage("cloudfront_gb_per_month")) * (
        1 - float(ctx.usage("cloudfront_cache_hit_ratio"))
    )
    ctx.charge(
        "elb.alb_lcu_hour",
        "LCU-hours (processed bytes: CDN cache misses)",
        origin_gb,
        uses=("cloudfront_gb_per_month", "cloudfront_cache_hit_ratio"),
    )
    if not ctx.get("internal", False):
        zones = len(ctx.get("subnets") or ctx.get("subnetMappings") or []) or 1
        ctx.hourly("vpc.public_ipv4_hour", f"public IPv4 addresses of its {zones} AZ nodes", zones)


@handles("aws:route53/zone:Zone")
def _hosted_zone(ctx: PricingContext) -> None:
    ctx.charge("route53.hosted_zone_month", "hosted zone", 1)
    queries = float(ctx.usage("route53_queries_millions_per_month"))
    ctx.charge(
        "route53.query_million",
        "standard queries",
        queries,
        uses=("route53_queries_millions_per_month",),
    )
