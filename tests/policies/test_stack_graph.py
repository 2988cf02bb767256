"""The pack's view of the stack graph: services and projects with their parts, and the sizes read from
the resources a stack registers, which agree with the sizes its settings declare."""

from __future__ import annotations

from collections.abc import Callable

from components import tokens
from components.values import UNKNOWN
from cost.stack import estimate, sizes_from_settings
from offline.program import ProgramRun
from ops.report.collect import neutral
from policies.converge_policies.stack_graph import Resource, sizes_from_graph, stack_graph
from tests.cost.test_model import settings_of

StackRun = Callable[[str, bool], ProgramRun]


def test_resources_price_like_the_settings(stack: str, preview: bool, stack_run: StackRun) -> None:
    """The policy pack prices resources, the program prices settings: one model, the same figures."""
    run = stack_run(stack, preview)
    from_resources = estimate(sizes_from_graph(stack_graph(neutral(run.resources))).sizes)
    from_settings = estimate(sizes_from_settings(settings_of(stack)))
    declared = (
        {"backend", "redis"}
        | ({"database"} if run.of_type(tokens.SUPABASE_PROJECT) else set())
        | ({"watchdog"} if run.of_type(tokens.WATCHDOG_SERVICE) else set())
    )
    assert {c.component for c in from_resources.components} == declared
    for name in declared:
        ours, theirs = from_resources.component(name), from_settings.component(name)
        assert ours is not None and theirs is not None
        assert (ours.monthly_usd, ours.min_usd, ours.max_usd) == (theirs.monthly_usd, theirs.min_usd, theirs.max_usd)
        assert [c.label for c in ours.charges] == [c.label for c in theirs.charges]


def test_limits_and_volumes_are_matched_to_their_service_by_dependency(stack_run: StackRun) -> None:
    # In preview the serviceId of limits and volumes is unknown: the dependency graph says whose they are.
    graph = stack_graph(neutral(stack_run("prod", True).resources))
    backend, redis, watchdog = graph.backends, graph.redis, graph.watchdogs
    assert [g.service.name for g in backend] == ["backend"]
    assert [g.service.name for g in redis] == ["redis"]
    assert [g.service.name for g in watchdog] == ["watchdog"]
    assert [len(backend[0].limits), len(backend[0].volumes), len(backend[0].domains)] == [1, 0, 1]
    assert [len(redis[0].limits), len(redis[0].volumes), len(redis[0].domains)] == [1, 1, 0]
    assert [len(watchdog[0].limits), len(watchdog[0].volumes), len(watchdog[0].domains)] == [1, 0, 0]


def test_unknown_sizes_are_noted_not_guessed() -> None:
    service = Resource(tokens.RAILWAY_SERVICE, "urn:s", "backend", {"image": "x/y:1", "numReplicas": 2})
    limits = Resource(
        tokens.RAILWAY_SERVICE_LIMITS,
        "urn:l",
        "backend-limits",
        {"vcpus": UNKNOWN, "memoryGb": 1},
        dependencies=("urn:s",),
    )
    priced = sizes_from_graph(stack_graph([service, limits]))
    assert priced.sizes.backends == {}
    assert priced.notes == ("backend service backend: replicas or limits unknown, not priced",)
