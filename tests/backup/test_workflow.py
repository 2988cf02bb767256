"""The backup workflow: its schedules, the event-mode gate (run for real in bash) and the commands it calls."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from ops.backup.cli import build_parser
from settings.model import BackupSettings

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "backup.yml"
WEEKLY = BackupSettings.model_fields["weekly_cron"].default
HOURLY = BackupSettings.model_fields["event_cron"].default


@pytest.fixture(scope="module")
def workflow() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text())
    assert isinstance(data, dict)
    return data


def crons(workflow: dict[Any, Any]) -> list[str]:
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    return [entry["cron"] for entry in triggers["schedule"]]


def test_schedules_match_the_stack_settings(workflow: dict[Any, Any]) -> None:
    weekly, hourly, monthly = crons(workflow)
    assert (weekly, hourly) == (WEEKLY, HOURLY)
    assert monthly.split()[2:] == ["1", "*", "*"]  # once a month
    assert monthly not in (WEEKLY, HOURLY)
    assert f"github.event.schedule != '{monthly}'" in workflow["jobs"]["backup"]["if"]
    assert f"github.event.schedule == '{monthly}'" in workflow["jobs"]["drill"]["if"]


def gate_script(workflow: dict[Any, Any]) -> str:
    steps = workflow["jobs"]["backup"]["steps"]
    gate = next(step for step in steps if step.get("id") == "gate")
    assert "vars.EVENT_MODE" in gate["env"]["EVENT_MODE"]
    return str(gate["run"])


@pytest.mark.parametrize(
    ("event", "schedule", "event_mode", "wanted", "stack", "runs"),
    [
        ("schedule", WEEKLY, "false", "", "prod", True),
        ("schedule", WEEKLY, "", "", "staging", True),
        ("schedule", HOURLY, "true", "", "prod", True),
        ("schedule", HOURLY, "false", "", "prod", False),
        ("schedule", HOURLY, "", "", "staging", False),
        ("schedule", HOURLY, "TRUE ", "", "prod", False),
        ("workflow_dispatch", "", "false", "prod", "prod", True),
        ("workflow_dispatch", "", "true", "prod", "staging", False),
    ],
)
def test_event_mode_gate(
    workflow: dict[Any, Any], tmp_path: Path, event: str, schedule: str, event_mode: str, wanted: str, stack: str,
    runs: bool,
) -> None:  # fmt: skip
    output, summary = tmp_path / "output", tmp_path / "summary"
    env = {
        "PATH": "/usr/bin:/bin",
        "EVENT_NAME": event,
        "SCHEDULE": schedule,
        "EVENT_MODE": event_mode,
        "WANTED_STACK": wanted,
        "BACKUP_STACK": stack,
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    subprocess.run(["bash", "-e", "-c", gate_script(workflow)], env=env, check=True, capture_output=True)
    assert output.read_text().strip() == f"run={'true' if runs else 'false'}"


def test_every_tool_command_in_the_workflow_parses(workflow: dict[Any, Any]) -> None:
    parser = build_parser()
    seen = set()
    for job in workflow["jobs"].values():
        for index, step in enumerate(job["steps"]):
            for line in str(step.get("run", "")).splitlines():
                if "python -m ops.backup" not in line:
                    continue
                words = shlex.split(line.split("python -m ops.backup", 1)[1].split(")")[0].split(">")[0])
                args = parser.parse_args(words)
                seen.add(args.command)
                # What the command needs from the environment is set on the job.
                assert {"BACKUP_STACK", "BACKUP_S3_BUCKET", "AWS_REGION"} <= set(job["env"])
                # AWS credentials: an earlier step assumes the environment's role (OIDC), no stored keys.
                assert any(
                    str(earlier.get("uses", "")).startswith("aws-actions/configure-aws-credentials@")
                    and earlier["with"]["role-to-assume"] == "${{ vars.BACKUP_AWS_ROLE_ARN }}"
                    for earlier in job["steps"][:index]
                )
                if args.command == "backup":
                    assert "DATABASE_URL" in job["env"]
                if args.command == "drill":
                    assert "DRILL_SCRATCH_URL" in job["env"]
                    assert job["services"]["scratch"]["image"].startswith("postgres:")
    assert seen == {"backup", "drill"}


def test_retention_is_not_restated_in_the_workflow() -> None:
    text = WORKFLOW.read_text()
    assert "ops/backup/policy.py" in text
    for word in ("--keep", "daily=", "weekly="):
        assert word not in text
