"""Sizes from the resources a stack registers (what the policy pack and the report price).

A policy sees resources, not stack settings, and before `pulumi up` it does not see ids: a Railway
service's limits, volume and domains name it by `serviceId`, unknown during preview. They are
matched to their service through the engine's dependency graph instead (an output used as an input
makes a dependency), which is known in preview and in update alike.

Values are plain Python; anything that is not a plain scalar (the policies' and the harness's
markers for unknown values) is treated as unknown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cost.model import MB_PER_GB, BackendSizes, DatabaseSizes, RedisSizes, StackSizes

RAILWAY_SERVICE = "pulumi-python:dynamic/railway:Service"
RAILWAY_SERVICE_LIMITS = "pulumi-python:dynamic/railway:ServiceLimits"
RAILWAY_VOLUME = "pulumi-python:dynamic/railway:Volume"
RAILWAY_VARIABLES = "pulumi-python:dynamic/railway:Variables"
RAILWAY_CUSTOM_DOMAIN = "pulumi-python:dynamic/railway:CustomDomain"
RAILWAY_SERVICE_DOMAIN = "pulumi-python:dynamic/railway:ServiceDomain"
RAILWAY_USAGE_LIMIT = "pulumi-python:dynamic/railway:UsageLimit"
SUPABASE_PROJECT = "pulumi-python:dynamic/supabase:Project"
SUPABASE_COMPUTE = "pulumi-python:dynamic/supabase:Compute"
SUPABASE_SSL_ENFORCEMENT = "pulumi-python:dynamic/supabase:SslEnforcement"
SUPABASE_BACKUPS = "pulumi-python:dynamic/supabase:Backups"


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
    role: str  # "redis" or "backend"
    limits: list[Resource] = field(default_factory=list)
    volumes: list[Resource] = field(default_factory=list)
    domains: list[Resource] = field(default_factory=list)
    variables: list[Resource] = field(default_factory=list)
    component: Resource | None = None  # the closest component resource above the service

    @property
    def replicas(self) -> Any:
        return self.service.props.get("numReplicas")


@dataclass
class DatabaseGroup:
    project: Resource
    compute: list[Resource] = field(default_factory=list)
    ssl: list[Resource] = field(default_factory=list)
    backups: list[Resource] = field(default_factory=list)


_REDIS_IMAGE = re.compile(r"^(?:[^/]+/)*redis(?:[:@]|$)")


def image_repository(image: str) -> str:
    """`ghcr.io/o/backend@sha256:...` or `ghcr.io/o/backend:tag` -> `ghcr.io/o/backend`."""
    name = image.split("@", 1)[0]
    head, _, tail = name.rpartition("/")
    return f"{head}/{tail.split(':', 1)[0]}" if head else tail.split(":", 1)[0]


def is_redis(service: Resource, component: Resource | None) -> bool:
    image, command = service.props.get("image"), service.props.get("startCommand")
    if isinstance(image, str) and _REDIS_IMAGE.match(image):
        return True
    if isinstance(command, str) and command.strip().startswith("redis-server"):
        return True
    return component is not None and "redis" in component.type.lower()


def _owner(resource: Resource, candidates: Mapping[str, Any], parents: Mapping[str, str | None]) -> str | None:
    """The candidate URN a resource belongs to: one it depends on, else the only one under its parent."""
    direct = [urn for urn in resource.dependencies if urn in candidates]
    if len(direct) == 1:
        return direct[0]
    siblings = [urn for urn in candidates if resource.parent and parents.get(urn) == resource.parent]
    return siblings[0] if len(siblings) == 1 else None


@dataclass
class StackView:
    services: list[ServiceGroup]
    databases: list[DatabaseGroup]
    usage_limits: list[Resource]
    resources: list[Resource]

    def role(self, role: str) -> list[ServiceGroup]:
        return [group for group in self.services if group.role == role]


def view(resources: Iterable[Resource]) -> StackView:
    """Group Railway and Supabase resources by the service or project they belong to."""
    items = list(resources)
    by_urn = {r.urn: r for r in items}
    parents = {r.urn: r.parent for r in items}

    def component_of(resource: Resource) -> Resource | None:
        parent = by_urn.get(resource.parent or "")
        while parent is not None and parent.type.startswith("pulumi-python:dynamic/"):
            parent = by_urn.get(parent.parent or "")
        return parent

    groups: dict[str, ServiceGroup] = {}
    for r in items:
        if r.type == RAILWAY_SERVICE:
            component = component_of(r)
            groups[r.urn] = ServiceGroup(r, "redis" if is_redis(r, component) else "backend", component=component)
    attach = {
        RAILWAY_SERVICE_LIMITS: "limits",
        RAILWAY_VOLUME: "volumes",
        RAILWAY_CUSTOM_DOMAIN: "domains",
        RAILWAY_SERVICE_DOMAIN: "domains",
        RAILWAY_VARIABLES: "variables",
    }
    databases: dict[str, DatabaseGroup] = {r.urn: DatabaseGroup(r) for r in items if r.type == SUPABASE_PROJECT}
    supabase_attach = {SUPABASE_COMPUTE: "compute", SUPABASE_SSL_ENFORCEMENT: "ssl", SUPABASE_BACKUPS: "backups"}
    for r in items:
        if r.type in attach:
            owner = _owner(r, groups, parents)
            if owner is not None:
                getattr(groups[owner], attach[r.type]).append(r)
        elif r.type in supabase_attach:
            owner = _owner(r, databases, parents)
            if owner is not None:
                getattr(databases[owner], supabase_attach[r.type]).append(r)
    return StackView(
        services=list(groups.values()),
        databases=list(databases.values()),
        usage_limits=[r for r in items if r.type == RAILWAY_USAGE_LIMIT],
        resources=items,
    )


_MAXMEMORY = re.compile(r"--maxmemory\s+(\d+)\s*([a-zA-Z]*)")
_REDIS_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1024,
    "m": 1000**2,
    "mb": 1024**2,
    "g": 1000**3,
    "gb": 1024**3,
}


def redis_maxmemory_gb(command: Any) -> Decimal | None:
    """`--maxmemory 256mb` in redis-server's command line, in GB (redis-server's own units)."""
    if not isinstance(command, str):
        return None
    match = _MAXMEMORY.search(command)
    if not match or match.group(2).lower() not in _REDIS_UNITS:
        return None
    size_bytes = Decimal(match.group(1)) * _REDIS_UNITS[match.group(2).lower()]
    return size_bytes / (MB_PER_GB**3)


@dataclass(frozen=True)
class PricedSizes:
    sizes: StackSizes
    notes: tuple[str, ...]  # what could not be read from the resources, and how it was priced instead


def _limit(group: ServiceGroup, key: str) -> Decimal | None:
    for limits in group.limits:
        value = number(limits.props.get(key))
        if value is not None:
            return value
    return None


def _component_number(group: ServiceGroup, *keys: str) -> Decimal | None:
    if group.component is None:
        return None
    for key in keys:
        value = number(group.component.props.get(key))
        if value is not None:
            return value
    return None


def sizes_from_resources(resources: Iterable[Resource]) -> PricedSizes:
    """The sizes the resources declare. What they cannot say is noted (and left out of the price)."""
    stack = view(resources)
    notes: list[str] = []
    backend: BackendSizes | None = None
    for group in stack.role("backend"):
        replicas = number(group.replicas)
        vcpu, memory = _limit(group, "vcpus"), _limit(group, "memoryGb")
        if replicas is None or vcpu is None or memory is None:
            notes.append(f"backend service {group.service.name}: replicas or limits unknown, not priced")
            continue
        deployed = int(replicas)
        low = _component_number(group, "minReplicas")
        high = _component_number(group, "maxReplicas")
        if high is None:
            notes.append(f"backend service {group.service.name}: no maxReplicas declared; maximum priced as deployed")
        backend = BackendSizes(
            min_replicas=int(low) if low is not None else deployed,
            max_replicas=int(high) if high is not None else deployed,
            deployed_replicas=deployed,
            vcpu_per_replica=vcpu,
            memory_gb_per_replica=memory,
        )
    redis: RedisSizes | None = None
    for group in stack.role("redis"):
        memory = redis_maxmemory_gb(group.service.props.get("startCommand"))
        if memory is None:
            memory = _limit(group, "memoryGb")
        vcpu = _limit(group, "vcpus")
        if memory is None or vcpu is None:
            notes.append(f"redis service {group.service.name}: memory or CPU unknown, not priced")
            continue
        volume_gb = Decimal(0)
        if group.volumes:
            declared = _component_number(group, "volumeGb")
            if declared is None:
                notes.append(f"redis service {group.service.name}: volume size not declared; volume not priced")
            else:
                volume_gb = declared
        redis = RedisSizes(memory_gb=memory, vcpu=vcpu, volume_gb=volume_gb)
    database: DatabaseSizes | None = None
    for db in stack.databases:
        plan = db.project.props.get("plan")
        organization = db.project.props.get("organizationSlug")
        if not isinstance(plan, str):
            notes.append(f"database {db.project.name}: plan unknown, not priced")
            continue
        sizes_declared = [c.props.get("size") for c in db.compute]
        size = next((s.removeprefix("ci_") for s in sizes_declared if isinstance(s, str)), None)
        if size is None and any(not known(s) for s in sizes_declared):
            notes.append(f"database {db.project.name}: compute size unknown, not priced")
            continue
        if size is None:
            # No compute resource: the project runs the size Supabase starts it on.
            size = "nano" if plan == "free" else "micro"
            notes.append(f"database {db.project.name}: no compute size declared; priced at the default, {size}")
        database = DatabaseSizes(
            plan=plan, compute_size=size, organization=organization if isinstance(organization, str) else None
        )
    return PricedSizes(StackSizes(backend=backend, redis=redis, database=database), tuple(notes))
