"""Specification of the edge's rules as data (aws_web_platform/edge/rules.py)."""

from __future__ import annotations

from typing import Any

import pytest

from aws_web_platform.edge.config import EdgeConfig, RateLimitConfig, WafConfig
from aws_web_platform.edge.rules import (
    ALL_METHODS,
    CUSTOM_HEADERS,
    RATE_LIMITED_STATUS,
    behaviours,
    cache_policies,
    security_headers,
    waf_rules,
)

WAF_WINDOWS = {60, 120, 300, 600}
WAF_MIN_LIMIT = 10
DAY = 86_400


def rules_of(config: EdgeConfig) -> list[Any]:
    """The rules as plain data (the SDK's TypedDicts type nested values as possible Outputs)."""
    return list(waf_rules(config))


def by_name(config: EdgeConfig) -> dict[str, Any]:
    return {rule["name"]: rule for rule in rules_of(config)}


def rate_statement(rule: Any) -> Any:
    return rule["statement"]["rate_based_statement"]


def test_managed_rule_groups_come_first_and_block() -> None:
    rules = rules_of(EdgeConfig())
    groups = [
        r["statement"]["managed_rule_group_statement"]["name"]
        for r in rules
        if "managed_rule_group_statement" in r["statement"]
    ]
    assert groups == [
        "AWSManagedRulesAmazonIpReputationList",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesSQLiRuleSet",
    ]
    managed = [r for r in rules if "managed_rule_group_statement" in r["statement"]]
    rates = [r for r in rules if "rate_based_statement" in r["statement"]]
    assert max(r["priority"] for r in managed) < min(r["priority"] for r in rates)
    assert all(r["override_action"] == {"none": {}} for r in managed)


def test_bot_control_and_anonymous_ips_are_options() -> None:
    names = by_name(EdgeConfig(waf=WafConfig(bot_control=True, anonymous_ip_list=True)))
    assert {"bot-control", "anonymous-ip"} <= set(names)
    assert not {"bot-control", "anonymous-ip"} & set(by_name(EdgeConfig()))


def test_bot_control_sets_the_inspection_level_it_requires() -> None:
    rules = by_name(EdgeConfig(waf=WafConfig(bot_control=True)))
    statement = rules["bot-control"]["statement"]["managed_rule_group_statement"]
    assert statement["managed_rule_group_configs"] == [
        {"aws_managed_rules_bot_control_rule_set": {"inspection_level": "COMMON"}}
    ]


def test_the_body_size_rule_only_counts_so_uploads_pass() -> None:
    common = by_name(EdgeConfig())["common"]["statement"]["managed_rule_group_statement"]
    assert common["rule_action_overrides"] == [
        {"name": "SizeRestrictions_BODY", "action_to_use": {"count": {}}}
    ]


def test_priorities_and_metric_names_are_unique() -> None:
    rules = rules_of(EdgeConfig(waf=WafConfig(bot_control=True, anonymous_ip_list=True)))
    assert len({r["priority"] for r in rules}) == len(rules)
    assert len({r["visibility_config"]["metric_name"] for r in rules}) == len(rules)


@pytest.mark.parametrize(
    "waf",
    [
        WafConfig(),
        WafConfig(
            general=RateLimitConfig(limit=3000, window_seconds=300),
            api=RateLimitConfig(limit=50, window_seconds=600),
            login=RateLimitConfig(limit=20, window_seconds=60),
        ),
    ],
)
def test_each_rate_limit_is_within_wafs_range_and_equals_the_config(waf: WafConfig) -> None:
    rules = by_name(EdgeConfig(waf=waf))
    for rule_name, limit in (
        ("rate-general", waf.general),
        ("rate-api", waf.api),
        ("rate-login", waf.login),
    ):
        statement = rate_statement(rules[rule_name])
        assert statement["limit"] == limit.limit >= WAF_MIN_LIMIT
        assert statement["evaluation_window_sec"] == limit.window_seconds
        assert statement["evaluation_window_sec"] in WAF_WINDOWS
        assert statement["aggregate_key_type"] == "IP"


def test_the_spec_rate_limits_are_the_default_figures() -> None:
    rules = by_name(EdgeConfig())

    def per_second(name: str) -> float:
        statement = rate_statement(rules[name])
        return statement["limit"] / statement["evaluation_window_sec"]

    assert per_second("rate-general") == 10
    assert per_second("rate-api") == 20
    assert per_second("rate-login") * 60 == 5


def test_the_api_limit_counts_only_api_paths_and_the_general_one_everything_else() -> None:
    rules = by_name(EdgeConfig())
    api = rate_statement(rules["rate-api"])["scope_down_statement"]
    assert api["byte_match_statement"]["search_string"] == "/api/"
    assert api["byte_match_statement"]["positional_constraint"] == "STARTS_WITH"
    assert api["byte_match_statement"]["field_to_match"] == {"uri_path": {}}
    general = rate_statement(rules["rate-general"])["scope_down_statement"]
    excluded = general["not_statement"]["statement"]["or_statement"]["statements"]
    assert excluded[0] == api
    # Next.js build assets (dozens per page load, mostly cache hits) count against no limit.
    assert excluded[1]["byte_match_statement"]["search_string"] == "/_next/static/"


