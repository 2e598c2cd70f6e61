"""IAM helpers shared by the components: policy documents, trust policies, inline grants.

Intent methods (``bucket.grant_read(role)``, ``secrets.grant_read(role)`` ...) all end in
:func:`grant`, which attaches one inline policy to the role, named after the resource and the
role, so each grant is visible, reviewable and removed with the resource that asked for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

Statement = dict[str, Any]


def policy_document(statements: Sequence[Statement]) -> pulumi.Output[str]:
    """A policy document (JSON) from statements whose values may be Outputs."""
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": list(statements)})


def service_trust_policy(
    service: str, conditions: dict[str, Any] | None = None
) -> pulumi.Output[str]:
    """A trust policy letting an AWS service principal (e.g. rds.amazonaws.com) assume a role."""
    statement: Statement = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    if conditions:
        statement["Condition"] = conditions
    return policy_document([statement])


def label_of(resource: pulumi.Resource) -> str:
    """The logical name a resource was registered with: a stable key for names derived from it."""
    name = getattr(resource, "_name", None)
    if not isinstance(name, str):
        raise TypeError(f"{resource!r} has no logical name")
    return name


def grant(
    name: str,
    role: aws.iam.Role,
    statements: Sequence[Statement],
    parent: pulumi.Resource,
) -> aws.iam.RolePolicy:
    """Attach ``statements`` to ``role`` as one inline policy called ``name``."""
    return aws.iam.RolePolicy(
        name,
        role=role.name,
        policy=policy_document(statements),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def kms_use_statement(
    key_arn: pulumi.Input[str], service: str, region: str, actions: Sequence[str]
) -> Statement:
    """Let a role use a key, but only through ``service`` (e.g. s3) in this region."""
    return {
        "Effect": "Allow",
        "Action": list(actions),
        "Resource": key_arn,
        "Condition": {"StringEquals": {"kms:ViaService": f"{service}.{region}.amazonaws.com"}},
    }
