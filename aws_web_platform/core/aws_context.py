"""The account, partition and region an AWS provider works in, looked up once per provider.

Components need them for ARNs, trust-policy conditions and key policies. Each is a synchronous
invoke (``get_caller_identity``, ``get_partition``, ``get_region``), which blocks the program
until the provider answers: in a real ``pulumi up`` a round trip to AWS per call, in the offline
plan a turn of the engine's event loop. Made in every component they were 61 of the prod plan's
67 invokes, all with the same three answers per provider. Here each is asked once per provider
(the one a component's children and invokes use: its ``opts.providers["aws"]``, inherited from
its parent) and kept on that provider for the rest of the program.

A component without an explicit AWS provider (Pulumi's default provider) is not cached: that
provider is configured from the stack's config, which may differ between programs run in one
process (the tests), and the default provider is disabled in every stack of this project.
"""

from __future__ import annotations

from functools import cached_property

import pulumi
import pulumi_aws as aws

#: The token whose provider a component's AWS invokes go through.
_AWS_TOKEN = "aws:index/getRegion:getRegion"


class AwsContext:
    """What one AWS provider answers for ``account_id``, ``partition`` and ``region``, each
    invoked on first use only."""

    def __init__(self, invoke: pulumi.InvokeOptions) -> None:
        self._invoke = invoke

    @cached_property
    def account_id(self) -> str:
        return aws.get_caller_identity(opts=self._invoke).account_id

    @cached_property
    def partition(self) -> str:
        return aws.get_partition(opts=self._invoke).partition

    @cached_property
    def region(self) -> str:
        return aws.get_region(opts=self._invoke).region


#: The attribute of a provider its answers are kept in: they live and go with the provider (a
#: module-level cache keyed by provider would keep every provider, and through the invoke's
#: options its whole resource tree, alive for the process: the tests run hundreds of programs).
_ATTRIBUTE = "_aws_web_platform_context"


def aws_context(
    resource: pulumi.Resource, provider: pulumi.ProviderResource | None = None
) -> AwsContext:
    """The account, partition and region of the AWS provider ``resource``'s children use, or
    of ``provider`` (a component that creates some children in another region)."""
    chosen = provider or resource.get_provider(_AWS_TOKEN)
    if chosen is None:
        return AwsContext(pulumi.InvokeOptions(parent=resource))
    context = getattr(chosen, _ATTRIBUTE, None)
    if not isinstance(context, AwsContext):
        context = AwsContext(pulumi.InvokeOptions(provider=chosen))
        setattr(chosen, _ATTRIBUTE, context)
    return context
