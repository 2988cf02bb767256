"""The workflows pass actionlint (with shellcheck on every `run:` script); they and the Dependabot
configuration pass zizmor with no finding of medium severity or above; the project's shell scripts pass
shellcheck. Each linter is also shown a known-bad file, so a linter that silently checks nothing fails."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from offline.program import ROOT

# The application repository's workflow template is held to the same standard as the workflows here.
WORKFLOWS = [
    *sorted((ROOT / ".github" / "workflows").glob("*.yml")),
    ROOT / "docs" / "app-repository" / "backend-image.yml",
]
DEPENDABOT = ROOT / ".github" / "dependabot.yml"
SCRIPTS = sorted((ROOT / "scripts").rglob("*.sh"))
# zizmor's severities, lowest first; the gate is "medium or above".
GATE = {"Medium", "High"}

BAD_WORKFLOW = """\
on: pull_request
permissions: {}
jobs:
  x:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
      - run: echo "${{ github.event.pull_request.title }}" $UNQUOTED
"""


def shellcheck() -> str:
    found = shutil.which("shellcheck")
    if found is None:
        pytest.fail("shellcheck is missing: scripts/setup.sh installs it (Debian package shellcheck)")
    return found


@pytest.fixture(scope="session")
def actionlint() -> str:
    built = subprocess.run([str(ROOT / "scripts" / "build-actionlint.sh")], capture_output=True, text=True, check=False)
    if built.returncode != 0:
        pytest.fail(f"scripts/build-actionlint.sh failed (it needs go):\n{built.stderr}")
    return str(Path(built.stdout.strip().splitlines()[-1]) / "actionlint")


def zizmor() -> str:
    found = Path(sys.executable).parent / "zizmor"
    if not found.exists():
        pytest.fail("zizmor is missing: scripts/setup.sh installs it from requirements-dev.txt")
    return str(found)


def run_actionlint(actionlint: str, *paths: Path) -> subprocess.CompletedProcess[str]:
    command = [actionlint, "-no-color", "-oneline", "-shellcheck", shellcheck(), *map(str, paths)]
    return subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)


def zizmor_findings(*paths: Path) -> list[dict[str, object]]:
    # --offline: the audits that ask GitHub's API need a token and the network; the rest run here and in CI.
    result = subprocess.run(
        [zizmor(), "--offline", "--no-progress", "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip(), result.stderr
    findings: list[dict[str, object]] = json.loads(result.stdout)
    return findings


def severity(finding: dict[str, object]) -> str:
    determinations = finding["determinations"]
    assert isinstance(determinations, dict)
    return str(determinations["severity"])


def test_there_are_workflows_and_scripts_to_lint() -> None:
    assert {p.name for p in WORKFLOWS} >= {"infrastructure.yml", "backup.yml", "drift.yml", "backend-image.yml"}
    assert ROOT / "scripts" / "setup.sh" in SCRIPTS


def test_actionlint_and_shellcheck_find_nothing_in_the_workflows(actionlint: str) -> None:
    result = run_actionlint(actionlint, *WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_runs_shellcheck_on_run_scripts(actionlint: str, tmp_path: Path) -> None:
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(BAD_WORKFLOW)
    result = run_actionlint(actionlint, bad)
    assert result.returncode == 1
    assert "SC2086" in result.stdout  # from shellcheck, through actionlint


def test_zizmor_finds_nothing_of_medium_severity_or_above() -> None:
    findings = zizmor_findings(*WORKFLOWS, DEPENDABOT)
    gated = [f"{f['ident']} ({severity(f)}): {f['desc']}" for f in findings if severity(f) in GATE]
    assert gated == []


def test_zizmor_catches_unpinned_actions_and_template_injection(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(BAD_WORKFLOW)
    found = {str(f["ident"]) for f in zizmor_findings(bad) if severity(f) in GATE}
    assert {"unpinned-uses", "template-injection", "artipacked"} <= found


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_shellcheck_clean(script: Path) -> None:
    result = subprocess.run(
        [shellcheck(), "--external-sources", str(script)], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr
