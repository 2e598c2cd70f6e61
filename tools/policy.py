"""The policy pack (``policy/``) evaluated in-process over an offline plan.

``pulumi preview --policy-pack policy`` needs the Pulumi CLI, a backend and AWS credentials; this
runs the same policy functions over the recording of the offline plan, so ``make plan`` and
``make test`` prove every stack file passes the pack before anyone deploys. It builds
``pulumi_policy``'s own ``ResourceValidationArgs`` and ``StackValidationArgs`` the way its gRPC
server does (inputs for resource policies, outputs for stack policies, provider inputs, resource
options, the policy's config), and calls each policy's ``validate``.

    python -m tools.policy check --stack dev     violations of the stack (exit 1 if any)
    python -m tools.policy config --stack prod   the --policy-pack-config file for the stack

The ``config`` output is what CI writes to a file for the CLI:
``pulumi preview --stack prod --policy-pack policy --policy-pack-config policy-config.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from inspect import isawaitable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.policy import _NotApplicableError
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy
from pydantic import TypeAdapter

from aws_web_platform.offline import Recording, Registered
from aws_web_platform.stack.config import StackConfig
from policy.platform_policies import (
    ENFORCEMENT_LEVEL,
    POLICIES,
    PROTECT_DATA,
    PROTECT_POLICY,
)

if TYPE_CHECKING:
    from tools.plan import StackFile


@dataclass(frozen=True)
class Violation:
    """One policy violation, as the CLI would report it."""

    policy: str
    urn: str
    """The resource's URN; empty for a violation of the stack as a whole."""
    type: str
    name: str
    message: str
    enforcement_level: str = ENFORCEMENT_LEVEL.value


def config_for_stack(source: StackConfig | StackFile) -> dict[str, Any]:
    """The policy pack config of a stack, from its validated config or its stack file.

    The same dict is the JSON file for ``--policy-pack-config`` (``{policy: {property: value}}``)
    and the ``config`` of :func:`evaluate`. ``protectData`` follows ``platform:protectData``
    (default true, as in StackConfig).
    """
    if isinstance(source, StackConfig):
        protect = source.protect_data
    else:
        raw = source.config.get(f"{source.project}:protectData")
        default = StackConfig.model_fields["protect_data"].default
        protect = default if raw is None else TypeAdapter(bool).validate_python(raw)
    return {PROTECT_POLICY: {PROTECT_DATA: protect}}


# --------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------


def evaluate(
    recording: Recording,
    *,
    config: Mapping[str, Any],
    policies: Sequence[Policy] = POLICIES,
) -> list[Violation]:
    """Every violation of ``policies`` by the recording's custom resources (providers included,
    as the engine analyses them), in policy order, then resource order.

    ``config`` is a policy pack config (:func:`config_for_stack`): per policy its properties and
    optionally ``enforcementLevel``; ``all`` sets the level of every policy. A disabled policy is
    skipped. Values unknown during a preview do not occur here (the mocks resolve everything).
    """
    resources = [r for r in recording.resources if r.custom]
    by_urn = {r.urn: r for r in recording.resources}
    violations: list[Violation] = []
    for policy in policies:
        level = _enforcement_level(policy, config)
        if level == EnforcementLevel.DISABLED:
            continue
        properties = _policy_properties(config.get(policy.name))
        if isinstance(policy, ResourceValidationPolicy):
            for resource in resources:
                args = ResourceValidationArgs(
                    resource.type,
                    unknown_checking_proxy(resource.inputs),
                    resource.urn,
                    resource.name,
                    _options(resource),
                    _provider(recording, resource),
                    properties,
                    {},
                )
                # The engine files a resource policy's violations under the analysed resource.
                violations += [
                    _violation(policy, level, resource, message)
                    for message, _ in _collect(policy.validate, args)
                ]
        elif isinstance(policy, StackValidationPolicy):
            stack = StackValidationArgs(_stack_resources(recording, resources), properties, {})
            violations += [
                _violation(policy, level, by_urn.get(urn) if urn else None, message)
                for message, urn in _collect(policy.validate, stack)
            ]
    return violations


def _collect(
    validate: Callable[[Any, ReportViolation], Awaitable[Any] | None], args: Any
) -> list[tuple[str, str | None]]:
    """Run one validation and return what it reported, skipping what the SDK skips: a value
    unknown during preview, a policy declaring itself not applicable."""
    found: list[tuple[str, str | None]] = []

    def report_violation(message: str, urn: str | None = None) -> None:
        found.append((message, urn))

    try:
        result = validate(args, report_violation)
        if result is not None and isawaitable(result):
            asyncio.run(cast(Any, result))
    except (UnknownValueError, _NotApplicableError):
        pass
    return found


