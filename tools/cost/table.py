"""The price table (tools/prices.json) and the usage profile of a run."""

from __future__ import annotations

import copy
import fnmatch
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tools.cost.model import DEFAULT_USAGE_PROFILE, PRICES_PATH, Assumption


def load_prices(path: Path = PRICES_PATH) -> dict[str, Any]:
    """The price table (a fresh copy: callers may change figures freely)."""
    return json.loads(path.read_text())


class NoPriceError(LookupError):
    """The table has no figure for this charge; the resource is reported unpriced."""


class PriceTable:
    """Look-ups in the price table, with the region factor applied where a price is regional."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.prices: Mapping[str, Any] = data["prices"]
        self.factors: Mapping[str, float] = data["region_factors"]["factors"]

    def entry(self, key: str) -> Mapping[str, Any]:
        if key not in self.prices:
            raise NoPriceError(f"no entry {key!r} in tools/prices.json")
        return self.prices[key]

    def base_usd(self, key: str, size: str | None = None) -> float:
        entry = self.entry(key)
        if size is None:
            return float(entry["usd"])
        sizes = entry.get("by_size", {})
        if size not in sizes:
            raise NoPriceError(f"no {key} price for {size!r} in tools/prices.json")
        return float(sizes[size])

    def factor(self, key: str, region: str) -> float:
        if not self.entry(key).get("regional", True):
            return 1.0
        if region not in self.factors:
            raise NoPriceError(f"no region factor for {region} in tools/prices.json")
        return float(self.factors[region])

    def is_free(self, type_: str) -> bool:
        return any(fnmatch.fnmatchcase(type_, p) for p in self.data["free_types"]["patterns"])


class Usage:
    """The usage profile of a run; remembers which assumptions the estimate relied on."""

    def __init__(self, data: Mapping[str, Any], profile: str, overrides: Mapping[str, Any]):
        profiles = data["usage"]
        merged: dict[str, dict[str, Any]] = copy.deepcopy(dict(profiles[DEFAULT_USAGE_PROFILE]))
        if profile != DEFAULT_USAGE_PROFILE:
            merged.update(copy.deepcopy(dict(profiles[profile])))
        for key, value in overrides.items():
            if key not in merged:
                known = ", ".join(sorted(merged))
                raise ValueError(f"unknown usage assumption {key!r}; known: {known}")
            merged[key] = {**merged[key], "value": value, "why": "overridden by the caller"}
        self.entries = merged
        self.used: dict[str, None] = {}

    def __call__(self, key: str) -> Any:
        self.used[key] = None
        return self.entries[key]["value"]

    def by_name(self, key: str, name: str) -> float:
        """The figure of a by-name map whose key ``name`` contains (longest key wins)."""
        table: Mapping[str, float] = self(key)
        matches = [k for k in table if k != "*" and k in name]
        chosen = max(matches, key=len) if matches else "*"
        return float(table.get(chosen, 0.0))

    def assumptions(self) -> tuple[Assumption, ...]:
        return tuple(
            Assumption(
                key, self.entries[key]["value"], self.entries[key]["unit"], self.entries[key]["why"]
            )
            for key in sorted(self.used)  # registrations arrive in any order
        )
