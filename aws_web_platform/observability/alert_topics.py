"""AlertTopics: one KMS-encrypted SNS topic per severity, with its e-mail subscribers.

Alarms can only notify topics of their own region, so a stack has one AlertTopics per region
that holds alarms: the stack's region, and us-east-1 for CloudFront and the WAF. Each topic:

* is encrypted with a customer-managed key whose policy lets CloudWatch, AWS Budgets and
  AWS Backup make data keys (``sns-publishers`` in :mod:`aws_web_platform.kms.encryption_key`);
* has a policy letting exactly those services publish, for this account only (confused
  deputy), and refusing any publish or subscribe over plain HTTP;
* gets one e-mail subscription per address (each confirms once, from the message SNS sends).

Slack is added on top by :class:`~aws_web_platform.observability.slack.SlackChannels`,
which subscribes AWS Chatbot to the topics of both regions.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pulumi
import pulumi_aws as aws
from pydantic import BaseModel, ConfigDict, Field

from aws_web_platform.core.aws_context import aws_context
from aws_web_platform.core.fields import InputStr
from aws_web_platform.core.iam import Statement, grant, kms_use_statement, label_of, policy_document
from aws_web_platform.kms.encryption_key import SNS_PUBLISHERS
from aws_web_platform.observability.config import SEVERITIES, EmailAddress, Severity


class AlertTopicsArgs(BaseModel):
    """Arguments of :class:`AlertTopics`."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    name_prefix: str = Field(
        pattern=r"^[A-Za-z0-9_-]{1,200}$",
        description="Prefix of the topics' names (<prefix>-warning, <prefix>-critical): "
        "people read them in e-mails and in Slack. Required.",
    )
    kms_key_arn: InputStr = Field(
        description="Key (ARN, str or Output) encrypting the topics; must allow the "
        "sns-publishers service. Required: alerts carry resource names and figures."
    )
    emails: dict[Severity, tuple[EmailAddress, ...]] = Field(
        default_factory=dict,
        description="E-mail subscribers per severity. Default none (Slack only, or tests).",
    )
    heartbeat: bool = Field(
        default=False,
        description="Also a <prefix>-heartbeat topic, nobody subscribed: Alertmanager publishes "
        "its Watchdog there every few minutes, and an alarm on the topic's publish count pages "
        "when the heartbeat stops (the alerting pipeline itself is down). Default false.",
    )


def topic_policy(topic_arn: Any, account: str, partition: str) -> list[Statement]:
    """Who may use a topic: the account, the alert publishers (for this account), TLS only."""
    return [
        {
            "Sid": "AccountManagesTheTopic",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
            "Action": [
                "sns:GetTopicAttributes",
                "sns:SetTopicAttributes",
                "sns:AddPermission",
                "sns:RemovePermission",
                "sns:DeleteTopic",
                "sns:Subscribe",
                "sns:ListSubscriptionsByTopic",
                "sns:Publish",
            ],
            "Resource": topic_arn,
        },
        {
            "Sid": "AlertPublishersOfThisAccount",
            "Effect": "Allow",
            "Principal": {"Service": list(SNS_PUBLISHERS)},
            "Action": "sns:Publish",
            "Resource": topic_arn,
            "Condition": {"StringEquals": {"aws:SourceAccount": account}},
        },
        {
            "Sid": "TlsOnly",
            "Effect": "Deny",
            "Principal": "*",
            "Action": ["sns:Publish", "sns:Subscribe"],
            "Resource": topic_arn,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    ]


class AlertTopics(pulumi.ComponentResource):
    """The warning and critical topics of one region."""

    topics: dict[Severity, aws.sns.Topic]
    arns: dict[str, pulumi.Output[str]]
    heartbeat: aws.sns.Topic | None
    """The heartbeat topic, when asked for."""

    def __init__(
        self, name: str, args: AlertTopicsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:observability:AlertTopics", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account, partition = aws_context(self).account_id, aws_context(self).partition
        self._kms_key_arn = args.kms_key_arn
        self.topics = {}
        for severity in SEVERITIES:
            topic = self._topic(name, args, severity, account, partition)
            for address in args.emails.get(severity, ()):
                # Named by the address, so reordering the list replaces nothing.
                digest = hashlib.sha256(address.lower().encode()).hexdigest()[:10]
                aws.sns.TopicSubscription(
                    f"{name}-{severity}-email-{digest}",
                    topic=topic.arn,
                    protocol="email",
                    endpoint=address,
                    opts=child,
                )
            self.topics[severity] = topic
        self.arns = {severity: topic.arn for severity, topic in self.topics.items()}
        self.heartbeat = None
        if args.heartbeat:
            self.heartbeat = self._topic(name, args, "heartbeat", account, partition)
        self.register_outputs({"arns": self.arns})

    def _topic(
        self, name: str, args: AlertTopicsArgs, kind: str, account: str, partition: str
    ) -> aws.sns.Topic:
        """One encrypted topic with its TLS-only policy."""
        child = pulumi.ResourceOptions(parent=self)
        topic = aws.sns.Topic(
            f"{name}-{kind}",
            name=f"{args.name_prefix}-{kind}",
            display_name=f"{args.name_prefix} {kind}"[:100],
            kms_master_key_id=args.kms_key_arn,
            opts=child,
        )
        aws.sns.TopicPolicy(
            f"{name}-{kind}-policy",
            arn=topic.arn,
            policy=policy_document(topic_policy(topic.arn, account, partition)),
            opts=child,
        )
        return topic

    def grant_publish(self, role: aws.iam.Role) -> aws.iam.RolePolicy:
        """Let ``role`` publish to these topics (the heartbeat too): sns:Publish on them, and
        the topics' key through SNS only (SNS encrypts each message with a data key)."""
        topics = [*self.topics.values(), *([self.heartbeat] if self.heartbeat else [])]
        region = aws_context(self).region
        return grant(
            f"{label_of(self)}-publish-{label_of(role)}",
            role,
            [
                {
                    "Sid": "PublishAlerts",
                    "Effect": "Allow",
                    "Action": "sns:Publish",
                    "Resource": [topic.arn for topic in topics],
                },
                kms_use_statement(
                    self._kms_key_arn, "sns", region, ["kms:GenerateDataKey*", "kms:Decrypt"]
                ),
            ],
            self,
        )
