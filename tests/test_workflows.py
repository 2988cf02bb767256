"""The CI workflow agrees with the stack files: which branch deploys which stack, in which environment."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from offline.program import ROOT
from ops.deploy.cli import build_parser
from settings.loader import load_stack_settings
from settings.seed import PRODUCTION_ENVIRONMENT
from settings.stacks import STACKS
from tests.doubles import stack_config

WORKFLOW = ROOT / ".github" / "workflows" / "infrastructure.yml"
DRIFT = ROOT / ".github" / "workflows" / "drift.yml"
# The application repository's workflow, shipped here as a template (docs/ci.md).
APP_TEMPLATE = ROOT / "docs" / "app-repository" / "backend-image.yml"


def step(job: dict[str, Any], step_id: str | None, *, name: str | None = None) -> dict[str, Any]:
    [found] = [s for s in job["steps"] if (step_id, name) in ((s.get("id"), None), (None, s.get("name")))]
    assert isinstance(found, dict)
    return found


def evaluate_ternary(expression: str, ref_name: str) -> str:
    """Evaluate the `a == 'x' && 'y' || ...` chains the workflow uses to pick a stack or an environment."""
    for branch, value in re.findall(r"github\.ref_name == '([^']+)' && '([^']+)'", expression):
        if ref_name == branch:
            return value
    return re.findall(r"\|\| '([^']+)' }}$", expression.strip())[0]


def stack_settings() -> dict[str, Any]:
    return {stack: load_stack_settings(stack, stack_config(stack), {}) for stack in STACKS}


def test_each_deploy_branch_deploys_its_own_stack_into_its_own_environment() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    deploy = workflow["jobs"]["deploy"]
    triggers = workflow[True]["push"]["branches"]  # PyYAML reads the key `on` as True
    for stack, settings in stack_settings().items():
        assert settings.deploy_branch in triggers
        assert evaluate_ternary(deploy["env"]["STACK"], settings.deploy_branch) == stack
        assert evaluate_ternary(deploy["environment"], settings.deploy_branch) == settings.environment


def test_only_production_is_planned_and_its_deploy_waits_for_the_plan() -> None:
    jobs = load(WORKFLOW)["jobs"]
    [production] = [(s, st) for s, st in stack_settings().items() if st.environment == PRODUCTION_ENVIRONMENT]
    stack, settings = production
    plan, deploy = jobs["plan"], jobs["deploy"]
    assert plan["if"] == f"github.event_name != 'pull_request' && github.ref_name == '{settings.deploy_branch}'"
    assert plan["env"]["STACK"] == stack
    # No reviewers there: the reviewers approve the deploy job, after reading the plan job's summary.
    assert plan["environment"] == f"{PRODUCTION_ENVIRONMENT}-plan"
    assert "plan" in deploy["needs"]
    # On the production branch the deploy runs only after a successful plan, and applies it.
    assert "needs.plan.result == 'success' ||" in deploy["if"]
    assert f"needs.plan.result == 'skipped' && github.ref_name != '{settings.deploy_branch}'" in deploy["if"]
    up = step(deploy, "up")
    assert up["env"]["PLAN"] == "${{ needs.plan.result == 'success' && 'plan.json' || '' }}"
    assert up["run"] == 'scripts/ci/pulumi-up.sh "$STACK" "$PLAN"'
    assert step(deploy, "plan-verify")["if"] == "needs.plan.result == 'success'"
    uploaded = next(s for s in plan["steps"] if str(s.get("uses", "")).startswith("actions/upload-artifact@"))
    downloaded = next(s for s in deploy["steps"] if str(s.get("uses", "")).startswith("actions/download-artifact@"))
    assert uploaded["with"]["name"] == downloaded["with"]["name"]
    assert uploaded["with"]["path"].split() == ["plan.json", "plan-record.json"]
    save = step(plan, None, name="save the plan")["run"]
    assert "--refresh --json --save-plan plan.json" in save
    assert "ops.deploy plan-record" in save
    assert "--policy-pack policies" in save


def test_dispatch_inputs_name_exactly_the_stacks_environments() -> None:
    inputs = load(WORKFLOW)[True]["workflow_dispatch"]["inputs"]
    assert set(inputs) == {"environment", "image", "app-commit"}
    assert sorted(inputs["environment"]["options"]) == sorted(s.environment for s in stack_settings().values())
    for name in ("plan", "deploy"):
        image = step(load(WORKFLOW)["jobs"][name], "image")
        assert image["env"] == {
            "REQUESTED_ENVIRONMENT": "${{ inputs.environment }}",
            "REQUESTED_IMAGE": "${{ inputs.image }}",
            "REQUESTED_APP_COMMIT": "${{ inputs.app-commit }}",
        }


def test_the_application_template_dispatches_what_the_workflow_accepts() -> None:
    template = load(APP_TEMPLATE)
    assert template[True]["push"]["branches"] == load(WORKFLOW)[True]["push"]["branches"]
    script = template["jobs"]["image"]["steps"][-1]["run"]
    mapping = dict(re.findall(r"^\s*(\w+)\) environment=(\w+) ;;$", script, flags=re.MULTILINE))
    assert mapping == {s.deploy_branch: s.environment for s in stack_settings().values()}
    assert re.findall(r"-f ([\w-]+)=", script) == list(load(WORKFLOW)[True]["workflow_dispatch"]["inputs"])
    assert "gh workflow run infrastructure.yml" in script


def test_pull_requests_preview_every_stack_with_the_policy_pack() -> None:
    preview = yaml.safe_load(WORKFLOW.read_text())["jobs"]["preview"]
    assert preview["strategy"]["matrix"]["stack"] == list(STACKS)
    assert preview["env"]["STACK"] == "${{ matrix.stack }}"
    script = (ROOT / "scripts" / "ci" / "pr-preview.sh").read_text()
    assert '--policy-pack policies --policy-pack-config "policies/config/$stack.json"' in script
    assert "PULUMI_ENABLE_STREAMING_JSON_PREVIEW=1 pulumi preview --json" in script
    assert step(preview, None, name="pulumi preview with the policy pack")["run"] == (
        'scripts/ci/pr-preview.sh "$STACK" previews'
    )
    upload = step(preview, None, name="keep the preview's events for the comment")
    assert upload["if"] == "always()"
    assert upload["with"]["path"] == "previews/"


def test_one_comment_for_all_stacks_posted_before_the_run_fails() -> None:
    jobs = load(WORKFLOW)["jobs"]
    comment = jobs["comment"]
    assert "preview" in comment["needs"]
    assert comment["if"].startswith("${{ !cancelled() &&")  # failed previews are commented too
    names = [s.get("name") for s in comment["steps"]]
    render = step(comment, "render")
    assert render["run"].split()[3:] == jobs["preview"]["strategy"]["matrix"]["stack"]
    post = step(comment, None, name="post or update the comment")
    fail = step(comment, None, name="fail on a failed preview or a mandatory policy violation")
    assert names.index(render["name"]) < names.index(post["name"]) < names.index(fail["name"])
    assert "if" not in post
    assert fail["if"] == "steps.render.outputs.status != '0'"
    download = next(s for s in comment["steps"] if str(s.get("uses", "")).startswith("actions/download-artifact@"))
    assert download["with"]["pattern"] == "preview-*"
    assert comment["permissions"] == {"contents": "read", "pull-requests": "write"}


def test_scheduled_backups_run_for_exactly_the_stacks_that_ask_for_them() -> None:
    backup = yaml.safe_load((ROOT / ".github" / "workflows" / "backup.yml").read_text())["jobs"]["backup"]
    scheduled = {
        stack: f"{settings.environment}-backups"
        for stack in STACKS
        if (settings := load_stack_settings(stack, stack_config(stack), {})).backups.scheduled
    }
    matrix = {entry["stack"]: entry["environment"] for entry in backup["strategy"]["matrix"]["include"]}
    assert matrix == scheduled


# --- the deploy job ------------------------------------------------------------------------------------


def test_deploy_steps_run_in_the_seeds_order() -> None:
    deploy = load(WORKFLOW)["jobs"]["deploy"]
    ids = [s["id"] for s in deploy["steps"] if "id" in s]
    assert ids == ["image", "before", "plan-verify", "up", "postgresql", "backup", "migrate", "smoke", "rollback"]
    assert step(deploy, "before")["continue-on-error"] is True
    assert step(deploy, "rollback")["if"] == "failure() && steps.before.outputs.deployment != ''"
    assert step(deploy, "rollback")["env"] == {"BEFORE": "${{ steps.before.outputs.deployment }}"}
    notify = deploy["steps"][-1]
    assert notify["if"] == "always()"
    assert "ops.deploy notify" in notify["run"]
    # Every step's outcome reaches Slack.
    for step_id in ("plan-verify", "up", "backup", "migrate", "smoke", "rollback"):
        assert f"${{{{ steps.{step_id}.outcome }}}}" in notify["env"].values(), step_id


def test_the_up_step_alone_holds_the_railway_account_token() -> None:
    deploy = load(WORKFLOW)["jobs"]["deploy"]
    # The environment's project token for live-deployment and rollback (Project-Access-Token)...
    assert deploy["env"]["RAILWAY_TOKEN"] == "${{ secrets.RAILWAY_TOKEN }}"
    # ...and the account or workspace token the providers need, for `pulumi up` only.
    overrides = {s.get("id"): s["env"]["RAILWAY_TOKEN"] for s in deploy["steps"] if "RAILWAY_TOKEN" in s.get("env", {})}
    assert overrides == {"up": "${{ secrets.RAILWAY_ACCOUNT_TOKEN }}"}


def test_provider_tokens_reach_the_up_step_only() -> None:
    deploy = load(WORKFLOW)["jobs"]["deploy"]
    # The application's dependencies and migrations run in this job: they get no token that manages the
    # infrastructure.
    for secret in ("RAILWAY_ACCOUNT_TOKEN", "SUPABASE_ACCESS_TOKEN", "INFRA_GITHUB_TOKEN"):
        holders = [s.get("id") for s in deploy["steps"] if f"secrets.{secret} }}}}" in yaml.safe_dump(s.get("env", {}))]
        assert holders == ["up"], secret
        assert f"secrets.{secret} }}}}" not in yaml.safe_dump(deploy["env"]), secret


def test_migrations_run_in_the_application_checkout_at_the_deployed_commit() -> None:
    deploy = load(WORKFLOW)["jobs"]["deploy"]
    working = Path(deploy["defaults"]["run"]["working-directory"])
    checkouts = [s for s in deploy["steps"] if str(s.get("uses", "")).startswith("actions/checkout@")]
    ours, app = checkouts
    assert Path(ours["with"]["path"]) == working
    assert app["with"]["repository"] == "converge-nps/converge-nps"
    assert app["with"]["ref"] == "${{ steps.image.outputs.app-commit }}"
    migrate = step(deploy, "migrate")
    cwd = re.findall(r"--cwd (\S+)", migrate["run"])[0]
    assert (working / cwd).resolve() == (Path(app["with"]["path"]) / "backend").resolve()
    assert (
        step(deploy, None, name="the application's dependencies")["working-directory"]
        == f"{app['with']['path']}/backend"
    )
    for gated in (app, migrate, step(deploy, None, name="the application's dependencies")):
        assert gated["if"] == "steps.image.outputs.app-commit != ''"


def ops_deploy_commands(path: Path) -> list[tuple[str, list[str]]]:
    found = []
    for name, _, entry in steps(path):
        script = str(entry.get("run", "")).replace("\\\n", " ")
        for line in script.splitlines():
            match = re.search(r"python -m ops\.deploy (.*?)(?:\)|$)", line)
            if match:
                found.append((name, shlex.split(re.sub(r"\$\{?\w+\}?", "0", match.group(1)))))
    return found


@pytest.mark.parametrize("workflow", [WORKFLOW, DRIFT], ids=lambda p: p.name)
def test_every_ops_deploy_command_in_the_workflows_parses(workflow: Path) -> None:
    commands = ops_deploy_commands(workflow)
    assert commands
    for _, argv in commands:
        build_parser().parse_args(argv)


def test_the_workflows_run_every_deploy_step() -> None:
    used = {argv[0] for path in (WORKFLOW, DRIFT) for _, argv in ops_deploy_commands(path)}
    assert used == {
        "live-deployment",
        "plan-record",
        "plan-verify",
        "backup",
        "migrate",
        "smoke",
        "rollback",
        "notify",
        "drift",
    }


# --- drift -------------------------------------------------------------------------------------------


def test_drift_checks_every_stack_one_run_per_stack_at_a_time() -> None:
    job = load(DRIFT)["jobs"]["drift"]
    assert job["strategy"]["matrix"]["stack"] == list(STACKS)
    assert job["concurrency"] == {"group": "drift-${{ matrix.stack }}", "cancel-in-progress": False}
    preview = step(job, "preview")
    assert 'pulumi preview --stack "$STACK" --refresh --expect-no-changes --json > preview.json' in preview["run"]
    assert step(job, None, name="report drift")["env"]["GITHUB_TOKEN"] == "${{ github.token }}"
    analyze = step(job, None, name="policies against the deployed state")
    assert analyze["if"] == "${{ !cancelled() }}"
    assert 'pulumi policy analyze --stack "$STACK"' in analyze["run"]
    assert '--policy-pack policies --policy-pack-config "policies/config/$STACK.json"' in analyze["run"]


# --- hardening ---------------------------------------------------------------------------------------

WORKFLOWS = [*sorted((ROOT / ".github" / "workflows").glob("*.yml")), APP_TEMPLATE]
PINNED_USES = re.compile(r"^\s*(?:-\s+)?uses:\s+[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")
# Write scopes beyond contents: read, and the only jobs that get them.
WRITES = {
    ("infrastructure.yml", "comment"): {"pull-requests"},
    ("drift.yml", "drift"): {"issues", "id-token"},
    ("backend-image.yml", "image"): {"packages"},
}


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


def test_an_action_is_pinned_to_one_commit_everywhere() -> None:
    pins: dict[str, set[str]] = {}
    for workflow in WORKFLOWS:
        for action, sha in re.findall(r"uses:\s+([\w.-]+/[\w./-]+)@([0-9a-f]{40})", workflow.read_text()):
            pins.setdefault(action, set()).add(sha)
    assert {action: shas for action, shas in pins.items() if len(shas) > 1} == {}


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
        assert writes - {"id-token"} == WRITES.get((workflow.name, name), set()) - {"id-token"}, name


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
    # The comment job runs the pull request's code with a token that can write comments: nothing else.
    comment = load(WORKFLOW)["jobs"]["comment"]
    assert "secrets." not in yaml.safe_dump(comment)


def test_the_pulumi_cli_installed_in_ci_is_the_sdks_version() -> None:
    sdk = requirement_pin(ROOT / "requirements.txt", "pulumi")
    assert requirement_pin(ROOT / "policies" / "requirements.txt", "pulumi") == sdk
    installs = [
        step
        for path in (WORKFLOW, DRIFT)
        for _, _, step in steps(path)
        if str(step.get("uses", "")).startswith("pulumi/actions@")
    ]
    assert len(installs) == 5  # test, preview, plan, deploy; drift
    assert {str(step["with"]["pulumi-version"]) for step in installs} == {sdk}


# --- the scripts the jobs run ------------------------------------------------------------------------

SCRIPTS = ROOT / "scripts" / "ci"
DIGEST = "sha256:" + "0123456789abcdef" * 4
IMAGE = f"ghcr.io/converge-nps/backend@{DIGEST}"
COMMIT = "a" * 40


def fake_command(directory: Path, name: str, body: str) -> None:
    path = directory / name
    path.write_text(f"#!/usr/bin/env bash\n{body}\n")
    path.chmod(0o755)


def fake_pulumi(bin_dir: Path, *, environment: str, backend_image: str | None, log: Path) -> None:
    """A stand-in for the pulumi CLI: the stack's config and outputs, every call recorded."""
    output = f"echo {shlex.quote(backend_image)}" if backend_image else "echo 'error: no output' >&2; exit 255"
    fake_command(
        bin_dir,
        "pulumi",
        f"""echo "$*" >> {log}
case "$*" in
  "config get converge-nps:environment --stack "*) echo {environment} ;;
  "config get --path converge-nps:image.repository --stack "*) echo ghcr.io/converge-nps/backend ;;
  "stack output backendImage --stack "*) {output} ;;
  "stack output --stack "*" --json") echo '{{"environment": "{environment}"}}' ;;
  "up "*) exit "${{UP_STATUS:-0}}" ;;
  *) echo "unexpected: $*" >&2; exit 1 ;;
esac""",
    )


