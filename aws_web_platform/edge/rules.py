"""The edge's rules as data: WAF rules, CloudFront behaviours, security headers.

Pure functions of the stack's EdgeConfig, so each rule of docs/requirements.md can be read and
tested without creating anything:

* WAF: AWS managed rule groups (IP reputation, known bad inputs, common rule set, SQL
  injection; Bot Control and anonymous IPs as options), then rate-based rules per client IP:
  login paths, the API, everything else but Next.js's build assets. WAF counts requests over
  windows of 60, 120, 300 or 600 seconds with a limit of at least 10, so the spec's per-second
  figures become per-minute limits (10 req/s = 600 per 60 s, 20 req/s = 1200 per 60 s), and
  its 5 logins per minute, below WAF's minimum of 10 per window, becomes 10 per 120 s: the same
  5 per minute on average, with bursts of up to 10.
* CloudFront behaviours, first match wins: immutable Next.js assets for a year, the
  certificates bucket, API paths cached 5 minutes, the rest of the API uncached with every
  viewer header (but Host, sent as X-Forwarded-Host), cookie and query string, images and
  static assets for 7 days, and HTML (the default) uncached.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pulumi_aws as aws

from aws_web_platform.edge.config import EdgeConfig

# The SDK's TypedDicts: pyright checks every key of the nested rules below against them.
Rule = aws.wafv2.WebAclRuleArgsDict
Statement = aws.wafv2.WebAclRuleStatementRateBasedStatementScopeDownStatementArgsDict
SECONDS_PER_DAY = 86_400
#: HTTP status of a request over a rate limit: 429 Too Many Requests tells clients to back off
#: (WAF's default block answers 403, indistinguishable from a forbidden request).
RATE_LIMITED_STATUS = 429


# --- WAF -------------------------------------------------------------------------------------


def _visibility(metric: str) -> aws.wafv2.WebAclRuleVisibilityConfigArgsDict:
    return {
        "cloudwatch_metrics_enabled": True,
        "metric_name": metric,
        "sampled_requests_enabled": True,
    }


def _uri(path: str, constraint: Literal["STARTS_WITH", "EXACTLY"]) -> Statement:
    """The request's path, lower-cased (so /API/ counts as /api/), matched against ``path``."""
    return {
        "byte_match_statement": {
            "search_string": path.lower(),
            "positional_constraint": constraint,
            "field_to_match": {"uri_path": {}},
            "text_transformations": [{"priority": 0, "type": "LOWERCASE"}],
        }
    }


def _managed(
    name: str,
    priority: int,
    metric: str,
    count: tuple[str, ...] = (),
    configs: list[
        aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementManagedRuleGroupConfigArgsDict
    ]
    | None = None,
) -> Rule:
    statement: aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgsDict = {
        "vendor_name": "AWS",
        "name": name,
    }
    if configs:
        statement["managed_rule_group_configs"] = configs
    if count:
        statement["rule_action_overrides"] = [
            {"name": rule, "action_to_use": {"count": {}}} for rule in count
        ]
    return {
        "name": metric,
        "priority": priority,
        "override_action": {"none": {}},
        "statement": {"managed_rule_group_statement": statement},
        "visibility_config": _visibility(metric),
    }


def _rate(name: str, priority: int, limit: int, window: int, scope: Statement) -> Rule:
    return {
        "name": name,
        "priority": priority,
        "action": {
            "block": {
                "custom_response": {
                    "response_code": RATE_LIMITED_STATUS,
                    "response_headers": [{"name": "Retry-After", "value": str(window)}],
                }
            }
        },
        "statement": {
            "rate_based_statement": {
                "limit": limit,
                "evaluation_window_sec": window,
                "aggregate_key_type": "IP",
                "scope_down_statement": scope,
            }
        },
        "visibility_config": _visibility(name),
    }


def waf_rules(config: EdgeConfig) -> list[Rule]:
    """The web ACL's rules, in priority order: managed groups first (a request they block is
    not counted against anyone's rate), then the rate limits."""
    waf = config.waf
    rules = [
        _managed("AWSManagedRulesAmazonIpReputationList", 0, "ip-reputation"),
        _managed("AWSManagedRulesKnownBadInputsRuleSet", 1, "known-bad-inputs"),
        _managed("AWSManagedRulesCommonRuleSet", 2, "common", waf.common_rules_to_count),
        _managed("AWSManagedRulesSQLiRuleSet", 3, "sql-injection"),
    ]
    if waf.anonymous_ip_list:
        rules.append(_managed("AWSManagedRulesAnonymousIpList", 4, "anonymous-ip"))
    if waf.bot_control:
        # Bot Control requires its inspection level; COMMON: self-identifying and verifiable
        # bots (TARGETED adds browser challenges at a higher price).
        bot_config: list[
            aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementManagedRuleGroupConfigArgsDict
        ] = [{"aws_managed_rules_bot_control_rule_set": {"inspection_level": "COMMON"}}]
        rules.append(
            _managed("AWSManagedRulesBotControlRuleSet", 5, "bot-control", configs=bot_config)
        )
    login = [_uri(path, "EXACTLY") for path in waf.login_paths]
    if login:
        # The spec's 5 logins per minute is below WAF's minimum limit of 10 per window: the
        # default 10 per 120 s keeps the same average (5 per minute) with bursts of up to 10.
        scope: Statement = login[0] if len(login) == 1 else {"or_statement": {"statements": login}}
        rules.append(_rate("rate-login", 10, waf.login.limit, waf.login.window_seconds, scope))
    api = _uri("/api/", "STARTS_WITH")
    rules.append(_rate("rate-api", 11, waf.api.limit, waf.api.window_seconds, api))
    # Everything else but Next.js's build assets: WAF also sees CloudFront's cache hits, and one
    # page load fetches dozens of them (a school behind one NAT would hit the limit).
    others: Statement = {
        "not_statement": {
            "statement": {
                "or_statement": {"statements": [api, _uri("/_next/static/", "STARTS_WITH")]}
            }
        }
    }
    rules.append(_rate("rate-general", 12, waf.general.limit, waf.general.window_seconds, others))
    return rules


