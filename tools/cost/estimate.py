"""The estimate: every resource of a recording priced by its type's handler, or reported."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from typing import Any

# The price handlers, a module per domain: importing one registers its handlers.
import tools.cost.compute
import tools.cost.data
import tools.cost.edge
import tools.cost.network
import tools.cost.operations
import tools.cost.security  # noqa: F401
from aws_web_platform.offline import Recording, Registered
from tools.cost.model import (
    DEFAULT_USAGE_PROFILE,
    HOURS_PER_MONTH,
    CostEstimate,
    LineItem,
    Unpriced,
)
from tools.cost.pricing import HANDLERS, PricingContext
from tools.cost.table import NoPriceError, PriceTable, Usage, load_prices


def estimate(
    recording: Recording,
    *,
    region: str,
    prices: Mapping[str, Any] | None = None,
    usage: str | Mapping[str, Any] | None = None,
) -> CostEstimate:
    """The monthly cost of what ``recording`` registered.

    ``region`` is the stack's region (``aws:region``): resources whose provider names another
    region are priced there. ``prices`` defaults to ``tools/prices.json``. ``usage`` picks the
    usage profile: by default the profile named after the stack if the table has one, else
    ``default`` (production figures); a mapping overrides single assumptions of that profile,
    e.g. ``{"cloudfront_gb_per_month": 51200}``.
    """
    if recording.error is not None:
        raise ValueError(f"the program failed, nothing to price: {recording.error}")
    data = load_prices() if prices is None else prices
    table = PriceTable(data)
    if region not in table.factors:
        known = ", ".join(sorted(table.factors))
        raise ValueError(f"no region factor for {region}; tools/prices.json knows: {known}")
    stack = _stack_name(recording)
    profiles = data["usage"]
    if isinstance(usage, str):
        if usage not in profiles:
            raise ValueError(f"no usage profile {usage!r} in tools/prices.json")
        profile, overrides = usage, {}
    else:
        profile = stack if stack in profiles else DEFAULT_USAGE_PROFILE
        overrides = dict(usage or {})
    use = Usage(data, profile, overrides)
    hours = int(data.get("hours_per_month", HOURS_PER_MONTH))

    items: list[LineItem] = []
    unpriced: list[Unpriced] = []
    for resource in recording.resources:
        handler = HANDLERS.get(resource.type)
        if handler is None and (not resource.custom or resource.is_provider):
            continue  # components and providers have no cost of their own
        component = component_of(recording, resource)
        if handler is None:
            if not table.is_free(resource.type):
                unpriced.append(
                    Unpriced(
                        resource.urn,
                        resource.type,
                        resource.name,
                        component,
                        "no price for this resource type in tools/prices.json and not "
                        "declared free there",
                    )
                )
            continue
        ctx = PricingContext(
            recording,
            resource,
            table,
            use,
            _region_of(recording, resource, region),
            component,
            hours,
        )
        try:
            handler(ctx)
        except NoPriceError as missing:
            unpriced.append(
                Unpriced(resource.urn, resource.type, resource.name, component, str(missing))
            )
            continue
        items.extend(ctx.items)
        unpriced.extend(
            Unpriced(resource.urn, resource.type, resource.name, component, reason)
            for reason in ctx.notes
        )
    return CostEstimate(
        stack=stack,
        region=region,
        region_factor=float(table.factors[region]),
        hours_per_month=hours,
        prices_read_on=str(data.get("read_on", "")),
        usage_profile=profile,
        line_items=tuple(items),
        unpriced=tuple(unpriced),
        assumptions=use.assumptions(),
        prices=data,
    )


def pricing_of(type_: str, prices: Mapping[str, Any] | None = None) -> str | None:
    """How the estimate accounts for a resource type: ``"priced"`` (a price handler here), the
    reason the table declares it free, or None (it would be reported unpriced)."""
    if type_ in HANDLERS:
        return "priced"
    data = load_prices() if prices is None else prices
    patterns: Mapping[str, str] = data["free_types"]["patterns"]
    return next((why for p, why in patterns.items() if fnmatch.fnmatchcase(type_, p)), None)


def component_of(recording: Recording, resource: Registered) -> str:
    """The child of the stack's top-level component that ``resource`` belongs to.

    ``platform`` is the top-level component of these stacks; its children (``platform-network``,
    ``platform-database`` ...) are reported without the parent's prefix (``network``). A
    resource directly under the top-level component belongs to it; one directly under the stack
    to ``stack``.
    """
    chain = [resource]
    while chain[-1].parent is not None:
        chain.append(recording.by_urn(chain[-1].parent))
    below_stack = chain[:-1][::-1]  # top-level component first, the resource last
    if len(below_stack) <= 1:
        return "stack"
    top = below_stack[0]
    child = below_stack[1]
    if child is resource and len(below_stack) == 2:
        return top.name
    return child.name.removeprefix(f"{top.name}-")


def _stack_name(recording: Recording) -> str:
    for resource in recording.resources:
        if resource.type == "pulumi:pulumi:Stack":
            return resource.urn.split(":", 3)[2].split("::", 1)[0]
    return ""


def _region_of(recording: Recording, resource: Registered, default: str) -> str:
    provider = recording.provider_of(resource) if resource.provider else None
    if provider is not None and provider.type == "pulumi:providers:aws":
        return str(provider.inputs.get("region") or default)
    return default
