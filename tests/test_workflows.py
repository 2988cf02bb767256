"""The CI workflow agrees with the stack files: which branch deploys which stack, in which environment."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from offline.program import ROOT
from settings import load_stack_settings
from settings.stacks import STACKS
from tests.doubles import stack_config

WORKFLOW = ROOT / ".github" / "workflows" / "infrastructure.yml"


def evaluate_ternary(expression: str, ref_name: str) -> str:
    """Evaluate the `a == 'x' && 'y' || ...` chains the workflow uses to pick a stack or an environment."""
    for branch, value in re.findall(r"github\.ref_name == '([^']+)' && '([^']+)'", expression):
        if ref_name == branch:
            return value
    return re.findall(r"\|\| '([^']+)' }}$", expression.strip())[0]


def test_each_deploy_branch_deploys_its_own_stack_into_its_own_environment() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    deploy = workflow["jobs"]["deploy"]
    triggers = workflow[True]["push"]["branches"]  # PyYAML reads the key `on` as True
    for stack in STACKS:
        settings = load_stack_settings(stack, stack_config(stack), {})
        assert settings.deploy_branch in triggers
        assert evaluate_ternary(deploy["env"]["STACK"], settings.deploy_branch) == stack
        assert evaluate_ternary(deploy["environment"], settings.deploy_branch) == settings.environment


def test_pull_requests_preview_every_stack_with_the_policy_pack() -> None:
    preview = yaml.safe_load(WORKFLOW.read_text())["jobs"]["preview"]
    assert preview["strategy"]["matrix"]["stack"] == list(STACKS)
    assert preview["env"]["STACK"] == "${{ matrix.stack }}"
    commands = "\n".join(step.get("run", "") for step in preview["steps"])
    assert "--policy-pack policies" in commands
    assert '--policy-pack-config "policies/config/$STACK.json"' in commands


def test_scheduled_backups_run_for_exactly_the_stacks_that_ask_for_them() -> None:
    backup = yaml.safe_load((ROOT / ".github" / "workflows" / "backup.yml").read_text())["jobs"]["backup"]
    scheduled = {
        stack: f"{settings.environment}-backups"
        for stack in STACKS
        if (settings := load_stack_settings(stack, stack_config(stack), {})).backups.scheduled
    }
    matrix = {entry["stack"]: entry["environment"] for entry in backup["strategy"]["matrix"]["include"]}
    assert matrix == scheduled


# --- hardening ---------------------------------------------------------------------------------------

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
PINNED_USES = re.compile(r"^\s*(?:-\s+)?uses:\s+[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict)
    return data


def steps(path: Path) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    return [(name, job, step) for name, job in load(path)["jobs"].items() for step in job["steps"]]


def requirement_pin(path: Path, package: str) -> str:
    pins = re.findall(rf"^{re.escape(package)}==(\S+)$", path.read_text(), flags=re.MULTILINE)
    assert len(pins) == 1, f"{path}: {pins}"
    return str(pins[0])


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned_by_commit_with_their_version(workflow: Path) -> None:
    lines = [line for line in workflow.read_text().splitlines() if re.match(r"^\s*(-\s+)?uses:", line)]
    assert lines
    assert [line for line in lines if not PINNED_USES.match(line)] == []


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_no_expression_is_spliced_into_a_script(workflow: Path) -> None:
    scripts = [(name, step["run"]) for name, _, step in steps(workflow) if "run" in step]
    assert scripts
    assert [(name, script) for name, script in scripts if "${{" in script] == []


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_checkouts_keep_no_credentials(workflow: Path) -> None:
    checkouts = [step for _, _, step in steps(workflow) if str(step.get("uses", "")).startswith("actions/checkout@")]
    assert checkouts
    assert all(step["with"]["persist-credentials"] is False for step in checkouts)


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_permissions_are_granted_per_job(workflow: Path) -> None:
    data = load(workflow)
    assert data["permissions"] == {}
    for name, job in data["jobs"].items():
        assert job["permissions"]["contents"] == "read", name
        writes = {scope for scope, level in job["permissions"].items() if level == "write"}
        assert writes <= {"pull-requests", "id-token"}, name


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_aws_is_reached_through_an_oidc_role_not_stored_keys(workflow: Path) -> None:
    assert "AWS_ACCESS_KEY_ID" not in workflow.read_text()
    assert "AWS_SECRET_ACCESS_KEY" not in workflow.read_text()
    for name, job, step in steps(workflow):
        if str(step.get("uses", "")).startswith("aws-actions/configure-aws-credentials@"):
            assert step["with"]["role-to-assume"].startswith("${{ vars."), name
            assert job["permissions"]["id-token"] == "write", name


def test_previews_hold_no_credential_that_can_change_anything() -> None:
    preview = load(WORKFLOW)["jobs"]["preview"]
    secrets = {key: value for key, value in preview["env"].items() if "secrets." in str(value)}
    assert secrets == {
        "PULUMI_CONFIG_PASSPHRASE": "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
        "GITHUB_TOKEN": "${{ secrets.INFRA_GITHUB_READ_TOKEN }}",
    }
    roles = [s["with"]["role-to-assume"] for s in preview["steps"] if "configure-aws-credentials" in s.get("uses", "")]
    assert roles == ["${{ vars.AWS_PREVIEW_ROLE_ARN }}"]
    step_secrets = [step for step in preview["steps"] if "secrets." in yaml.safe_dump(step)]
    assert step_secrets == []


def test_the_pulumi_cli_installed_in_ci_is_the_sdks_version() -> None:
    sdk = requirement_pin(ROOT / "requirements.txt", "pulumi")
    assert requirement_pin(ROOT / "policies" / "requirements.txt", "pulumi") == sdk
    installs = [step for _, _, step in steps(WORKFLOW) if str(step.get("uses", "")).startswith("pulumi/actions@")]
    assert len(installs) == 3
    assert {str(step["with"]["pulumi-version"]) for step in installs} == {sdk}


# --- the scripts the preview job runs ----------------------------------------------------------------


def fake_command(directory: Path, name: str, body: str) -> None:
    path = directory / name
    path.write_text(f"#!/usr/bin/env bash\n{body}\n")
    path.chmod(0o755)


@pytest.mark.parametrize(
    ("existing", "write"),
    [("", "POST 7 --repo o/r --body-file {report}"), ("4242\n", "PATCH 4242 body=@{report}")],
    ids=["first-push", "later-push"],
)
def test_the_report_comment_is_created_once_then_updated(tmp_path: Path, existing: str, write: str) -> None:
    bin_dir, log = tmp_path / "bin", tmp_path / "gh.log"
    bin_dir.mkdir()
    # A stand-in for gh: answers the comment listing with `existing` and records what is written.
    fake_command(
        bin_dir,
        "gh",
        f"""case "$1 $2" in
  "api repos/o/r/issues/7/comments") printf '%s' "$EXISTING"; echo "LIST $MARKER" >> {log} ;;
  "api -X") echo "PATCH ${{4##*/}} $6" >> {log} ;;
  "pr comment") echo "POST $3 $4 $5 $6 $7" >> {log} ;;
  *) echo "unexpected: $*" >&2; exit 1 ;;
