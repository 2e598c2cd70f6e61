"""CloudWatch: log groups, log delivery, alarms and dashboards."""

from __future__ import annotations

from typing import Any

from aws_web_platform.offline.fake_aws.context import (
    Fake,
    FakeContext,
    generic,
    hex_of,
)


def log_group(ctx: FakeContext) -> tuple[str, dict[str, Any]]:
    name = ctx.physical_name()
    return name, {"name": name, "arn": ctx.arn("logs", f"log-group:{name}")}


def log_delivery(ctx: FakeContext) -> tuple[str, dict[str, Any]]:
    kind = ctx.type.rsplit(":", 1)[1]
    if kind == "LogDelivery":
        id_ = hex_of(ctx.seed, 16)
        return id_, {"arn": ctx.arn("logs", f"delivery:{id_}")}
    name = ctx.physical_name()
    resource = "delivery-source" if kind == "LogDeliverySource" else "delivery-destination"
    return name, {"name": name, "arn": ctx.arn("logs", f"{resource}:{name}")}


#: The resource types this service fakes, each explicitly.
RESOURCES: dict[str, Fake] = {
    "aws:cloudwatch/logGroup:LogGroup": log_group,
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": log_delivery,
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": log_delivery,
    "aws:cloudwatch/logDelivery:LogDelivery": log_delivery,
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": generic,
    "aws:cloudwatch/metricAlarm:MetricAlarm": generic,
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": generic,
    "aws:cloudwatch/dashboard:Dashboard": generic,
}
