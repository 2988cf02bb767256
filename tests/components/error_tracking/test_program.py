"""The program's Sentry projects, DSNs and alert, for each stack under mocks: one backend and one frontend
project per environment, their DSNs reach the backend and the frontend build only as secrets, and the
alert watches both projects' critical errors."""

from __future__ import annotations

from collections.abc import Callable

from components import tokens
from components.values import Secret, plain
from offline.program import ProgramRun, Registration
from settings.sources import PROJECT
from settings.stacks import ENVIRONMENT_BY_STACK
from tests.doubles import run_stack, stack_config
from tests.test_program import environment_values

StackRun = Callable[[str, bool], ProgramRun]


def _by_app(run: ProgramRun, token: str) -> dict[str, Registration]:
    return {r.name.rsplit("-", 1)[1]: r for r in run.of_type(token)}


def test_a_backend_and_a_frontend_project_per_environment(stack: str, stack_run: StackRun) -> None:
    run = stack_run(stack, False)
    sentry = stack_config(stack)[f"{PROJECT}:sentry"]
    projects = _by_app(run, tokens.SENTRY_PROJECT)
    assert set(projects) == {"backend", "frontend"}
    for app, project in projects.items():
        assert project.inputs["slug"] == f"converge-nps-{ENVIRONMENT_BY_STACK[stack]}-{app}"
        assert (project.inputs["organization"], project.inputs["team"]) == (sentry["organization"], sentry["team"])
    assert projects["backend"].inputs["platform"] == "node-express"
    assert projects["frontend"].inputs["platform"] == "javascript-react"
    assert run.outputs["sentryProjects"] == {app: p.inputs["slug"] for app, p in projects.items()}


def test_the_dsns_reach_the_backend_and_the_frontend_build_as_secrets(
    stack: str, preview: bool, stack_run: StackRun
) -> None:
    run = stack_run(stack, preview)
    keys = _by_app(run, tokens.SENTRY_CLIENT_KEY)
    assert set(keys) == {"backend", "frontend"}
    for key in keys.values():
        assert "dsn" in key.additional_secret_outputs
    backend_variables = run.one(tokens.RAILWAY_VARIABLES, "backend-variables").inputs["secrets"]
    _variables, secrets = environment_values(run, ENVIRONMENT_BY_STACK[stack])
    frontend_dsn = secrets["VITE_SENTRY_DSN"]
    if not preview:
        assert isinstance(backend_variables, Secret) and isinstance(frontend_dsn, Secret)
        backend_dsn = plain(backend_variables)["SENTRY_DSN"]
        assert backend_dsn == keys["backend"].outputs["dsn"]
        assert plain(frontend_dsn) == keys["frontend"].outputs["dsn"]
        assert backend_dsn != plain(frontend_dsn)
    # Nothing exports a DSN.
    assert "dsn" not in str(run.outputs).lower()


def test_the_alert_watches_both_projects_critical_errors(stack: str, preview: bool, stack_run: StackRun) -> None:
    run = stack_run(stack, preview)
    alert = run.one(tokens.SENTRY_ALERT)
    projects = _by_app(run, tokens.SENTRY_PROJECT)
    if not preview:
        assert sorted(alert.inputs["projects"]) == sorted(p.inputs["slug"] for p in projects.values())
    assert alert.inputs["level"] == "fatal"
    assert alert.inputs["name"] == f"converge-nps-{ENVIRONMENT_BY_STACK[stack]} critical errors"


def test_with_sentrys_slack_integration_the_alert_posts_to_the_channel() -> None:
    config = stack_config("prod")
    config[f"{PROJECT}:sentry"] = {
        **config[f"{PROJECT}:sentry"],
        "slackIntegrationId": "123456",
        "slackChannel": "#converge-alerts",
    }
    alert = run_stack("prod", config=config).one(tokens.SENTRY_ALERT)
    assert (alert.inputs["slackIntegrationId"], alert.inputs["slackChannel"]) == ("123456", "#converge-alerts")
