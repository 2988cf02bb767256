"""The pull-request comment, in GitHub Markdown: an overview of every stack, the cost across stacks, then one
section per stack (why it failed, resource changes, policy results, cost by component)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal

from ops.comment.events import Diagnostic, PolicyViolation
from ops.comment.preview import (
    COUNTED,
    MANDATORY,
    Cost,
    Figures,
    Missing,
    Side,
    StackPreview,
    resource_name,
    resource_type,
)

# The comment's first line: CI finds the comment it posted before by it and edits that one.
MARKER = "<!-- converge-nps:preview -->"
# GitHub refuses comments over 65,536 characters: a failing preview can print many long errors.
MAX_DIAGNOSTICS = 20
MAX_MESSAGE = 2000
LEVEL_ORDER = {MANDATORY: 0, "advisory": 1, "remediate": 2}
DASH = "—"


def code(text: str) -> str:
    """`text` as inline code, whatever backticks it holds."""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def cell(text: str) -> str:
    return text.replace("|", "\\|")


def block(text: str, indent: str = "") -> list[str]:
    """`text` as a fenced code block (nothing in it is Markdown), trimmed to MAX_MESSAGE characters."""
    if len(text) > MAX_MESSAGE:
        text = text[:MAX_MESSAGE] + f"\n… ({len(text) - MAX_MESSAGE} more characters in the job log)"
    fence = "`" * max(3, max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    return [f"{indent}{fence}text", *(f"{indent}{line}" for line in text.splitlines()), f"{indent}{fence}"]


def money(amount: Decimal | None) -> str:
    return DASH if amount is None else f"${amount:,.2f}"


def signed(amount: Decimal | None) -> str:
    if amount is None:
        return DASH
    sign = "+" if amount > 0 else "−" if amount < 0 else "±"
    return f"{sign}${abs(amount):,.2f}"


def amount(side: Side, pick: Callable[[Figures], Decimal], component: str | None = None) -> Decimal | None:
    """One figure of a side: a component's or the total; zero where nothing is deployed, None where unknown."""
    if isinstance(side, Missing):
        return Decimal(0) if side.nothing_deployed else None
    if component is None:
        return pick(side.total)
    figures = side.components.get(component)
    return pick(figures) if figures else Decimal(0)


def difference(new: Decimal | None, baseline: Decimal | None) -> Decimal | None:
    return None if new is None or baseline is None else new - baseline


def total(amounts: Sequence[Decimal | None]) -> Decimal | None:
    return None if any(a is None for a in amounts) else sum((a for a in amounts if a is not None), Decimal(0))


def deployed(figures: Figures) -> Decimal:
    return figures.deployed


def maximum(figures: Figures) -> Decimal:
    return figures.maximum


def _shown(side: Side, figure: Decimal | None) -> str:
    if isinstance(side, Missing) and side.nothing_deployed:
        return "none"
    return money(figure)


def cost_cells(baseline: Side, new: Side, component: str | None = None) -> list[str]:
    cells: list[str] = []
    for pick in (deployed, maximum):
        before, after = amount(baseline, pick, component), amount(new, pick, component)
        cells += [_shown(baseline, before), _shown(new, after), signed(difference(after, before))]
    return cells


COST_HEADER = [
    "deployed replicas: baseline",
    "this PR",
    "difference",
    "maximum replicas: baseline",
    "this PR",
    "difference",
]


def table(header: Sequence[str], rows: Sequence[Sequence[str]], right_from: int = 1) -> list[str]:
    align = ["---" if i < right_from else "--:" for i in range(len(header))]
    return [f"| {' | '.join(header)} |", f"| {' | '.join(align)} |", *(f"| {' | '.join(r)} |" for r in rows)]


def status(stack: StackPreview) -> str:
    if stack.result is None:
        return "❌ did not finish"
    return "✅ succeeded" if stack.result == "succeeded" else f"❌ {stack.result}"


def budget_of(side: Side) -> Decimal | None:
    return side.budget if isinstance(side, Cost) else None


