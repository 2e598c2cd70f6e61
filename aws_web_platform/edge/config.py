"""Settings of the edge: CloudFront, WAF rate limits, the ALB and its target groups."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
    model_validator,
)

from aws_web_platform.core.fields import ConfigModel, LogRetentionDays

# Edge
# --------------------------------------------------------------------------------------------

PathPattern = Annotated[
    str,
    Field(
        pattern=r"^(/|\*)[A-Za-z0-9_.*/-]*$",
        max_length=255,
        json_schema_extra={"allowed": "a CloudFront path pattern such as /images/* or *.png"},
    ),
]
UrlPath = Annotated[
    str,
    Field(
        pattern=r"^/[A-Za-z0-9_./-]*$",
        max_length=255,
        json_schema_extra={"allowed": "a URL path such as /api/auth/login"},
    ),
]
Hostname = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$",
        json_schema_extra={"allowed": "a DNS label such as www or app"},
    ),
]


class RateLimitConfig(ConfigModel):
    """A WAF rate limit per client IP."""

    limit: int = Field(
        ge=10,
        le=2_000_000_000,
        description="Requests allowed per window from one IP; more are blocked. WAF's minimum is "
        "10.",
    )
    window_seconds: Literal[60, 120, 300, 600] = Field(
        default=60,
        description="Window the requests are counted over. WAF offers 60, 120, 300 or 600 s.",
    )


class WafConfig(ConfigModel):
    """The CloudFront web ACL (WAF, us-east-1)."""

    general: RateLimitConfig = Field(
        default=RateLimitConfig(limit=600, window_seconds=60),
        description="Everything but the API, per IP. Default 600 per 60 s: the spec's edge "
        "figure of 10 req/s (the app's own limit is 100 per 60 s).",
    )
    api: RateLimitConfig = Field(
        default=RateLimitConfig(limit=1200, window_seconds=60),
        description="Paths under /api/, per IP. Default 1200 per 60 s: the spec's 20 req/s.",
    )
    login: RateLimitConfig = Field(
        default=RateLimitConfig(limit=10, window_seconds=120),
        description="Login paths, per IP. Default 10 per 120 s: the spec's 5 per minute is below "
        "WAF's minimum of 10 per window, so this keeps the same average with bursts of 10.",
    )
    login_paths: tuple[UrlPath, ...] = Field(
        default=("/api/auth/login",),
        description="Paths the login limit applies to. Default /api/auth/login.",
    )
    bot_control: bool = Field(
        default=False,
        description="Add AWS Bot Control (paid per request). Default off.",
    )
    anonymous_ip_list: bool = Field(
        default=False,
        description="Block VPNs, proxies and Tor (AWS anonymous IP list). Default off: some "
        "legitimate users browse through them.",
    )
    common_rules_to_count: tuple[str, ...] = Field(
        default=("SizeRestrictions_BODY",),
        description="Rules of the common rule set only counted, not enforced. Default "
        "SizeRestrictions_BODY, which would block uploads over 8 KB.",
    )
    log_retention_days: LogRetentionDays = Field(
        default=30, description="Days CloudWatch keeps WAF logs. Default 30."
    )
    log_allowed_requests: bool = Field(
        default=False,
        description="Log the requests WAF allowed too. Default false: only blocked and counted "
        "ones are logged, so log volume follows attacks rather than traffic (CloudFront's "
        "access logs have every request).",
    )


class TargetConfig(ConfigModel):
    """A target group of the ALB (pods registered by TargetGroupBinding)."""

    port: int = Field(ge=1, le=65535, description="Container port traffic goes to.")
    health_check_path: UrlPath = Field(
        default="/ready",
        description="Readiness path the ALB checks. Default /ready (spec): only pods ready to "
        "serve get traffic.",
    )


class EdgeConfig(ConfigModel):
    """CloudFront, WAF, the ALB and their DNS and certificates."""

    hostnames: tuple[Hostname, ...] = Field(
        default=("www",),
        description="Hostnames under the domain served by CloudFront besides the apex. Default "
        "www.",
    )
    origin_hostname: Hostname = Field(
        default="origin",
        description="Hostname of the ALB, which CloudFront connects to over HTTPS and nobody "
        "else can reach. Default origin.",
    )
    price_class: Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"] = Field(
        default="PriceClass_All",
        description="CloudFront edge locations. Default PriceClass_All: users in South America "
        "(the product's market) are served from nearby only with it.",
    )
    content_security_policy: str = Field(
        default=(
            "default-src 'self'; script-src 'self' 'unsafe-inline'; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https:; "
            "font-src 'self' data:; connect-src 'self' https: wss:; frame-src 'self' https:; "
            "worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'; "
            "form-action 'self'; object-src 'none'; upgrade-insecure-requests"
        ),
        min_length=1,
        max_length=1783,
        description="Content-Security-Policy of responses that carry none from the app (a "
        "Next.js nonce-based policy wins). Default: scripts from the site only, inline allowed "
        "(Next.js bootstraps with inline scripts unless the app sends a nonce); each stack adds "
        "its third-party script hosts (Clerk, Stripe).",
    )
    static_asset_patterns: tuple[PathPattern, ...] = Field(
        default=(
            "/images/*",
            "/fonts/*",
            "*.png",
            "*.jpg",
            "*.jpeg",
            "*.gif",
            "*.svg",
            "*.webp",
            "*.avif",
            "*.ico",
            "*.woff2",
        ),
        description="Paths cached assetTtlDays (spec: images and static assets 7 days).",
    )
    cacheable_api_paths: tuple[PathPattern, ...] = Field(
        default=("/api/public/*",),
        description="API paths cached apiCacheTtlSeconds (spec: selected API responses 5 "
        "minutes). Only responses identical for everyone: cookies are not forwarded there.",
    )
    static_ttl_days: int = Field(
        default=365, ge=1, le=365, description="TTL of /_next/static/*. Default 365 (spec)."
    )
    asset_ttl_days: int = Field(
        default=7, ge=1, le=365, description="TTL of images and static assets. Default 7 (spec)."
    )
    api_cache_ttl_seconds: int = Field(
        default=300, ge=1, le=86400, description="TTL of cacheable API paths. Default 300 (spec)."
    )
    alb_idle_timeout_seconds: int = Field(
        default=60, ge=1, le=4000, description="ALB idle connection timeout. Default 60."
    )
    origin_keepalive_seconds: int = Field(
        default=50,
        ge=1,
        le=60,
        description="Seconds CloudFront keeps an idle connection to the ALB open for reuse (spec: "
        "keepalive). Default 50: below the ALB's idle timeout, so CloudFront never reuses a "
        "connection the ALB is closing (a 502).",
    )
    origin_read_timeout_seconds: int = Field(
        default=30,
        ge=1,
        le=60,
        description="Seconds CloudFront waits for the ALB's response. Default 30 (over 60 needs "
        "a CloudFront quota increase).",
    )
    deregistration_delay_seconds: int = Field(
        default=30,
        ge=0,
        le=3600,
        description="Seconds a removed pod keeps getting in-flight requests. Default 30: less "
        "than the pods' termination grace period, so no request is cut.",
    )
    web: TargetConfig = Field(
        default=TargetConfig(port=3001), description="Target of the web (Next.js). Port 3001."
    )
    api: TargetConfig = Field(
        default=TargetConfig(port=3000), description="Target of the API (NestJS). Port 3000."
    )
    waf: WafConfig = Field(default=WafConfig(), description="WAF rules and rate limits.")

    @model_validator(mode="after")
    def _paths(self) -> EdgeConfig:
        problems: list[str] = []
        for path in self.cacheable_api_paths:
            if not path.startswith("/api/"):
                problems.append(f"$.cacheableApiPaths {path} is not under /api/")
        for pattern in self.static_asset_patterns:
            if pattern.startswith(("/api/", "/_next/static/", "/certificates/")):
                problems.append(
                    f"$.staticAssetPatterns {pattern} is shadowed by an earlier behaviour"
                )
        if self.web.port == self.api.port:
            problems.append("$.web.port and $.api.port must differ")
        if self.origin_hostname in self.hostnames:
            problems.append(f"$.originHostname {self.origin_hostname} is also in $.hostnames")
        if len(set(self.hostnames)) != len(self.hostnames):
            problems.append(f"$.hostnames {list(self.hostnames)} has duplicates")
        if self.origin_keepalive_seconds >= self.alb_idle_timeout_seconds:
            problems.append(
                f"$.originKeepaliveSeconds {self.origin_keepalive_seconds} must be below "
                f"$.albIdleTimeoutSeconds {self.alb_idle_timeout_seconds}"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self
