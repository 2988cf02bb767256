"""The real `__main__.py` under Pulumi mocks, for each stack with its real `Pulumi.<stack>.yaml`,
in preview (unknown outputs) and update mode."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pulumi

from components import tokens
from components.values import UNKNOWN, Secret, plain
from offline.program import ProgramRun, Registration
from settings.seed import DEPLOY_BRANCH_BY_ENVIRONMENT
from settings.stacks import ENVIRONMENT_BY_STACK as ENVIRONMENT
from settings.stacks import STACKS
from tests.cost.test_model import settings_of
from tests.doubles import STAND_IN_SECRETS, github_id, run_stack, stack_config

StackRun = Callable[[str, bool], ProgramRun]
BRANCH = {stack: DEPLOY_BRANCH_BY_ENVIRONMENT[environment] for stack, environment in ENVIRONMENT.items()}


def component(run: ProgramRun, type_name: str) -> Registration:
    return run.one(tokens.COMPONENT_PREFIX + type_name)


def test_components_are_registered_with_children_parented(stack: str, preview: bool, stack_run: StackRun) -> None:
    run = stack_run(stack, preview)
    for name in ("AppSecrets", "BackendImage", "GitHubEnvironment"):
        for parent in run.of_type(tokens.COMPONENT_PREFIX + name):
            assert run.children_of(parent), f"{name} {parent.name} has no children"
    # Nothing but components hangs directly off the stack.
    for resource in run.resources:
        if resource.parent.endswith(f"pulumi:pulumi:Stack::converge-nps-{stack}"):
            assert resource.type.startswith(tokens.COMPONENT_PREFIX), resource.type


def keepers(run: ProgramRun) -> dict[str, str]:
    return {k.name: k.inputs["keepers"]["rotationWindowStart"] for k in run.of_type(tokens.RANDOM_BYTES)}


def backend_secrets(run: ProgramRun) -> dict[str, Any]:
    secrets = run.one(tokens.RAILWAY_VARIABLES, "backend-variables").inputs["secrets"]
    assert isinstance(secrets, Secret)
    return dict(secrets.value)


def test_jwt_secrets_are_256_bits_and_two_generations_take_turns(stack: str, stack_run: StackRun) -> None:
    run = stack_run(stack, False)
    # Generation 3 (from 2026-09-28) in its odd keys, generation 2's even keys kept for the next rotation.
    assert keepers(run) == {
        "app-jwt": "2026-09-28",
        "app-jwt-refresh": "2026-09-28",
        "app-jwt-even": "2026-06-30",
        "app-jwt-refresh-even": "2026-06-30",
    }
    for key in run.of_type(tokens.RANDOM_BYTES):
        assert key.inputs["length"] == 32
        assert set(key.additional_secret_outputs) >= {"hex", "base64"}
    assert run.outputs["secretsRotateOn"] == "2026-12-27"
    # Long after the last rotation: only the current secrets reach the backend.
    assert run.outputs["previousSecretsValidUntil"] is None
    assert {"JWT_SECRET_PREVIOUS", "JWT_REFRESH_SECRET_PREVIOUS"}.isdisjoint(backend_secrets(run))


def hex_of(run: ProgramRun, name: str) -> str:
    return str(plain(run.one(tokens.RANDOM_BYTES, name).outputs["hex"]))


def test_a_rotation_keeps_the_previous_secrets_for_the_overlap() -> None:
    before = run_stack("dev", today=dt.date(2026, 12, 26))
    after = run_stack("dev", today=dt.date(2026, 12, 27))
    # Only the even keys are replaced; the odd ones, in use until yesterday, stay as they are.
    assert keepers(after) == {**keepers(before), "app-jwt-even": "2026-12-27", "app-jwt-refresh-even": "2026-12-27"}
    assert after.outputs["secretsRotateOn"] == "2027-03-27"
    assert after.outputs["previousSecretsValidUntil"] == "2027-01-03"
    secrets = backend_secrets(after)
    assert secrets["JWT_SECRET"] == hex_of(after, "app-jwt-even")
    assert secrets["JWT_SECRET_PREVIOUS"] == hex_of(before, "app-jwt") == backend_secrets(before)["JWT_SECRET"]
    assert secrets["JWT_REFRESH_SECRET_PREVIOUS"] == backend_secrets(before)["JWT_REFRESH_SECRET"]
    # The last day of the overlap still has them; the next day does not.
    assert "JWT_SECRET_PREVIOUS" in backend_secrets(run_stack("dev", today=dt.date(2027, 1, 2)))
    ended = run_stack("dev", today=dt.date(2027, 1, 3))
    assert keepers(ended) == keepers(after)
    assert ended.outputs["previousSecretsValidUntil"] is None
    assert {"JWT_SECRET_PREVIOUS", "JWT_REFRESH_SECRET_PREVIOUS"}.isdisjoint(backend_secrets(ended))


def test_no_rotation_inside_an_event_window() -> None:
    """The window holds the rotation due on 2026-12-27; it happens the day after the window ends."""
    config = stack_config(
        "prod", {"converge-nps:watchdog": {"eventWindows": [{"start": "2026-12-20", "end": "2027-01-05"}]}}
    )
    before = run_stack("prod", config=config, today=dt.date(2026, 12, 19))
    for day in (dt.date(2026, 12, 27), dt.date(2027, 1, 5)):
        inside = run_stack("prod", config=config, today=day)
        assert keepers(inside) == keepers(before), day
        assert inside.outputs["secretsRotateOn"] == "2027-01-06"
    after = run_stack("prod", config=config, today=dt.date(2027, 1, 6))
    assert keepers(after)["app-jwt-even"] == "2027-01-06"
    assert after.outputs["previousSecretsValidUntil"] == "2027-01-13"
    # The schedule does not drift: the next rotation is 90 days after the one that was due.
    assert after.outputs["secretsRotateOn"] == "2027-03-27"


def test_jwt_secrets_differ_per_stack_and_per_purpose(stack_run: StackRun) -> None:
    values = [plain(r.outputs["hex"]) for stack in STACKS for r in stack_run(stack, False).of_type(tokens.RANDOM_BYTES)]
    assert len(set(values)) == len(values) == 12


def test_github_environment_deploys_only_its_branch(stack: str, preview: bool, stack_run: StackRun) -> None:
    run = stack_run(stack, preview)
    environment = run.one(tokens.GITHUB_REPOSITORY_ENVIRONMENT, ENVIRONMENT[stack])
    assert environment.inputs["environment"] == ENVIRONMENT[stack]
    assert environment.inputs["repository"] == "converge-nps"
    assert environment.inputs["deploymentBranchPolicy"] == {"customBranchPolicies": True, "protectedBranches": False}
    policy = run.one(
        tokens.GITHUB_DEPLOYMENT_POLICY,
        f"{ENVIRONMENT[stack]}-branch",
    )
    assert policy.inputs["branchPattern"] == BRANCH[stack]
    assert run.outputs["deployBranch"] == BRANCH[stack]


def test_production_requires_reviewers_and_prevents_self_review(stack_run: StackRun) -> None:
    environment = stack_run("prod", False).one(tokens.GITHUB_REPOSITORY_ENVIRONMENT, "production")
    assert environment.inputs["reviewers"] == [{"teams": [github_id("devops")]}]
    assert environment.inputs["preventSelfReview"] is True
    assert environment.inputs["canAdminsBypass"] is False
    dev = stack_run("dev", False).one(tokens.GITHUB_REPOSITORY_ENVIRONMENT, "development")
    assert "reviewers" not in dev.inputs


def environment_values(run: ProgramRun, environment: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(variables, secrets) the program gives one GitHub environment."""

    def of(token: str, key: str) -> dict[str, Any]:
        return {
            r.inputs[key]: r.inputs["value" if key == "variableName" else "plaintextValue"]
            for r in run.of_type(token)
            if r.inputs["environment"] in (environment, UNKNOWN) and r.parent.endswith(f"::{environment}")
        }

    return (
        of(tokens.GITHUB_ENVIRONMENT_VARIABLE, "variableName"),
        of(tokens.GITHUB_ENVIRONMENT_SECRET, "secretName"),
    )