def _violation(
    policy: Policy, level: EnforcementLevel, resource: Registered | None, message: str
) -> Violation:
    return Violation(
        policy=policy.name,
        urn=resource.urn if resource else "",
        type=resource.type if resource else "",
        name=resource.name if resource else "",
        message=message,
        enforcement_level=level.value,
    )


def _enforcement_level(policy: Policy, config: Mapping[str, Any]) -> EnforcementLevel:
    """As the SDK resolves it: the policy's config, then ``all``, then the policy's own level,
    then the pack's."""
    for key in (policy.name, "all"):
        entry = config.get(key)
        level = entry.get("enforcementLevel") if isinstance(entry, Mapping) else entry
        if isinstance(level, str):
            return EnforcementLevel(level)
        if isinstance(level, EnforcementLevel):
            return level
    return policy.enforcement_level or ENFORCEMENT_LEVEL


def _policy_properties(entry: Any) -> dict[str, Any]:
    if not isinstance(entry, Mapping):
        return {}
    return {k: v for k, v in entry.items() if k != "enforcementLevel"}


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|m|s|ms)")
_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def _seconds(duration: str | None) -> float:
    """A Go duration (``"30m"``, ``"1h30m"``) in seconds, as the engine passes timeouts."""
    return sum(float(n) * _SECONDS[unit] for n, unit in _DURATION.findall(duration or ""))


def _options(resource: Registered) -> PolicyResourceOptions:
    timeouts = resource.custom_timeouts
    return PolicyResourceOptions(
        protect=resource.protect,
        ignore_changes=list(resource.ignore_changes),
        delete_before_replace=resource.delete_before_replace or None,
        aliases=list(resource.aliases),
        custom_timeouts=PolicyCustomTimeouts(
            _seconds(timeouts.get("create")),
            _seconds(timeouts.get("update")),
            _seconds(timeouts.get("delete")),
        ),
        additional_secret_outputs=list(resource.additional_secret_outputs),
        parent=resource.parent,
    )


def _provider(recording: Recording, resource: Registered) -> PolicyProviderResource | None:
    provider = recording.provider_of(resource)
    if provider is None:
        return None
    return PolicyProviderResource(
        provider.type, unknown_checking_proxy(provider.inputs), provider.urn, provider.name
    )


def _stack_resources(recording: Recording, resources: list[Registered]) -> list[PolicyResource]:
    """The stack as AnalyzeStack sees it: outputs, parents and dependencies linked as objects.

    The recording keeps the SDK's dependency list (explicit plus property dependencies) but not
    which property each came from, so ``property_dependencies`` stays empty; the policies then
    compare values (known here), as they are written to.
    """
    built = {
        r.urn: PolicyResource(
            r.type,
            unknown_checking_proxy(r.outputs),
            r.urn,
            r.name,
            _options(r),
            _provider(recording, r),
            None,
            [],
            {},
        )
        for r in resources
    }
    for r in resources:
        policy_resource = built[r.urn]
        policy_resource.parent = built.get(r.parent) if r.parent else None
        policy_resource.dependencies = [built[d] for d in r.depends_on if d in built]
    return list(built.values())


# --------------------------------------------------------------------------------------------
# Reporting and command line
# --------------------------------------------------------------------------------------------


def render(violations: Sequence[Violation], policies: Sequence[Policy] = POLICIES) -> str:
    """``Policy: N policies, M violations`` and one entry per violation."""
    count = len(violations)
    lines = [f"Policy: {len(policies)} policies, {count} violation{'s' if count != 1 else ''}"]
    for v in violations:
        where = f"{v.type}  {v.name}" if v.urn else "(the stack)"
        lines.append(f"  [{v.enforcement_level}] {v.policy}: {where}")
        lines.append(f"      {v.message}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.policy", description=(__doc__ or "").split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="evaluate the pack over the stack's offline plan")
    check.add_argument("--stack", required=True, help="stack name: Pulumi.<stack>.yaml")
    show = commands.add_parser("config", help="print the stack's --policy-pack-config JSON")
    show.add_argument("--stack", required=True, help="stack name: Pulumi.<stack>.yaml")
    # Imported here: tools.plan may import this module to print the policy summary.
    from tools.plan import PROJECT_ROOT, load_stack_file, run_stack

    for command in (check, show):
        command.add_argument("--root", default=str(PROJECT_ROOT), help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    root = Path(options.root).resolve()

    try:
        stack_file = load_stack_file(options.stack, root)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    config = config_for_stack(stack_file)
    if options.command == "config":
        print(json.dumps(config, indent=2))
        return 0
    recording = run_stack(options.stack, root)
    if recording.error is not None:
        print(f"error: the program failed: {recording.error}", file=sys.stderr)
        return 2
    violations = evaluate(recording, config=config)
    print(render(violations))
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
