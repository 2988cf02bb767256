"""The pack's view of the stack graph: each Railway service and Supabase project with what belongs to
it, and the sizes they declare (what spending-cap, cost-estimate and the report price).

A policy sees resources, not stack settings, and before `pulumi up` it does not see ids: a Railway
service's limits, volume and domains name it by `serviceId`, unknown during preview. They are
matched to their service through the engine's dependency graph instead (an output used as an input
makes a dependency), which is known in preview and in update alike. A service's role is its
component's type token.

Values use the shared vocabulary (components/values.py): secrets already revealed, anything that is
not a plain scalar is treated as unknown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from components import railway_resources as railway
from components import tokens
from components.backend_service.contract import MAX_REPLICAS_OUTPUT, MIN_REPLICAS_OUTPUT
from components.backend_service.cost import BackendSizes
from components.redis_cache import start_command
from components.redis_cache.contract import VOLUME_GB_OUTPUT
from components.redis_cache.cost import RedisSizes
from components.supabase_database import contract as supabase
from components.supabase_database.cost import DatabaseSizes
from components.watchdog_service.cost import WatchdogSizes
from cost import kinds
from cost.model import UnpricedError
from cost.stack import StackSizes
from settings.model import default_compute_size


@dataclass(frozen=True)
class Resource:
    type: str
    urn: str
    name: str
    props: Mapping[str, Any]
    parent: str | None = None
    dependencies: tuple[str, ...] = ()


def known(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool | list | dict)


def number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


@dataclass
class ServiceGroup:
    """A Railway service and what belongs to it."""

    service: Resource
    limits: list[Resource] = field(default_factory=list)
    volumes: list[Resource] = field(default_factory=list)
    domains: list[Resource] = field(default_factory=list)
    variables: list[Resource] = field(default_factory=list)
    component: Resource | None = None  # the closest component resource above the service

    @property
    def replicas(self) -> Any:
        return self.service.props.get(railway.SERVICE_REPLICAS)

    @property
    def is_redis(self) -> bool:
        return self.component is not None and self.component.type == tokens.REDIS_CACHE

    @property
    def is_watchdog(self) -> bool:
        return self.component is not None and self.component.type == tokens.WATCHDOG_SERVICE

    def limit(self, key: str) -> Decimal | None:
        for limits in self.limits:
            value = number(limits.props.get(key))
            if value is not None:
                return value
        return None

    def component_output(self, key: str) -> Decimal | None:
        return number(self.component.props.get(key)) if self.component is not None else None


@dataclass
class DatabaseGroup:
    project: Resource
    compute: list[Resource] = field(default_factory=list)
    ssl: list[Resource] = field(default_factory=list)
    backups: list[Resource] = field(default_factory=list)


def _owner(resource: Resource, candidates: Mapping[str, Any], parents: Mapping[str, str | None]) -> str | None:
    """The candidate URN a resource belongs to: one it depends on, else the only one under its parent."""
    direct = [urn for urn in resource.dependencies if urn in candidates]
    if len(direct) == 1:
        return direct[0]
    siblings = [urn for urn in candidates if resource.parent and parents.get(urn) == resource.parent]
    return siblings[0] if len(siblings) == 1 else None


@dataclass
class StackGraph:
    services: list[ServiceGroup]
    databases: list[DatabaseGroup]
    usage_limits: list[Resource]
    resources: list[Resource]

    @property
    def redis(self) -> list[ServiceGroup]:
        return [group for group in self.services if group.is_redis]

    @property
    def watchdogs(self) -> list[ServiceGroup]:
        return [group for group in self.services if group.is_watchdog]

    @property
    def backends(self) -> list[ServiceGroup]:
        return [group for group in self.services if not (group.is_redis or group.is_watchdog)]


_SERVICE_PARTS = {
    tokens.RAILWAY_SERVICE_LIMITS: "limits",
    tokens.RAILWAY_VOLUME: "volumes",
    tokens.RAILWAY_CUSTOM_DOMAIN: "domains",
    tokens.RAILWAY_SERVICE_DOMAIN: "domains",
    tokens.RAILWAY_VARIABLES: "variables",
}
_DATABASE_PARTS = {
    tokens.SUPABASE_COMPUTE: "compute",
    tokens.SUPABASE_SSL_ENFORCEMENT: "ssl",
    tokens.SUPABASE_BACKUPS: "backups",
}


def stack_graph(resources: Iterable[Resource]) -> StackGraph:
    """Group Railway and Supabase resources by the service or project they belong to."""
    items = list(resources)
    by_urn = {r.urn: r for r in items}
    parents = {r.urn: r.parent for r in items}

    def component_of(resource: Resource) -> Resource | None:
        parent = by_urn.get(resource.parent or "")
        while parent is not None and not parent.type.startswith(tokens.COMPONENT_PREFIX):
            parent = by_urn.get(parent.parent or "")
        return parent

    groups = {r.urn: ServiceGroup(r, component=component_of(r)) for r in items if r.type == tokens.RAILWAY_SERVICE}
    databases = {r.urn: DatabaseGroup(r) for r in items if r.type == tokens.SUPABASE_PROJECT}
    for r in items:
        if r.type in _SERVICE_PARTS:
            owner = _owner(r, groups, parents)
            if owner is not None:
                getattr(groups[owner], _SERVICE_PARTS[r.type]).append(r)
        elif r.type in _DATABASE_PARTS:
            owner = _owner(r, databases, parents)
            if owner is not None:
                getattr(databases[owner], _DATABASE_PARTS[r.type]).append(r)
    return StackGraph(
        services=list(groups.values()),
        databases=list(databases.values()),
        usage_limits=[r for r in items if r.type == tokens.RAILWAY_USAGE_LIMIT],
        resources=items,
    )


@dataclass(frozen=True)
class PricedSizes:
    sizes: StackSizes
    notes: tuple[str, ...]  # what could not be read from the resources, and how it was priced instead


def sizes_from_graph(graph: StackGraph) -> PricedSizes:
    """The sizes the resources declare, every service and project of them. What they cannot say yet
    (unknown in preview) is noted and left out of the price; a resource of a kind the cost model does
    not know (cost/kinds.py) is an error, never $0."""
    unknown = [r for r in graph.resources if not kinds.is_known(r.type)]
    if unknown:
        raise UnpricedError(
            "the cost model cannot price "
            + ", ".join(f"{r.name} ({r.type})" for r in unknown)
            + ": add the kind to cost/kinds.py, priced (with the sizes the stack graph reads) or free with the reason"
        )
    notes: list[str] = []
    backends: dict[str, BackendSizes] = {}
    for group in graph.backends:
        replicas = number(group.replicas)
        vcpu, memory = group.limit(railway.LIMITS_VCPUS), group.limit(railway.LIMITS_MEMORY_GB)
        if replicas is None or vcpu is None or memory is None:
            notes.append(f"backend service {group.service.name}: replicas or limits unknown, not priced")
            continue
        deployed = int(replicas)
        low, high = group.component_output(MIN_REPLICAS_OUTPUT), group.component_output(MAX_REPLICAS_OUTPUT)
        if high is None:
            notes.append(f"backend service {group.service.name}: no maxReplicas declared; maximum priced as deployed")
        backends[group.service.name] = BackendSizes(
            min_replicas=int(low) if low is not None else deployed,
            max_replicas=int(high) if high is not None else deployed,
            deployed_replicas=deployed,
            vcpu_per_replica=vcpu,
            memory_gb_per_replica=memory,
        )
    redis: dict[str, RedisSizes] = {}
    for group in graph.redis:
        command = start_command.parse(group.service.props.get(railway.SERVICE_START_COMMAND))
        memory = command.maxmemory_gb if command is not None else None
        if memory is None:
            memory = group.limit(railway.LIMITS_MEMORY_GB)
        vcpu = group.limit(railway.LIMITS_VCPUS)
        if memory is None or vcpu is None:
            notes.append(f"redis service {group.service.name}: memory or CPU unknown, not priced")
            continue
        volume_gb = Decimal(0)
        if group.volumes:
            declared = group.component_output(VOLUME_GB_OUTPUT)
            if declared is None:
                notes.append(f"redis service {group.service.name}: volume size not declared; volume not priced")
            else:
                volume_gb = declared
        redis[group.service.name] = RedisSizes(memory_gb=memory, vcpu=vcpu, volume_gb=volume_gb)
    watchdogs: dict[str, WatchdogSizes] = {}
    for group in graph.watchdogs:
        vcpu, memory = group.limit(railway.LIMITS_VCPUS), group.limit(railway.LIMITS_MEMORY_GB)
        if vcpu is None or memory is None:
            notes.append(f"watchdog service {group.service.name}: limits unknown, not priced")
            continue
        watchdogs[group.service.name] = WatchdogSizes(vcpu=vcpu, memory_gb=memory)
    databases: dict[str, DatabaseSizes] = {}
    for db in graph.databases:
        plan = db.project.props.get(supabase.PROJECT_PLAN)
        organization = db.project.props.get(supabase.PROJECT_ORGANIZATION)
        if not isinstance(plan, str):
            notes.append(f"database {db.project.name}: plan unknown, not priced")
            continue
        sizes_declared = [c.props.get(supabase.COMPUTE_SIZE) for c in db.compute]
        size = next((s.removeprefix(supabase.COMPUTE_SIZE_PREFIX) for s in sizes_declared if isinstance(s, str)), None)
        if size is None and any(not known(s) for s in sizes_declared):
            notes.append(f"database {db.project.name}: compute size unknown, not priced")
            continue
        if size is None:
            size = default_compute_size(plan)
            notes.append(f"database {db.project.name}: no compute size declared; priced at the default, {size}")
        databases[db.project.name] = DatabaseSizes(
            plan=plan, compute_size=size, organization=organization if isinstance(organization, str) else None
        )
    sizes = StackSizes(backends=backends, redis=redis, databases=databases, watchdogs=watchdogs)
    return PricedSizes(sizes, tuple(notes))