def run_image_ref(tmp_path: Path, requested: dict[str, str], current: str | None = IMAGE) -> tuple[int, str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake_pulumi(bin_dir, environment="staging", backend_image=current, log=tmp_path / "pulumi.log")
    output = tmp_path / "output"
    output.write_text("")
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "GITHUB_OUTPUT": str(output), **requested}
    result = subprocess.run(
        [str(SCRIPTS / "image-ref.sh"), "staging"], env=env, capture_output=True, text=True, check=False
    )
    return result.returncode, output.read_text(), result.stderr


def dispatch(image: str = IMAGE, environment: str = "staging", commit: str = COMMIT) -> dict[str, str]:
    return {"REQUESTED_ENVIRONMENT": environment, "REQUESTED_IMAGE": image, "REQUESTED_APP_COMMIT": commit}


def test_a_dispatched_image_is_deployed_with_its_commit(tmp_path: Path) -> None:
    status, output, stderr = run_image_ref(tmp_path, dispatch())
    assert status == 0, stderr
    assert output == f"ref={IMAGE}\napp-commit={COMMIT}\n"


def test_without_a_dispatch_the_running_image_stays_and_nothing_migrates(tmp_path: Path) -> None:
    running = f"ghcr.io/converge-nps/backend@sha256:{'f' * 64}"
    status, output, stderr = run_image_ref(tmp_path, {}, current=running)
    assert status == 0, stderr
    assert output == f"ref={running}\napp-commit=\n"


