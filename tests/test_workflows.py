"""The CI workflow agrees with the stack files: which branch deploys which stack, in which environment."""

from __future__ import annotations

import re

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
    commands = "\n".join(step.get("run", "") for step in preview["steps"])
    assert "--policy-pack policies" in commands
    assert '--policy-pack-config "policies/config/${{ matrix.stack }}.json"' in commands


def test_scheduled_backups_run_for_exactly_the_stacks_that_ask_for_them() -> None:
    backup = yaml.safe_load((ROOT / ".github" / "workflows" / "backup.yml").read_text())["jobs"]["backup"]
    scheduled = {
        stack: f"{settings.environment}-backups"
        for stack in STACKS
        if (settings := load_stack_settings(stack, stack_config(stack), {})).backups.scheduled
    }
    matrix = {entry["stack"]: entry["environment"] for entry in backup["strategy"]["matrix"]["include"]}
    assert matrix == scheduled
