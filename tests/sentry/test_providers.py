"""The Sentry kinds driven as the engine drives them, against the fake API (every request checked against
the official spec): projects, client keys (DSNs, secret) and the critical-error alert."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.runtime import rpc

from providers.core.errors import ApiError, MissingCredentialsError
from providers.sentry.alert import AlertProvider
from providers.sentry.client_key import ClientKeyProvider
from providers.sentry.project import ProjectProvider
from tests.providers.engine import Declared, Engine
from tests.sentry.conftest import ORGANIZATION, TEAM
from tests.sentry.fake_api import FakeSentry, Fault

KEY_NAME = "converge-nps-staging"


def project(slug: str, platform: str, team: str = TEAM, name: str | None = None) -> Declared:
    return Declared(
        slug,
        ProjectProvider(),
        lambda _e: {
            "organization": ORGANIZATION,
            "team": team,
            "slug": slug,
            "name": name or slug,
            "platform": platform,
        },
    )


def key(slug: str) -> Declared:
    return Declared(
        f"{slug}-key",
        ClientKeyProvider(),
        lambda e: {"organization": ORGANIZATION, "project": e.out(slug, "slug"), "name": KEY_NAME},
    )


def alert(level: str = "fatal", slack: tuple[str, str] | None = None, environment: str = "staging") -> Declared:
    return Declared(
        "alert",
        AlertProvider(),
        lambda e: {
            "organization": ORGANIZATION,
            "name": "converge-nps-staging critical errors",
            "projects": [e.out("staging-backend", "slug"), e.out("staging-frontend", "slug")],
            "environment": environment,
            "level": level,
            "slackIntegrationId": slack[0] if slack else None,
            "slackChannel": slack[1] if slack else None,
        },
    )


def stack(**alert_args: Any) -> list[Declared]:
    return [
        project("staging-backend", "node-express"),
        project("staging-frontend", "javascript-react"),
        key("staging-backend"),
        key("staging-frontend"),
        alert(**alert_args),
    ]


def test_up_makes_projects_keys_and_the_alert_then_a_second_up_changes_nothing(fake: FakeSentry) -> None:
    engine = Engine()
    engine.up(stack())
    assert {slug for _org, slug in fake.projects} == {"staging-backend", "staging-frontend"}
    for slug in ("staging-backend", "staging-frontend"):
        names = [k["name"] for k in fake.keys[ORGANIZATION, slug]]
        assert names == ["Default", KEY_NAME]
        dsn = engine.out(f"{slug}-key", "dsn")
        assert rpc.is_rpc_secret(dsn)
        assert rpc.unwrap_rpc_secret(dsn) == fake.keys[ORGANIZATION, slug][1]["dsn"]["public"]
    (workflow,) = fake.workflows.values()
    assert sorted(workflow["detectorIds"]) == sorted(
        [fake.error_detector("staging-backend"), fake.error_detector("staging-frontend")]
    )
    assert workflow["environment"] == "staging"
    ((level,),) = [f["conditions"] for f in workflow["actionFilters"]]
    assert level["comparison"] == {"level": 50, "match": "gte"}
    ((action,),) = [f["actions"] for f in workflow["actionFilters"]]
    assert action["type"] == "email"  # no Slack integration configured

    writes = len(fake.writes())
    engine.up(stack())
    assert len(fake.writes()) == writes
    assert {op for op, _ in engine.operations[-5:]} == {"same"}


def test_projects_are_made_without_sentrys_default_alert(fake: FakeSentry) -> None:
    Engine().up([project("staging-backend", "node-express")])
    (create,) = [c for c in fake.calls if c.method == "POST"]
    assert create.body["default_rules"] is False


def test_slack_and_level_changes_update_the_alert_in_place(fake: FakeSentry) -> None:
    engine = Engine()
    engine.up(stack())
    workflow_id = engine.ids["alert"]
    engine.up(stack(level="error", slack=("123456", "#converge-alerts")))
    assert engine.operations[-1] == ("update", "alert")
    assert engine.ids["alert"] == workflow_id
    ((action,),) = [f["actions"] for f in fake.workflows[workflow_id]["actionFilters"]]
    assert (action["type"], action["integrationId"], action["config"]["targetDisplay"]) == (
        "slack",
        "123456",
        "#converge-alerts",
    )
    engine.refresh()
    assert (engine.out("alert", "level"), engine.out("alert", "slackChannel")) == ("error", "#converge-alerts")


def test_create_adopts_existing_projects_keys_and_alert(fake: FakeSentry) -> None:
    first = Engine()
    first.up(stack())
    made = (dict(first.ids), len(fake.projects), len(fake.workflows))
    # The state is lost (a failed first `up`): a new engine adopts everything instead of making copies.
    again = Engine()
    again.up(stack())
    assert (dict(again.ids), len(fake.projects), len(fake.workflows)) == made
    assert [len(keys) for keys in fake.keys.values()] == [2, 2]


def test_a_lost_create_answer_is_recovered_without_a_second_project(fake: FakeSentry) -> None:
    fake.fail(Fault("POST", r"/teams/.*/projects/$", status=502, apply_first=True))
    engine = Engine()
    engine.up([project("staging-backend", "node-express")])
    assert len(fake.projects) == 1
    assert engine.ids["staging-backend"] == fake.projects[ORGANIZATION, "staging-backend"]["id"]


def test_a_new_team_moves_the_project_and_a_new_slug_replaces_it(fake: FakeSentry) -> None:
    fake.add_team(ORGANIZATION, "platform")
    engine = Engine()
    engine.up([project("staging-backend", "node-express")])
    project_id = engine.ids["staging-backend"]
    engine.up([project("staging-backend", "node-express", team="platform")])
    assert engine.operations[-1] == ("update", "staging-backend")
    assert [t["slug"] for t in fake.projects[ORGANIZATION, "staging-backend"]["teams"]] == ["platform"]
    assert engine.ids["staging-backend"] == project_id
    renamed = project("staging-backend", "node-express", team="platform")
    renamed.inputs = lambda _e: {
        "organization": ORGANIZATION,
        "team": "platform",
        "slug": "staging-api",
        "name": "staging-api",
        "platform": "node-express",
    }
    engine.up([renamed])
    assert engine.operations[-1] == ("replace", "staging-backend")
    assert {slug for _org, slug in fake.projects} == {"staging-api"}


def test_refresh_drops_what_was_deleted_outside_pulumi_and_destroy_cleans_up(fake: FakeSentry) -> None:
    engine = Engine()
    engine.up(stack())
    fake.workflows.clear()
    fake.keys[ORGANIZATION, "staging-frontend"].pop()
    engine.refresh()
    assert {name for op, name in engine.operations if op == "gone"} == {"alert", "staging-frontend-key"}
    engine.up(stack())
    assert len(fake.workflows) == 1
    engine.destroy()
    assert fake.projects == {} and fake.workflows == {}


def test_a_refresh_with_a_bad_token_fails_instead_of_dropping_resources(
    fake: FakeSentry, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = Engine()
    engine.up(stack())
    monkeypatch.setenv("SENTRY_AUTH_TOKEN", "sntrys_wrong")
    with pytest.raises(ApiError) as raised:
        engine.read("staging-backend")
    assert raised.value.status == 401
    assert "sntrys_wrong" not in str(raised.value)


def test_rate_limits_are_waited_out(fake: FakeSentry, sleeps: list[float]) -> None:
    fake.fail(Fault("GET", r"/keys/$", status=429, headers={"Retry-After": "3"}))
    Engine().up(stack())
    assert 3.0 in sleeps


def test_lists_are_read_past_their_first_page(fake: FakeSentry) -> None:
    fake.page_size = 1
    engine = Engine()
    engine.up(stack())
    again = Engine()
    again.up(stack())
    assert again.ids == engine.ids


def test_the_token_is_read_at_call_time(fake: FakeSentry, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SENTRY_AUTH_TOKEN")
    with pytest.raises(MissingCredentialsError, match="SENTRY_AUTH_TOKEN"):
        Engine().up([project("staging-backend", "node-express")])
    assert fake.calls == []


@pytest.mark.parametrize(
    ("provider", "inputs", "failing"),
    [
        (ProjectProvider(), {"slug": "Staging Backend"}, ["slug"]),
        (ProjectProvider(), {"slug": "12345"}, ["slug"]),
        (AlertProvider(), {"level": "critical"}, ["level"]),
        (AlertProvider(), {"level": "fatal", "slackIntegrationId": "1"}, ["slackChannel"]),
    ],
)
def test_check_refuses_what_the_api_would(provider: Any, inputs: dict[str, Any], failing: list[str]) -> None:
    assert [f.property for f in provider.check({}, inputs).failures] == failing
