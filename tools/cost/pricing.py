"""What a price handler gets (the resource, the table, the usage) and how handlers register."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aws_web_platform.offline import Recording, Registered
from tools.cost.model import LineItem
from tools.cost.table import PriceTable, Usage


@dataclass
class PricingContext:
    """What a handler needs to price one resource, and what it priced."""

    recording: Recording
    resource: Registered
    table: PriceTable
    usage: Usage
    region: str
    component: str
    hours: int
    items: list[LineItem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Parts of the resource that cost money but have no price: reported unpriced."""

    def charge(
        self,
        key: str,
        priced: str,
        quantity: float,
        *,
        size: str | None = None,
        multiplier: float = 1.0,
        uses: tuple[str, ...] = (),
        unit_usd: float | None = None,
        region: str | None = None,
    ) -> None:
        """``quantity`` (in the price entry's unit) at the entry's price, in this resource's
        region unless ``region`` says otherwise; ``uses`` names the usage assumptions behind the
        quantity."""
        region = region or self.region
        unit = str(self.table.entry(key)["unit"])
        base = self.table.base_usd(key, size) if unit_usd is None else unit_usd
        price = base * multiplier * self.table.factor(key, region)
        self.items.append(
            LineItem(
                urn=self.resource.urn,
                type=self.resource.type,
                name=self.resource.name,
                component=self.component,
                region=region,
                priced=priced,
                quantity=float(quantity),
                unit=unit,
                unit_usd=price,
                monthly_usd=float(quantity) * price,
                price_key=key,
                assumptions=uses,
            )
        )

    def hourly(self, key: str, priced: str, count: float = 1, **kwargs: Any) -> None:
        """``count`` of something billed by the hour, all month."""
        self.charge(key, priced, count * self.hours, **kwargs)

    def get(self, key: str, default: Any = None) -> Any:
        value = self.resource.inputs.get(key)
        return default if value is None else value


Handler = Callable[[PricingContext], None]
HANDLERS: dict[str, Handler] = {}


def handles(*types: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for type_ in types:
            HANDLERS[type_] = handler
        return handler

    return register


def tiered(quantity: float, tiers: list[Mapping[str, Any]]) -> float:
    """The cost of ``quantity`` under cumulative tiers (``up_to_gb`` None: no upper bound)."""
    cost, below = 0.0, 0.0
    for tier in tiers:
        ceiling = tier["up_to_gb"]
        in_tier = quantity - below if ceiling is None else min(quantity, ceiling) - below
        if in_tier <= 0:
            break
        cost += in_tier * float(tier["usd"])
        below = below + in_tier
    return cost
