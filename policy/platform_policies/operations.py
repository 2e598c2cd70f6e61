"""What operations rely on: log groups that expire, the tags cost and ownership are read from."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import (
    PolicyProviderResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from .common import (
    AUTOSCALING_GROUP,
    AWS_PROVIDER,
    LOG_GROUP,
    REQUIRED_TAGS,
    as_number,
    items_of,
    read,
    resource_policy,
)


def _log_retention(args: ResourceValidationArgs) -> Iterator[str]:
    days = as_number(read(args.props, "retentionInDays"))
    if days is None or days <= 0:
        yield "retentionInDays is not set (logs are kept forever): set retention_in_days"


LOG_GROUPS_HAVE_RETENTION = resource_policy(
    "log-groups-have-retention",
    "Every CloudWatch log group sets a retention (retentionInDays > 0): the default keeps logs "
    "forever, so cost grows without bound and personal data in logs outlives its purpose.",
    {LOG_GROUP: _log_retention},
)


def _tag_map(value: Any) -> dict[str, Any]:
    """Tags as a map: ``{"Key": "value"}``, or an Auto Scaling group's ``[{key, value}]``."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    if isinstance(value, Mapping):
        return {str(k): value[k] for k in value}
    return {
        str(read(item, "key")): read(item, "value")
        for item in items_of(value)
        if read(item, "key") is not None
    }


def default_tags(provider: PolicyProviderResource | None) -> dict[str, Any]:
    """The provider's ``defaultTags.tags``: a map, or JSON text (providers get nested settings
    as JSON)."""
    if provider is None:
        return {}
    settings = read(provider.props, "defaultTags")
    if isinstance(settings, str):
        try:
            settings = json.loads(settings)
        except ValueError:
            return {}
    return _tag_map(read(settings, "tags"))


def _missing_tags(tags: Mapping[str, Any]) -> list[str]:
    return [key for key in REQUIRED_TAGS if not str(tags.get(key) or "").strip()]


def _has_key(props: Mapping[str, Any], key: str) -> bool:
    try:
        return key in props
    except UnknownValueError:
        return True


def _validate_tags(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type == AWS_PROVIDER:
        itself = PolicyProviderResource(AWS_PROVIDER, args.props, args.urn, args.name)
        missing = _missing_tags(default_tags(itself))
        if missing:
            report_violation(
                f"the AWS provider's default tags lack {', '.join(missing)}: set default_tags="
                "{'tags': StackConfig.common_tags()} so every taggable resource carries them",
                None,
            )
        return
    if not args.resource_type.startswith("aws:"):
        return
    if not (_has_key(args.props, "tags") or _has_key(args.props, "tagsAll")):
        return  # not a taggable type (or untagged under a provider checked above)
    # Auto Scaling groups take no provider default tags (they use propagate-at-launch tags).
    inherited = {} if args.resource_type == AUTOSCALING_GROUP else default_tags(args.provider)
    try:
        computed = _tag_map(read(args.props, "tagsAll"))
    except UnknownValueError:
        computed = {}  # computed by the provider during a preview: defaults and tags decide
    tags = inherited | computed | _tag_map(read(args.props, "tags"))
    missing = _missing_tags(tags)
    if missing:
        report_violation(
            f"missing or empty tags {', '.join(missing)} (resource tags plus the provider's "
            "default tags): create it with the stack's AWS provider, whose default tags carry "
            "them",
            None,
        )


REQUIRED_TAGS_POLICY = ResourceValidationPolicy(
    name="required-tags",
    description="AWS resources carry the tags " + ", ".join(REQUIRED_TAGS) + " with non-empty "
    "values, counting the AWS provider's default tags (how the stacks apply them): cost reports, "
    "ownership and clean-up depend on them. Checked on every AWS provider (its default tags) and "
    "on every AWS resource that has tags (its own plus its provider's).",
    validate=_validate_tags,
)
