"""Build a stack's report: run its program under mocks, price what it registers, run the pack over it."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from components.values import plain
from cost.model import Estimate
from cost.stack import estimate
from cost.usage_limit import WorkspaceLimit, workspace_limit
from offline.program import run_stack
from ops.report.pack import PackResult, Recorded, pack_process, read_config_file, run_pack
from ops.report.stand_ins import report_stand_ins
from policies.converge_policies.stack_graph import Resource, sizes_from_graph, stack_graph
from settings.loader import load_stack_settings

ROOT = Path(__file__).resolve().parents[2]


def config_path(stack: str, root: Path = ROOT) -> Path:
    return root / "policies" / "config" / f"{stack}.json"


def neutral(records: Iterable[Recorded]) -> list[Resource]:
    """Recorded registrations as the stack graph sees them in a stack policy, i.e. the outputs."""
    return [
        Resource(
            type=r.type,
            urn=r.urn,
            name=r.name,
            props=plain(r.outputs),
            parent=r.parent or None,
            dependencies=tuple(r.dependencies),
        )
        for r in records
    ]


@dataclass
class Costing:
    estimate: Estimate
    notes: tuple[str, ...]


def price(records: Iterable[Recorded]) -> Costing:
    sizes = sizes_from_graph(stack_graph(neutral(records)))
    return Costing(estimate(sizes.sizes), sizes.notes)


@dataclass
class StackReport:
    stack: str
    preview: bool
    resources: list[Recorded]
    costing: Costing
    budget_usd: Decimal
    pack: PackResult
    # The workspace's Railway usage limit, when this stack sets it.
    usage_limit: WorkspaceLimit | None = None
    base: Costing | None = None
    base_label: str | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.pack.mandatory)


def collect(stack: str, *, preview: bool = True, config_file: Path | None = None) -> StackReport:
    """Run the stack's real program offline (no cloud access, placeholder secrets), then price and judge
    what it registered with the pack process and the config file CI uses for this stack."""
    from policies.converge_policies import POLICIES

    run = run_stack(stack, report_stand_ins(), preview=preview)
    # First: a resource the cost model cannot price stops the report (UnpricedError) before the pack runs.
    costing = price(run.state)
    config = read_config_file(config_file or config_path(stack))
    with pack_process(stack, run.config, preview=preview) as analyzer:
        pack = run_pack(POLICIES, run.state, config, analyzer)
    settings = load_stack_settings(stack, run.config, os.environ)
    return StackReport(
        stack=stack,
        preview=preview,
        resources=list(run.resources),
        costing=costing,
        budget_usd=Decimal(str(settings.budget.monthly_usd)),
        pack=pack,
        usage_limit=workspace_limit(settings) if settings.railway.set_usage_limit else None,
    )
