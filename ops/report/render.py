"""The report as text (terminal), Markdown (pull-request comment) or JSON (machines)."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from typing import Any

from components import tokens
from cost.model import ComponentCost, Estimate, money, usd
from ops.report.collect import StackReport
from ops.report.pack import Diagnostic
from policies.converge_policies import cost_table

ICONS = {"pass": "✅", "fail": "❌", "warn": "⚠️", "remediated": "🔧", "disabled": "⏸️", "info": "ℹ️"}
# The cost table reaches the engine's output as an advisory violation; here it is the table above.
INFORMATIONAL = frozenset({cost_table.NAME})


def verdict(report: StackReport, policy: str) -> str:
    result = report.pack.verdict(policy)
    return "info" if policy in INFORMATIONAL and result == "warn" else result


# First line of the Markdown report, one per stack, so that CI can find and update each stack's comment.
MARKER = "<!-- converge-nps cost and policy report: {stack} -->"


def signed(amount: Decimal | None) -> str:
    if amount is None:
        return "-"
    return ("+" if amount > 0 else "-" if amount < 0 else "±") + f"${abs(amount):,.2f}"


def short_type(token: str) -> str:
    """`pulumi-python:dynamic/railway:Service` -> `railway:Service`; `github:index/x:X` -> `github:X`."""
    if token.startswith(tokens.DYNAMIC_PREFIX):
        return token.removeprefix(tokens.DYNAMIC_PREFIX)
    package, _, rest = token.partition(":")
    return f"{package}:{rest.rsplit(':', 1)[-1]}"


def _base_component(report: StackReport, name: str) -> ComponentCost | None:
    return report.base.estimate.component(name) if report.base else None


def rows(report: StackReport) -> list[dict[str, Any]]:
    """One row per component (head or base), then the total."""
    head = report.costing.estimate
    names = [c.label for c in head.components]
    if report.base:
        names += [c.label for c in report.base.estimate.components if c.label not in names]
    result = []
    for name in names:
        component, base = head.component(name), _base_component(report, name)
        monthly = component.monthly_usd if component else Decimal(0)
        result.append(
            {
                "component": name,
                "monthly": usd(monthly),
                "min": usd(component.min_usd) if component else None,
                "max": usd(component.max_usd) if component else None,
                "base": usd(base.monthly_usd if base else Decimal(0)) if report.base else None,
                "delta": usd(monthly - (base.monthly_usd if base else Decimal(0))) if report.base else None,
            }
        )
    base_total = report.base.estimate.monthly_usd if report.base else None
    result.append(
        {
            "component": "total",
            "monthly": head.monthly_usd,
            "min": head.min_usd,
            "max": head.max_usd,
            "base": base_total,
            "delta": usd(head.monthly_usd - base_total) if base_total is not None else None,
        }
    )
    return result


def _violations(report: StackReport, policy: str) -> list[Diagnostic]:
    return report.pack.of(policy)


def _where(diagnostic: Diagnostic) -> str:
    if diagnostic.name:
        return f"{short_type(diagnostic.resource_type or '')} {diagnostic.name}"
    return "stack"


def _headline(report: StackReport) -> str:
    estimate = report.costing.estimate
    text = f"{money(estimate.monthly_usd)}/month as deployed"
    if estimate.max_usd != estimate.monthly_usd:
        text += f" ({money(estimate.max_usd)} at maximum replicas)"
    text += f", budget {money(report.budget_usd)}"
    if report.base is not None:
        text += f", {signed(usd(estimate.monthly_usd - report.base.estimate.monthly_usd))} vs {report.base_label}"
    return text


def usage_limit_lines(report: StackReport) -> list[str]:
    """The workspace's Railway usage limit this stack sets, what it is sized from, and the headroom."""
    limit = report.usage_limit
    if limit is None:
        return ["Railway usage limit: set by another stack of the workspace"]
    stacks = ", ".join(f"{name} {money(amount)}" for name, amount in limit.railway_max_by_stack.items())
    return [
        f"Railway usage limit (whole workspace): hard {money(Decimal(limit.hard_usd))}, soft "
        f"{money(Decimal(limit.soft_usd))}",
        f"Railway at maximum replicas: {stacks}; together {money(limit.railway_max_usd)}",
        f"Headroom under the hard limit: {money(limit.headroom_usd)}",
    ]


def _policy_counts(report: StackReport) -> str:
    counts = Counter(verdict(report, p.name) for p in report.pack.policies)
    order = ("pass", "fail", "warn", "remediated", "disabled", "info")
    return ", ".join(f"{counts[v]} {v}" for v in order if counts[v])