esac""",
    )
    report = tmp_path / "report.md"
    report.write_text("<!-- converge-nps cost and policy report: prod -->\n")
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "GITHUB_REPOSITORY": "o/r", "GH_TOKEN": "t", "EXISTING": existing}
    script = ROOT / "scripts" / "ci" / "pr-comment.sh"
    subprocess.run([str(script), "prod", "7", str(report)], env=env, check=True, capture_output=True, text=True)
    assert log.read_text().splitlines() == [
        "LIST <!-- converge-nps cost and policy report: prod -->",
        write.format(report=report),
    ]


@pytest.mark.parametrize("status", [0, 1])
def test_the_report_step_records_the_reports_status_and_succeeds(tmp_path: Path, status: int) -> None:
    project = tmp_path / "project"
    (project / "scripts" / "ci").mkdir(parents=True)
    (project / ".venv" / "bin").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "ci" / "cost-report.sh", project / "scripts" / "ci")
    fake_command(project / ".venv" / "bin", "python", f'echo "report $*"; exit {status}')
    output = tmp_path / "github-output"
    result = subprocess.run(
        [str(project / "scripts" / "ci" / "cost-report.sh"), "prod", "origin/main", "report.md"],
        env={"PATH": "/usr/bin:/bin", "GITHUB_OUTPUT": str(output)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert output.read_text() == f"status={status}\n"
    assert (tmp_path / "report.md").read_text() == (
        "report -m ops.report --stack prod --format markdown --base origin/main\n"
    )
