"""The price table (`cost/prices.yaml`), loaded and checked: every price has a source and a date.

Money is `Decimal` so that 0.1 vCPU x $20 is $2.00, not $2.0000000000000004.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PRICES_FILE = Path(__file__).with_name("prices.yaml")


class PriceTableError(Exception):
    """The price table is malformed or lacks a price the model needs."""


@dataclass(frozen=True)
class Price:
    """One price: what it costs per unit, and where and when the figure was read."""

    key: str
    usd: Decimal
    unit: str
    source: str  # the vendor's public pricing page (an https URL), resolved from the table's `sources`
    as_of: dt.date
    extra: Mapping[str, Any]

    def decimal(self, name: str) -> Decimal:
        """Another figure of the same entry (e.g. `included_usage_usd`)."""
        if name not in self.extra:
            raise PriceTableError(f"{self.key}: no {name!r}")
        return _money(self.extra[name], f"{self.key}.{name}")


@dataclass(frozen=True)
class PriceTable:
    currency: str
    prices: Mapping[str, Price]  # dotted keys: "railway.vcpu_month", "supabase.compute.micro", ...

    def __getitem__(self, key: str) -> Price:
        try:
            return self.prices[key]
        except KeyError:
            raise PriceTableError(f"no price for {key!r} in {PRICES_FILE.name}") from None

    def has(self, key: str) -> bool:
        return key in self.prices

    def oldest(self) -> dt.date:
        return min(price.as_of for price in self.prices.values())


def _money(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PriceTableError(f"{where}: {value!r} is not a number")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise PriceTableError(f"{where}: {value!r} is not a number") from None
    if amount < 0:
        raise PriceTableError(f"{where}: a price cannot be negative")
    return amount


def parse_price_table(document: Mapping[str, Any]) -> PriceTable:
    """Check and flatten the YAML document; every leaf entry with `usd` is a price."""
    sources = document.get("sources")
    if not isinstance(sources, Mapping):
        raise PriceTableError("`sources` must map source names to the vendors' pricing pages (https URLs)")
    for name, url in sources.items():
        # A price cites what anyone can check: a public page, never a file that exists only beside a checkout.
        if not (isinstance(url, str) and url.startswith("https://")):
            raise PriceTableError(f"sources.{name}: {url!r} is not a public pricing page (an https:// URL)")
    prices: dict[str, Price] = {}

    def walk(node: Mapping[str, Any], path: tuple[str, ...]) -> None:
        for key, value in node.items():
            where = ".".join((*path, str(key)))
            if not isinstance(value, Mapping):
                raise PriceTableError(f"{where}: expected a mapping")
            if "usd" not in value:
                walk(value, (*path, str(key)))
                continue
            source = value.get("source")
            if source not in sources:
                raise PriceTableError(f"{where}: source {source!r} is not one of `sources`")
            as_of = value.get("as_of")
            if not isinstance(as_of, dt.date):
                raise PriceTableError(f"{where}: as_of must be a date (YYYY-MM-DD)")
            unit = value.get("unit")
            if not isinstance(unit, str) or not unit:
                raise PriceTableError(f"{where}: unit is missing")
            extra = {k: v for k, v in value.items() if k not in ("usd", "unit", "source", "as_of")}
            prices[where] = Price(where, _money(value["usd"], where), unit, str(sources[source]), as_of, extra)

    for provider in ("railway", "supabase"):
        section = document.get(provider)
        if not isinstance(section, Mapping):
            raise PriceTableError(f"`{provider}` section is missing")
        walk(section, (provider,))
    currency = document.get("currency")
    if currency != "USD":
        raise PriceTableError(f"currency must be USD, not {currency!r}")
    return PriceTable(currency=currency, prices=prices)


@cache
def load_prices(path: Path = PRICES_FILE) -> PriceTable:
    """The price table; read once per process."""
    # libyaml's parser where PyYAML was built with it: the program loads this table on every run.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return parse_price_table(yaml.load(path.read_text(), Loader=loader))  # noqa: S506 - a safe loader
