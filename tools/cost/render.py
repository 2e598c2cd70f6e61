"""The estimate as text, and its comparison with the seed's cost anchor."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from tools.cost.model import HOURS_PER_MONTH, CostEstimate, LineItem
from tools.cost.pricing import tiered
from tools.cost.table import PriceTable


def render(estimate: CostEstimate, *, anchor_usd: float | None, details: bool = True) -> str:
    """The estimate as text: per component (charges grouped), total, assumptions, unpriced
    resources and, with ``anchor_usd``, the comparison with the seed's anchor.

    ``details=False`` is the offline plan's summary: per component and total, the unpriced
    resources, and the anchor's headline, dominant items and why (not every charge and
    assumption, which ``--cost-details`` prints)."""
    factor_note = (
        f"us-east-1 list prices x {estimate.region_factor:.2f} for regional services"
        if estimate.region_factor != 1
        else "us-east-1 list prices"
    )
    lines = [
        f"Monthly cost estimate of stack '{estimate.stack}' in {estimate.region}: "
        f"{usd(estimate.total_usd)}",
        f"({factor_note}; on-demand; {estimate.hours_per_month} hours a month; prices read "
        f"{estimate.prices_read_on}; usage profile '{estimate.usage_profile}')",
        "",
    ]
    totals = estimate.by_component()
    width = max((len(c) for c in totals), default=10)
    total = estimate.total_usd or 1.0
    for component, amount in totals.items():
        lines.append(f"{component:<{width}}  {usd(amount):>12}  {amount / total:6.1%}")
        if details:
            for row in _grouped(i for i in estimate.line_items if i.component == component):
                lines.append(f"{'':<{width}}    {row}")
    lines += [f"{'total':<{width}}  {usd(estimate.total_usd):>12}", ""]

    if details:
        lines.append("Usage assumptions (override: estimate(..., usage={key: value})):")
        for assumption in estimate.assumptions:
            lines.append(f"  {assumption.key} = {_value(assumption.value)} {assumption.unit}")
            lines.append(f"      {assumption.why}")
    else:
        lines.append(
            f"{len(estimate.assumptions)} usage assumptions (CloudFront traffic, S3 and log "
            "volumes...): --cost-details lists them with every charge; docs/cost.md explains."
        )
    lines.append("")
    if estimate.unpriced:
        lines.append(f"Unpriced ({len(estimate.unpriced)}; NOT in the total):")
        for item in estimate.unpriced:
            lines.append(f"  {item.type}  {item.name} ({item.component}): {item.reason}")
    else:
        lines.append("Unpriced: none (every resource is priced or free).")
    if anchor_usd is not None:
        comparison = _anchor_comparison(estimate, anchor_usd)
        if not details:  # the headline, dominant items and why; not the item-by-item table
            why = comparison.index("Why:") if "Why:" in comparison else len(comparison)
            comparison = comparison[: comparison.index("")] + comparison[why:]
        lines += ["", *comparison]
    return "\n".join(lines)


def _grouped(items: Iterator[LineItem]) -> list[str]:
    """Charges of a component summed by what was priced (71 alarms become one row)."""
    groups: dict[tuple[str, str, float], list[LineItem]] = {}
    for item in items:
        groups.setdefault((item.priced, item.unit, round(item.unit_usd, 8)), []).append(item)
    rows = []
    ordered = sorted(groups.items(), key=lambda kv: -sum(i.monthly_usd for i in kv[1]))
    for (priced, unit, unit_usd), members in ordered:
        quantity = sum(i.quantity for i in members)
        amount = sum(i.monthly_usd for i in members)
        count = f"{len(members)} x " if len(members) > 1 else ""
        rows.append(
            f"{usd(amount):>11}  {count}{priced}: {quantity:,.2f} {unit} x ${unit_usd:,.6g}"
        )
    return rows


def anchor_breakdown(prices: Mapping[str, Any]) -> list[tuple[str, float]]:
    """The seed anchor's own bill of materials priced with this table, in us-east-1."""
    table = PriceTable(prices)
    rows = []
    for item in prices["anchor"]["items"]:
        key = item["price"]
        entry = table.entry(key)
        if "tiers" in entry:
            amount = tiered(float(item["count"]), entry["tiers"])
        else:
            unit = table.base_usd(key, item.get("size"))
            per = HOURS_PER_MONTH if item["per"] == "hour" else 1
            amount = unit * float(item["count"]) * per
        rows.append((str(item["what"]), amount))
    return rows