def test_deploy_workflow_gets_its_variables_and_secrets(stack: str, preview: bool, stack_run: StackRun) -> None:
    run = stack_run(stack, preview)
    variables, secrets = environment_values(run, ENVIRONMENT[stack])
    assert set(variables) == {"VITE_API_BASE_URL", "VITE_WS_URL"}
    assert set(secrets) == {"VITE_SENTRY_DSN", "RAILWAY_TOKEN", "DATABASE_URL", "SLACK_WEBHOOK_URL"}
    for value in secrets.values():
        assert isinstance(value, Secret) or value is UNKNOWN
    public_domain = settings_of(stack).backend.public_domain
    if public_domain is not None:
        assert variables["VITE_API_BASE_URL"] == f"https://{public_domain}/v1"
        assert variables["VITE_WS_URL"] == f"wss://{public_domain}"


def test_backup_environments_for_the_scheduled_backup_workflow(stack: str, stack_run: StackRun) -> None:
    run = stack_run(stack, False)
    settings = settings_of(stack)
    environments = {r.inputs["environment"]: r for r in run.of_type(tokens.GITHUB_REPOSITORY_ENVIRONMENT)}
    name = f"{ENVIRONMENT[stack]}-backups"
    if not settings.backups.scheduled:
        assert name not in environments
        return
    assert "reviewers" not in environments[name].inputs  # an hourly job cannot wait for a reviewer
    policies = run.of_type(tokens.GITHUB_DEPLOYMENT_POLICY)
    assert {p.inputs["branchPattern"] for p in policies if p.parent.endswith(f"::{name}")} == {"main"}
    variables, secrets = environment_values(run, name)
    assert variables == {
        "EVENT_MODE": "true" if settings.event_mode else "false",
        "BACKUP_S3_BUCKET": settings.backups.s3_bucket,
        "BACKUP_CRON": settings.backup_cron,
        "AWS_REGION": settings.backups.aws_region,
        "PG_MAJOR": str(settings.database.postgres_major_version),
    }
    assert set(secrets) == {"BACKUP_DATABASE_URL"}
    assert isinstance(secrets["BACKUP_DATABASE_URL"], Secret)


