"""Specification of Edge: DNS, certificates, ALB, CloudFront and WAF, as registered."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pulumi
import pulumi_aws as aws

from aws_web_platform.edge.config import EdgeConfig, WafConfig
from aws_web_platform.edge.edge import (
    ALB_SSL_POLICY,
    CLOUDFRONT_ORIGIN_PREFIX_LIST,
    ORIGIN_VERIFY_HEADER,
    Edge,
    EdgeArgs,
    EdgeWiring,
)
from aws_web_platform.offline import (
    Recording,
    run,
)
from aws_web_platform.offline.fake_aws.cloudfront import (
    MANAGED_CACHE_POLICIES,
    MANAGED_ORIGIN_REQUEST_POLICIES,
)
from aws_web_platform.storage.bucket import Bucket, BucketArgs
from tests.conftest import BASE_CONFIG, with_aws

DOMAIN = "shop.example.com"
ZONE_ID = "Z0SHOPZONE"
NODES_SG = "sg-0nodes"
DAY = 86_400

CERTIFICATE = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
RECORD = "aws:route53/record:Record"
LB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
RULE = "aws:lb/listenerRule:ListenerRule"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SG = "aws:ec2/securityGroup:SecurityGroup"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
CACHE_POLICY = "aws:cloudfront/cachePolicy:CachePolicy"
HEADERS_POLICY = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"
OAC = "aws:cloudfront/originAccessControl:OriginAccessControl"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
WAF_LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
PASSWORD = "random:index/randomPassword:RandomPassword"


def build(
    config: EdgeConfig | None = None, *, certificates: bool = True, protect: bool = True
) -> Recording:
    config = config or EdgeConfig()

    def program(opts: pulumi.ResourceOptions) -> None:
        east = aws.Provider("east", region="us-east-1")
        logs = Bucket(
            "logs",
            BucketArgs(kms_key_arn=None, log_delivery_services=("s3", "alb", "cloudfront")),
            opts=opts,
        )
        bucket = (
            Bucket("certs", BucketArgs(read_by_cloudfront=True), opts=opts)
            if certificates
            else None
        )
        Edge(
            "edge",
            EdgeArgs.from_config(
                config,
                EdgeWiring(
                    domain=DOMAIN,
                    zone_id=ZONE_ID,
                    vpc_id="vpc-0abc",
                    public_subnet_ids=["subnet-a", "subnet-b", "subnet-c"],
                    targets_security_group_id=NODES_SG,
                    logs_bucket=logs,
                    certificates_bucket=bucket,
                    us_east_1_provider=east,
                    waf_logs_kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/edge-logs",
                    name_prefix="shop-prod",
                    protect=protect,
                ),
            ),
            opts=opts,
        )

    return run(with_aws(program), config=BASE_CONFIG)


@cache
def default() -> Recording:
    return build()


def region_of(rec: Recording, resource: Any) -> str:
    provider = rec.provider_of(resource)
    assert provider is not None
    return provider["region"]


def distribution(rec: Recording) -> Any:
    return rec.find(DISTRIBUTION, "edge-cdn")


def behaviour(rec: Recording, pattern: str) -> dict[str, Any]:
    return next(
        b for b in distribution(rec)["orderedCacheBehaviors"] if b["pathPattern"] == pattern
    )


def cache_policy_of(rec: Recording, behaviour: dict[str, Any]) -> Any:
    return next(p for p in rec.all_of(CACHE_POLICY) if p.id == behaviour["cachePolicyId"])


def alb_group(rec: Recording) -> Any:
    return rec.find(SG, "edge-alb-sg")


# --- DNS and certificates --------------------------------------------------------------------


def test_the_cloudfront_certificate_and_its_validation_use_the_us_east_1_provider() -> None:
    rec = default()
    certificate = rec.find(CERTIFICATE, "edge-cdn-cert")
    assert region_of(rec, certificate) == "us-east-1"
    assert region_of(rec, rec.find(VALIDATION, "edge-cdn-cert-validation")) == "us-east-1"
    assert certificate["domainName"] == DOMAIN
    assert certificate["subjectAlternativeNames"] == [f"www.{DOMAIN}"]
    assert certificate["validationMethod"] == "DNS"
    viewer = distribution(rec)["viewerCertificate"]
    assert viewer["acmCertificateArn"] == certificate.outputs["arn"]
    assert ":us-east-1:" in viewer["acmCertificateArn"]


def test_the_alb_certificate_is_in_the_stack_region_for_the_origin_name() -> None:
    rec = default()
    certificate = rec.find(CERTIFICATE, "edge-origin-cert")
    assert region_of(rec, certificate) == "eu-west-1"
    assert certificate["domainName"] == f"origin.{DOMAIN}"
    https = rec.find(LISTENER, "edge-https")
    assert https["certificateArn"] == certificate.outputs["arn"]


def test_every_certificate_name_is_validated_by_its_record_in_the_zone() -> None:
    rec = default()
    for role, hosts in (
        ("cdn-cert", [DOMAIN, f"www.{DOMAIN}"]),
        ("origin-cert", [f"origin.{DOMAIN}"]),
    ):
        certificate = rec.find(CERTIFICATE, f"edge-{role}")
        options = {o["domainName"]: o for o in certificate.outputs["domainValidationOptions"]}
        assert set(options) == set(hosts)
        fqdns = []
        for host in hosts:
            label = "apex" if host == DOMAIN else host.split(".")[0]
            record = rec.find(RECORD, f"edge-{role}-validation-{label}")
            assert record["zoneId"] == ZONE_ID
            assert record["name"] == options[host]["resourceRecordName"]
            assert record["type"] == "CNAME"
            assert record["records"] == [options[host]["resourceRecordValue"]]
            fqdns.append(record.outputs["fqdn"])
        validation = rec.find(VALIDATION, f"edge-{role}-validation")
        assert validation["certificateArn"] == certificate.outputs["arn"]
        assert validation["validationRecordFqdns"] == fqdns
        # A zone nobody resolves through fails the deploy in 45 minutes instead of hanging.
        assert validation.custom_timeouts == {"create": "45m"}


def test_the_apex_and_each_hostname_are_cloudfront_aliases_for_ipv4_and_ipv6() -> None:
    rec = build(EdgeConfig(hostnames=("www", "app")))
    cdn = distribution(rec)
    assert cdn["aliases"] == [DOMAIN, f"www.{DOMAIN}", f"app.{DOMAIN}"]
    for label, host in (("apex", DOMAIN), ("www", f"www.{DOMAIN}"), ("app", f"app.{DOMAIN}")):
        for kind in ("a", "aaaa"):
            record = rec.find(RECORD, f"edge-{label}-{kind}")
            assert (record["name"], record["type"], record["zoneId"]) == (
                host,
                kind.upper(),
                ZONE_ID,
            )
            assert record["aliases"] == [
                {
                    "name": cdn.outputs["domainName"],
                    "zoneId": "Z2FDTNDATAQYW2",
                    "evaluateTargetHealth": False,
                }
            ]


def test_the_origin_name_is_an_alias_of_the_alb() -> None:
    rec = default()
    record = rec.find(RECORD, "edge-origin-a")
    alb = rec.find(LB, "edge-alb")
    assert record["name"] == f"origin.{DOMAIN}" and record["type"] == "A"
    assert record["aliases"] == [
        {
            "name": alb.outputs["dnsName"],
            "zoneId": alb.outputs["zoneId"],
            "evaluateTargetHealth": True,
        }
    ]


# --- ALB -------------------------------------------------------------------------------------


def test_the_alb_is_internet_facing_in_the_public_subnets_and_drops_invalid_headers() -> None:
    rec = build(EdgeConfig(alb_idle_timeout_seconds=120, origin_keepalive_seconds=60))
    alb = rec.find(LB, "edge-alb")
    assert alb["loadBalancerType"] == "application"
    assert alb["internal"] is False
    assert alb["subnets"] == ["subnet-a", "subnet-b", "subnet-c"]
    assert alb["securityGroups"] == [alb_group(rec).id]
    assert alb["dropInvalidHeaderFields"] is True
    assert alb["idleTimeout"] == 120
    assert alb["enableDeletionProtection"] is True


def test_alb_deletion_protection_follows_protect() -> None:
    assert build(protect=False).find(LB, "edge-alb")["enableDeletionProtection"] is False


def test_alb_access_logs_go_to_the_logs_bucket_once_it_allows_them() -> None:
    rec = default()
    alb = rec.find(LB, "edge-alb")
    logs = rec.find("aws:s3/bucket:Bucket", "logs-bucket")
    assert alb["accessLogs"] == {"bucket": logs.id, "prefix": "alb", "enabled": True}
    assert rec.find(BUCKET_POLICY, "logs-policy").urn in alb.depends_on


def test_the_alb_admits_only_https_from_cloudfronts_origin_facing_prefix_list() -> None:
    rec = default()
    group = alb_group(rec)
    ingress = [r for r in rec.all_of(INGRESS) if r["securityGroupId"] == group.id]
    assert len(ingress) == 1
    (rule,) = ingress
    lookups = [
        a for t, a in rec.invokes if t == "aws:ec2/getManagedPrefixList:getManagedPrefixList"
    ]
    assert lookups == [{"name": CLOUDFRONT_ORIGIN_PREFIX_LIST}]
    assert rule["prefixListId"].startswith("pl-")
    assert (rule["ipProtocol"], rule["fromPort"], rule["toPort"]) == ("tcp", 443, 443)
    for resource in rec.resources:
        if resource.get("securityGroupId") == group.id or resource is group:
            assert "0.0.0.0/0" not in str(resource.inputs), resource.name
            assert "cidrIpv4" not in resource.inputs and "cidrIpv6" not in resource.inputs


def test_the_alb_reaches_only_the_app_pods_ports() -> None:
    rec = default()
    group = alb_group(rec)
    assert "egress" not in group.inputs and "ingress" not in group.inputs
    egress = {
        (r["referencedSecurityGroupId"], r["fromPort"], r["toPort"])
        for r in rec.all_of(EGRESS)
        if r["securityGroupId"] == group.id
    }
    assert egress == {(NODES_SG, 3001, 3001), (NODES_SG, 3000, 3000)}


def test_the_app_pods_admit_the_alb_on_their_ports() -> None:
    rec = default()
    group = alb_group(rec)
    ingress = {
        (r["referencedSecurityGroupId"], r["fromPort"])
        for r in rec.all_of(INGRESS)
        if r["securityGroupId"] == NODES_SG
    }
    assert ingress == {(group.id, 3001), (group.id, 3000)}


def test_the_https_listener_uses_tls_1_3_and_1_2_and_refuses_by_default() -> None:
    https = default().find(LISTENER, "edge-https")
    assert (https["port"], https["protocol"]) == (443, "HTTPS")
    assert https["sslPolicy"] == ALB_SSL_POLICY == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    (action,) = https["defaultActions"]
    assert action["type"] == "fixed-response"
    assert action["fixedResponse"]["statusCode"] == "403"


def test_the_http_listener_redirects_to_https() -> None:
    http = default().find(LISTENER, "edge-http")
    assert (http["port"], http["protocol"]) == (80, "HTTP")
    (action,) = http["defaultActions"]
    assert action == {
        "type": "redirect",
        "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"},
    }


def test_only_requests_with_cloudfronts_secret_header_are_routed_api_first() -> None:
    rec = default()
    secret = rec.find(PASSWORD, "edge-origin-verify").outputs["result"]
    groups = {tg.name: tg.outputs["arn"] for tg in rec.all_of(TARGET_GROUP)}
    api, web = rec.find(RULE, "edge-route-api"), rec.find(RULE, "edge-route-web")
    assert api["priority"] < web["priority"]
    header = {"httpHeader": {"httpHeaderName": ORIGIN_VERIFY_HEADER, "values": [secret]}}
    assert api["conditions"] == [header, {"pathPattern": {"values": ["/api/*"]}}]
    assert web["conditions"] == [header]
    assert api["actions"] == [{"type": "forward", "targetGroupArn": groups["edge-api"]}]
    assert web["actions"] == [{"type": "forward", "targetGroupArn": groups["edge-web"]}]
    assert any(path.startswith("conditions") for path in api.secret_inputs)
    https = rec.find(LISTENER, "edge-https")
    assert api["listenerArn"] == web["listenerArn"] == https.outputs["arn"]


def test_target_groups_take_pod_ips_least_outstanding_requests_and_spec_health_checks() -> None:
    rec = build(EdgeConfig(deregistration_delay_seconds=45))
    for app, port in (("web", 3001), ("api", 3000)):
        group = rec.find(TARGET_GROUP, f"edge-{app}")
        assert group["targetType"] == "ip"
        assert (group["port"], group["protocol"], group["vpcId"]) == (port, "HTTP", "vpc-0abc")
        assert group["loadBalancingAlgorithmType"] == "least_outstanding_requests"
        assert group["deregistrationDelay"] == 45
        check = group["healthCheck"]
        assert (check["path"], check["port"], check["matcher"]) == ("/ready", "traffic-port", "200")


# --- CloudFront ------------------------------------------------------------------------------


def test_the_distribution_serves_http2_and_3_over_ipv6_with_modern_tls_only() -> None:
    rec = build(EdgeConfig(price_class="PriceClass_200"))
    cdn = distribution(rec)
    assert cdn["httpVersion"] == "http2and3"
    assert cdn["isIpv6Enabled"] is True
    assert cdn["priceClass"] == "PriceClass_200"
    assert cdn["viewerCertificate"]["minimumProtocolVersion"] == "TLSv1.2_2021"
    assert cdn["viewerCertificate"]["sslSupportMethod"] == "sni-only"
    every = [cdn["defaultCacheBehavior"], *cdn["orderedCacheBehaviors"]]
    assert all(b["viewerProtocolPolicy"] == "redirect-to-https" for b in every)
    assert all(b["compress"] is True for b in every)


def test_the_viewers_host_reaches_the_apps_as_x_forwarded_host() -> None:
    """CloudFront sends Host: origin.<domain> (the ALB's certificate); a viewer-request function
    passes the viewer's Host on, overwriting any X-Forwarded-Host the viewer sent."""
    rec = default()
    function = rec.find("aws:cloudfront/function:Function", "edge-forwarded-host")
    assert function["runtime"] == "cloudfront-js-2.0" and function["publish"] is True
    assert (
        "request.headers['x-forwarded-host'] = { value: request.headers.host.value }"
        in (function["code"])
    )
    association = [{"eventType": "viewer-request", "functionArn": function.outputs["arn"]}]
    cdn = distribution(rec)
    for rule in [cdn["defaultCacheBehavior"], *cdn["orderedCacheBehaviors"]]:
        forwards_headers = "originRequestPolicyId" in rule
        assert rule.get("functionAssociations") == (association if forwards_headers else None)
    assert behaviour(rec, "/api/*")["functionAssociations"] == association
    assert "functionAssociations" not in behaviour(rec, "/_next/static/*")


def test_own_cache_policies_compress_with_gzip_and_brotli() -> None:
    for policy in default().all_of(CACHE_POLICY):
        parameters = policy["parametersInCacheKeyAndForwardedToOrigin"]
        assert parameters["enableAcceptEncodingGzip"] is True
        assert parameters["enableAcceptEncodingBrotli"] is True
        assert parameters["cookiesConfig"] == {"cookieBehavior": "none"}


def test_the_waf_web_acl_is_attached_to_the_distribution() -> None:
    rec = default()
    assert distribution(rec)["webAclId"] == rec.find(WEB_ACL, "edge-waf").outputs["arn"]


def test_the_alb_origin_is_https_only_with_the_verification_header() -> None:
    rec = default()
    secret = rec.find(PASSWORD, "edge-origin-verify").outputs["result"]
    cdn = distribution(rec)
    alb = next(o for o in cdn["origins"] if o["originId"] == "alb")
    assert alb["domainName"] == f"origin.{DOMAIN}"
    config = alb["customOriginConfig"]
    assert config["originProtocolPolicy"] == "https-only"
    assert config["originSslProtocols"] == ["TLSv1.2"]
    assert config["originKeepaliveTimeout"] == 50
    assert alb["customHeaders"] == [{"name": ORIGIN_VERIFY_HEADER, "value": secret}]
    assert any(path.startswith("origins") for path in cdn.secret_inputs)


def test_the_certificates_bucket_is_read_through_origin_access_control_only() -> None:
    rec = default()
    oac = rec.find(OAC, "edge-certificates-oac")
    assert (oac["originAccessControlOriginType"], oac["signingBehavior"]) == ("s3", "always")
    assert oac["signingProtocol"] == "sigv4"
    cdn = distribution(rec)
    origin = next(o for o in cdn["origins"] if o["originId"] == "certificates-bucket")
    assert origin["originAccessControlId"] == oac.id
    assert origin["domainName"].endswith(".s3.eu-west-1.amazonaws.com")
    assert behaviour(rec, "/certificates/*")["targetOriginId"] == "certificates-bucket"
    policy = json.loads(rec.find(BUCKET_POLICY, "certs-policy")["policy"])
    (read,) = [
        s for s in policy["Statement"] if s.get("Sid") == "CloudFrontOriginAccessControlRead"
    ]
    assert read["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert read["Condition"] == {"StringEquals": {"AWS:SourceArn": cdn.outputs["arn"]}}


def test_without_a_certificates_bucket_there_is_no_certificates_behaviour() -> None:
    rec = build(certificates=False)
    cdn = distribution(rec)
    assert [o["originId"] for o in cdn["origins"]] == ["alb"]
    assert "/certificates/*" not in [b["pathPattern"] for b in cdn["orderedCacheBehaviors"]]
    assert rec.all_of(OAC) == []


def test_next_static_assets_are_cached_365_days() -> None:
    rec = default()
    policy = cache_policy_of(rec, behaviour(rec, "/_next/static/*"))
    assert policy["minTtl"] == policy["defaultTtl"] == policy["maxTtl"] == 365 * DAY


def test_images_and_static_assets_are_cached_7_days() -> None:
    rec = default()
    for pattern in EdgeConfig().static_asset_patterns:
        rule = behaviour(rec, pattern)
        assert rule["targetOriginId"] == "alb"
        policy = cache_policy_of(rec, rule)
        assert policy["minTtl"] == policy["defaultTtl"] == policy["maxTtl"] == 7 * DAY


def test_the_api_is_uncached_with_all_viewer_data_but_host_and_all_methods() -> None:
    rec = default()
    api = behaviour(rec, "/api/*")
    assert api["cachePolicyId"] == MANAGED_CACHE_POLICIES["Managed-CachingDisabled"]
    assert (
        api["originRequestPolicyId"]
        == (MANAGED_ORIGIN_REQUEST_POLICIES["Managed-AllViewerExceptHostHeader"])
    )
    assert sorted(api["allowedMethods"]) == sorted(
        ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
    )
    lookups = [a["name"] for t, a in rec.invokes if t.startswith("aws:cloudfront/get")]
    assert sorted(lookups) == [
        "Managed-AllViewerExceptHostHeader",
        "Managed-CachingDisabled",
        "Managed-CachingOptimized",
    ]


def test_cacheable_api_paths_are_cached_5_minutes_before_the_rest_of_the_api() -> None:
    rec = build(EdgeConfig(cacheable_api_paths=("/api/public/*", "/api/catalog")))
    patterns = [b["pathPattern"] for b in distribution(rec)["orderedCacheBehaviors"]]
    assert (
        patterns.index("/api/public/*") < patterns.index("/api/catalog") < patterns.index("/api/*")
    )
    for path in ("/api/public/*", "/api/catalog"):
        policy = cache_policy_of(rec, behaviour(rec, path))
        assert (policy["minTtl"], policy["defaultTtl"], policy["maxTtl"]) == (0, 300, 300)
        query = policy["parametersInCacheKeyAndForwardedToOrigin"]["queryStringsConfig"]
        assert query == {"queryStringBehavior": "all"}


def test_html_the_default_behaviour_is_not_cached() -> None:
    default_behaviour = distribution(default())["defaultCacheBehavior"]
    assert default_behaviour["targetOriginId"] == "alb"
    assert default_behaviour["cachePolicyId"] == MANAGED_CACHE_POLICIES["Managed-CachingDisabled"]


def test_every_behaviour_adds_the_spec_security_headers() -> None:
    rec = build(EdgeConfig(content_security_policy="default-src 'self'; img-src https:"))
    policy = rec.find(HEADERS_POLICY, "edge-headers")
    cdn = distribution(rec)
    for rule in [cdn["defaultCacheBehavior"], *cdn["orderedCacheBehaviors"]]:
        assert rule["responseHeadersPolicyId"] == policy.id
    security = policy["securityHeadersConfig"]
    assert security["strictTransportSecurity"] == {
        "accessControlMaxAgeSec": 31_536_000,
        "includeSubdomains": True,
        "override": True,
    }
    assert security["frameOptions"] == {"frameOption": "DENY", "override": True}
    assert security["contentTypeOptions"] == {"override": True}
    assert security["referrerPolicy"]["referrerPolicy"] == "strict-origin-when-cross-origin"
    assert security["xssProtection"] == {"protection": True, "modeBlock": True, "override": True}
    # The app's own (nonce-based) policy wins; the stack's applies when it sends none.
    assert security["contentSecurityPolicy"] == {
        "contentSecurityPolicy": "default-src 'self'; img-src https:",
        "override": False,
    }
    assert policy["customHeadersConfig"]["items"] == [
        {"header": "X-DNS-Prefetch-Control", "value": "on", "override": True}
    ]
    assert policy["removeHeadersConfig"]["items"] == [{"header": "X-Powered-By"}]


def test_cloudfront_access_logs_are_delivered_from_us_east_1_to_the_logs_bucket() -> None:
    rec = default()
    source = rec.find("aws:cloudwatch/logDeliverySource:LogDeliverySource", "edge-cdn-logs-source")
    destination = rec.find(
        "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination", "edge-cdn-logs-destination"
    )
    delivery = rec.find("aws:cloudwatch/logDelivery:LogDelivery", "edge-cdn-logs")
    assert {region_of(rec, r) for r in (source, destination, delivery)} == {"us-east-1"}
    assert source["resourceArn"] == distribution(rec).outputs["arn"]
    assert source["logType"] == "ACCESS_LOGS"
    logs = rec.find("aws:s3/bucket:Bucket", "logs-bucket")
    assert destination["deliveryDestinationConfiguration"] == {
        "destinationResourceArn": f"{logs.outputs['arn']}/cloudfront"
    }
    assert delivery["deliverySourceName"] == source.outputs["name"]
    assert delivery["deliveryDestinationArn"] == destination.outputs["arn"]
    assert rec.find(BUCKET_POLICY, "logs-policy").urn in delivery.depends_on


# --- WAF -------------------------------------------------------------------------------------


def test_the_waf_is_cloudfront_scoped_and_uses_the_us_east_1_provider() -> None:
    rec = default()
    acl = rec.find(WEB_ACL, "edge-waf")
    assert acl["scope"] == "CLOUDFRONT"
    assert region_of(rec, acl) == "us-east-1"
    assert acl["defaultAction"] == {"allow": {}}
    assert acl["visibilityConfig"]["cloudwatchMetricsEnabled"] is True


def test_the_waf_runs_the_managed_rule_groups_then_the_rate_limits() -> None:
    rules = default().find(WEB_ACL, "edge-waf")["rules"]
    managed = [
        r["statement"]["managedRuleGroupStatement"]["name"]
        for r in rules
        if "managedRuleGroupStatement" in r["statement"]
    ]
    assert managed == [
        "AWSManagedRulesAmazonIpReputationList",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesSQLiRuleSet",
    ]
    rates = [r["name"] for r in rules if "rateBasedStatement" in r["statement"]]
    assert rates == ["rate-login", "rate-api", "rate-general"]


def test_each_rate_limit_in_the_web_acl_is_within_wafs_range_and_equals_the_config() -> None:
    waf = WafConfig.model_validate(
        {
            "general": {"limit": 900, "windowSeconds": 300},
            "api": {"limit": 2400, "windowSeconds": 120},
            "login": {"limit": 12, "windowSeconds": 600},
        }
    )
    rules = {r["name"]: r for r in build(EdgeConfig(waf=waf)).find(WEB_ACL, "edge-waf")["rules"]}
    for name, expected in (
        ("rate-general", waf.general),
        ("rate-api", waf.api),
        ("rate-login", waf.login),
    ):
        statement = rules[name]["statement"]["rateBasedStatement"]
        assert statement["limit"] == expected.limit and statement["limit"] >= 10
        assert statement["evaluationWindowSec"] == expected.window_seconds
        assert statement["evaluationWindowSec"] in (60, 120, 300, 600)
        assert statement["aggregateKeyType"] == "IP"


def test_waf_logs_go_to_an_aws_waf_logs_group_without_credentials() -> None:
    rec = build(EdgeConfig(waf=WafConfig(log_retention_days=90)))
    group = rec.find(LOG_GROUP, "edge-waf-logs")
    assert group["name"] == "aws-waf-logs-shop-prod"
    assert group["retentionInDays"] == 90
    assert group["kmsKeyId"] == "arn:aws:kms:us-east-1:123456789012:key/edge-logs"
    assert region_of(rec, group) == "us-east-1"
    logging = rec.find(WAF_LOGGING, "edge-waf-logging")
    assert region_of(rec, logging) == "us-east-1"
    delivery = rec.find(
        "aws:cloudwatch/logResourcePolicy:LogResourcePolicy", "edge-waf-logs-delivery"
    )
    assert region_of(rec, delivery) == "us-east-1"
    assert delivery.urn in logging.depends_on
    (statement,) = json.loads(delivery["policyDocument"])["Statement"]
    assert statement["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
    assert statement["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert statement["Resource"] == f"{group.outputs['arn']}:*"
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    assert logging["resourceArn"] == rec.find(WEB_ACL, "edge-waf").outputs["arn"]
    assert logging["logDestinationConfigs"] == [group.outputs["arn"]]
    assert logging["redactedFields"] == [
        {"singleHeader": {"name": "authorization"}},
        {"singleHeader": {"name": "cookie"}},
    ]


def test_waf_logs_keep_blocked_and_counted_requests_unless_asked_for_all() -> None:
    logging = default().find(WAF_LOGGING, "edge-waf-logging")
    log_filter = logging["loggingFilter"]
    assert log_filter["defaultBehavior"] == "DROP"
    (keep,) = log_filter["filters"]
    assert keep["behavior"] == "KEEP" and keep["requirement"] == "MEETS_ANY"
    actions = {c["actionCondition"]["action"] for c in keep["conditions"]}
    assert actions == {"BLOCK", "COUNT", "EXCLUDED_AS_COUNT"}
    everything = build(EdgeConfig(waf=WafConfig(log_allowed_requests=True)))
    assert "loggingFilter" not in everything.find(WAF_LOGGING, "edge-waf-logging").inputs


# --- The component ---------------------------------------------------------------------------


def test_the_component_exposes_what_workloads_and_alarms_need() -> None:
    rec = default()
    outputs = rec.find("platform:edge:Edge", "edge").outputs
    groups = {tg.name: tg.outputs["arn"] for tg in rec.all_of(TARGET_GROUP)}
    assert outputs["target_group_arns"] == {"web": groups["edge-web"], "api": groups["edge-api"]}
    assert outputs["site_url"] == f"https://{DOMAIN}"
    assert outputs["distribution_id"] == distribution(rec).id
    assert outputs["alb_arn_suffix"].startswith("app/")
    assert outputs["web_acl_arn"].startswith("arn:aws:wafv2:us-east-1:")
