"""SNS: topics, their policies and subscriptions."""

from __future__ import annotations

from typing import Any

from aws_web_platform.offline.fake_aws.context import (
    Fake,
    FakeContext,
    generic,
)


def sns_topic(ctx: FakeContext) -> tuple[str, dict[str, Any]]:
    name = ctx.physical_name()
    arn = f"arn:aws:sns:{ctx.region}:{ctx.account}:{name}"
    return arn, {"name": name, "arn": arn}


#: The resource types this service fakes, each explicitly.
RESOURCES: dict[str, Fake] = {
    "aws:sns/topic:Topic": sns_topic,
    "aws:sns/topicPolicy:TopicPolicy": generic,
    "aws:sns/topicSubscription:TopicSubscription": generic,
}