def test_backend_image_is_built_from_our_dockerfile_and_pinned_by_digest(stack: str, stack_run: StackRun) -> None:
    update = stack_run(stack, False)
    image = update.one(tokens.DOCKER_IMAGE, "backend")
    assert image.inputs["imageName"] == "ghcr.io/converge-nps/backend:latest"
    assert image.inputs["build"]["dockerfile"] == "docker/backend/Dockerfile"
    assert image.inputs["build"]["target"] == "runtime"
    assert update.outputs["backendImage"].startswith("ghcr.io/converge-nps/backend@sha256:")
    assert stack_run(stack, True).outputs["backendImage"] is UNKNOWN


def test_a_prebuilt_image_from_ci_is_used_instead_of_building() -> None:
    digest = "ghcr.io/converge-nps/backend@sha256:" + "b" * 64
    run = run_stack("prod", environ={"CONVERGE_IMAGE_REF": digest})
    assert [r.name for r in run.of_type(tokens.DOCKER_IMAGE)] == ["watchdog"]
    assert run.outputs["backendImage"] == digest


def test_ci_image_tag_override(stack_run: StackRun) -> None:
    run = run_stack("staging", environ={"CONVERGE_IMAGE_TAG": "sha-0a1b2c3"})
    assert run.one(tokens.DOCKER_IMAGE, "backend").inputs["imageName"] == "ghcr.io/converge-nps/backend:sha-0a1b2c3"


def test_stack_outputs_carry_the_stack_settings(stack: str, preview: bool, stack_run: StackRun) -> None:
    outputs = stack_run(stack, preview).outputs
    settings = settings_of(stack)
    backend, alerts = settings.backend, settings.alerts
    assert outputs["environment"] == ENVIRONMENT[stack]
    replicas = outputs["backendReplicas"]
    assert (replicas["deployed"], replicas["min"], replicas["max"], replicas["event"]) == (
        settings.deployed_replicas,
        backend.min_replicas,
        backend.max_replicas,
        backend.event_replicas,
    )
    assert replicas["scaleUp"] == {
        "cpuPercent": backend.scale_up.cpu_percent,
        "forMinutes": backend.scale_up.for_minutes,
    }
    assert replicas["scaleDown"] == {
        "cpuPercent": backend.scale_down.cpu_percent,
        "forMinutes": backend.scale_down.for_minutes,
    }
    assert outputs["alerts"] == {
        "cpuPercent": alerts.cpu_percent,
        "cpuForMinutes": alerts.cpu_for_minutes,
        "memoryPercent": alerts.memory_percent,
        "errorRatePercent": alerts.error_rate_percent,
        "p95LatencyMs": alerts.p95_latency_ms,
    }
    assert outputs["budgetMonthlyUsd"] == settings.budget.monthly_usd


