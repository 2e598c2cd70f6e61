"""Secret: one Secrets Manager secret, encrypted with a customer-managed key, value from Pulumi.

The value is a Pulumi secret (from ``pulumi config set --secret`` or a pulumi-random password):
it is encrypted in the Pulumi state, never exported in plaintext, and the secret in AWS is
encrypted with the stack's secrets key rather than the account's default key, so reading it
needs both secretsmanager:GetSecretValue and a grant on that key.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
from pydantic import BaseModel, ConfigDict, Field

from aws_web_platform.core.aws_context import aws_context
from aws_web_platform.core.fields import InputStr
from aws_web_platform.core.iam import grant, kms_use_statement, label_of


class SecretArgs(BaseModel):
    """Arguments of :class:`Secret`."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    secret_name: str = Field(
        pattern=r"^[A-Za-z0-9/_+=.@-]{1,512}$",
        description="Name in Secrets Manager (e.g. learning-platform-prod/app/jwtSecret): the "
        "path apps and External Secrets look it up by.",
    )
    description: str = Field(description="What the secret is for; shown in the console.")
    value: InputStr = Field(
        description="The value: a str or an Output[str], made secret here whatever it was, so "
        "it is encrypted in the Pulumi state."
    )
    kms_key_arn: InputStr = Field(
        description="ARN (str or Output) of the KMS key that encrypts the secret. Required: the "
        "account's default key cannot be restricted by key policy."
    )
    recovery_window_days: int = Field(
        default=30,
        description="Days a deleted secret can be restored; 0 deletes at once. Default 30.",
    )
    protect: bool = Field(
        default=True, description="Pulumi protect on the secret. Default true (it holds data)."
    )


class Secret(pulumi.ComponentResource):
    """A KMS-encrypted Secrets Manager secret holding a Pulumi secret value."""

    secret: aws.secretsmanager.Secret
    version: aws.secretsmanager.SecretVersion
    arn: pulumi.Output[str]
    secret_name: str

    def __init__(
        self, name: str, args: SecretArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:secrets:Secret", name, None, opts)
        self._kms_key_arn = args.kms_key_arn
        self.secret_name = args.secret_name
        self.secret = aws.secretsmanager.Secret(
            f"{name}-secret",
            name=args.secret_name,
            description=args.description,
            kms_key_id=args.kms_key_arn,
            recovery_window_in_days=args.recovery_window_days,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        self.version = aws.secretsmanager.SecretVersion(
            f"{name}-value",
            secret_id=self.secret.id,
            secret_string=pulumi.Output.secret(args.value),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.arn = self.secret.arn
        self.register_outputs({"arn": self.arn, "secret_name": self.secret_name})

    def grant_read(self, role: aws.iam.Role) -> aws.iam.RolePolicy:
        """Let ``role`` read this secret's value (and decrypt it through Secrets Manager only)."""
        region = aws_context(self).region
        return grant(
            f"{label_of(self)}-read-{label_of(role)}",
            role,
            [
                {
                    "Effect": "Allow",
                    "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                    "Resource": self.arn,
                },
                kms_use_statement(self._kms_key_arn, "secretsmanager", region, ["kms:Decrypt"]),
            ],
            parent=self,
        )