def _anchor_comparison(estimate: CostEstimate, anchor_usd: float) -> list[str]:
    """The estimate against the seed's anchor: by how much, which items dominate, and where the
    difference comes from, item by item of the anchor's own bill of materials."""
    total = estimate.total_usd
    difference = total - anchor_usd
    ratio = total / anchor_usd if anchor_usd else float("inf")
    lines = [
        f"Compared with the seed's anchor ({usd(anchor_usd)}/month): {usd(total)} is "
        f"{'+' if difference >= 0 else '-'}{usd(abs(difference))} ({ratio:.1f}x the anchor).",
        "Dominant line items:",
    ]
    by_charge: dict[str, float] = {}
    for item in estimate.line_items:
        label = f"{item.priced} [{item.component}]"
        by_charge[label] = by_charge.get(label, 0.0) + item.monthly_usd
    top = sorted(by_charge.items(), key=lambda kv: -kv[1])[:6]
    for label, amount in top:
        lines.append(f"  {usd(amount):>11}  {amount / (total or 1):6.1%}  {label}")
    covered = sum(amount for _, amount in top) / (total or 1)
    lines.append(f"  together {covered:.0%} of the total.")

    anchor_items = estimate.prices["anchor"]["items"]
    breakdown = anchor_breakdown(estimate.prices)
    at_list = sum(amount for _, amount in breakdown)
    lines += [
        "",
        "Where the difference comes from (this plan vs the anchor's items at us-east-1 "
        "list prices):",
    ]
    shared_keys: dict[str, float] = {}
    for item, (_, amount) in zip(anchor_items, breakdown, strict=True):
        shared_keys[item["price"]] = shared_keys.get(item["price"], 0.0) + amount
    for key, anchor_amount in shared_keys.items():
        mine = [i for i in estimate.line_items if i.price_key == key]
        plan_amount = sum(i.monthly_usd for i in mine)
        what = _labels(mine) or "nothing"
        anchor_what = ", ".join(i["what"] for i in anchor_items if i["price"] == key)
        lines.append(
            f"  {usd(plan_amount):>11} vs {usd(anchor_amount):>11}  {key}: {what} "
            f"(anchor: {anchor_what})"
        )
    others = [i for i in estimate.line_items if i.price_key not in shared_keys]
    other_total = sum(i.monthly_usd for i in others)
    other_by_key: dict[str, float] = {}
    for item in others:
        other_by_key[item.price_key] = other_by_key.get(item.price_key, 0.0) + item.monthly_usd
    biggest = ", ".join(
        f"{key} {usd(amount)}"
        for key, amount in sorted(other_by_key.items(), key=lambda kv: -kv[1])[:5]
    )
    lines.append(
        f"  {usd(other_total):>11} vs {usd(0):>11}  charges the anchor does not "
        f"list, largest: {biggest}"
    )
    lines.append("Why:")
    if at_list > anchor_usd:
        biggest_anchor = max(breakdown, key=lambda row: row[1])
        lines.append(
            f"  - The anchor's own items at list price already come to {usd(at_list)}: its "
            f"'{biggest_anchor[0]}' alone is {usd(biggest_anchor[1])}, so the anchor's "
            f"{usd(anchor_usd)} cannot include it at list price (a compute-only figure, or a "
            "committed-use discount)."
        )
    if estimate.region_factor != 1:
        lines.append(
            f"  - {estimate.region} lists regional services at about "
            f"{estimate.region_factor:.2f}x us-east-1."
        )
    shared_plan = total - other_total
    lines.append(
        f"  - The kinds of items the anchor lists cost {usd(shared_plan)} here (the rows above "
        f"say what this plan runs instead of each); charges the anchor does not list add "
        f"{usd(other_total)}."
    )
    return lines


def _labels(items: list[LineItem]) -> str:
    """``2 x db.r6g.xlarge read replica; ...``: what a set of line items priced, largest first."""
    groups: dict[str, list[LineItem]] = {}
    for item in items:
        groups.setdefault(item.priced, []).append(item)
    ordered = sorted(groups.items(), key=lambda kv: -sum(i.monthly_usd for i in kv[1]))
    return "; ".join(
        f"{len(members)} x {label}" if len(members) > 1 else label for label, members in ordered
    )


def usd(amount: float) -> str:
    """Dollars as the estimate prints them: $1,234.56."""
    return f"${amount:,.2f}"


def _value(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {_value(v)}" for k, v in value.items())
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    return f"{value:,}" if isinstance(value, int | float) else str(value)
