"""One stack's preview, from its event stream: the changes, the policy results, the cost before and after, and
whether (and why) it failed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from components.tokens import RAILWAY_VOLUME, SUPABASE_PROJECT
from ops.comment.events import SECRET, Diagnostic, Event, Outputs, PolicyViolation, Step, Summary

STACK_TYPE = "pulumi:pulumi:Stack"
# The engine's logical operations, in the order the comment counts them; the steps of a replacement
# (create-replacement, delete-replaced) belong to its `replace`.
COUNTED = ("create", "update", "replace", "delete")
LISTED = frozenset({"replace", "delete"})
# What a replacement or deletion of these resources destroys.
DATA_BEARING = {
    SUPABASE_PROJECT: "the Supabase project, i.e. the PostgreSQL database with all its data",
    RAILWAY_VOLUME: "the Redis volume, i.e. Redis's RDB and AOF files",
}
SHOWN_SEVERITIES = frozenset({"error", "warning"})
# The engine's closing error when the program ran to its end and only policies failed the preview.
POLICY_FAILURE = "preview failed"
MANDATORY = "mandatory"


@dataclass(frozen=True)
class Change:
    """A replacement or deletion, named as in its URN."""

    op: str
    name: str
    type: str
    replace_keys: tuple[str, ...]

    @property
    def destroys(self) -> str | None:
        return DATA_BEARING.get(self.type)


@dataclass(frozen=True)
class Figures:
    deployed: Decimal  # at the deployed replicas (`monthlyUsd`)
    maximum: Decimal  # at the maximum replicas (`maxUsd`)


@dataclass(frozen=True)
class Cost:
    """The `costEstimate` and `budgetMonthlyUsd` outputs of one side of the preview."""

    total: Figures
    components: Mapping[str, Figures]
    budget: Decimal | None


@dataclass(frozen=True)
class Missing:
    """Why one side has no cost; `nothing_deployed` makes it zero (a new stack spends nothing yet)."""

    reason: str
    nothing_deployed: bool = False


Side = Cost | Missing


def _usd(value: Any) -> Decimal | None:
    # str() keeps the cents the program rounded to; bool is an int but never an amount.
    return Decimal(str(value)) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _figures(document: Any) -> Figures | None:
    if not isinstance(document, Mapping):
        return None
    deployed, maximum = _usd(document.get("monthlyUsd")), _usd(document.get("maxUsd"))
    return None if deployed is None or maximum is None else Figures(deployed, maximum)


def cost_of(outputs: Mapping[str, Any]) -> Side:
    """The cost a stack's outputs declare, or why they declare none."""
    estimate = outputs.get("costEstimate")
    total = _figures(estimate)
    if total is None or not isinstance(estimate, Mapping):
        state = "is secret" if estimate == SECRET else "is missing" if estimate is None else "is malformed"
        return Missing(f"the `costEstimate` output {state}")
    parts = estimate.get("components")
    components = {
        name: figures
        for name, figures in ((str(n), _figures(p)) for n, p in (parts.items() if isinstance(parts, Mapping) else ()))
        if figures is not None
    }
    return Cost(total=total, components=components, budget=_usd(outputs.get("budgetMonthlyUsd")))


@dataclass(frozen=True)
class StackPreview:
    name: str
    counts: Mapping[str, int]  # op -> resources, `same` included
    changes: tuple[Change, ...]  # replacements and deletions
    violations: tuple[PolicyViolation, ...]
    diagnostics: tuple[Diagnostic, ...]  # errors and warnings
    result: str | None  # the summary's result; None when the stream has no summary (the preview did not finish)
    baseline: Side  # what is deployed
    new: Side  # what this change declares

    @property
    def failed(self) -> bool:
        return self.result != "succeeded"

    @property
    def mandatory(self) -> tuple[PolicyViolation, ...]:
        return tuple(v for v in self.violations if v.level == MANDATORY)

    @property
    def data_loss(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.destroys)


def resource_name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def resource_type(urn: str) -> str:
    """The type in a URN (`urn:pulumi:<stack>::<project>::<parent types $-joined>$<type>::<name>`)."""
    parts = urn.split("::")
    return parts[-2].rsplit("$", 1)[-1] if len(parts) >= 4 else ""


def _ran_to_the_end(result: str | None, violations: Sequence[PolicyViolation], errors: Sequence[str]) -> bool:
    """Whether the program and the engine finished, so that the Stack's new outputs are the program's: a preview
    that fails on an error leaves the deployed outputs in their place."""
    if result == "succeeded":
        return True
    policy_only = all(message == POLICY_FAILURE for message in errors)
    return result == "failed" and policy_only and any(v.level == MANDATORY for v in violations)


def build(name: str, events: Iterable[Event], log_errors: Sequence[str] = ()) -> StackPreview:
    """`log_errors`: the error lines the CLI wrote to stderr (an engine that fails before it starts streams
    nothing)."""
    steps: list[Step] = []
    violations: list[PolicyViolation] = []
    diagnostics: list[Diagnostic] = []
    stack_outputs: Outputs | None = None
    summary: Summary | None = None
    for event in events:
        if isinstance(event, Step):
            steps.append(event)
        elif isinstance(event, Outputs) and event.type == STACK_TYPE:
            stack_outputs = event  # the last one carries what the program exported
        elif isinstance(event, PolicyViolation):
            violations.append(event)
        elif isinstance(event, Diagnostic) and event.severity in SHOWN_SEVERITIES:
            diagnostics.append(Diagnostic(event.severity, event.message.strip(), event.urn))
        elif isinstance(event, Summary):
            summary = event
    diagnostics += [Diagnostic("error", line, None) for line in log_errors]
    result = summary.result if summary else None
    errors = [d.message for d in diagnostics if d.severity == "error"]

    counts = Counter(step.op for step in steps if step.op in (*COUNTED, "same"))
    changes = tuple(
        Change(step.op, resource_name(step.urn), step.type, step.replace_keys) for step in steps if step.op in LISTED
    )
    baseline: Side
    new: Side
    if stack_outputs is None:
        baseline = new = Missing("the preview stopped before it read the stack's outputs")
    else:
        if stack_outputs.old is None:
            baseline = Missing("new stack: nothing deployed", nothing_deployed=True)
        else:
            baseline = cost_of(stack_outputs.old)
        if not _ran_to_the_end(result, violations, errors):
            new = Missing("the preview failed before the stack's new outputs were final")
        else:
            new = cost_of(stack_outputs.new or {})
    return StackPreview(
        name=name,
        counts=dict(counts),
        changes=changes,
        violations=tuple(violations),
        diagnostics=tuple(diagnostics),
        result=result,
        baseline=baseline,
        new=new,
    )
