"""The real program's UptimeRobot resources run through their providers against the fake API (the rest of
the program stays mocked): a first up, a no-change up, a refresh and a destroy."""

from __future__ import annotations

from components import tokens
from tests.doubles import STAND_IN_SECRETS, run_stack
from tests.providers.engine import Engine, program_engine
from tests.uptimerobot.fake_api import EMAIL, SLACK, FakeUptimeRobot

UPTIMEROBOT = tokens.DYNAMIC_PREFIX + "uptimerobot:"


def test_staging_up_twice_refresh_and_destroy(fake: FakeUptimeRobot) -> None:
    engine = Engine()
    with program_engine(engine, UPTIMEROBOT):
        first = run_stack("staging")
        writes = len(fake.writes())
        run_stack("staging")
    assert len(fake.writes()) == writes, "a second up with nothing changed writes nothing"

    (monitor,) = fake.monitors.values()
    assert monitor["url"] == first.outputs["apiUrl"] + "/health"
    assert monitor["interval"] == 300
    assert first.outputs["uptimeMonitorId"] == str(monitor["id"])
    by_type = {contact["type"]: contact for contact in fake.contacts.values()}
    assert set(by_type) == {EMAIL, SLACK}
    assert by_type[SLACK]["value"] == STAND_IN_SECRETS["converge-nps:slackWebhookUrl"]
    assert sorted(monitor["alert_contacts"]) == sorted(by_type[kind]["id"] for kind in (EMAIL, SLACK))

    engine.refresh()
    assert len(engine.ids) == 3
    engine.destroy()
    assert fake.monitors == {} and fake.contacts == {}
