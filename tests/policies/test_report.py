"""`python -m ops.report`: the cost and policy report of a stack, its formats, `--base` and exit status."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cost.model import Estimate, money
from cost.stack import estimate, sizes_from_settings
from cost.usage_limit import workspace_limit
from offline.program import ROOT
from ops.report.__main__ import main
from tests.cost.test_model import settings_of

COPY_IGNORE = shutil.ignore_patterns(
    ".venv", ".git", ".mypy_cache", ".ruff_cache", ".hypothesis", "__pycache__", "tools"
)


def report(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def model_estimate(stack: str) -> Estimate:
    return estimate(sizes_from_settings(settings_of(stack)))


def test_text_report_of_prod(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = report(capsys, "--stack", "prod")
    expected = model_estimate("prod")
    budget = settings_of("prod").budget.monthly_usd
    assert status == 0
    assert (
        f"Monthly estimate: {money(expected.monthly_usd)}/month as deployed ({money(expected.max_usd)} at maximum "
        f"replicas), budget {money(budget)}"
    ) in out
    assert "  backend        $100.00     $100.00     $250.00" in out
    assert "2 x 2 vCPU" in out
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
    assert out.startswith(
        "<!-- converge-nps cost and policy report: staging -->\n### ✅ Converge-NPS `staging`: "
        f"{money(model_estimate('staging').monthly_usd)}/month"
    )
    assert "| backend | $30.00 | $30.00 | $60.00 |" in out
    assert "| `tls-in-transit` | mandatory | ✅ pass |" in out
    assert "<details><summary>How it is priced</summary>" in out


def test_json_report(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = report(capsys, "--stack", "dev", "--format", "json")
    document = json.loads(out)
    assert status == 0
    assert document["failed"] is False
    expected = model_estimate("dev")
    assert document["budgetUsd"] == settings_of("dev").budget.monthly_usd
    assert document["estimate"]["monthlyUsd"] == float(expected.monthly_usd)
    assert {c: v["monthlyUsd"] for c, v in document["estimate"]["components"].items()} == {
        c.component: float(c.monthly_usd) for c in expected.components
    }
    assert {p["name"]: p["verdict"] for p in document["policies"]}["cost-estimate"] == "info"
    assert len(document["resources"]) > 30


def test_a_mandatory_violation_exits_1_and_still_reports(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = json.loads((ROOT / "policies/config/prod.json").read_text())
    config["spending-cap"] = {"estimateAt": "max"}
    path = tmp_path / "prod.json"
    path.write_text(json.dumps(config))
    status, out, _ = report(capsys, "--stack", "prod", "--config", str(path), "--format", "markdown")
    assert status == 1
    assert "### ❌ Converge-NPS `prod`" in out
    at_max = money(model_estimate("prod").max_usd)
    verdict = f"| `spending-cap` | mandatory | ❌ fail | stack: estimated {at_max}/month at maximum replicas exceeds"
    assert verdict in out


def test_an_invalid_config_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"spending-cap": {"estimateAt": 5}}))
    status, out, err = report(capsys, "--stack", "dev", "--config", str(path))
    assert (status, out) == (2, "")
    assert "spending-cap: estimateAt: 5 is not of type 'string'" in err


@pytest.fixture(scope="module")
def cheaper_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A checkout of this tree whose prod backend has 1 vCPU per replica instead of 2."""
    base = tmp_path_factory.mktemp("base") / "tree"
    shutil.copytree(ROOT, base, ignore=COPY_IGNORE)
    stack_file = base / "Pulumi.prod.yaml"
    document = yaml.safe_load(stack_file.read_text())
    document["config"]["converge-nps:backend"]["vcpuPerReplica"] = 1
    stack_file.write_text(yaml.safe_dump(document))
    return base


def test_base_directory_shows_the_monthly_delta(capsys: pytest.CaptureFixture[str], cheaper_base: Path) -> None:
    status, out, _ = report(capsys, "--stack", "prod", "--format", "markdown", "--base", str(cheaper_base))
    assert status == 0
    assert f"+$40.00 vs {cheaper_base}" in out.splitlines()[1]
    assert "| backend | $100.00 | $100.00 | $250.00 | $60.00 | +$40.00 |" in out
    assert "| redis | $10.15 | $10.15 | $10.15 | $10.15 | ±$0.00 |" in out


def test_base_delta_in_json(capsys: pytest.CaptureFixture[str], cheaper_base: Path) -> None:
    _, out, _ = report(capsys, "--stack", "prod", "--format", "json", "--base", str(cheaper_base))
    document = json.loads(out)
    assert document["deltaMonthlyUsd"] == 40.0
    assert document["base"]["estimate"]["monthlyUsd"] == pytest.approx(document["estimate"]["monthlyUsd"] - 40)


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