def test_a_stack_never_deployed_needs_a_dispatched_image(tmp_path: Path) -> None:
    status, output, stderr = run_image_ref(tmp_path, {}, current=None)
    assert (status, output) == (1, "")
    assert "no backendImage output" in stderr


@pytest.mark.parametrize(
    ("requested", "error"),
    [
        (dispatch(image="ghcr.io/converge-nps/backend:latest"), "is not <registry>/<repository>@sha256"),
        (dispatch(image="ghcr.io/converge-nps/backend:v1@" + DIGEST), "is not <registry>/<repository>@sha256"),
        (dispatch(image="ghcr.io/converge-nps/backend@sha256:" + "0" * 63), "is not <registry>/<repository>@sha256"),
        (dispatch(image="ghcr.io/converge-nps/backend@sha256:" + "A" * 64), "is not <registry>/<repository>@sha256"),
        (dispatch(image="converge-nps/backend@" + DIGEST), "is not <registry>/<repository>@sha256"),  # Docker Hub
        (dispatch(image="ghcr.io/converge-nps/backend@" + DIGEST + "\nref=evil"), "is not <registry>"),
        (dispatch(image="ghcr.io/someone-else/backend@" + DIGEST), "not in the stack's image repository"),
        (dispatch(environment="production"), "this run deploys stack staging (staging), not production"),
        (dispatch(commit="main"), "the application commit must be 40 hex digits"),
        ({"REQUESTED_IMAGE": IMAGE}, "together"),
    ],
    ids=[
        "tag",
        "tag-and-digest",
        "short",
        "uppercase",
        "no-registry",
        "newline",
        "other-repo",
        "other-env",
        "commit",
        "partial",
    ],
)
def test_a_dispatch_is_refused_unless_it_is_a_digest_of_our_image_for_this_stack(
    tmp_path: Path, requested: dict[str, str], error: str
) -> None:
    status, output, stderr = run_image_ref(tmp_path, requested)
    assert (status, output) == (1, "")
    assert error in stderr


