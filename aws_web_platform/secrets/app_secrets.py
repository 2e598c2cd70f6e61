"""AppSecrets: the apps' third-party keys (JWT, Clerk, SMTP, OAuth, Stripe, Sentry ...).

Each name becomes its own Secrets Manager secret (``<prefix>/<name>``), so a workload is granted
exactly the secrets it uses (the PDF worker never sees Stripe's key). Values come from
``pulumi config set --secret --path 'appSecretValues.<name>'``: Pulumi secrets end to end, never
in plaintext in the stack file, the state or the outputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws
from pydantic import BaseModel, ConfigDict, Field

from aws_web_platform.core.aws_context import aws_context
from aws_web_platform.core.fields import InputStr
from aws_web_platform.core.iam import grant, kms_use_statement, label_of
from aws_web_platform.secrets.secret import Secret, SecretArgs


class AppSecretsArgs(BaseModel):
    """Arguments of :class:`AppSecrets`."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    values: Mapping[str, InputStr] = Field(
        description="Secret name -> value (str or Output[str]); values are made Pulumi secrets."
    )
    name_prefix: str = Field(
        pattern=r"^[A-Za-z0-9/_+=.@-]+$",
        description="Prefix of the secrets' names, e.g. learning-platform-prod/app; each secret "
        "is <prefix>/<name>.",
    )
    kms_key_arn: InputStr = Field(description="ARN (str or Output) of the key encrypting them.")
    recovery_window_days: int = Field(
        default=30, description="Days a deleted secret can be restored; 0 at once. Default 30."
    )
    protect: bool = Field(default=True, description="Pulumi protect on each secret. Default true.")


class AppSecrets(pulumi.ComponentResource):
    """One KMS-encrypted Secrets Manager secret per app secret, readable per grant."""

    secrets: dict[str, Secret]
    arns: dict[str, pulumi.Output[str]]

    def __init__(
        self, name: str, args: AppSecretsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:secrets:AppSecrets", name, None, opts)
        self._kms_key_arn = args.kms_key_arn
        self.secrets = {
            secret_name: Secret(
                f"{name}-{secret_name}",
                SecretArgs(
                    secret_name=f"{args.name_prefix}/{secret_name}",
                    description=f"App secret {secret_name}",
                    value=value,
                    kms_key_arn=args.kms_key_arn,
                    recovery_window_days=args.recovery_window_days,
                    protect=args.protect,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            for secret_name, value in sorted(args.values.items())
        }
        self.arns = {secret_name: s.arn for secret_name, s in self.secrets.items()}
        self.register_outputs({"arns": self.arns})

    def grant_read(self, role: aws.iam.Role, names: Sequence[str]) -> aws.iam.RolePolicy:
        """Let ``role`` read exactly the secrets ``names`` (decrypting through Secrets Manager)."""
        unknown = sorted(set(names) - set(self.secrets))
        if unknown:
            raise KeyError(f"no app secret {', '.join(unknown)}; known: {', '.join(self.secrets)}")
        region = aws_context(self).region
        return grant(
            f"{label_of(self)}-read-{label_of(role)}",
            role,
            [
                {
                    "Effect": "Allow",
                    "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                    "Resource": [self.arns[n] for n in sorted(names)],
                },
                kms_use_statement(self._kms_key_arn, "secretsmanager", region, ["kms:Decrypt"]),
            ],
            parent=self,
        )
