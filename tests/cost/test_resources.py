"""Sizes read from the resources a stack registers agree with the sizes its settings declare."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from cost.model import estimate, sizes_from_settings
from cost.resources import (
    SUPABASE_PROJECT,
    Resource,
    image_repository,
    redis_maxmemory_gb,
    sizes_from_resources,
    view,
)
from offline.program import ProgramRun
from ops.report.collect import neutral
from tests.cost.test_model import settings_of

StackRun = Callable[[str, bool], ProgramRun]


def test_resources_price_like_the_settings(stack: str, preview: bool, stack_run: StackRun) -> None:
    """The policy pack prices resources, the program prices settings: one model, the same figures."""
    run = stack_run(stack, preview)
    from_resources = estimate(sizes_from_resources(neutral(run.resources)).sizes)
    from_settings = estimate(sizes_from_settings(settings_of(stack)))
    declared = {"backend", "redis"} | ({"database"} if run.of_type(SUPABASE_PROJECT) else set())
    assert {c.component for c in from_resources.components} == declared
    for name in declared:
        ours, theirs = from_resources.component(name), from_settings.component(name)
        assert ours is not None and theirs is not None
        assert (ours.monthly_usd, ours.min_usd, ours.max_usd) == (theirs.monthly_usd, theirs.min_usd, theirs.max_usd)
        assert [c.label for c in ours.charges] == [c.label for c in theirs.charges]


def test_limits_and_volumes_are_matched_to_their_service_by_dependency(stack_run: StackRun) -> None:
    # In preview the serviceId of limits and volumes is unknown: the dependency graph says whose they are.
    stack = view(neutral(stack_run("prod", True).resources))
    backend, redis = stack.role("backend"), stack.role("redis")
    assert [g.service.name for g in backend] == ["backend"]
    assert [g.service.name for g in redis] == ["redis"]
    assert [len(backend[0].limits), len(backend[0].volumes), len(backend[0].domains)] == [1, 0, 1]
    assert [len(redis[0].limits), len(redis[0].volumes), len(redis[0].domains)] == [1, 1, 0]


def test_unknown_sizes_are_noted_not_guessed() -> None:
    class Unknown:
        pass

    service = Resource(
        "pulumi-python:dynamic/railway:Service", "urn:s", "backend", {"image": "x/y:1", "numReplicas": 2}
    )
    limits = Resource(
        "pulumi-python:dynamic/railway:ServiceLimits",
        "urn:l",
        "backend-limits",
        {"vcpus": Unknown(), "memoryGb": 1},
        dependencies=("urn:s",),
    )
    priced = sizes_from_resources([service, limits])
    assert priced.sizes.backend is None
    assert priced.notes == ("backend service backend: replicas or limits unknown, not priced",)


@pytest.mark.parametrize(
    ("command", "gb"),
    [
        ("sh -c 'exec redis-server --maxmemory 256mb --appendonly yes'", Decimal("0.25")),
        ("redis-server --maxmemory 1gb", Decimal(1)),
        ("redis-server --maxmemory 536870912", Decimal("0.5")),
        ("redis-server --appendonly yes", None),
        (None, None),
    ],
)
def test_redis_maxmemory_in_redis_units(command: str | None, gb: Decimal | None) -> None:
    assert redis_maxmemory_gb(command) == gb


@pytest.mark.parametrize(
    ("image", "repository"),
    [
        ("ghcr.io/converge-nps/backend@sha256:" + "0" * 64, "ghcr.io/converge-nps/backend"),
        ("ghcr.io/converge-nps/backend:latest", "ghcr.io/converge-nps/backend"),
        ("localhost:5000/backend:1", "localhost:5000/backend"),
        ("redis:7.4.1-alpine", "redis"),
    ],
)
def test_image_repository(image: str, repository: str) -> None:
    assert image_repository(image) == repository
