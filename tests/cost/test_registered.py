"""Cost covers everything a stack registers: every Railway service and Supabase project is priced (two of
a kind, or one outside the known components, too), and a resource of a kind the model does not know
stops the estimate and the report, naming it, instead of counting as $0."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components import railway_resources as railway
from components import tokens
from components.backend_service.contract import MAX_REPLICAS_OUTPUT, MIN_REPLICAS_OUTPUT
from components.backend_service.cost import BackendSizes, backend_cost
from components.redis_cache.cost import RedisSizes, redis_cost
from components.redis_cache.start_command import RedisServerFlags, render
from cost import kinds
from cost.model import UnpricedError
from cost.prices import load_prices
from cost.stack import estimate
from offline.program import Registration
from ops.report.collect import neutral
from policies.converge_policies.stack_graph import Resource, sizes_from_graph, stack_graph
from tests.doubles import run_stack

TABLE = load_prices()


def _service(kind: str, index: int, replicas: int, vcpu: Decimal, memory: Decimal) -> list[Resource]:
    """A Railway service with its limits, under a BackendService or RedisCache component or under none."""
    component_urn = f"urn:component:{index}"
    service_urn = f"urn:service:{index}"
    resources: list[Resource] = []
    props: dict[str, object] = {railway.SERVICE_REPLICAS: replicas}
    if kind == "backend":
        resources.append(
            Resource(
                tokens.BACKEND_SERVICE,
                component_urn,
                f"api-{index}",
                {MIN_REPLICAS_OUTPUT: replicas, MAX_REPLICAS_OUTPUT: replicas},
            )
        )
    elif kind == "redis":
        resources.append(Resource(tokens.REDIS_CACHE, component_urn, f"cache-{index}", {}))
        props[railway.SERVICE_START_COMMAND] = render(RedisServerFlags(int(memory * 1024), "allkeys-lru", True, True))
    parent = component_urn if kind in ("backend", "redis") else None
    resources.append(Resource(tokens.RAILWAY_SERVICE, service_urn, f"service-{index}", props, parent=parent))
    resources.append(
        Resource(
            tokens.RAILWAY_SERVICE_LIMITS,
            f"urn:limits:{index}",
            f"service-{index}-limits",
            {railway.LIMITS_VCPUS: float(vcpu), railway.LIMITS_MEMORY_GB: float(memory)},
            parent=parent,
            dependencies=(service_urn,),
        )
    )
    return resources


def _expected(kind: str, replicas: int, vcpu: Decimal, memory: Decimal) -> Decimal:
    if kind == "redis":
        return redis_cost(RedisSizes(memory_gb=memory, vcpu=vcpu, volume_gb=Decimal(0)), TABLE).monthly_usd
    return backend_cost(BackendSizes(replicas, replicas, replicas, vcpu, memory), TABLE).monthly_usd


SERVICES = st.lists(
    st.tuples(
        st.sampled_from(["backend", "redis", "bare"]),
        st.integers(1, 5),
        st.sampled_from([Decimal("0.1"), Decimal("0.5"), Decimal(1), Decimal(2)]),
        st.sampled_from([Decimal("0.25"), Decimal("0.5"), Decimal(1)]),
    ),
    min_size=1,
    max_size=6,
)


@given(services=SERVICES)
def test_every_registered_service_is_priced(services: list[tuple[str, int, Decimal, Decimal]]) -> None:
    resources = [r for index, service in enumerate(services) for r in _service(service[0], index, *service[1:])]
    result = estimate(sizes_from_graph(stack_graph(resources)).sizes, TABLE)
    assert len(result.components) == len(services)
    assert len({c.label for c in result.components}) == len(services)
    assert result.monthly_usd == sum((_expected(*service) for service in services), Decimal(0)).quantize(
        Decimal("0.01")
    )


def _copy_service(registrations: list[Registration], name: str, parent: str | None) -> list[Registration]:
    """The service `name` and its limits again, as another service (under `parent` when given)."""
    service = next(r for r in registrations if r.type == tokens.RAILWAY_SERVICE and r.name == name)
    limits = next(r for r in registrations if r.type == tokens.RAILWAY_SERVICE_LIMITS and service.urn in r.dependencies)
    twin, twin_limits = copy.deepcopy(service), copy.deepcopy(limits)
    twin.urn, twin.name = service.urn + "-2", name + "-2"
    twin_limits.urn, twin_limits.name = limits.urn + "-2", limits.name + "-2"
    twin_limits.dependencies = tuple(twin.urn if d == service.urn else d for d in limits.dependencies)
    if parent is not None:
        twin.parent = twin_limits.parent = parent
    return [*registrations, twin, twin_limits]


@pytest.mark.parametrize("outside_components", [False, True])
def test_a_second_service_of_a_kind_adds_its_cost(outside_components: bool) -> None:
    run = run_stack("prod", preview=False)
    alone = estimate(sizes_from_graph(stack_graph(neutral(run.state))).sizes, TABLE)
    parent = run.stack_resource.urn if outside_components and run.stack_resource else None
    doubled = estimate(sizes_from_graph(stack_graph(neutral(_copy_service(run.state, "backend", parent)))).sizes, TABLE)
    backend = alone.component("backend")
    assert backend is not None
    assert doubled.monthly_usd == alone.monthly_usd + backend.monthly_usd
    assert {"backend backend", "backend backend-2"} <= {c.label for c in doubled.components}


def test_an_unknown_kind_is_an_error_naming_the_resource() -> None:
    bucket = Resource("aws:s3/bucket:Bucket", "urn:bucket", "uploads", {})
    with pytest.raises(
        UnpricedError, match=r"cannot price uploads \(aws:s3/bucket:Bucket\): add the kind to cost/kinds"
    ):
        sizes_from_graph(stack_graph([bucket]))


def test_every_kind_the_stacks_register_is_known_and_free_kinds_say_why() -> None:
    for stack in ("dev", "staging", "prod"):
        for resource in run_stack(stack, preview=True).state:
            assert kinds.is_known(resource.type), resource.type
    assert all(len(reason) >= 15 for reason in kinds.FREE_KINDS.values())
    assert not kinds.PRICED_KINDS & set(kinds.FREE_KINDS)


def test_the_report_fails_loudly_on_a_resource_it_cannot_price(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ops.report import collect
    from ops.report.__main__ import main

    real = collect.run_stack

    def with_a_bucket(*args: object, **kwargs: object) -> object:
        run = real(*args, **kwargs)  # type: ignore[arg-type]
        run.resources.append(Registration("urn:bucket", "aws:s3/bucket:Bucket", "uploads", "", True, {}, {}))
        return run

    monkeypatch.setattr(collect, "run_stack", with_a_bucket)
    assert main(["--stack", "dev"]) == 2
    captured = capsys.readouterr()
    assert "cannot price uploads (aws:s3/bucket:Bucket)" in captured.err
    assert captured.out == ""
