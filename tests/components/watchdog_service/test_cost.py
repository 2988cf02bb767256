"""The watchdog's price: its CPU and memory limits on Railway, on the same price lines as the backend."""

from __future__ import annotations

from decimal import Decimal

from components.watchdog_service.cost import WatchdogSizes, sizes_from_settings, watchdog_cost
from cost.prices import load_prices
from cost.stack import RAILWAY_COMPONENTS, estimate
from cost.stack import sizes_from_settings as stack_sizes
from settings.model import WatchdogSettings
from tests.cost.test_model import settings_of


def test_limits_times_the_railway_prices() -> None:
    prices = load_prices()
    cost = watchdog_cost(WatchdogSizes(vcpu=Decimal("0.1"), memory_gb=Decimal("0.25")), prices)
    vcpu, memory = prices["railway.vcpu_month"].usd, prices["railway.memory_gb_month"].usd
    expected = Decimal("0.1") * vcpu + Decimal("0.25") * memory
    assert cost.monthly_usd == cost.min_usd == cost.max_usd == expected
    assert [c.price for c in cost.charges] == ["railway.vcpu_month", "railway.memory_gb_month"]


def test_a_disabled_watchdog_costs_nothing() -> None:
    assert sizes_from_settings(WatchdogSettings(enabled=False)) is None


def test_it_is_billed_by_railway_under_the_usage_limit() -> None:
    assert "watchdog" in RAILWAY_COMPONENTS


def test_every_stack_with_its_watchdog_fits_its_budget(stack: str) -> None:
    settings = settings_of(stack)
    result = estimate(stack_sizes(settings))
    assert result.component("watchdog") is not None
    assert result.monthly_usd <= Decimal(str(settings.budget.monthly_usd))
