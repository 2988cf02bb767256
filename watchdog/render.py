"""Render the watchdog's settings JSON from the stack settings; run by the Pulumi program, not the service."""

from __future__ import annotations

from components.backend_service.cost import backend_charges
from components.backend_service.cost import sizes_from_settings as backend_sizes
from cost.prices import load_prices
from cost.stack import RAILWAY_COMPONENTS, estimate, sizes_from_settings
from settings.model import StackSettings
from watchdog.contract import WatchdogConfig


def render_config(settings: StackSettings, *, project_id: str, environment_id: str, backend_service_id: str) -> str:
    """The value of `WATCHDOG_CONFIG` for one stack (the ids are the Railway resources' outputs)."""
    prices = load_prices()
    per_replica = sum(charge.amount_usd for charge in backend_charges(backend_sizes(settings), 1, prices))
    stack = estimate(sizes_from_settings(settings), prices)
    other = sum(c.monthly_usd for c in stack.components if c.component != "backend")
    railway_other = sum(
        c.monthly_usd for c in stack.components if c.component in RAILWAY_COMPONENTS and c.component != "backend"
    )
    config = WatchdogConfig(
        environment=settings.environment,
        project_id=project_id,
        environment_id=environment_id,
        backend_service_id=backend_service_id,
        region=settings.railway.region,
        event_mode=settings.event_mode,
        backend=settings.backend,
        alerts=settings.alerts,
        budget=settings.budget,
        watchdog=settings.watchdog,
        price_per_replica_monthly_usd=float(per_replica),
        other_monthly_usd=float(other),
        railway_other_monthly_usd=float(railway_other),
        railway_hard_limit_usd=settings.budget.monthly_usd if settings.railway.set_usage_limit else None,
    )
    return config.model_dump_json(by_alias=True)
