"""Build a stack's report: run its program under mocks, price what it registers, run the pack over it."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from cost.model import Estimate, estimate
from cost.resources import Resource, sizes_from_resources
from ops.report.pack import PackResult, Recorded, read_config_file, run_pack

ROOT = Path(__file__).resolve().parents[2]


def config_path(stack: str, root: Path = ROOT) -> Path:
    return root / "policies" / "config" / f"{stack}.json"


def plain(value: Any) -> Any:
    """Recorded values without secret markers; unknowns stay as their marker (the cost model skips them)."""
    if type(value).__name__ == "Secret":
        return plain(value.value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def neutral(records: Iterable[Recorded]) -> list[Resource]:
    """Recorded registrations as the cost model's view: a stack policy's, i.e. the outputs."""
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
    sizes = sizes_from_resources(neutral(records))
    return Costing(estimate(sizes.sizes), sizes.notes)


@dataclass
class StackReport:
    stack: str
    preview: bool
    resources: list[Recorded]
    costing: Costing
    budget_usd: Decimal | None
    pack: PackResult
    base: Costing | None = None
    base_label: str | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.pack.mandatory)


def budget_of(config: Mapping[str, Any]) -> Decimal | None:
    entry = config.get("spending-cap")
    if isinstance(entry, Mapping) and entry.get("monthlyBudgetUsd") is not None:
        return Decimal(str(entry["monthlyBudgetUsd"]))
    return None


def collect(stack: str, *, preview: bool = True, config_file: Path | None = None) -> StackReport:
    """Run the stack's real program under the test mocks (no cloud access, stand-in secrets), then price
    and judge what it registered with the config file CI uses for this stack."""
    from policies.converge_policies import POLICIES

    # The test suite's mock harness runs the program; imported by name so that type checking this
    # command does not pull the test tree in.
    harness = importlib.import_module("offline.program")
    run = harness.run_stack(stack, preview=preview)
    config = read_config_file(config_file or config_path(stack))
    pack = run_pack(POLICIES, run.resources, config)
    return StackReport(
        stack=stack,
        preview=preview,
        resources=list(run.resources),
        costing=price(run.resources),
        budget_usd=budget_of(config),
        pack=pack,
    )
