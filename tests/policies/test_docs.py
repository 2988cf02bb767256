"""docs/policies.md states what the pack and the model do: every policy with its level, and the cost
table with the model's figures for the seed's sizes (the docs fail here, not in review, when either changes)."""

from __future__ import annotations

from cost.model import money
from cost.stack import estimate
from offline.program import ROOT
from ops.report.pack import reconcile
from policies.converge_policies import POLICIES
from settings.stacks import STACKS
from tests.cost.test_model import SEED_SIZES

DOC = (ROOT / "docs" / "policies.md").read_text()


def test_every_policy_is_in_the_table_with_its_level() -> None:
    levels = {name: config.level for name, config in reconcile(POLICIES, {}).items()}
    rows = {line.split("|")[1].strip(" `"): line for line in DOC.splitlines() if line.startswith("| `")}
    assert set(rows) == set(levels)
    for name, level in levels.items():
        assert f"| {level} |" in rows[name] or f"| {level} (" in rows[name], name


def test_the_cost_table_has_the_models_figures() -> None:
    for stack in STACKS:
        result = estimate(SEED_SIZES[stack])
        cells = [result.component(c) for c in ("backend", "redis", "database")]
        expected = " | ".join(
            [money(c.monthly_usd) for c in cells if c is not None] + [money(result.monthly_usd), money(result.max_usd)]
        )
        assert f"| {stack} | {expected} |" in DOC, stack
