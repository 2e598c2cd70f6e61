"""What an estimate is made of: line items, unpriced resources, usage assumptions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The price table, beside the tools that read it.
PRICES_PATH = Path(__file__).resolve().parent.parent / "prices.json"
HOURS_PER_MONTH = 730
"""Hours in a billing month, as AWS's pricing calculator counts them (24 x 365 / 12)."""
SEED_ANCHOR_USD = 2125.0
"""The seed's cost anchor for production (docs/requirements.md): about $2,125 a month."""
DEFAULT_USAGE_PROFILE = "default"


@dataclass(frozen=True)
class LineItem:
    """One charge of one resource: ``quantity`` x ``unit_usd`` a month."""

    urn: str
    type: str
    name: str
    component: str
    """The child of the stack's top-level component the resource belongs to (``network``)."""
    region: str
    priced: str
    """What was priced, e.g. ``m7g.xlarge on-demand instance-hours``."""
    quantity: float
    unit: str
    unit_usd: float
    """Price per unit in this resource's region (list price x region factor where regional)."""
    monthly_usd: float
    price_key: str
    assumptions: tuple[str, ...] = ()
    """Usage assumptions (keys of the usage profile) the quantity rests on."""


@dataclass(frozen=True)
class Unpriced:
    """A resource that costs money (or may) but has no price in the table: not in the total."""

    urn: str
    type: str
    name: str
    component: str
    reason: str


@dataclass(frozen=True)
class Assumption:
    """A usage assumption an estimate used."""

    key: str
    value: Any
    unit: str
    why: str


@dataclass(frozen=True)
class CostEstimate:
    """Line items, unpriced resources and the assumptions behind them, for one stack."""

    stack: str
    region: str
    region_factor: float
    hours_per_month: int
    prices_read_on: str
    usage_profile: str
    line_items: tuple[LineItem, ...]
    unpriced: tuple[Unpriced, ...]
    assumptions: tuple[Assumption, ...]
    prices: Mapping[str, Any] = field(repr=False, compare=False)
    """The table the estimate used (render prices the seed's anchor with it)."""

    @property
    def total_usd(self) -> float:
        return sum(item.monthly_usd for item in self.line_items)

    def by_component(self) -> dict[str, float]:
        """Monthly USD per component, largest first."""
        totals: dict[str, float] = {}
        for item in self.line_items:
            totals[item.component] = totals.get(item.component, 0.0) + item.monthly_usd
        return dict(sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])))