def text(report: StackReport) -> str:
    estimate = report.costing.estimate
    out = [f"Converge-NPS stack {report.stack} ({'preview' if report.preview else 'update'})", ""]
    out.append(f"Monthly estimate: {_headline(report)}")
    out.append(f"Prices as of {estimate.prices_as_of} (cost/prices.yaml)")
    out += usage_limit_lines(report)
    out.append("")
    header = f"  {'component':<10} {'monthly':>11} {'min':>11} {'max':>11}"
    if report.base:
        header += f" {'base':>11} {'delta':>11}"
    out.append(header)
    for row in rows(report):
        line = f"  {row['component']:<10} {money(row['monthly']):>11} {money(row['min']):>11} {money(row['max']):>11}"
        if report.base:
            line += f" {money(row['base']):>11} {signed(row['delta']):>11}"
        out.append(line)
    for component in estimate.components:
        out.append(f"  {component.label}:")
        for charge in component.charges:
            out.append(
                f"    {charge.label:<40} {money(charge.amount_usd):>10}   ({charge.price}, {money(charge.unit_usd)}/"
                f"{charge.unit})"
            )
        out += [f"    note: {note}" for note in component.notes]
    out += [f"  note: {note}" for note in report.costing.notes]
    out.append("")
    out.append(f"Policies ({_policy_counts(report)}):")
    for policy in report.pack.policies:
        level = report.pack.config[policy.name].level
        out.append(f"  {verdict(report, policy.name).upper():<10} {policy.name} [{level}]")
        for diagnostic in _violations(report, policy.name):
            if policy.name in INFORMATIONAL:
                continue
            out.append(f"             {_where(diagnostic)}: {diagnostic.detail}")
        for remediation in report.pack.remediations:
            if remediation.policy == policy.name:
                out.append(
                    f"             {short_type(remediation.resource_type)} {remediation.name}: made secret "
                    f"{', '.join(remediation.changed)}"
                )
    out.append("")
    kinds = Counter(short_type(r.type) for r in report.resources)
    out.append(f"Resources ({len(report.resources)}):")
    out += [f"  {count:>3} x {kind}" for kind, count in sorted(kinds.items())]
    return "\n".join(out) + "\n"


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", "<br>")


def markdown(report: StackReport) -> str:
    estimate = report.costing.estimate
    failed = report.failed
    out = [
        MARKER.format(stack=report.stack),
        f"### {'❌' if failed else '✅'} Converge-NPS `{report.stack}`: {_headline(report)}",
        "",
    ]
    columns = ["Component", "Monthly", "Min replicas", "Max replicas"]
    if report.base:
        columns += [f"Base ({report.base_label})", "Δ"]
    out.append("| " + " | ".join(columns) + " |")
    out.append("|---|" + "---:|" * (len(columns) - 1))
    for row in rows(report):
        name = f"**{row['component']}**" if row["component"] == "total" else row["component"]
        cells = [name, money(row["monthly"]), money(row["min"]), money(row["max"])]
        if report.base:
            cells += [money(row["base"]), signed(row["delta"])]
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    out.append("<details><summary>How it is priced</summary>")
    out.append("")
    out.append("| Component | Charge | Amount | Unit price | Source (as of) |")
    out.append("|---|---|---:|---:|---|")
    for component in estimate.components:
        for charge in component.charges:
            out.append(
                f"| {component.component} | {_cell(charge.label)} | {money(charge.amount_usd)} | "
                f"{money(charge.unit_usd)}/{charge.unit} | {charge.source} ({charge.as_of}) |"
            )
    notes = [note for c in estimate.components for note in c.notes] + list(report.costing.notes)
    out += [""] + [f"- {_cell(note)}" for note in notes]
    out += ["", "</details>", ""]
    out += [f"- {line}" for line in usage_limit_lines(report)] + [""]
    out.append(f"#### Policies: {_policy_counts(report)}")
    out.append("")
    out.append("| Policy | Level | Verdict | Details |")
    out.append("|---|---|---|---|")
    for policy in report.pack.policies:
        result = verdict(report, policy.name)
        details = [
            f"{_where(d)}: {d.detail}" for d in _violations(report, policy.name) if policy.name not in INFORMATIONAL
        ]
        details += [
            f"{short_type(r.resource_type)} {r.name}: made secret {', '.join(r.changed)}"
            for r in report.pack.remediations
            if r.policy == policy.name
        ]
        out.append(
            f"| `{policy.name}` | {report.pack.config[policy.name].level} | {ICONS.get(result, '')} {result} | "
            f"{_cell('; '.join(details))} |"
        )
    out.append("")
    kinds = Counter(short_type(r.type) for r in report.resources)
    out.append(f"<details><summary>Resources ({len(report.resources)})</summary>")
    out.append("")
    out += [f"- {count} × `{kind}`" for kind, count in sorted(kinds.items())]
    out += ["", "</details>", ""]
    out.append(
        f"<sub>`python -m ops.report --stack {report.stack}` · {'preview' if report.preview else 'update'} run of "
        f"the program under mocks · prices as of {estimate.prices_as_of}</sub>"
    )
    return "\n".join(out) + "\n"


def as_json(report: StackReport) -> str:
    def estimate_json(estimate: Estimate) -> dict[str, Any]:
        return estimate.as_output()

    document: dict[str, Any] = {
        "stack": report.stack,
        "preview": report.preview,
        "failed": report.failed,
        "budgetUsd": float(report.budget_usd),
        "estimate": estimate_json(report.costing.estimate),
        "notes": list(report.costing.notes),
        "policies": [
            {
                "name": policy.name,
                "level": report.pack.config[policy.name].level,
                "verdict": verdict(report, policy.name),
                "violations": [
                    {"urn": d.urn, "type": d.resource_type, "name": d.name, "level": d.level, "message": d.detail}
                    for d in _violations(report, policy.name)
                ],
                "remediations": [
                    {"urn": r.urn, "type": r.resource_type, "name": r.name, "changed": list(r.changed)}
                    for r in report.pack.remediations
                    if r.policy == policy.name
                ],
            }
            for policy in report.pack.policies
        ],
        "resources": [{"urn": r.urn, "type": r.type, "name": r.name} for r in report.resources],
    }
    if report.base is not None:
        document["base"] = {
            "ref": report.base_label,
            "estimate": estimate_json(report.base.estimate),
            "notes": list(report.base.notes),
        }
        document["deltaMonthlyUsd"] = float(usd(report.costing.estimate.monthly_usd - report.base.estimate.monthly_usd))
    return json.dumps(document, indent=2) + "\n"


RENDERERS = {"text": text, "markdown": markdown, "json": as_json}