def guardrail(label: str, top: Decimal | None, budget: Decimal | None) -> str | None:
    """The line for a maximum (at the maximum replicas) over its budget; None when within it or unknown."""
    if top is None or budget is None or top <= budget:
        return None
    return (
        f"⚠️ **Guardrail, {label}:** at the maximum replicas this PR's {money(top)}/month exceeds "
        f"the budget of {money(budget)} by {money(top - budget)}."
    )


def data_loss_warning(stack: StackPreview) -> list[str]:
    lines = ["> [!CAUTION]", f"> **Data loss in {code(stack.name)}.** Applying this change"]
    for change in stack.data_loss:
        verb = "replaces" if change.op == "replace" else "deletes"
        because = f" (replaced because {', '.join(code(k) for k in change.replace_keys)} changed)"
        lines.append(
            f"> - {verb} {code(change.name)} ({code(change.type)}): it destroys {change.destroys}"
            f"{because if change.replace_keys else ''}."
        )
    lines.append("> Back up first (`python -m ops.backup backup`) or change the PR so that it keeps them.")
    return lines


def overview(stacks: Sequence[StackPreview]) -> list[str]:
    rows = [
        [
            code(s.name),
            status(s),
            *(str(s.counts.get(op, 0)) for op in COUNTED),
            str(len(s.mandatory)),
        ]
        for s in stacks
    ]
    return table(["stack", "preview", *COUNTED, "mandatory violations"], rows, right_from=2)


def cost_overview(stacks: Sequence[StackPreview]) -> list[str]:
    rows = [[code(s.name), money(budget_of(s.new)), *cost_cells(s.baseline, s.new)] for s in stacks]
    totals: list[str] = []
    for pick in (deployed, maximum):
        before = total([amount(s.baseline, pick) for s in stacks])
        after = total([amount(s.new, pick) for s in stacks])
        totals += [money(before), money(after), signed(difference(after, before))]
    budget = total([budget_of(s.new) for s in stacks])
    if len(stacks) > 1:
        rows.append(["**total**", money(budget), *(f"**{c}**" for c in totals)])
    lines = [*table(["stack", "budget", *COST_HEADER], rows), ""]
    # Only what this PR declares: a stack whose program failed has no figure to hold against its budget.
    tops = [amount(s.new, maximum) if isinstance(s.new, Cost) else None for s in stacks]
    guards = [guardrail(code(s.name), top, budget_of(s.new)) for s, top in zip(stacks, tops, strict=True)]
    if len(stacks) > 1:
        guards.append(guardrail("all stacks", total(tops), budget))
    shown = [g for g in guards if g]
    notes = [f"- {code(s.name)} {side}: {value.reason}." for s in stacks for side, value in _missing(s)]
    return [*lines, *shown, *([""] if shown else []), *notes, *([""] if notes else [])]


def _missing(stack: StackPreview) -> list[tuple[str, Missing]]:
    return [
        (side, value)
        for side, value in (("baseline", stack.baseline), ("this PR", stack.new))
        if isinstance(value, Missing)
    ]


def _where(urn: str | None) -> str:
    return f" on {code(resource_name(urn))} ({code(resource_type(urn))})" if urn else ""


def why(stack: StackPreview) -> list[str]:
    if not stack.failed:
        return []
    reasons = []
    if stack.result is None:
        reasons.append("the event stream ends without the engine's summary: the preview did not finish")
    if stack.mandatory:
        reasons.append(f"{len(stack.mandatory)} mandatory policy violation(s), below")
    errors = [d for d in stack.diagnostics if d.severity == "error"]
    lines = [f"**Why it failed:** {'; '.join(reasons) or 'the engine reported errors'}."]
    if errors:
        lines += ["", "Errors from the engine:", ""]
        lines += _diagnostics(errors)
    return [*lines, ""]


