"""Prices of the edge: CloudFront traffic, functions and metrics."""

from __future__ import annotations

from tools.cost.pricing import PricingContext, handles, tiered


@handles("aws:cloudfront/distribution:Distribution")
def _distribution(ctx: PricingContext) -> None:
    gb = float(ctx.usage("cloudfront_gb_per_month"))
    tiers = ctx.table.entry("cloudfront.data_transfer_out_gb")["tiers"]
    cost = tiered(gb, tiers)
    ctx.charge(
        "cloudfront.data_transfer_out_gb",
        "data transfer out, US/Europe tiers",
        gb,
        unit_usd=cost / gb if gb else float(tiers[0]["usd"]),
        uses=("cloudfront_gb_per_month",),
    )
    requests = float(ctx.usage("cloudfront_requests_millions_per_month"))
    ctx.charge(
        "cloudfront.https_request_10k",
        "HTTPS requests",
        requests * 100,
        uses=("cloudfront_requests_millions_per_month",),
    )


@handles("aws:cloudfront/function:Function")
def _cloudfront_function(ctx: PricingContext) -> None:
    invocations = float(ctx.usage("cloudfront_requests_millions_per_month")) * float(
        ctx.usage("cloudfront_function_share_of_requests")
    )
    ctx.charge(
        "cloudfront.function_invocation_million",
        "function invocations",
        invocations,
        uses=(
            "cloudfront_requests_millions_per_month",
            "cloudfront_function_share_of_requests",
        ),
    )


@handles("aws:cloudfront/monitoringSubscription:MonitoringSubscription")
def _cloudfront_metrics(ctx: PricingContext) -> None:
    config = (ctx.get("monitoringSubscription") or {}).get("realtimeMetricsSubscriptionConfig")
    if (config or {}).get("realtimeMetricsSubscriptionStatus") == "Enabled":
        # The 8 additional distribution metrics are billed as custom metrics, in us-east-1
        # where CloudFront publishes its metrics.
        ctx.charge(
            "cloudwatch.custom_metric_month",
            "8 additional CloudFront metrics",
            8,
            region="us-east-1",
        )
