"""Edge: everything between the internet and the pods.

Route 53 -> CloudFront (with the WAF) -> ALB -> pods (target groups, bound by the apps'
TargetGroupBinding), per docs/requirements.md "Edge, caching and rate limits":

* DNS and certificates: the apex and each hostname (www by default) are A and AAAA aliases of
  the distribution; ``origin.<domain>`` is the ALB's. Two ACM certificates validated through
  records in the zone: the distribution's in us-east-1 (CloudFront only reads certificates
  there), the ALB's in the stack's region.
* CloudFront: HTTP/2 and HTTP/3, IPv6, TLSv1.2_2021 at least, HTTPS only, gzip and brotli, the
  WAF attached, standard logging (v2) to the logs bucket. Behaviours, cache policies and the
  security headers come from :mod:`aws_web_platform.edge.rules`; managed policies are used where
  they fit (CachingDisabled, CachingOptimized, AllViewerExceptHostHeader), own ones where the
  spec fixes other TTLs.
* ALB: internet-facing in the public subnets, but its security group admits 443 only from
  CloudFront's origin-facing managed prefix list, and its HTTPS listener forwards only requests
  carrying the origin-verification header CloudFront adds (a pulumi-random secret): anything
  else gets 403, so the WAF cannot be bypassed by calling the ALB directly. ``/api/*`` goes to
  the api target group, the rest to web.
* WAF (scope CLOUDFRONT, us-east-1): AWS managed rule groups, then the rate limits per client
  IP, logged to ``aws-waf-logs-<prefix>`` without the Authorization and Cookie headers.

First deploy of a created zone: ACM validates through the zone, so delegate the domain to the
zone's name servers (stack output ``dnsNameServers``) before the certificates' validation times
out, or run ``pulumi up`` again once delegated.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_random as random
from pydantic import Field

from aws_web_platform.core.aws_context import aws_context
from aws_web_platform.core.fields import InputStr, InputStrs, Wiring, compose
from aws_web_platform.core.iam import policy_document
from aws_web_platform.edge.config import EdgeConfig
from aws_web_platform.edge.rules import (
    CUSTOM_HEADERS,
    REMOVED_HEADERS,
    Behaviour,
    behaviours,
    cache_policies,
    security_headers,
    waf_rules,
)
from aws_web_platform.storage.bucket import LOG_PREFIXES, Bucket

#: Header CloudFront adds to every origin request; the ALB forwards only requests carrying it.
ORIGIN_VERIFY_HEADER = "X-Origin-Verify"
#: TLS 1.3 and 1.2 with forward-secret ciphers; CloudFront connects to origins with TLS 1.2.
ALB_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
#: Oldest TLS viewers may use: TLS 1.2 with the 2021 cipher set (no CBC, no SHA-1).
VIEWER_MINIMUM_PROTOCOL = "TLSv1.2_2021"
#: AWS-managed prefix list of CloudFront's origin-facing addresses (one per region, by name).
CLOUDFRONT_ORIGIN_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing"
#: Headers the WAF logs never contain (credentials and sessions).
REDACTED_HEADERS = ("authorization", "cookie")
#: Managed CloudFront policies by the names the edge's rules (rules.py) refer to them.
MANAGED_CACHE_POLICIES = {
    "managed-disabled": "Managed-CachingDisabled",
    "managed-optimized": "Managed-CachingOptimized",
}
MANAGED_ORIGIN_REQUEST_POLICIES = {
    "managed-all-viewer-except-host": "Managed-AllViewerExceptHostHeader",
}
ORIGIN_IDS = {"alb": "alb", "certificates": "certificates-bucket"}
#: How long `pulumi up` waits for ACM to see the validation records before failing.
VALIDATION_TIMEOUT = "45m"
#: Viewer-request function on the behaviours forwarding viewer headers: CloudFront sends the
#: origin's name as Host (the ALB's certificate is for it), so the viewer's Host goes along as
#: X-Forwarded-Host, replacing any the viewer sent (the apps build URLs and check Server
#: Actions' origin with it).
FORWARDED_HOST_FUNCTION = """\
function handler(event) {
    var request = event.request;
    request.headers['x-forwarded-host'] = { value: request.headers.host.value };
    return request;
}
"""


class EdgeWiring(Wiring):
    """What :class:`Edge` is wired to besides its settings."""

    domain: str = Field(
        pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
        description="The apex domain served; hostnames and the origin go under it. Required.",
    )
    zone_id: InputStr = Field(description="Public hosted zone (id, str or Output) of the domain.")
    vpc_id: InputStr = Field(description="VPC (id) of the ALB and the target groups. Required.")
    public_subnet_ids: InputStrs = Field(description="Public subnets of the ALB, one per AZ.")
    targets_security_group_id: InputStr = Field(
        description="Security group of the pods behind the target groups (the EKS nodes' "
        "group): the ALB may reach only it, on the web and api ports, and it admits the ALB."
    )
    logs_bucket: Bucket = Field(
        description="Bucket receiving ALB access logs (alb/) and CloudFront logs (cloudfront/): "
        "created with log_delivery_services including alb and cloudfront."
    )
    certificates_bucket: Bucket | None = Field(
        default=None,
        description="Bucket served under /certificates/* through Origin Access Control, "
        "created with read_by_cloudfront=True. Default None: no such behaviour.",
    )
    us_east_1_provider: aws.Provider = Field(
        description="AWS provider in us-east-1, where CloudFront's certificate, the WAF, its "
        "logs and CloudFront's log delivery must live whatever the stack's region."
    )
    waf_logs_kms_key_arn: InputStr | None = Field(
        default=None,
        description="Key (ARN, in us-east-1) encrypting the WAF log group. Default: CloudWatch's "
        "own encryption.",
    )
    name_prefix: str = Field(
        pattern=r"^[a-z][a-z0-9-]{0,39}$",
        description="Prefix of the names that must be fixed: the WAF log group "
        "(aws-waf-logs-<prefix>), its delivery policy, the WAF metrics. The rest is autonamed, "
        "so a replacement never collides with its predecessor.",
    )
    protect: bool = Field(
        default=True,
        description="ALB deletion protection: a deploy cannot delete the production entry "
        "point. Default true.",
    )


class EdgeArgs(EdgeConfig, EdgeWiring):
    """Arguments of :class:`Edge`: its settings (``EdgeConfig``) and its wiring
    (``EdgeWiring``), every field flat."""

    @classmethod
    def from_config(cls, config: EdgeConfig, wiring: EdgeWiring) -> EdgeArgs:
        """The Args of a stack file's settings and the platform's wiring."""
        return compose(cls, config, wiring)


class Edge(pulumi.ComponentResource):
    """CloudFront + WAF + ALB + their DNS and certificates, for one domain."""

    site_url: str
    hostnames: list[str]
    origin_hostname: str
    distribution: aws.cloudfront.Distribution
    distribution_id: pulumi.Output[str]
    distribution_arn: pulumi.Output[str]
    distribution_domain_name: pulumi.Output[str]
    web_acl: aws.wafv2.WebAcl
    web_acl_arn: pulumi.Output[str]
    web_acl_name: pulumi.Output[str]
    load_balancer: aws.lb.LoadBalancer
    alb_arn_suffix: pulumi.Output[str]
    alb_dns_name: pulumi.Output[str]
    alb_security_group: aws.ec2.SecurityGroup
    target_groups: dict[str, aws.lb.TargetGroup]
    https_listener: aws.lb.Listener
    waf_log_group: aws.cloudwatch.LogGroup

    def __init__(
        self, name: str, args: EdgeArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:edge:Edge", name, None, opts)
        self._name = name
        self._args = args
        self.hostnames = [args.domain, *(f"{h}.{args.domain}" for h in args.hostnames)]
        self.origin_hostname = f"{args.origin_hostname}.{args.domain}"
        self.site_url = f"https://{args.domain}"

        cdn_certificate = self._certificate(
            "cdn-cert", self.hostnames, provider=args.us_east_1_provider
        )
        origin_certificate = self._certificate("origin-cert", [self.origin_hostname])
        self.web_acl, self.waf_log_group = self._firewall()
        self.web_acl_arn = self.web_acl.arn
        self.web_acl_name = self.web_acl.name

        origin_verify = random.RandomPassword(
            f"{name}-origin-verify",
            length=48,
            special=False,  # a header value: letters and digits only
            opts=pulumi.ResourceOptions(parent=self),
        )
        self._load_balancer(origin_certificate, origin_verify.result)
        self.alb_arn_suffix = self.load_balancer.arn_suffix
        self.alb_dns_name = self.load_balancer.dns_name

        self.distribution = self._distribution(cdn_certificate, origin_verify.result)
        self.distribution_id = self.distribution.id
        self.distribution_arn = self.distribution.arn
        self.distribution_domain_name = self.distribution.domain_name
        # CacheHitRate and origin latency are "additional metrics": the edge alarms and
        # dashboards (docs/operations.md) read them.
        aws.cloudfront.MonitoringSubscription(
            f"{name}-cdn-metrics",
            distribution_id=self.distribution.id,
            monitoring_subscription=aws.cloudfront.MonitoringSubscriptionMonitoringSubscriptionArgs(
                realtime_metrics_subscription_config=aws.cloudfront.MonitoringSubscriptionMonitoringSubscriptionRealtimeMetricsSubscriptionConfigArgs(
                    realtime_metrics_subscription_status="Enabled"
                )
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        if args.certificates_bucket is not None:
            args.certificates_bucket.grant_cloudfront_read(self.distribution.arn)
        self._access_logs()
        self._records()

        self.register_outputs(
            {
                "site_url": self.site_url,
                "hostnames": self.hostnames,
                "distribution_id": self.distribution_id,
                "distribution_domain_name": self.distribution_domain_name,
                "web_acl_arn": self.web_acl_arn,
                "alb_dns_name": self.alb_dns_name,
                "alb_arn_suffix": self.alb_arn_suffix,
                "target_group_arns": {k: tg.arn for k, tg in self.target_groups.items()},
            }
        )

    # --- certificates ---------------------------------------------------------------------

    def _certificate(
        self, role: str, names: list[str], provider: aws.Provider | None = None
    ) -> pulumi.Output[str]:
        """A DNS-validated certificate for ``names``; the ARN once ACM has issued it."""
        name = self._name
        opts = pulumi.ResourceOptions(parent=self, provider=provider)
        certificate = aws.acm.Certificate(
            f"{name}-{role}",
            domain_name=names[0],
            subject_alternative_names=names[1:],
            validation_method="DNS",
            opts=opts,
        )
        fqdns = []
        for host in names:
            option = certificate.domain_validation_options.apply(
                lambda options, host=host: next(o for o in options if o.domain_name == host)
            )
            record = aws.route53.Record(
                f"{name}-{role}-validation-{self._label(host)}",
                zone_id=self._args.zone_id,
                name=option.apply(lambda o: o.resource_record_name or ""),
                type=option.apply(lambda o: o.resource_record_type or "CNAME"),
                records=[option.apply(lambda o: o.resource_record_value or "")],
                ttl=300,
                # ACM uses one record per name and account: another certificate for the same
                # name (a previous stack, a replacement) shares it.
                allow_overwrite=True,
                opts=pulumi.ResourceOptions(parent=self),
            )
            fqdns.append(record.fqdn)
        validation = aws.acm.CertificateValidation(
            f"{name}-{role}-validation",
            certificate_arn=certificate.arn,
            validation_record_fqdns=fqdns,
            # Validation only completes once the domain resolves through the zone: fail in
            # reasonable time rather than hang (platform:dns.delegated gates a new zone).
            opts=pulumi.ResourceOptions.merge(
                opts,
                pulumi.ResourceOptions(
                    custom_timeouts=pulumi.CustomTimeouts(create=VALIDATION_TIMEOUT)
                ),
            ),
        )
        return validation.certificate_arn

    def _label(self, host: str) -> str:
        """``apex`` for the domain itself, else the host's first label (www, origin...)."""
        return "apex" if host == self._args.domain else host.removesuffix(f".{self._args.domain}")

    # --- WAF ------------------------------------------------------------------------------

    def _firewall(self) -> tuple[aws.wafv2.WebAcl, aws.cloudwatch.LogGroup]:
        args, name = self._args, self._name
        east = pulumi.ResourceOptions(parent=self, provider=args.us_east_1_provider)
        web_acl = aws.wafv2.WebAcl(
            f"{name}-waf",
            scope="CLOUDFRONT",
            description=f"{args.domain}: AWS managed rules and rate limits per client IP",
            default_action={"allow": {}},
            rules=waf_rules(args),
            visibility_config={
                "cloudwatch_metrics_enabled": True,
                "metric_name": f"{args.name_prefix}-edge",
                "sampled_requests_enabled": True,
            },
            opts=east,
        )
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-waf-logs",
            # WAF only delivers to log groups whose name starts with aws-waf-logs-.
            name=f"aws-waf-logs-{args.name_prefix}",
            retention_in_days=args.waf.log_retention_days,
            kms_key_id=args.waf_logs_kms_key_arn,
            opts=east,
        )
        # WAF delivers through CloudWatch Logs' log delivery service: allow it on this group
        # only, from this account (else WAF writes a shared account-wide policy itself, and
        # only when the deployer may).
        us_east_1 = aws_context(self, args.us_east_1_provider)
        account, partition = us_east_1.account_id, us_east_1.partition
        delivery_policy = aws.cloudwatch.LogResourcePolicy(
            f"{name}-waf-logs-delivery",
            policy_name=f"{args.name_prefix}-waf-log-delivery",
            policy_document=policy_document(
                [
                    {
                        "Sid": "WafLogDelivery",
                        "Effect": "Allow",
                        "Principal": {"Service": "delivery.logs.amazonaws.com"},
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": pulumi.Output.concat(log_group.arn, ":*"),
                        "Condition": {
                            "StringEquals": {"aws:SourceAccount": account},
                            "ArnLike": {
                                "aws:SourceArn": f"arn:{partition}:logs:us-east-1:{account}:*"
                            },
                        },
                    }
                ]
            ),
            opts=east,
        )
        logging_filter: aws.wafv2.WebAclLoggingConfigurationLoggingFilterArgsDict | None = None
        if not args.waf.log_allowed_requests:
            logging_filter = {
                "default_behavior": "DROP",
                "filters": [
                    {
                        "behavior": "KEEP",
                        "requirement": "MEETS_ANY",
                        "conditions": [
                            {"action_condition": {"action": action}}
                            for action in ("BLOCK", "COUNT", "EXCLUDED_AS_COUNT")
                        ],
                    }
                ],
            }
        aws.wafv2.WebAclLoggingConfiguration(
            f"{name}-waf-logging",
            resource_arn=web_acl.arn,
            log_destination_configs=[log_group.arn],
            redacted_fields=[{"single_header": {"name": header}} for header in REDACTED_HEADERS],
            logging_filter=logging_filter,
            opts=pulumi.ResourceOptions.merge(
                east, pulumi.ResourceOptions(depends_on=[delivery_policy])
            ),
        )
        return web_acl, log_group

    # --- ALB ------------------------------------------------------------------------------

    def _load_balancer(
        self, certificate_arn: pulumi.Output[str], origin_verify: pulumi.Output[str]
    ) -> None:
        args, name = self._args, self._name
        child = pulumi.ResourceOptions(parent=self)
        ports = {"web": args.web.port, "api": args.api.port}
        cloudfront = aws.ec2.get_managed_prefix_list_output(
            name=CLOUDFRONT_ORIGIN_PREFIX_LIST, opts=pulumi.InvokeOutputOptions(parent=self)
        )
        self.alb_security_group = aws.ec2.SecurityGroup(
            f"{name}-alb-sg",
            vpc_id=args.vpc_id,
            description="ALB: HTTPS from CloudFront only; to the app pods only",
            tags={"Name": f"{args.name_prefix}-alb"},
            opts=child,
        )
        # The prefix list counts as its size (about 55 entries) against the group's rule quota
        # (60): one rule for it, none for anything else.
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-alb-from-cloudfront",
            security_group_id=self.alb_security_group.id,
            prefix_list_id=cloudfront.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            description="HTTPS from CloudFront's origin-facing servers",
            opts=child,
        )
        for app, port in ports.items():
            aws.vpc.SecurityGroupEgressRule(
                f"{name}-alb-to-{app}",
                security_group_id=self.alb_security_group.id,
                referenced_security_group_id=args.targets_security_group_id,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                description=f"To the {app} pods",
                opts=child,
            )
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-{app}-from-alb",
                security_group_id=args.targets_security_group_id,
                referenced_security_group_id=self.alb_security_group.id,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                description=f"{app} pods from the ALB",
                opts=child,
            )

        logs_policy = [args.logs_bucket.policy] if args.logs_bucket.policy else []
        self.load_balancer = aws.lb.LoadBalancer(
            f"{name}-alb",
            load_balancer_type="application",
            internal=False,
            subnets=args.public_subnet_ids,
            security_groups=[self.alb_security_group.id],
            ip_address_type="ipv4",
            idle_timeout=args.alb_idle_timeout_seconds,
            enable_http2=True,
            # Requests with header names that are not valid HTTP are dropped, not forwarded.
            drop_invalid_header_fields=True,
            enable_deletion_protection=args.protect,
            access_logs={
                "bucket": args.logs_bucket.name,
                "prefix": LOG_PREFIXES["alb"].rstrip("/"),
                "enabled": True,
            },
            # The bucket must allow log delivery before the ALB is told to log there.
            opts=pulumi.ResourceOptions(parent=self, depends_on=logs_policy),
        )

        self.target_groups = {
            app: aws.lb.TargetGroup(
                f"{name}-{app}",
                target_type="ip",  # pods, registered by the app's TargetGroupBinding
                port=target.port,
                protocol="HTTP",
                protocol_version="HTTP1",
                vpc_id=args.vpc_id,
                # Spec: least connections.
                load_balancing_algorithm_type="least_outstanding_requests",
                deregistration_delay=args.deregistration_delay_seconds,
                health_check={
                    "enabled": True,
                    "path": target.health_check_path,
                    "protocol": "HTTP",
                    "port": "traffic-port",
                    "matcher": "200",
                    "interval": 10,
                    "timeout": 5,
                    "healthy_threshold": 2,
                    "unhealthy_threshold": 3,
                },
                opts=child,
            )
            for app, target in (("web", args.web), ("api", args.api))
        }

        self.https_listener = aws.lb.Listener(
            f"{name}-https",
            load_balancer_arn=self.load_balancer.arn,
            port=443,
            protocol="HTTPS",
            ssl_policy=ALB_SSL_POLICY,
            certificate_arn=certificate_arn,
            # Only CloudFront knows the verification header: whatever reaches the ALB without
            # it (a scan, a request bypassing the WAF) is refused.
            default_actions=[
                {
                    "type": "fixed-response",
                    "fixed_response": {
                        "content_type": "text/plain",
                        "message_body": "Forbidden",
                        "status_code": "403",
                    },
                }
            ],
            opts=child,
        )
        aws.lb.Listener(
            f"{name}-http",
            load_balancer_arn=self.load_balancer.arn,
            port=80,
            protocol="HTTP",
            # The security group admits 443 only; should 80 ever be opened, it still never
            # serves plain HTTP.
            default_actions=[
                {
                    "type": "redirect",
                    "redirect": {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"},
                }
            ],
            opts=child,
        )
        # The ALB compares header values case-insensitively: 48 letters and digits still leave
        # 36^48 possibilities.
        verified: aws.lb.ListenerRuleConditionArgsDict = {
            "http_header": {"http_header_name": ORIGIN_VERIFY_HEADER, "values": [origin_verify]}
        }
        routes = (
            ("api", 10, [verified, {"path_pattern": {"values": ["/api/*"]}}]),
            ("web", 20, [verified]),
        )
        for app, priority, conditions in routes:
            aws.lb.ListenerRule(
                f"{name}-route-{app}",
                listener_arn=self.https_listener.arn,
                priority=priority,
                conditions=conditions,
                actions=[{"type": "forward", "target_group_arn": self.target_groups[app].arn}],
                opts=child,
            )

    # --- CloudFront -----------------------------------------------------------------------

    def _distribution(
        self, certificate_arn: pulumi.Output[str], origin_verify: pulumi.Output[str]
    ) -> aws.cloudfront.Distribution:
        args, name = self._args, self._name
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        cache_policy_ids: dict[str, pulumi.Output[str]] = {
            ref: aws.cloudfront.CachePolicy(
                f"{name}-cache-{ref}",
                comment=spec.comment,
                min_ttl=spec.min_ttl,
                default_ttl=spec.default_ttl,
                max_ttl=spec.max_ttl,
                parameters_in_cache_key_and_forwarded_to_origin={
                    "cookies_config": {"cookie_behavior": "none"},
                    "headers_config": {"header_behavior": "none"},
                    "query_strings_config": {"query_string_behavior": spec.query_strings},
                    "enable_accept_encoding_gzip": True,
                    "enable_accept_encoding_brotli": True,
                },
                opts=child,
            ).id
            for ref, spec in cache_policies(args).items()
        }
        for ref, managed in MANAGED_CACHE_POLICIES.items():
            found = aws.cloudfront.get_cache_policy_output(name=managed, opts=invoke)
            cache_policy_ids[ref] = found.id.apply(lambda i, m=managed: _found(i, m))
        origin_request_ids: dict[str, pulumi.Output[str]] = {
            ref: aws.cloudfront.get_origin_request_policy_output(
                name=managed, opts=invoke
            ).id.apply(lambda i, m=managed: _found(i, m))
            for ref, managed in MANAGED_ORIGIN_REQUEST_POLICIES.items()
        }
        forwarded_host = aws.cloudfront.Function(
            f"{name}-forwarded-host",
            runtime="cloudfront-js-2.0",
            comment="Viewer's Host as X-Forwarded-Host (CloudFront sends the origin's name)",
            code=FORWARDED_HOST_FUNCTION,
            publish=True,
            opts=child,
        )
        headers = aws.cloudfront.ResponseHeadersPolicy(
            f"{name}-headers",
            comment="Security headers of SPEC.md on every response",
            security_headers_config=security_headers(args),
            custom_headers_config={
                "items": [
                    {"header": header, "value": value, "override": True}
                    for header, value in CUSTOM_HEADERS.items()
                ]
            },
            remove_headers_config={"items": [{"header": header} for header in REMOVED_HEADERS]},
            opts=child,
        )

        origins: list[aws.cloudfront.DistributionOriginArgsDict] = [
            {
                "origin_id": ORIGIN_IDS["alb"],
                "domain_name": self.origin_hostname,
                "custom_origin_config": {
                    "http_port": 80,
                    "https_port": 443,
                    "origin_protocol_policy": "https-only",
                    "origin_ssl_protocols": ["TLSv1.2"],
                    "origin_keepalive_timeout": args.origin_keepalive_seconds,
                    "origin_read_timeout": args.origin_read_timeout_seconds,
                },
                "custom_headers": [{"name": ORIGIN_VERIFY_HEADER, "value": origin_verify}],
            }
        ]
        if args.certificates_bucket is not None:
            access_control = aws.cloudfront.OriginAccessControl(
                f"{name}-certificates-oac",
                description="CloudFront signs its reads of the certificates bucket",
                origin_access_control_origin_type="s3",
                signing_behavior="always",
                signing_protocol="sigv4",
                opts=child,
            )
            origins.append(
                {
                    "origin_id": ORIGIN_IDS["certificates"],
                    "domain_name": args.certificates_bucket.regional_domain_name,
                    "origin_access_control_id": access_control.id,
                }
            )

        def behaviour(rule: Behaviour) -> dict[str, Any]:
            forwards_viewer_headers = rule.origin_request_policy in origin_request_ids
            return {
                "target_origin_id": ORIGIN_IDS[rule.origin],
                "viewer_protocol_policy": "redirect-to-https",
                "allowed_methods": list(rule.allowed_methods),
                "cached_methods": ["GET", "HEAD"],
                # CloudFront compresses what it caches; uncached (CachingDisabled) responses are
                # compressed by the apps, which get the viewer's Accept-Encoding.
                "compress": True,
                "cache_policy_id": cache_policy_ids[rule.cache_policy],
                "origin_request_policy_id": origin_request_ids.get(rule.origin_request_policy),
                "response_headers_policy_id": headers.id,
                "function_associations": [
                    {"event_type": "viewer-request", "function_arn": forwarded_host.arn}
                ]
                if forwards_viewer_headers
                else None,
            }

        rules = [
            rule
            for rule in behaviours(args)
            if rule.origin != "certificates" or args.certificates_bucket is not None
        ]
        ordered, default = rules[:-1], rules[-1]
        return aws.cloudfront.Distribution(
            f"{name}-cdn",
            enabled=True,
            comment=f"{args.domain}: web and API",
            aliases=self.hostnames,
            http_version="http2and3",
            is_ipv6_enabled=True,
            price_class=args.price_class,
            web_acl_id=self.web_acl.arn,
            origins=origins,
            default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
                **behaviour(default)
            ),
            ordered_cache_behaviors=[
                aws.cloudfront.DistributionOrderedCacheBehaviorArgs(
                    path_pattern=rule.path_pattern or "", **behaviour(rule)
                )
                for rule in ordered
            ],
            restrictions={"geo_restriction": {"restriction_type": "none", "locations": []}},
            viewer_certificate={
                "acm_certificate_arn": certificate_arn,
                "ssl_support_method": "sni-only",
                "minimum_protocol_version": VIEWER_MINIMUM_PROTOCOL,
            },
            opts=child,
        )

    def _access_logs(self) -> None:
        """CloudFront standard logging (v2): delivered by CloudWatch Logs from us-east-1 into
        the logs bucket under cloudfront/AWSLogs/<account>/CloudFront/ (legacy logging would
        need bucket ACLs, which are off)."""
        args, name = self._args, self._name
        east = pulumi.ResourceOptions(parent=self, provider=args.us_east_1_provider)
        source = aws.cloudwatch.LogDeliverySource(
            f"{name}-cdn-logs-source",
            log_type="ACCESS_LOGS",
            resource_arn=self.distribution.arn,
            opts=east,
        )
        destination = aws.cloudwatch.LogDeliveryDestination(
            f"{name}-cdn-logs-destination",
            output_format="json",
            delivery_destination_configuration={
                "destination_resource_arn": pulumi.Output.concat(
                    args.logs_bucket.arn, "/", LOG_PREFIXES["cloudfront"].rstrip("/")
                )
            },
            opts=east,
        )
        logs_policy = [args.logs_bucket.policy] if args.logs_bucket.policy else []
        aws.cloudwatch.LogDelivery(
            f"{name}-cdn-logs",
            delivery_source_name=source.name,
            delivery_destination_arn=destination.arn,
            opts=pulumi.ResourceOptions.merge(east, pulumi.ResourceOptions(depends_on=logs_policy)),
        )

    # --- DNS ------------------------------------------------------------------------------

    def _records(self) -> None:
        """The site's names as aliases of the distribution (IPv4 and IPv6); the origin's name
        as an alias of the ALB (IPv4 only, as the ALB)."""
        args, name = self._args, self._name
        child = pulumi.ResourceOptions(parent=self)
        for host in self.hostnames:
            for record_type in ("A", "AAAA"):
                aws.route53.Record(
                    f"{name}-{self._label(host)}-{record_type.lower()}",
                    zone_id=args.zone_id,
                    name=host,
                    type=record_type,
                    aliases=[
                        {
                            "name": self.distribution.domain_name,
                            "zone_id": self.distribution.hosted_zone_id,
                            "evaluate_target_health": False,
                        }
                    ],
                    opts=child,
                )
        aws.route53.Record(
            f"{name}-{self._label(self.origin_hostname)}-a",
            zone_id=args.zone_id,
            name=self.origin_hostname,
            type="A",
            aliases=[
                {
                    "name": self.load_balancer.dns_name,
                    "zone_id": self.load_balancer.zone_id,
                    "evaluate_target_health": True,
                }
            ],
            opts=child,
        )


def _found(policy_id: str | None, name: str) -> str:
    """The id of a managed CloudFront policy the lookup found (AWS ships every one we name)."""
    if not policy_id:
        raise LookupError(f"CloudFront has no managed policy named {name}")
    return policy_id
