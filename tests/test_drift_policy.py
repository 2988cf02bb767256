"""The drift workflow's policy step, run with the real CLI: `pulumi policy analyze` judges what is deployed, so
a policy added after a deploy fails on it, even when the program has since been fixed but not deployed (which
a `pulumi preview --policy-pack` would pass)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from offline.program import ROOT
from tests.engine.harness import VENV, Engine

pytestmark = pytest.mark.engine

STACK = "dev"
PROGRAM = """\
import pulumi
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider


class ServiceProvider(ResourceProvider):
    def create(self, props):
        return CreateResult(id_=props["name"], outs=dict(props))

    def diff(self, _id, olds, news):
        return DiffResult(changes=olds["replicas"] != news["replicas"])


class Service(Resource):
    def __init__(self, name, replicas):
        super().__init__(ServiceProvider(), name, {"name": name, "replicas": replicas})


Service("backend", pulumi.Config().require_int("replicas"))
"""
# The policy the team adds after the stack was deployed with one replica.
POLICY = """\
from pulumi_policy import EnforcementLevel, PolicyConfigSchema, PolicyPack, ResourceValidationPolicy


def min_replicas(args, report_violation):
    minimum = int(args.get_config()["minimum"])
    replicas = int(args.props.get("replicas", minimum))
    if replicas < minimum:
        report_violation(f"{args.name} runs {replicas} replica(s), fewer than {minimum}")


PolicyPack(
    name="drift-policy-check",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        ResourceValidationPolicy(
            name="min-replicas",
            description="Enough replicas.",
            validate=min_replicas,
            config_schema=PolicyConfigSchema(properties={"minimum": {"type": "integer"}}, required=["minimum"]),
        )
    ],
)
"""


def policy_step_script() -> str:
    job = yaml.safe_load((ROOT / ".github" / "workflows" / "drift.yml").read_text())["jobs"]["drift"]
    [step] = [s for s in job["steps"] if s.get("name") == "policies against the deployed state"]
    return str(step["run"])


def test_a_policy_added_later_is_checked_against_what_is_deployed(tmp_path: Path) -> None:
    engine = Engine.create(tmp_path)
    project = tmp_path / "project"
    runtime = f"runtime:\n  name: python\n  options:\n    toolchain: pip\n    virtualenv: {VENV}\n"
    (project / "policies" / "config").mkdir(parents=True)
    (project / "Pulumi.yaml").write_text(f"name: drift-policy\n{runtime}")
    (project / "__main__.py").write_text(PROGRAM)
    (project / "policies" / "PulumiPolicy.yaml").write_text(f"description: added after the deploy\n{runtime}")
    (project / "policies" / "__main__.py").write_text(POLICY)
    (project / "policies" / "config" / f"{STACK}.json").write_text(json.dumps({"min-replicas": {"minimum": 2}}))
    engine.init_stack(project, STACK)
    engine.pulumi(["config", "set", "replicas", "1", "--stack", STACK], cwd=project)
    engine.pulumi(["up", "--yes", "--skip-preview", "--stack", STACK], cwd=project)  # before the policy existed
    # The program is fixed, not yet deployed: a preview with the pack judges the fix and passes...
    engine.pulumi(["config", "set", "replicas", "2", "--stack", STACK], cwd=project)
    preview = engine.pulumi(
        [
            "preview",
            "--stack",
            STACK,
            "--policy-pack",
            "policies",
            "--policy-pack-config",
            f"policies/config/{STACK}.json",
        ],
        cwd=project,
    )
    assert "fewer than 2" not in preview.output

    def policy_step() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-e", "-c", policy_step_script()],
            cwd=project,
            env=engine.env({"STACK": STACK}),
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )

    # ...while the drift workflow's step judges what runs, one replica, and fails the run.
    analyzed = policy_step()
    assert analyzed.returncode != 0, analyzed.stdout + analyzed.stderr
    assert "backend runs 1 replica(s), fewer than 2" in analyzed.stdout + analyzed.stderr
    # Once the fix is deployed, the deployed state passes.
    engine.pulumi(["up", "--yes", "--skip-preview", "--stack", STACK], cwd=project)
    assert policy_step().returncode == 0
