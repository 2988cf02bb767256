"""The program's UptimeRobot monitor, for each stack under mocks: what it checks, how often, whom it alerts."""

from __future__ import annotations

from collections.abc import Callable

from components import tokens
from components.values import UNKNOWN, Secret
from offline.program import ProgramRun
from settings.sources import PROJECT
from settings.stacks import ENVIRONMENT_BY_STACK
from tests.doubles import run_stack, stack_config

StackRun = Callable[[str, bool], ProgramRun]


def test_the_monitor_checks_the_backends_health_path_at_the_set_interval(stack: str, stack_run: StackRun) -> None:
    run = stack_run(stack, False)
    monitor = run.one(tokens.UPTIMEROBOT_MONITOR)
    config = stack_config(stack)
    health = config.get(f"{PROJECT}:backend", {}).get("healthCheckPath", "/health")
    assert monitor.inputs["url"] == run.outputs["apiUrl"] + health
    assert monitor.inputs["interval"] == config[f"{PROJECT}:uptime"].get("intervalSeconds", 300)
    assert monitor.inputs["friendlyName"] == f"converge-nps-{ENVIRONMENT_BY_STACK[stack]} health"
    assert run.outputs["uptimeMonitorId"] == monitor.outputs["monitorId"]


def test_the_monitor_alerts_the_email_address_and_slack_with_the_webhook_secret(
    stack: str, preview: bool, stack_run: StackRun
) -> None:
    run = stack_run(stack, preview)
    contacts = {c.inputs["kind"]: c for c in run.of_type(tokens.UPTIMEROBOT_ALERT_CONTACT)}
    assert set(contacts) == {"email", "slack"}
    assert contacts["email"].inputs["value"] == stack_config(stack)[f"{PROJECT}:uptime"]["alertEmail"]
    assert isinstance(contacts["slack"].inputs["value"], Secret)
    assert "value" in contacts["slack"].additional_secret_outputs
    assert "value" not in contacts["email"].additional_secret_outputs
    monitor = run.one(tokens.UPTIMEROBOT_MONITOR)
    expected = (
        [UNKNOWN, UNKNOWN]
        if preview
        else [contacts["email"].outputs["contactId"], contacts["slack"].outputs["contactId"]]
    )
    assert monitor.inputs["alertContactIds"] == expected


def test_without_a_slack_webhook_the_monitor_alerts_by_email_only() -> None:
    config = stack_config("dev", {f"{PROJECT}:slackWebhookUrl": None})
    run = run_stack("dev", config={k: v for k, v in config.items() if v is not None})
    (contact,) = run.of_type(tokens.UPTIMEROBOT_ALERT_CONTACT)
    assert contact.inputs["kind"] == "email"
    assert run.one(tokens.UPTIMEROBOT_MONITOR).inputs["alertContactIds"] == [contact.outputs["contactId"]]


def test_the_interval_is_a_setting() -> None:
    config = stack_config("staging")
    config[f"{PROJECT}:uptime"] = {**config[f"{PROJECT}:uptime"], "intervalSeconds": 600}
    assert run_stack("staging", config=config).one(tokens.UPTIMEROBOT_MONITOR).inputs["interval"] == 600
