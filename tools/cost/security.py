"""Prices of keys, secrets and the WAF."""

from __future__ import annotations

from tools.cost.pricing import PricingContext, handles


@handles("aws:kms/key:Key")
def _kms_key(ctx: PricingContext) -> None:
    ctx.charge("kms.key_month", "customer managed key (first year: no rotated versions yet)", 1)


@handles("aws:secretsmanager/secret:Secret")
def _secret(ctx: PricingContext) -> None:
    copies = 1 + len(ctx.get("replicas") or [])
    ctx.charge("secretsmanager.secret_month", "secret", copies)


@handles("aws:wafv2/webAcl:WebAcl")
def _web_acl(ctx: PricingContext) -> None:
    ctx.charge("waf.web_acl_month", "web ACL", 1)
    rules = list(ctx.get("rules") or [])
    ctx.charge("waf.rule_month", f"{len(rules)} rules and rule groups", len(rules))
    requests = float(ctx.usage("cloudfront_requests_millions_per_month"))
    ctx.charge(
        "waf.request_million",
        "requests inspected (every viewer request)",
        requests,
        uses=("cloudfront_requests_millions_per_month",),
    )
    paid_groups = {
        "AWSManagedRulesBotControlRuleSet",
        "AWSManagedRulesATPRuleSet",
        "AWSManagedRulesACFPRuleSet",
    }
    for rule in rules:
        group = ((rule.get("statement") or {}).get("managedRuleGroupStatement") or {}).get("name")
        if group in paid_groups:
            ctx.notes.append(f"subscription and request fees of the managed rule group {group}")