def test_the_login_limit_counts_each_login_path_exactly() -> None:
    one = rate_statement(by_name(EdgeConfig())["rate-login"])["scope_down_statement"]
    assert one["byte_match_statement"]["search_string"] == "/api/auth/login"
    assert one["byte_match_statement"]["positional_constraint"] == "EXACTLY"
    two = EdgeConfig(waf=WafConfig(login_paths=("/api/auth/login", "/api/auth/Reset")))
    scope = rate_statement(by_name(two)["rate-login"])["scope_down_statement"]
    searched = [
        s["byte_match_statement"]["search_string"] for s in scope["or_statement"]["statements"]
    ]
    # Paths are matched lower-cased, so the search strings are too.
    assert searched == ["/api/auth/login", "/api/auth/reset"]


def test_no_login_paths_means_no_login_rule() -> None:
    assert "rate-login" not in by_name(EdgeConfig(waf=WafConfig(login_paths=())))


def test_rate_limited_requests_get_429_with_retry_after() -> None:
    for name in ("rate-general", "rate-api", "rate-login"):
        rule = by_name(EdgeConfig())[name]
        response = rule["action"]["block"]["custom_response"]
        assert response["response_code"] == RATE_LIMITED_STATUS == 429
        window = str(rate_statement(rule)["evaluation_window_sec"])
        assert response["response_headers"] == [{"name": "Retry-After", "value": window}]


# --- CloudFront ------------------------------------------------------------------------------


def test_behaviours_put_specific_paths_before_the_api_and_the_assets() -> None:
    patterns = [b.path_pattern for b in behaviours(EdgeConfig())]
    assert patterns[:4] == ["/_next/static/*", "/certificates/*", "/api/public/*", "/api/*"]
    assert patterns[-1] is None  # the default (HTML) comes last
    assert set(patterns[4:-1]) == set(EdgeConfig().static_asset_patterns)


def test_next_static_assets_are_pinned_for_365_days() -> None:
    rule = behaviours(EdgeConfig())[0]
    policy = cache_policies(EdgeConfig())[rule.cache_policy]
    assert (policy.min_ttl, policy.default_ttl, policy.max_ttl) == (365 * DAY,) * 3


def test_images_and_static_assets_are_pinned_for_7_days_keyed_by_query_string() -> None:
    config = EdgeConfig()
    assets = [b for b in behaviours(config) if b.path_pattern in config.static_asset_patterns]
    assert {b.cache_policy for b in assets} == {"assets"}
    policy = cache_policies(config)["assets"]
    assert (policy.min_ttl, policy.default_ttl, policy.max_ttl) == (7 * DAY,) * 3
    assert policy.query_strings == "all"


def test_cacheable_api_paths_get_5_minutes_unless_the_api_says_no_store() -> None:
    config = EdgeConfig(cacheable_api_paths=("/api/public/*", "/api/courses/catalog"))
    cached = [b for b in behaviours(config) if b.cache_policy == "api-cached"]
    assert [b.path_pattern for b in cached] == ["/api/public/*", "/api/courses/catalog"]
    policy = cache_policies(config)["api-cached"]
    assert (policy.min_ttl, policy.default_ttl, policy.max_ttl) == (0, 300, 300)


def test_the_api_is_uncached_forwarding_every_viewer_header_but_host_and_all_methods() -> None:
    api = next(b for b in behaviours(EdgeConfig()) if b.path_pattern == "/api/*")
    assert api.cache_policy == "managed-disabled"
    assert api.origin_request_policy == "managed-all-viewer-except-host"
    assert list(api.allowed_methods) == ALL_METHODS


def test_html_the_default_is_uncached_with_all_methods() -> None:
    default = behaviours(EdgeConfig())[-1]
    assert default.path_pattern is None and default.origin == "alb"
    assert default.cache_policy == "managed-disabled"
    assert list(default.allowed_methods) == ALL_METHODS


def test_certificates_are_served_from_the_bucket() -> None:
    rule = next(b for b in behaviours(EdgeConfig()) if b.path_pattern == "/certificates/*")
    assert rule.origin == "certificates" and rule.cache_policy == "managed-optimized"


def test_each_security_header_has_the_spec_value() -> None:
    headers: Any = security_headers(EdgeConfig(content_security_policy="default-src 'self'"))
    assert headers["strict_transport_security"] == {
        "access_control_max_age_sec": 31_536_000,
        "include_subdomains": True,
        "override": True,
    }
    assert headers["frame_options"] == {"frame_option": "DENY", "override": True}
    assert headers["content_type_options"] == {"override": True}  # nosniff
    assert headers["referrer_policy"] == {
        "referrer_policy": "strict-origin-when-cross-origin",
        "override": True,
    }
    assert headers["xss_protection"] == {"protection": True, "mode_block": True, "override": True}
    assert headers["content_security_policy"] == {
        "content_security_policy": "default-src 'self'",
        "override": False,  # a Next.js nonce-based policy from the app wins
    }
    assert CUSTOM_HEADERS == {"X-DNS-Prefetch-Control": "on"}


def test_the_default_csp_lets_next_js_bootstrap_and_forbids_framing_and_plugins() -> None:
    parts = (d.strip().partition(" ") for d in EdgeConfig().content_security_policy.split(";"))
    directives = {name: value for name, _, value in parts}
    assert "'unsafe-inline'" in directives["script-src"]  # Next.js inline bootstrap, no nonce
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["default-src"] == "'self'"
