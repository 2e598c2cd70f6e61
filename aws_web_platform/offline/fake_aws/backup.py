"""AWS Backup, Budgets and Chatbot: nothing the program reads back but a name and an ARN."""

from __future__ import annotations

from aws_web_platform.offline.fake_aws.context import Fake, generic

#: The resource types this service fakes, each explicitly.
RESOURCES: dict[str, Fake] = {
    "aws:backup/plan:Plan": generic,
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": generic,
    "aws:backup/restoreTestingSelection:RestoreTestingSelection": generic,
    "aws:backup/selection:Selection": generic,
    "aws:backup/vault:Vault": generic,
    "aws:backup/vaultNotifications:VaultNotifications": generic,
    "aws:backup/vaultPolicy:VaultPolicy": generic,
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": generic,
    "aws:budgets/budget:Budget": generic,
    "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration": generic,
}