def _diagnostics(diagnostics: Sequence[Diagnostic]) -> list[str]:
    lines: list[str] = []
    for diagnostic in diagnostics[:MAX_DIAGNOSTICS]:
        head = f"- {diagnostic.severity}{_where(diagnostic.urn)}:"
        if "\n" in diagnostic.message:
            lines += [head, *block(diagnostic.message, "  ")]
        else:
            lines.append(f"{head} {code(diagnostic.message)}")
    if len(diagnostics) > MAX_DIAGNOSTICS:
        lines.append(f"- … and {len(diagnostics) - MAX_DIAGNOSTICS} more in the job log")
    return lines


def changes(stack: StackPreview) -> list[str]:
    counts = ", ".join(f"{stack.counts.get(op, 0)} to {op}" for op in COUNTED)
    stopped = "Planned before the preview stopped: " if stack.result is None else ""
    lines = ["#### Resource changes", "", f"{stopped}{counts}; {stack.counts.get('same', 0)} unchanged.", ""]
    if stack.changes:
        rows = [
            [
                c.op,
                code(cell(c.name)),
                code(cell(c.type)),
                ", ".join(code(cell(k)) for k in c.replace_keys) or DASH,
                "🚨 **data loss**" if c.destroys else "",
            ]
            for c in stack.changes
        ]
        lines += [*table(["op", "resource", "type", "replaced because", ""], rows, right_from=5), ""]
    return lines


def _violation(violation: PolicyViolation) -> list[str]:
    head = f"- **{violation.level}** {code(violation.policy)}{_where(violation.urn)}"
    return [head, *block(violation.message, "  ")]


def policies(stack: StackPreview) -> list[str]:
    lines = ["#### Policy results", ""]
    if not stack.violations:
        return [*lines, "No policy reported anything.", ""]
    ordered = sorted(stack.violations, key=lambda v: (LEVEL_ORDER.get(v.level, 3), v.policy, v.urn))
    blocking = [v for v in ordered if v.level == MANDATORY]
    for violation in blocking:
        lines += _violation(violation)
    if not blocking:
        lines.append("No mandatory policy violated.")
    others = [v for v in ordered if v.level != MANDATORY]
    if others:
        levels = ", ".join(dict.fromkeys(v.level for v in others))
        # Folded: they block nothing, and the cost table the advisory policy prints is in the cost section too.
        lines += ["", f"<details><summary>{len(others)} non-blocking ({levels})</summary>", ""]
        for violation in others:
            lines += _violation(violation)
        lines += ["", "</details>"]
    return [*lines, ""]


def component_costs(stack: StackPreview) -> list[str]:
    sides = [side.components for side in (stack.baseline, stack.new) if isinstance(side, Cost)]
    components = list(dict.fromkeys(name for mapping in sides for name in mapping))
    if not components:
        return []
    rows = [[name, *cost_cells(stack.baseline, stack.new, name)] for name in components]
    rows.append(["**total**", *cost_cells(stack.baseline, stack.new)])
    return ["#### Cost by component (USD/month)", "", *table(["component", *COST_HEADER], rows), ""]


def warnings(stack: StackPreview) -> list[str]:
    shown = [d for d in stack.diagnostics if d.severity == "warning"]
    return ["#### Warnings", "", *_diagnostics(shown), ""] if shown else []


def stack_section(stack: StackPreview) -> list[str]:
    return [
        f"### {code(stack.name)}: {status(stack)}",
        "",
        *why(stack),
        *changes(stack),
        *policies(stack),
        *component_costs(stack),
        *warnings(stack),
    ]


def render(stacks: Sequence[StackPreview]) -> str:
    failed = [s.name for s in stacks if s.failed]
    headline = f"❌ failed: {', '.join(code(n) for n in failed)}" if failed else "✅ every preview succeeded"
    lines = [MARKER, f"## Infrastructure preview: {headline}", ""]
    for stack in stacks:
        if stack.data_loss:
            lines += [*data_loss_warning(stack), ""]
    lines += [*overview(stacks), "", "### Monthly cost (USD)", "", *cost_overview(stacks)]
    for stack in stacks:
        lines += stack_section(stack)
    return "\n".join(lines).rstrip() + "\n"