# --- CloudFront ------------------------------------------------------------------------------

Origin = Literal["alb", "certificates"]
CachePolicyRef = Literal[
    "immutable", "assets", "api-cached", "managed-disabled", "managed-optimized"
]
OriginRequestRef = Literal["managed-all-viewer-except-host", "none"]

ALL_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
READ_METHODS = ["GET", "HEAD", "OPTIONS"]


@dataclass(frozen=True)
class Behaviour:
    """One cache behaviour: which paths, to which origin, cached how."""

    path_pattern: str | None  # None: the default behaviour
    origin: Origin
    cache_policy: CachePolicyRef
    origin_request_policy: OriginRequestRef
    allowed_methods: tuple[str, ...]


def behaviours(config: EdgeConfig) -> list[Behaviour]:
    """Ordered behaviours (first match wins), then the default (HTML, uncached)."""
    ordered = [
        Behaviour("/_next/static/*", "alb", "immutable", "none", tuple(READ_METHODS)),
        Behaviour(
            "/certificates/*", "certificates", "managed-optimized", "none", tuple(READ_METHODS)
        ),
        *(
            Behaviour(path, "alb", "api-cached", "none", tuple(READ_METHODS))
            for path in config.cacheable_api_paths
        ),
        Behaviour(
            "/api/*",
            "alb",
            "managed-disabled",
            "managed-all-viewer-except-host",
            tuple(ALL_METHODS),
        ),
        *(
            Behaviour(pattern, "alb", "assets", "none", tuple(READ_METHODS))
            for pattern in config.static_asset_patterns
        ),
    ]
    default = Behaviour(
        None, "alb", "managed-disabled", "managed-all-viewer-except-host", tuple(ALL_METHODS)
    )
    return [*ordered, default]


@dataclass(frozen=True)
class CachePolicySpec:
    """A cache policy of our own, where no managed one has the spec's TTLs."""

    comment: str
    min_ttl: int
    default_ttl: int
    max_ttl: int
    query_strings: Literal["none", "all"]


def cache_policies(config: EdgeConfig) -> dict[str, CachePolicySpec]:
    """Own cache policies by reference name.

    Static content is pinned (``min = default = max``): cached for the spec's duration whatever
    the origin's Cache-Control says (Next.js sends ``max-age=0`` for files in ``public/``). The
    cacheable API paths are not pinned (``min = 0``): 5 minutes unless the API answers
    ``no-store`` or ``private``, so a response that must not be shared never is.
    """
    immutable = config.static_ttl_days * SECONDS_PER_DAY
    assets = config.asset_ttl_days * SECONDS_PER_DAY
    api = config.api_cache_ttl_seconds
    return {
        "immutable": CachePolicySpec(
            "Next.js build assets: content-hashed, immutable",
            immutable,
            immutable,
            immutable,
            "none",
        ),
        # Query strings are cache busters on static files (?v=2): part of the key.
        "assets": CachePolicySpec("Images and static assets", assets, assets, assets, "all"),
        "api-cached": CachePolicySpec(
            "Selected public API responses, per query string", 0, api, api, "all"
        ),
    }


def security_headers(
    config: EdgeConfig,
) -> aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigArgsDict:
    """The response headers policy's security headers (docs/requirements.md: every response)."""
    return {
        "strict_transport_security": {
            "access_control_max_age_sec": 31_536_000,  # one year
            "include_subdomains": True,
            "override": True,
        },
        "frame_options": {"frame_option": "DENY", "override": True},
        "content_type_options": {"override": True},  # X-Content-Type-Options: nosniff
        "referrer_policy": {
            "referrer_policy": "strict-origin-when-cross-origin",
            "override": True,
        },
        "xss_protection": {"protection": True, "mode_block": True, "override": True},
        # The one header the app may set itself: a Next.js nonce-based policy (per request) is
        # stricter than any static one, so the stack's policy applies when the app sends none.
        "content_security_policy": {
            "content_security_policy": config.content_security_policy,
            "override": False,
        },
    }


#: Headers the response headers policy adds beyond CloudFront's security headers.
CUSTOM_HEADERS = {"X-DNS-Prefetch-Control": "on"}
#: Headers stripped from responses: they only tell an attacker what runs behind.
REMOVED_HEADERS = ("X-Powered-By",)
