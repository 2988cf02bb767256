"""The UptimeRobot kinds driven as the engine drives them, against the fake API: create-or-adopt by
friendly name, in-place edits, gone on refresh, `stat: fail` answers, retries, and secrets."""

from __future__ import annotations

import base64
from typing import Any

import dill
import pytest
from pulumi.runtime import rpc

from providers.core.errors import ApiError, MissingCredentialsError
from providers.uptimerobot.alert_contact import AlertContactProvider, SlackAlertContactProvider
from providers.uptimerobot.monitor import MonitorProvider
from tests.providers.engine import Declared, Engine
from tests.uptimerobot.fake_api import EMAIL, KEY, SLACK, FakeUptimeRobot, Fault

WEBHOOK = "https://hooks.slack.com/services/T000/B000/abcdefghijklmnop"
NAME = "converge-nps-staging /health"
URL = "https://api-staging.converge-nps.com/health"


def declared(interval: int = 300, url: str = URL, webhook: str = WEBHOOK) -> list[Declared]:
    return [
        Declared(
            "email",
            AlertContactProvider(),
            lambda _e: {"kind": "email", "friendlyName": "converge-nps-staging e-mail", "value": "ops@example.com"},
        ),
        Declared(
            "slack",
            SlackAlertContactProvider(),
            lambda _e: {
                "kind": "slack",
                "friendlyName": "converge-nps-staging Slack",
                "value": rpc.wrap_rpc_secret(webhook),
            },
        ),
        Declared(
            "monitor",
            MonitorProvider(),
            lambda e: {
                "friendlyName": NAME,
                "url": url,
                "interval": interval,
                "alertContactIds": [e.out("email", "contactId"), e.out("slack", "contactId")],
            },
        ),
    ]


def test_up_makes_the_monitor_and_its_contacts_then_a_second_up_changes_nothing(fake: FakeUptimeRobot) -> None:
    engine = Engine()
    engine.up(declared())
    (monitor,) = fake.monitors.values()
    assert (monitor["friendly_name"], monitor["url"], monitor["interval"]) == (NAME, URL, 300)
    assert sorted(monitor["alert_contacts"]) == sorted(c["id"] for c in fake.contacts.values())
    assert sorted(c["type"] for c in fake.contacts.values()) == [EMAIL, SLACK]
    assert engine.ids["monitor"] == str(monitor["id"])

    writes = len(fake.writes())
    engine.up(declared())
    assert len(fake.writes()) == writes
    assert [op for op, _ in engine.operations[-3:]] == ["same", "same", "same"]


def test_a_new_interval_or_url_is_edited_in_place(fake: FakeUptimeRobot) -> None:
    engine = Engine()
    engine.up(declared())
    monitor_id = engine.ids["monitor"]
    engine.up(declared(interval=600, url="https://api.converge-nps.com/health"))
    assert engine.operations[-1] == ("update", "monitor")
    assert engine.ids["monitor"] == monitor_id
    assert fake.monitors[int(monitor_id)]["interval"] == 600
    assert engine.out("monitor", "url") == "https://api.converge-nps.com/health"


def test_a_new_webhook_edits_the_slack_contact(fake: FakeUptimeRobot) -> None:
    engine = Engine()
    engine.up(declared())
    engine.up(declared(webhook=WEBHOOK + "x"))
    assert ("update", "slack") in engine.operations
    assert fake.contacts[engine.ids["slack"]]["value"] == WEBHOOK + "x"


def test_create_adopts_a_monitor_and_contact_of_the_same_name(fake: FakeUptimeRobot) -> None:
    contact_id = fake.add_contact("converge-nps-staging e-mail", EMAIL, "ops@example.com")
    # Made by an earlier `up` that failed after newMonitor: a wrong interval, no contacts yet.
    monitor_id = fake.add_monitor(NAME, URL, 60)
    fake.add_monitor("converge-nps-staging /health (old)", URL, 300)
    engine = Engine()
    engine.up(declared())
    assert engine.ids["email"] == contact_id
    assert engine.ids["monitor"] == str(monitor_id)
    assert [c.method for c in fake.writes()] == ["newAlertContact", "editMonitor"]
    assert fake.monitors[monitor_id]["interval"] == 300
    assert len(fake.monitors) == 2


def test_a_contact_of_another_type_is_not_adopted(fake: FakeUptimeRobot) -> None:
    fake.add_contact("converge-nps-staging Slack", EMAIL, "someone@example.com")
    engine = Engine()
    engine.up(declared())
    assert fake.contacts[engine.ids["slack"]]["type"] == SLACK


def test_a_lost_create_answer_is_recovered_without_a_second_monitor(fake: FakeUptimeRobot) -> None:
    fake.fail(Fault("newMonitor", status=502, apply_first=True))
    engine = Engine()
    engine.up(declared())
    assert len(fake.monitors) == 1
    assert engine.ids["monitor"] == str(next(iter(fake.monitors)))


def test_rate_limits_are_waited_out(fake: FakeUptimeRobot, sleeps: list[float]) -> None:
    fake.fail(Fault("getMonitors", status=429, headers={"Retry-After": "7"}))
    Engine().up(declared())
    assert 7.0 in sleeps
    assert len(fake.monitors) == 1


def test_refresh_drops_what_was_deleted_outside_pulumi(fake: FakeUptimeRobot) -> None:
    engine = Engine()
    engine.up(declared())
    fake.monitors.clear()
    engine.refresh()
    assert ("gone", "monitor") in engine.operations
    assert ("read", "email") in engine.operations
    engine.up(declared())
    assert len(fake.monitors) == 1


def test_refresh_reads_drift_back(fake: FakeUptimeRobot) -> None:
    engine = Engine()
    engine.up(declared())
    fake.monitors[int(engine.ids["monitor"])]["interval"] = 900
    engine.refresh()
    assert engine.out("monitor", "interval") == 900
    engine.up(declared())
    assert engine.operations[-1] == ("update", "monitor")


def test_destroy_deletes_everything_and_tolerates_what_is_already_gone(fake: FakeUptimeRobot) -> None:
    engine = Engine()
    engine.up(declared())
    fake.contacts.pop(engine.ids["email"])
    engine.destroy()
    assert fake.monitors == {} and fake.contacts == {}


def test_a_fail_answer_is_an_error_that_does_not_echo_the_key(
    fake: FakeUptimeRobot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UPTIMEROBOT_API_KEY", "u999-wrong-key")
    with pytest.raises(ApiError) as raised:
        MonitorProvider().create({"friendlyName": NAME, "url": URL, "interval": 300, "alertContactIds": []})
    assert "invalid_parameter; api_key" in str(raised.value)
    assert "u999-wrong-key" not in str(raised.value)
    assert fake.monitors == {}


def test_a_refresh_with_a_wrong_key_fails_instead_of_dropping_the_monitor(
    fake: FakeUptimeRobot, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = Engine()
    engine.up(declared())
    monkeypatch.setenv("UPTIMEROBOT_API_KEY", "u999-wrong-key")
    with pytest.raises(ApiError):
        engine.read("monitor")


def test_the_webhook_is_a_secret_output_and_in_no_error(fake: FakeUptimeRobot) -> None:
    engine = Engine()
    engine.up(declared())
    assert rpc.is_rpc_secret(engine.out("slack", "value"))
    assert engine.out("email", "value") == "ops@example.com"
    fake.fail(Fault("editAlertContact", status=400))
    with pytest.raises(ApiError) as raised:
        engine.up(declared(webhook=WEBHOOK + "y"))
    assert WEBHOOK not in str(raised.value)


def test_the_key_is_read_at_call_time_and_is_never_on_the_provider(
    fake: FakeUptimeRobot, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = MonitorProvider()
    assert KEY.encode() not in base64.b64encode(dill.dumps(provider))
    assert KEY.encode() not in dill.dumps(provider)
    monkeypatch.delenv("UPTIMEROBOT_API_KEY")
    with pytest.raises(MissingCredentialsError, match="UPTIMEROBOT_API_KEY"):
        provider.read("1", {})


@pytest.mark.parametrize(
    ("provider", "inputs", "failing"),
    [
        (MonitorProvider(), {"url": "ftp://x", "interval": 300}, ["url"]),
        (MonitorProvider(), {"url": URL, "interval": 10}, ["interval"]),
        (AlertContactProvider(), {"kind": "sms", "value": "+1"}, ["kind"]),
        (AlertContactProvider(), {"kind": "email", "value": "not-an-address"}, ["value"]),
        (AlertContactProvider(), {"kind": "slack", "value": "https://example.com/hook"}, ["value"]),
    ],
)
def test_check_refuses_what_the_api_would(provider: Any, inputs: dict[str, Any], failing: list[str]) -> None:
    failures = provider.check({}, inputs).failures
    assert [f.property for f in failures] == failing
    assert all("example.com/hook" not in f.reason for f in failures)


def test_check_accepts_unknowns_in_preview() -> None:
    unknown = rpc.UNKNOWN
    assert MonitorProvider().check({}, {"url": unknown, "interval": 300}).failures == []
    assert AlertContactProvider().check({}, {"kind": "slack", "value": unknown}).failures == []


def test_adoption_looks_past_the_first_page(fake: FakeUptimeRobot) -> None:
    for number in range(60):
        fake.add_contact(f"someone else {number}", EMAIL, f"person{number}@example.com")
    contact_id = fake.add_contact("converge-nps-staging e-mail", EMAIL, "ops@example.com")
    engine = Engine()
    engine.up(declared())
    assert engine.ids["email"] == contact_id
    assert [c.form["offset"] for c in fake.calls if c.method == "getAlertContacts" and "offset" in c.form][:2] == [
        "0",
        "50",
    ]
