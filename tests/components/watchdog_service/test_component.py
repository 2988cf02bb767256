"""The watchdog in each stack's program: its image, its Railway service, its variables, and that it is
left out when the stack turns it off."""

from __future__ import annotations

from collections.abc import Callable

from components import tokens
from components.railway_resources import SERVICE_REPLICAS
from components.values import UNKNOWN, Secret, plain
from components.watchdog_service.contract import DOCKERFILE, REPLICAS, SERVICE_NAME
from offline.program import ProgramRun, Registration
from tests.cost.test_model import settings_of
from tests.doubles import STAND_IN_SECRETS, run_stack, stack_config
from watchdog.contract import CONFIG_VARIABLE, SLACK_WEBHOOK_VARIABLE, parse_config

StackRun = Callable[[str, bool], ProgramRun]


def watchdog_part(run: ProgramRun, type_: str) -> Registration:
    (component,) = run.of_type(tokens.WATCHDOG_SERVICE)
    (part,) = [r for r in run.children_of(component) if r.type == type_]
    return part


def test_the_image_is_built_from_the_watchdogs_dockerfile(stack: str, stack_run: StackRun) -> None:
    image = watchdog_part(stack_run(stack, False), tokens.DOCKER_IMAGE)
    settings = settings_of(stack)
    assert image.inputs["imageName"] == f"{settings.watchdog.image_repository}:{settings.image.tag}"
    assert image.inputs["build"]["dockerfile"] == DOCKERFILE
    assert image.inputs["build"]["context"] == "."


def test_one_replica_with_the_settings_limits_no_volume_no_domain(
    stack: str, preview: bool, stack_run: StackRun
) -> None:
    run = stack_run(stack, preview)
    service = watchdog_part(run, tokens.RAILWAY_SERVICE)
    assert (service.inputs["name"], service.inputs["numReplicas"]) == (SERVICE_NAME, REPLICAS)
    assert "healthcheckPath" not in service.inputs
    limits = watchdog_part(run, tokens.RAILWAY_SERVICE_LIMITS)
    watchdog = settings_of(stack).watchdog
    assert (limits.inputs["vcpus"], limits.inputs["memoryGb"]) == (watchdog.vcpu, watchdog.memory_gb)
    (component,) = run.of_type(tokens.WATCHDOG_SERVICE)
    kinds = {r.type for r in run.children_of(component)}
    assert not kinds & {tokens.RAILWAY_VOLUME, tokens.RAILWAY_SERVICE_DOMAIN, tokens.RAILWAY_CUSTOM_DOMAIN}


def test_the_config_names_the_stacks_railway_ids_and_the_credentials_are_secrets(stack_run: StackRun) -> None:
    run = stack_run("prod", False)
    variables = watchdog_part(run, tokens.RAILWAY_VARIABLES).inputs
    config = parse_config(plain(variables["variables"][CONFIG_VARIABLE]))
    backend = run.one(tokens.RAILWAY_SERVICE, "backend")
    assert (config.project_id, config.environment_id, config.backend_service_id) == (
        variables["projectId"],
        variables["environmentId"],
        backend.id,
    )
    assert config.environment == "production"
    secrets = variables["secrets"]
    assert isinstance(secrets, Secret)
    assert set(secrets.value) == {"RAILWAY_TOKEN", SLACK_WEBHOOK_VARIABLE}
    assert secrets.value[SLACK_WEBHOOK_VARIABLE] == STAND_IN_SECRETS["converge-nps:slackWebhookUrl"]
    # Its own token, scoped to the stack's environment: revoking the deploy job's leaves the watchdog running.
    token = watchdog_part(run, tokens.RAILWAY_PROJECT_TOKEN)
    assert token.inputs["environmentId"] == variables["environmentId"]
    assert token.inputs["name"] == "watchdog-production"
    assert "token" in token.additional_secret_outputs


def test_in_preview_the_config_waits_for_the_ids(stack_run: StackRun) -> None:
    variables = watchdog_part(stack_run("staging", True), tokens.RAILWAY_VARIABLES).inputs
    assert variables["variables"][CONFIG_VARIABLE] is UNKNOWN


def test_without_a_slack_webhook_the_service_gets_none() -> None:
    config = stack_config("dev")
    config.pop("converge-nps:slackWebhookUrl")
    run = run_stack("dev", config=config)
    secrets = watchdog_part(run, tokens.RAILWAY_VARIABLES).inputs["secrets"]
    assert set(plain(secrets)) == {"RAILWAY_TOKEN"}


def test_a_stack_that_turns_it_off_gets_no_watchdog() -> None:
    config = stack_config("staging", {"converge-nps:watchdog": {"enabled": False}})
    run = run_stack("staging", config=config)
    assert run.of_type(tokens.WATCHDOG_SERVICE) == []
    assert sorted(r.name for r in run.of_type(tokens.RAILWAY_SERVICE)) == ["backend", "redis"]
    assert "watchdog" not in run.outputs["costEstimate"]["components"]


def test_pulumi_leaves_the_backends_replica_count_to_the_watchdog(stack: str, stack_run: StackRun) -> None:
    backend = stack_run(stack, False).one(tokens.RAILWAY_SERVICE, "backend")
    assert backend.ignore_changes == (SERVICE_REPLICAS,)
    # Created with the deployed count, which replica-limits still judges.
    assert backend.inputs[SERVICE_REPLICAS] == settings_of(stack).deployed_replicas


def test_without_the_watchdog_pulumi_owns_the_replica_count() -> None:
    config = stack_config("prod", {"converge-nps:watchdog": {"enabled": False}})
    backend = run_stack("prod", config=config).one(tokens.RAILWAY_SERVICE, "backend")
    assert backend.ignore_changes == ()
