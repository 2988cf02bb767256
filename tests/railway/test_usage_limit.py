"""The workspace's Railway usage limit (cost/usage_limit.py): every stack sharing the workspace, once each."""

from __future__ import annotations

import math
from decimal import Decimal

from components.watchdog_service.cost import sizes_from_settings as watchdog_sizes
from components.watchdog_service.cost import watchdog_cost
from cost.prices import load_prices
from cost.usage_limit import railway_max_usd, stack_file_settings, workspace_limit


def test_the_limit_covers_each_stack_of_the_workspace_once_at_maximum_scale() -> None:
    prod = stack_file_settings("prod")
    limit = workspace_limit(prod)
    assert limit.railway_max_by_stack == {
        stack: railway_max_usd(stack_file_settings(stack)) for stack in ("prod", "dev", "staging")
    }
    # Each stack's Railway spend at maximum replicas includes its watchdog's.
    for stack, usd in limit.railway_max_by_stack.items():
        settings = stack_file_settings(stack)
        assert settings.watchdog.enabled
        without = settings.model_copy(update={"watchdog": settings.watchdog.model_copy(update={"enabled": False})})
        sizes = watchdog_sizes(settings.watchdog)
        assert sizes is not None
        watchdog = watchdog_cost(sizes, load_prices()).max_usd
        assert usd == railway_max_usd(without) + watchdog
    hard = math.ceil(limit.railway_max_usd)
    assert (limit.hard_usd, limit.soft_usd) == (hard, math.floor(hard * prod.budget.soft_limit_percent / 100))
    assert limit.headroom_usd == hard - limit.railway_max_usd and Decimal(0) <= limit.headroom_usd < 1
    # The running stack's own settings stand in for its file (event mode, a stack copied under another name).
    bigger = prod.model_copy(update={"backend": prod.backend.model_copy(update={"max_replicas": 6})})
    prices = load_prices()
    backend = prod.backend
    per_replica = (
        Decimal(str(backend.vcpu_per_replica)) * prices["railway.vcpu_month"].usd
        + Decimal(str(backend.memory_gb_per_replica)) * prices["railway.memory_gb_month"].usd
    )
    assert workspace_limit(bigger).railway_max_by_stack["prod"] == limit.railway_max_by_stack["prod"] + per_replica


def test_a_stack_in_a_workspace_of_its_own_is_alone_under_its_limit() -> None:
    staging = stack_file_settings("staging")
    alone = staging.model_copy(update={"railway": staging.railway.model_copy(update={"workspace_id": "ws-x"})})
    assert list(workspace_limit(alone).railway_max_by_stack) == ["staging"]