def test_event_mode_in_prod() -> None:
    event_mode = {"converge-nps:eventMode": True}
    run = run_stack("prod", config=stack_config("prod", event_mode))
    settings = settings_of("prod", event_mode)
    backend, hourly = settings.backend, settings.backups.event_cron
    assert run.outputs["backendReplicas"]["deployed"] == max(backend.event_replicas, backend.min_replicas)
    assert run.outputs["backupSchedule"] == hourly
    variables, _ = environment_values(run, "production-backups")
    assert (variables["EVENT_MODE"], variables["BACKUP_CRON"]) == ("true", hourly)


def _plaintext_leaks(value: Any, secrets: set[str], path: str = "") -> list[str]:
    """Paths where a secret value sits outside a `Secret` marker."""
    if isinstance(value, Secret):
        return []
    if isinstance(value, dict):
        return [leak for k, v in value.items() for leak in _plaintext_leaks(v, secrets, f"{path}.{k}")]
    if isinstance(value, list):
        return [leak for i, v in enumerate(value) for leak in _plaintext_leaks(v, secrets, f"{path}[{i}]")]
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return [path] if any(s in text for s in secrets) else []


def generated_secrets(run: ProgramRun) -> set[str]:
    return {
        plain(r.outputs[key])
        for r in run.of_type(tokens.RANDOM_BYTES)
        for key in ("hex", "base64")
        if r.outputs.get(key) not in (None, UNKNOWN)
    }


def test_no_secret_in_plaintext_in_any_input_or_output(stack: str, preview: bool, stack_run: StackRun) -> None:
    run = stack_run(stack, preview)
    secrets = set(STAND_IN_SECRETS.values()) | generated_secrets(run)
    leaks = [f"output {name}{p}" for name, v in run.outputs.items() for p in _plaintext_leaks(v, secrets)]
    for resource in run.resources:
        if resource.type.startswith("random:"):
            continue  # the generator's own outputs are covered by additionalSecretOutputs
        leaks += [f"{resource.name} input{p}" for p in _plaintext_leaks(resource.inputs, secrets)]
        leaks += [f"{resource.name} output{p}" for p in _plaintext_leaks(resource.outputs, secrets)]
    assert leaks == []


def test_a_bad_stack_file_registers_nothing_and_names_every_key() -> None:
    config = stack_config(
        "prod",
        {
            "converge-nps:backend": {"minReplicas": 1, "maxReplicas": 9, "vcpuPerReplica": 2, "memoryGbPerReplica": 1},
            "converge-nps:frontendUrl": "http://converge-nps.com",
        },
    )
    run = run_stack("prod", config=config, raise_errors=False)
    assert isinstance(run.error, pulumi.RunError)
    message = str(run.error)
    assert "Pulumi.prod.yaml" in message
    assert "converge-nps:backend.maxReplicas" in message
    assert "converge-nps:backend.minReplicas" in message
    assert "converge-nps:frontendUrl" in message
    assert run.resources == []


def test_preview_and_update_register_the_same_resources(stack: str, stack_run: StackRun) -> None:
    # A resource that exists only in one mode would mean an apply() decides the program's shape.
    assert sorted(r.urn for r in stack_run(stack, False).resources) == sorted(
        r.urn for r in stack_run(stack, True).resources
    )


def test_leak_detector_finds_plaintext_and_ignores_secrets() -> None:
    secrets = {"s3cr3t-value"}
    assert _plaintext_leaks({"a": Secret("s3cr3t-value"), "b": ["x", "pre-s3cr3t-value"]}, secrets) == [".b[1]"]
