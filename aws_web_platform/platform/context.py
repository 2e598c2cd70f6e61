"""What every wiring function of the platform needs: the stack's config, the parent and the
providers, so each function takes one argument instead of repeating the same five."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from aws_web_platform.kms.encryption_key import EncryptionKey, EncryptionKeyArgs, KeyService
from aws_web_platform.stack.config import StackConfig


@dataclass(frozen=True)
class StackContext:
    """The Platform component being built, and what its children are created with."""

    name: str
    """The Platform's logical name: the prefix of every child's name (``platform-network``)."""
    config: StackConfig
    parent: pulumi.ComponentResource
    providers: dict[str, pulumi.ProviderResource]
    """The stack's default providers: AWS in its region, random, and docker when an image is
    built."""
    us_east_1: aws.Provider
    """AWS in us-east-1, where CloudFront's certificate, the WAF and their logs must live."""

    @property
    def protect(self) -> bool:
        return self.config.protect_data

    @property
    def slug(self) -> str:
        return self.config.slug

    def opts(self, **providers: pulumi.ProviderResource) -> pulumi.ResourceOptions:
        """Options of a child of the Platform: the stack's providers, with ``providers``
        replacing some (``aws=ctx.us_east_1``, ``kubernetes=cluster.provider``)."""
        return pulumi.ResourceOptions(parent=self.parent, providers={**self.providers, **providers})

    def key(
        self,
        domain: str,
        description: str,
        services: tuple[KeyService, ...],
        opts: pulumi.ResourceOptions,
    ) -> EncryptionKey:
        """The stack's KMS key for one domain: alias/<slug>/<domain>, rotation and deletion
        window from platform:kms, protected with the data."""
        config = self.config
        return EncryptionKey(
            f"{self.name}-{domain}-key",
            EncryptionKeyArgs(
                description=description,
                services=services,
                alias=f"alias/{config.slug}/{domain}",
                rotation_period_days=config.kms.rotation_period_days,
                deletion_window_days=config.kms.deletion_window_days,
                protect=config.protect_data,
            ),
            opts=opts,
        )
