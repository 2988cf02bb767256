"""Monthly cost of a Converge-NPS stack: the price table (`prices.yaml`) and the model over it."""

from cost.model import Estimate, StackSizes, UnpricedError, estimate, sizes_from_settings, workspace_estimate
from cost.prices import PriceTable, PriceTableError, load_prices

__all__ = [
    "Estimate",
    "PriceTable",
    "PriceTableError",
    "StackSizes",
    "UnpricedError",
    "estimate",
    "load_prices",
    "sizes_from_settings",
    "workspace_estimate",
]
