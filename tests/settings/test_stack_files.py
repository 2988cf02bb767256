"""The committed stack files: each loads through the one stack-file path and carries the seed's figures."""

from __future__ import annotations

from typing import Any

import pytest

from offline.program import ROOT
from settings import StackSettings, load_stack_settings, parse_stack_file
from settings.stacks import STACKS
from tests.doubles import STAND_IN_SECRETS


def committed(stack: str) -> StackSettings:
    stack_file = parse_stack_file(ROOT / f"Pulumi.{stack}.yaml")
    config: dict[str, Any] = {**stack_file.config, **STAND_IN_SECRETS}
    return load_stack_settings(stack, config, {}, lines=stack_file.lines)


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_file_is_valid(stack: str) -> None:
    settings_ = committed(stack)
    assert settings_.environment == {"dev": "development", "staging": "staging", "prod": "production"}[stack]


def test_seed_figures_per_stack() -> None:
    dev, staging, prod = (committed(s) for s in STACKS)
    assert [s.deploy_branch for s in (dev, staging, prod)] == ["develop", "staging", "main"]
    assert [s.auto_deploy for s in (dev, staging, prod)] == [True, True, False]
    assert [s.redis.memory_mb for s in (dev, staging, prod)] == [256, 256, 512]
    assert [s.database.plan for s in (dev, staging, prod)] == ["free", "pro", "pro"]
    # The seed's ~$20 and ~$60 leave out the watchdog, which dev and staging add on top; prod's $285 is a cap.
    assert dev.budget.monthly_usd >= 20 and staging.budget.monthly_usd >= 60
    assert prod.budget.monthly_usd == 285
    assert (prod.backend.min_replicas, prod.backend.max_replicas, prod.backend.event_replicas) == (2, 5, 3)
    for s in (dev, staging, prod):
        assert (s.backend.scale_up.cpu_percent, s.backend.scale_up.for_minutes) == (70, 5)
        assert (s.backend.scale_down.cpu_percent, s.backend.scale_down.for_minutes) == (30, 15)
        assert (s.alerts.cpu_percent, s.alerts.cpu_for_minutes, s.alerts.memory_percent) == (80, 5, 90)
        assert (s.alerts.error_rate_percent, s.alerts.p95_latency_ms) == (5, 1000)
        assert (s.redis.eviction_policy, s.redis.rdb_snapshots, s.redis.append_only) == ("allkeys-lru", True, True)
        assert s.secret_rotation.rotation_days == 90
    assert prod.database.backup_retention_days == 7
    assert dev.database.backup_retention_days == 0
