"""SlackChannels: alerts to Slack through AWS Chatbot, one channel configuration per channel.

AWS Chatbot subscribes to the severity topics of every region (the stack's and us-east-1) and
posts each alarm with its graph. Its IAM role may only read CloudWatch, and the same managed
policy is the guardrail, so nobody can run anything from the channel beyond reading metrics.
The workspace must have been authorised once in the Chatbot console (an OAuth consent no API
can give); docs/operations.md has the steps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws
from pydantic import BaseModel, Field

from aws_web_platform.core.aws_context import aws_context
from aws_web_platform.core.fields import InputStr, Wiring, compose
from aws_web_platform.core.iam import service_trust_policy
from aws_web_platform.observability.config import SlackConfig

#: What Chatbot may do, and the most any channel member may do through it: read CloudWatch.
READ_ONLY_POLICY = "arn:{partition}:iam::aws:policy/CloudWatchReadOnlyAccess"


class SlackChannelsWiring(Wiring):
    """What :class:`SlackChannels` is wired to besides its settings."""

    name_prefix: str = Field(
        pattern=r"^[A-Za-z0-9_-]{1,100}$",
        description="Prefix of the configurations' names (<prefix>-<channel>). Required.",
    )
    topic_arns: Mapping[str, Sequence[InputStr]] = Field(
        description="SNS topic ARNs (str or Output) per severity, from every region. Required."
    )


class SlackChannelsArgs(SlackConfig, SlackChannelsWiring):
    """Arguments of :class:`SlackChannels`: its settings (``SlackConfig``) and its wiring
    (``SlackChannelsWiring``), every field flat."""

    @classmethod
    def from_config(cls, config: SlackConfig, wiring: SlackChannelsWiring) -> SlackChannelsArgs:
        """The Args of a stack file's settings and the platform's wiring."""
        return compose(cls, config, wiring)


class _Channel(BaseModel):
    channel_id: str
    severities: list[str]


class SlackChannels(pulumi.ComponentResource):
    """The Chatbot role and one Slack channel configuration per distinct channel."""

    role: aws.iam.Role
    configurations: dict[str, aws.chatbot.SlackChannelConfiguration]

    def __init__(
        self, name: str, args: SlackChannelsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:observability:SlackChannels", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        partition = aws_context(self).partition
        read_only = READ_ONLY_POLICY.format(partition=partition)
        self.role = aws.iam.Role(
            f"{name}-role",
            assume_role_policy=service_trust_policy("chatbot.amazonaws.com"),
            description="AWS Chatbot: read CloudWatch to render alarms in Slack",
            opts=child,
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-read-cloudwatch", role=self.role.name, policy_arn=read_only, opts=child
        )
        channels: dict[str, _Channel] = {}
        for severity, channel_id in sorted(args.channel_ids.items()):
            channels.setdefault(channel_id, _Channel(channel_id=channel_id, severities=[]))
            channels[channel_id].severities.append(severity)
        self.configurations = {}
        for channel in channels.values():
            label = "-".join(channel.severities)
            self.configurations[label] = aws.chatbot.SlackChannelConfiguration(
                f"{name}-{label}",
                configuration_name=f"{args.name_prefix}-{label}"[:128],
                slack_team_id=args.workspace_id,
                slack_channel_id=channel.channel_id,
                iam_role_arn=self.role.arn,
                guardrail_policy_arns=[read_only],
                user_authorization_required=True,
                logging_level="ERROR",
                sns_topic_arns=[arn for s in channel.severities for arn in args.topic_arns[s]],
                region=args.api_region,
                opts=child,
            )
        self.register_outputs(
            {
                "configuration_arns": {
                    k: c.chat_configuration_arn for k, c in self.configurations.items()
                }
            }
        )