@pytest.mark.parametrize(
    "reference", ["localhost:5000/backend@" + DIGEST, "registry.example.com:443/a/b_c/d-e@" + DIGEST]
)
def test_other_registries_pass_the_form_check(tmp_path: Path, reference: str) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    # The form is checked before the repository: these fail only on the repository.
    status, _, stderr = run_image_ref(tmp_path, dispatch(image=reference))
    assert status == 1
    assert "not in the stack's image repository" in stderr


@pytest.mark.parametrize(
    ("stack", "environment", "plan"), [("dev", "development", ""), ("prod", "production", "plan.json")]
)
def test_pulumi_up_refreshes_and_applies_the_plan_when_given(
    tmp_path: Path, stack: str, environment: str, plan: str
) -> None:
    project, log = copy_script(tmp_path, "pulumi-up.sh"), tmp_path / "pulumi.log"
    fake_pulumi(tmp_path / "bin", environment=environment, backend_image=None, log=log)
    result = subprocess.run(
        [str(project / "scripts" / "ci" / "pulumi-up.sh"), stack, *([plan] if plan else [])],
        env={"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    up = next(line for line in log.read_text().splitlines() if line.startswith("up "))
    assert up.split() == [
        "up", "--stack", stack, "--yes", "--diff", "--refresh",
        "--policy-pack", "policies", "--policy-pack-config", f"policies/config/{stack}.json",
        *(["--plan", plan] if plan else []),
    ]  # fmt: skip
    assert json.loads((project / "outputs.json").read_text()) == {"environment": environment}


def test_production_is_never_applied_without_its_plan(tmp_path: Path) -> None:
    project, log = copy_script(tmp_path, "pulumi-up.sh"), tmp_path / "pulumi.log"
    fake_pulumi(tmp_path / "bin", environment="production", backend_image=None, log=log)
    result = subprocess.run(
        [str(project / "scripts" / "ci" / "pulumi-up.sh"), "prod", ""],
        env={"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "only from its approved plan" in result.stderr
    assert not any(line.startswith("up ") for line in log.read_text().splitlines())


def test_a_failed_up_writes_no_outputs(tmp_path: Path) -> None:
    project, log = copy_script(tmp_path, "pulumi-up.sh"), tmp_path / "pulumi.log"
    fake_pulumi(tmp_path / "bin", environment="development", backend_image=None, log=log)
    result = subprocess.run(
        [str(project / "scripts" / "ci" / "pulumi-up.sh"), "dev"],
        env={"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin", "UP_STATUS": "255"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 255
    assert not (project / "outputs.json").exists()


def copy_script(tmp_path: Path, name: str) -> Path:
    """A project directory holding the script, with stand-ins in tmp_path/bin and project/.venv/bin."""
    project = tmp_path / "project"
    (project / "scripts" / "ci").mkdir(parents=True, exist_ok=True)
    (project / ".venv" / "bin").mkdir(parents=True, exist_ok=True)
    (tmp_path / "bin").mkdir(exist_ok=True)
    shutil.copy(SCRIPTS / name, project / "scripts" / "ci")
    return project


@pytest.mark.parametrize("status", [0, 255])
def test_the_preview_keeps_its_events_and_exit_status(tmp_path: Path, status: int) -> None:
    project = copy_script(tmp_path, "pr-preview.sh")
    fake_command(
        tmp_path / "bin",
        "pulumi",
        f'echo "{{\\"args\\": \\"$*\\", \\"streaming\\": \\"$PULUMI_ENABLE_STREAMING_JSON_PREVIEW\\"}}"; exit {status}',
    )
    result = subprocess.run(
        [str(project / "scripts" / "ci" / "pr-preview.sh"), "staging", "out"],
        env={"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == status
    event = json.loads((tmp_path / "out" / "staging.jsonl").read_text())
    assert event == {
        "args": "preview --json --stack staging "
        "--policy-pack policies --policy-pack-config policies/config/staging.json",
        "streaming": "1",
    }
    assert (tmp_path / "out" / "staging.status").read_text() == f"{status}\n"


@pytest.mark.parametrize(
    ("statuses", "renderer", "expected"),
    [
        ({"dev": 0, "prod": 0}, 0, 0),
        ({"dev": 0, "prod": 0}, 1, 1),  # ops.comment: a mandatory policy was violated
        ({"dev": 0, "prod": 255}, 0, 1),  # a failed preview fails the run even if the renderer missed it
        ({"dev": 0, "prod": None}, 0, 1),  # prod's job stopped before its preview
    ],
)
def test_the_comment_is_rendered_from_every_preview_and_says_whether_to_fail(
    tmp_path: Path, statuses: dict[str, int | None], renderer: int, expected: int
) -> None:
    project = copy_script(tmp_path, "preview-comment.sh")
    fake_command(
        project / ".venv" / "bin",
        "python",
        f'echo "$*" > {tmp_path / "argv"}; echo "<!-- converge-nps:preview -->" > "${{@: -1}}"; exit {renderer}',
    )
    previews = tmp_path / "previews"
    previews.mkdir()
    for stack, status in statuses.items():
        if status is not None:
            (previews / f"{stack}.jsonl").write_text("{}\n")
            (previews / f"{stack}.status").write_text(f"{status}\n")
    output = tmp_path / "github-output"
    result = subprocess.run(
        [str(project / "scripts" / "ci" / "preview-comment.sh"), "previews", "comment.md", *statuses],
        env={"PATH": "/usr/bin:/bin", "GITHUB_OUTPUT": str(output)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert output.read_text() == f"status={expected}\n"
    rendered = [f"--stack {s}={previews / s}.jsonl" for s, status in statuses.items() if status is not None]
    assert (
        tmp_path / "argv"
    ).read_text() == f"-m ops.comment {' '.join(rendered)} --output {tmp_path / 'comment.md'}\n"
    comment = (tmp_path / "comment.md").read_text()
    assert comment.startswith("<!-- converge-nps:preview -->")
    assert ("**prod: no preview.**" in comment) == (statuses["prod"] is None)


@pytest.mark.parametrize(
    ("existing", "write"),
    [("", "POST 7 --repo o/r --body-file"), ("4242\n", "PATCH 4242 body=@")],
    ids=["first-push", "later-push"],
)
@pytest.mark.parametrize("marked", [True, False])
def test_the_comment_is_created_once_then_updated(tmp_path: Path, existing: str, write: str, marked: bool) -> None:
    bin_dir, log = tmp_path / "bin", tmp_path / "gh.log"
    bin_dir.mkdir()
    # A stand-in for gh: answers the comment listing with `existing` and records what is written.
    fake_command(
        bin_dir,
        "gh",
        f"""case "$1 $2" in
  "api repos/o/r/issues/7/comments") printf '%s' "$EXISTING"; echo "LIST $MARKER" >> {log} ;;
  "api -X") echo "PATCH ${{4##*/}} ${{6%@*}}@" >> {log}; cat "${{6#body=@}}" > {tmp_path / "posted"} ;;
  "pr comment") echo "POST $3 $4 $5 $6" >> {log}; cat "$7" > {tmp_path / "posted"} ;;
  *) echo "unexpected: $*" >&2; exit 1 ;;
esac""",
    )
    comment = tmp_path / "comment.md"
    body = "## Previews\n<!-- converge-nps:preview -->\n" if marked else "## Previews\n"
    comment.write_text(body)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "GITHUB_REPOSITORY": "o/r", "GH_TOKEN": "t", "EXISTING": existing}
    script = SCRIPTS / "pr-comment.sh"
    subprocess.run([str(script), "7", str(comment)], env=env, check=True, capture_output=True, text=True)
    assert log.read_text().splitlines() == ["LIST <!-- converge-nps:preview -->", write]
    posted = (tmp_path / "posted").read_text()
    assert posted == (body if marked else "<!-- converge-nps:preview -->\n" + body)


@pytest.mark.parametrize("major", ["null", "", "15; rm -rf /"])
def test_the_postgresql_client_is_refused_a_major_version_that_is_not_one(tmp_path: Path, major: str) -> None:
    # `null` is what jq prints when the stack reports no version: nothing may be installed for it.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_command(bin_dir, "sudo", f"echo sudo >> {tmp_path / 'log'}")
    result = subprocess.run(
        [str(SCRIPTS / "postgresql-client.sh"), major],
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", "GITHUB_OUTPUT": str(tmp_path / "output")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert not (tmp_path / "log").exists() and not (tmp_path / "output").exists()


def test_the_postgresql_client_reports_its_bin_directory(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_command(bin_dir, "sudo", f'echo "$*" >> {tmp_path / "log"}')
    output = tmp_path / "output"
    subprocess.run(
        [str(SCRIPTS / "postgresql-client.sh"), "15"],
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", "GITHUB_OUTPUT": str(output)},
        check=True,
        capture_output=True,
    )
    assert (tmp_path / "log").read_text().splitlines()[-1].endswith("postgresql-client-15")
    assert output.read_text() == "pg-bin=/usr/lib/postgresql/15/bin\n"
