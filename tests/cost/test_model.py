"""The price table and the cost model against the seed's Cost Breakdown (INFRASTRUCTURE_SETUP_SUMMARY.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.backend_service.cost import BackendSizes
from components.redis_cache.cost import RedisSizes
from components.supabase_database.cost import DatabaseSizes
from cost.model import UnpricedError
from cost.prices import PRICES_FILE, PriceTableError, load_prices, parse_price_table
from cost.stack import StackSizes, estimate, sizes_from_settings, workspace_estimate
from offline.program import ROOT
from settings.loader import load_stack_settings
from settings.stackfile import read_stack_file
from settings.stacks import PRODUCTION_STACK
from tests.doubles import STAND_IN_SECRETS
from tests.settings.fixtures import config as fixture_config

D = Decimal


def settings_of(stack: str, overrides: dict[str, Any] | None = None) -> Any:
    config = {**read_stack_file(ROOT / f"Pulumi.{stack}.yaml"), **STAND_IN_SECRETS, **(overrides or {})}
    return load_stack_settings(stack, config, {})


def test_every_price_has_a_unit_a_source_and_a_date() -> None:
    table = load_prices()
    assert len(table.prices) >= 20
    for price in table.prices.values():
        assert price.unit
        assert price.source.startswith("https://")
        assert dt.date(2026, 1, 1) <= price.as_of <= dt.date(2026, 11, 27)


def _document() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(Path(PRICES_FILE).read_text())
    return document


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("source", "nowhere", "is not one of `sources`"),
        ("as_of", "last week", "as_of must be a date"),
        ("usd", -1, "cannot be negative"),
        ("usd", "twenty", "is not a number"),
    ],
)
def test_a_price_without_a_real_source_or_date_is_refused(field: str, value: Any, message: str) -> None:
    document = _document()
    document["railway"]["vcpu_month"][field] = value
    with pytest.raises(PriceTableError, match=message):
        parse_price_table(document)


# The seed's sizes per stack (its Cost Breakdown prices these), as fixtures: the committed stack files
# may resize, the model's arithmetic on these stays the same.
SEED_SIZES = {
    "dev": StackSizes(
        backends={"backend": BackendSizes(1, 2, 1, D("0.5"), D("0.5"))},
        redis={"redis": RedisSizes(D("0.25"), D("0.1"), D("1"))},
        databases={"database": DatabaseSizes("free", "nano", "converge-nps-free")},
    ),
    "staging": StackSizes(
        backends={"backend": BackendSizes(1, 2, 1, D("1"), D("1"))},
        redis={"redis": RedisSizes(D("0.25"), D("0.1"), D("1"))},
        databases={"database": DatabaseSizes("pro", "micro", "converge-nps")},
    ),
    "prod": StackSizes(
        backends={"backend": BackendSizes(2, 5, 2, D("2"), D("1"))},
        redis={"redis": RedisSizes(D("0.5"), D("0.25"), D("1"))},
        databases={"database": DatabaseSizes("pro", "micro", "converge-nps")},
    ),
}
# The seed's figures per stack and component (USD/month); prod's backend is 2-5 instances.
SEED = {
    "dev": {"backend": (15, 15), "redis": (5, 5), "database": (0, 0), "total": (20, 20)},
    "staging": {"backend": (30, 30), "redis": (5, 5), "database": (25, 25), "total": (60, 60)},
    "prod": {"backend": (100, 250), "redis": (10, 10), "database": (25, 25), "total": (135, 285)},
}
# Ours for the seed's sizes, exactly (prices.yaml as committed).
EXPECTED = {
    "dev": {"backend": ("15.00", "30.00"), "redis": ("4.65", "4.65"), "database": ("0.00", "0.00")},
    "staging": {"backend": ("30.00", "60.00"), "redis": ("4.65", "4.65"), "database": ("25.00", "25.00")},
    "prod": {"backend": ("100.00", "250.00"), "redis": ("10.15", "10.15"), "database": ("25.00", "25.00")},
}


@pytest.mark.parametrize("stack", sorted(SEED_SIZES))
def test_the_seeds_sizes_cost_the_expected_figures(stack: str) -> None:
    result = estimate(SEED_SIZES[stack])
    for name, (deployed, at_max) in EXPECTED[stack].items():
        component = result.component(name)
        assert component is not None
        assert (str(component.monthly_usd.quantize(D("0.01"))), str(component.max_usd.quantize(D("0.01")))) == (
            deployed,
            at_max,
        ), name


@pytest.mark.parametrize("stack", sorted(SEED_SIZES))
def test_the_seeds_sizes_land_inside_the_seeds_figures(stack: str) -> None:
    """The price table reproduces the seed's Cost Breakdown for the sizes it priced: "~$X" is each component
    and the total within 5% (and $0.50) of the seed's; prod's deployed figure at the low end of $135-285 and
    its 5-replica figure at the high end. What a stack as committed may cost is its own budget's business
    (spending-cap judges it), not the seed's."""
    result = estimate(SEED_SIZES[stack])
    # The seed prices dev and staging at one instance (their deployed size) and gives no maximum.
    figures = {
        c.component: (c.monthly_usd, c.max_usd if stack == PRODUCTION_STACK else c.monthly_usd)
        for c in result.components
    }
    seeded = [figures[name] for name in SEED[stack] if name != "total"]
    figures["total"] = (sum(low for low, _ in seeded), sum(high for _, high in seeded))
    for name, (low, high) in SEED[stack].items():
        ours_low, ours_high = figures[name]
        for ours, seed in ((ours_low, low), (ours_high, high)):
            tolerance = max(D("0.50"), D(seed) * D("0.05"))
            assert abs(ours - D(seed)) <= tolerance, f"{stack} {name}: ${ours} vs the seed's ~${seed}"


