"""CloudFront: distributions, functions and policies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_web_platform.offline.fake_aws.context import (
    Fake,
    FakeContext,
    FakeInvoke,
    InvokeContext,
    UnknownInvokeError,
    hex_of,
    uuid_of,
)


def cloudfront(ctx: FakeContext) -> tuple[str, dict[str, Any]]:
    kind = ctx.type.rsplit(":", 1)[1]
    etag = "E" + hex_of(ctx.seed + "etag", 13).upper()
    if kind == "Distribution":
        id_ = "E" + hex_of(ctx.seed, 13).upper()
        return id_, {
            "arn": ctx.arn("cloudfront", f"distribution/{id_}", regional=False),
            "domainName": f"d{hex_of(ctx.seed, 13)}.cloudfront.net",
            "hostedZoneId": "Z2FDTNDATAQYW2",
            "status": "Deployed",
            "etag": etag,
        }
    if kind == "Function":
        name = ctx.physical_name()
        arn = ctx.arn("cloudfront", f"function/{name}", regional=False)
        return name, {"name": name, "arn": arn, "etag": etag, "status": "DEPLOYED"}
    id_ = uuid_of(ctx.seed)
    return id_, {
        "etag": etag,
        "arn": ctx.arn("cloudfront", f"{kind.lower()}/{id_}", regional=False),
    }


#: The resource types this service fakes, each explicitly.
RESOURCES: dict[str, Fake] = {
    "aws:cloudfront/distribution:Distribution": cloudfront,
    "aws:cloudfront/function:Function": cloudfront,
    "aws:cloudfront/cachePolicy:CachePolicy": cloudfront,
    "aws:cloudfront/originRequestPolicy:OriginRequestPolicy": cloudfront,
    "aws:cloudfront/originAccessControl:OriginAccessControl": cloudfront,
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": cloudfront,
    "aws:cloudfront/monitoringSubscription:MonitoringSubscription": cloudfront,
}


#: Managed CloudFront policies by name (their ids are the same in every account).
MANAGED_CACHE_POLICIES = {
    "Managed-CachingDisabled": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
    "Managed-CachingOptimized": "658327ea-f89d-4fab-a63d-7e88639e58f6",
    "Managed-CachingOptimizedForUncompressedObjects": "b2884449-e4de-46a7-ac36-70bc7f1ddd6d",
}
MANAGED_ORIGIN_REQUEST_POLICIES = {
    "Managed-AllViewer": "216adef6-5c7f-47e4-b989-5492eafa07d3",
    "Managed-AllViewerExceptHostHeader": "b689b0a8-53d0-40ab-baf2-68738e2966ac",
    "Managed-CORS-S3Origin": "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
}


def _managed(kind: str, known: Mapping[str, str], args: Mapping[str, Any]) -> dict[str, Any]:
    name = str(args.get("name") or "")
    if name not in known:
        raise UnknownInvokeError(f"no managed CloudFront {kind} named {name!r}")
    return {"id": known[name], "name": name, "etag": "E" + hex_of(name, 13).upper()}


def cache_policy(args: Mapping[str, Any], _ctx: InvokeContext) -> dict[str, Any]:
    return _managed("cache policy", MANAGED_CACHE_POLICIES, args)


def origin_request_policy(args: Mapping[str, Any], _ctx: InvokeContext) -> dict[str, Any]:
    return _managed("origin request policy", MANAGED_ORIGIN_REQUEST_POLICIES, args)


#: The provider functions this module answers.
INVOKES: dict[str, FakeInvoke] = {
    "aws:cloudfront/getCachePolicy:getCachePolicy": cache_policy,
    "aws:cloudfront/getOriginRequestPolicy:getOriginRequestPolicy": origin_request_policy,
}
