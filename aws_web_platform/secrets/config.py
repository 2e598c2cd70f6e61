"""Settings of the app secrets: which third-party keys the apps get, and their recovery window."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    Field,
    field_validator,
)

from aws_web_platform.core.fields import ConfigModel

#: Name of the secret config key holding the app secrets' values (set with --secret --path).
APP_SECRET_VALUES_KEY = "appSecretValues"

AppSecretName = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-zA-Z0-9]{1,63}$",
        json_schema_extra={"allowed": "a camelCase name of 2 to 64 letters and digits"},
    ),
]


class AppSecretsConfig(ConfigModel):
    """Third-party keys of the apps, kept in Secrets Manager; values set with --secret."""

    names: tuple[AppSecretName, ...] = Field(
        default=(
            "jwtSecret",
            "clerkSecretKey",
            "clerkPublishableKey",
            "smtpPassword",
            "oauthGoogleClientSecret",
            "stripeSecretKey",
            "stripeWebhookSecret",
            "sentryDsn",
        ),
        description="The app secrets, each a Secrets Manager secret whose value is "
        "platform:appSecretValues.<name>, set with `pulumi config set --secret --path "
        "'appSecretValues.<name>' <value>`. Default: the keys the seed apps use (JWT, Clerk, "
        "SMTP, OAuth, Stripe, Sentry).",
    )
    recovery_window_days: int = Field(
        default=30,
        description="Days a deleted secret can still be restored. Default 30, the longest; dev "
        "uses 0 (deleted at once) so a torn-down stack can be recreated with the same names.",
        json_schema_extra={"allowed": "0 (delete at once) or a number of days from 7 to 30"},
    )

    @field_validator("names")
    @classmethod
    def _unique_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        duplicates = sorted({name for name in value if value.count(name) > 1})
        if duplicates:
            raise ValueError(f"each secret may appear once; repeated: {', '.join(duplicates)}")
        return value

    @field_validator("recovery_window_days")
    @classmethod
    def _recovery_window(cls, value: int) -> int:
        if value != 0 and not 7 <= value <= 30:
            raise ValueError("Secrets Manager takes 0 or 7..30 days")
        return value