def test_event_mode_prices_the_event_replicas() -> None:
    changes = {"backend.minReplicas": 2, "backend.eventReplicas": 4, "backend.vcpuPerReplica": 2}
    normal = load_stack_settings("prod", fixture_config("prod", **changes), {})
    event = load_stack_settings("prod", fixture_config("prod", eventMode=True, **changes), {})
    normal_cost, event_cost = estimate(sizes_from_settings(normal)), estimate(sizes_from_settings(event))
    backend = event_cost.component("backend")
    assert backend is not None
    assert backend.monthly_usd == D("240.00")  # 4 x (2 vCPU x $20 + 2 GB x $10)
    assert event_cost.monthly_usd - normal_cost.monthly_usd == D("120.00")  # the 2 replicas event mode adds


def test_supabase_plan_fee_and_credit_are_per_organization() -> None:
    """The seed counts Supabase Pro at $25 for staging and again for prod; in one organization the
    fee and the $10 credit come once: $25 + 2 x $10 micro - $10 = $35, not $50."""
    combined = workspace_estimate(SEED_SIZES, at="min")
    assert combined.supabase_by_organization == {"converge-nps-free": D("0.00"), "converge-nps": D("35.00")}
    assert combined.stacks_sum_usd == D("214.45")
    assert combined.combined_usd == D("199.45")
    assert combined.railway_plan_usd == D("0.00")  # $164.45 of usage covers Pro's $20 commitment
    at_max = workspace_estimate(SEED_SIZES, at="max")
    assert (at_max.stacks_sum_usd, at_max.combined_usd) == (D("409.45"), D("394.45"))


def test_railway_plan_minimum_shows_when_usage_is_below_it() -> None:
    tiny = StackSizes(backends={"backend": BackendSizes(1, 1, 1, D("0.1"), D("0.1"))})  # $3 of usage
    result = workspace_estimate({"tiny": tiny}, railway_plan="pro")
    assert result.railway_usage_usd == D("3.00")
    assert result.railway_plan_usd == D("17.00")
    assert result.combined_usd == D("20.00")


def test_the_seeds_database_size_is_the_large_add_on() -> None:
    """ "Supabase Pro (2 vCPU, 8GB RAM)" is the Large compute add-on: $25 + $110 - $10 credit = $125/month."""
    result = estimate(StackSizes(databases={"database": DatabaseSizes("pro", "large", "converge-nps")}))
    assert result.monthly_usd == D("125.00")


def test_nano_in_a_paid_organization_is_priced_as_micro() -> None:
    result = estimate(StackSizes(databases={"database": DatabaseSizes("pro", "nano")}))
    database = result.component("database")
    assert database is not None
    assert result.monthly_usd == D("25.00")
    assert any("priced as micro" in note for note in database.notes)


def test_free_plan_gets_no_credit_and_costs_nothing_on_nano() -> None:
    result = estimate(StackSizes(databases={"database": DatabaseSizes("free", "nano")}))
    assert result.monthly_usd == D("0.00")


def test_an_unpriced_plan_or_size_is_an_error_not_zero() -> None:
    with pytest.raises(UnpricedError, match="custom contract"):
        estimate(StackSizes(databases={"database": DatabaseSizes("enterprise", "micro")}))
    with pytest.raises(UnpricedError, match="compute size"):
        estimate(StackSizes(databases={"database": DatabaseSizes("pro", "huge")}))


def test_redis_volume_and_fractions_are_exact_cents() -> None:
    result = estimate(StackSizes(redis={"redis": RedisSizes(D("0.25"), D("0.1"), D("1"))}))
    assert result.monthly_usd == D("4.65")  # 0.25 GB x $10 + 0.1 vCPU x $20 + 1 GB x $0.15


def test_the_output_form_is_json_numbers() -> None:
    backend = BackendSizes(
        min_replicas=2, max_replicas=5, deployed_replicas=2, vcpu_per_replica=D("2"), memory_gb_per_replica=D("1")
    )
    output = estimate(StackSizes(backends={"backend": backend})).as_output()
    prices = load_prices()
    vcpu, memory = prices["railway.vcpu_month"], prices["railway.memory_gb_month"]
    per_replica = 2 * float(vcpu.usd) + 1 * float(memory.usd)
    assert (output["monthlyUsd"], output["maxUsd"]) == (2 * per_replica, 5 * per_replica)
    assert output["components"]["backend"]["charges"][0] == {
        "label": "2 x 2 vCPU",
        "quantity": 4.0,
        "unit": vcpu.unit,
        "unitUsd": float(vcpu.usd),
        "amountUsd": 4 * float(vcpu.usd),
        "price": "railway.vcpu_month",
        "source": vcpu.source,
        "asOf": vcpu.as_of.isoformat(),
    }
