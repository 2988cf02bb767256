"""`python -m ops.report`: the cost and policy report of a stack, its formats, `--base` and exit status."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from cost.model import Estimate, money
from cost.stack import estimate, sizes_from_settings
from cost.usage_limit import workspace_limit
from offline.program import ROOT
from ops.report.__main__ import main
from settings.stackfile import read_stack_file
from tests.cost.test_model import settings_of

COPY_IGNORE = shutil.ignore_patterns(
    ".venv", ".git", ".mypy_cache", ".ruff_cache", ".hypothesis", "__pycache__", "tools"
)


def report(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def model_estimate(stack: str, overrides: dict[str, Any] | None = None) -> Estimate:
    """What the cost model says the stack's own settings cost: the figures every report must show."""
    return estimate(sizes_from_settings(settings_of(stack, overrides)))


def figures(amounts: tuple[Decimal, ...], separator: str) -> str:
    """A row's dollar cells as a pattern: `separator` between them (spaces in text, a pipe in Markdown)."""
    return separator.join(re.escape(money(amount)) for amount in amounts)


def test_text_report_of_prod(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = report(capsys, "--stack", "prod")
    result, budget = model_estimate("prod"), settings_of("prod").budget.monthly_usd
    at_max = f" ({money(result.max_usd)} at maximum replicas)" if result.max_usd != result.monthly_usd else ""
    assert status == 0
    assert f"Monthly estimate: {money(result.monthly_usd)}/month as deployed{at_max}, budget {money(budget)}" in out
    backend = result.component("backend")
    assert backend is not None
    cells = (backend.monthly_usd, backend.min_usd, backend.max_usd)
    assert re.search(r"^  backend\s+" + figures(cells, r"\s+") + "$", out, re.MULTILINE), out
    assert all(charge.label in out for charge in backend.charges)
    assert "PASS       spending-cap [mandatory]" in out
    assert "INFO       cost-estimate [advisory]" in out
    assert "x railway:Service" in out
    # Prod sets the workspace's usage limit: every stack at maximum replicas on Railway, and what is left.
    limit = workspace_limit(settings_of("prod"))
    at_max = limit.railway_max_by_stack
    assert f"Railway usage limit (whole workspace): hard {money(limit.hard_usd)}, soft {money(limit.soft_usd)}" in out
    assert (
        f"Railway at maximum replicas: prod {money(at_max['prod'])}, dev {money(at_max['dev'])}, "
        f"staging {money(at_max['staging'])}; together {money(limit.railway_max_usd)}"
    ) in out
    assert f"Headroom under the hard limit: {money(limit.headroom_usd)}" in out


def test_markdown_report_is_a_pr_comment(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = report(capsys, "--stack", "staging", "--format", "markdown")
    assert "- Railway usage limit: set by another stack of the workspace" in out
    assert status == 0
    result = model_estimate("staging")
    backend = result.component("backend")
    assert backend is not None
    assert out.startswith(
        "<!-- converge-nps cost and policy report: staging -->\n"
        f"### ✅ Converge-NPS `staging`: {money(result.monthly_usd)}/month"
    )
    assert f"| backend | {money(backend.monthly_usd)} | {money(backend.min_usd)} | {money(backend.max_usd)} |" in out
    assert "| `tls-in-transit` | mandatory | ✅ pass |" in out
    assert "<details><summary>How it is priced</summary>" in out


def test_json_report(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = report(capsys, "--stack", "dev", "--format", "json")
    document = json.loads(out)
    assert status == 0
    assert document["failed"] is False
    assert document["budgetUsd"] == settings_of("dev").budget.monthly_usd
    expected = model_estimate("dev").as_output()
    assert document["estimate"]["monthlyUsd"] == expected["monthlyUsd"]
    assert {c: v["monthlyUsd"] for c, v in document["estimate"]["components"].items()} == {
        c: v["monthlyUsd"] for c, v in expected["components"].items()
    }
    assert {p["name"]: p["verdict"] for p in document["policies"]}["cost-estimate"] == "info"
    assert len(document["resources"]) > 30


def test_a_mandatory_violation_exits_1_and_still_reports(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # A one-cent ceiling for the hard limit fails whatever prod's stack file says: its Railway usage limit,
    # at its budget, is above it, or it declares none.
    config = json.loads((ROOT / "policies/config/prod.json").read_text())
    config["spending-cap"] = {"hardLimit": "required", "hardLimitCeilingUsd": 0.01}
    path = tmp_path / "prod.json"
    path.write_text(json.dumps(config))
    status, out, _ = report(capsys, "--stack", "prod", "--config", str(path), "--format", "markdown")
    settings_ = settings_of("prod")
    expected = (
        "is above the $0.01 it must cap"
        if settings_.railway.set_usage_limit
        else "stack: no Railway usage limit is declared"
    )
    assert status == 1
    assert f"### ❌ Converge-NPS `prod`: {money(model_estimate('prod').monthly_usd)}/month" in out
    [row] = [line for line in out.splitlines() if line.startswith("| `spending-cap` |")]
    assert row.startswith("| `spending-cap` | mandatory | ❌ fail | ") and expected in row, row


def test_an_invalid_config_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"spending-cap": {"estimateAt": 5}}))
    status, out, err = report(capsys, "--stack", "dev", "--config", str(path))
    assert (status, out) == (2, "")
    assert "spending-cap: estimateAt: 5 is not of type 'string'" in err


def cheaper_backend() -> dict[str, Any]:
    """Prod's backend as committed, with half the vCPU per replica."""
    backend = dict(read_stack_file(ROOT / "Pulumi.prod.yaml")["converge-nps:backend"])
    backend["vcpuPerReplica"] = backend["vcpuPerReplica"] / 2
    return backend


@pytest.fixture(scope="module")
def cheaper_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A checkout of this tree whose prod backend has half the vCPU per replica."""
    base = tmp_path_factory.mktemp("base") / "tree"
    shutil.copytree(ROOT, base, ignore=COPY_IGNORE)
    stack_file = base / "Pulumi.prod.yaml"
    document = yaml.safe_load(stack_file.read_text())
    document["config"]["converge-nps:backend"] = cheaper_backend()
    stack_file.write_text(yaml.safe_dump(document))
    return base


def base_and_delta() -> tuple[Estimate, Estimate, Decimal]:
    head, base = model_estimate("prod"), model_estimate("prod", {"converge-nps:backend": cheaper_backend()})
    delta = head.monthly_usd - base.monthly_usd
    assert delta > 0  # half the vCPU is cheaper whatever prod's sizes are
    return head, base, delta


def test_base_directory_shows_the_monthly_delta(capsys: pytest.CaptureFixture[str], cheaper_base: Path) -> None:
    status, out, _ = report(capsys, "--stack", "prod", "--format", "markdown", "--base", str(cheaper_base))
    head, base, delta = base_and_delta()
    assert status == 0
    assert f"+{money(delta)} vs {cheaper_base}" in out.splitlines()[1]
    for name, change in (("backend", f"+{money(delta)}"), ("redis", "±$0.00")):
        ours, theirs = head.component(name), base.component(name)
        assert ours is not None and theirs is not None
        cells = (ours.monthly_usd, ours.min_usd, ours.max_usd, theirs.monthly_usd)
        assert f"| {name} | {' | '.join(money(c) for c in cells)} | {change} |" in out


def test_base_delta_in_json(capsys: pytest.CaptureFixture[str], cheaper_base: Path) -> None:
    _, out, _ = report(capsys, "--stack", "prod", "--format", "json", "--base", str(cheaper_base))
    _, base, delta = base_and_delta()
    document = json.loads(out)
    assert document["deltaMonthlyUsd"] == float(delta)
    assert document["base"]["estimate"]["monthlyUsd"] == float(base.monthly_usd)


def test_base_git_ref(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = report(capsys, "--stack", "dev", "--base", "HEAD")
    assert status in (0, 1), err
    assert "vs HEAD" in out.splitlines()[2]
    assert "      base       delta" in out


def test_an_unknown_base_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = report(capsys, "--stack", "dev", "--base", "no-such-ref-anywhere")
    assert (status, out) == (2, "")
    assert "'no-such-ref-anywhere' is neither a directory nor a git ref" in err


def test_the_command_runs_as_a_module() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ops.report", "--stack", "dev", "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["stack"] == "dev"
