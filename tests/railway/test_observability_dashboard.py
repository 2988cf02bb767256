"""The observability dashboard kind against the fake Railway (every document and its variables checked
against the official SDL there): create or adopt the environment's dashboard, update its items in place,
read drift back, and reset it on delete (Railway has no dashboard delete)."""

from __future__ import annotations

from typing import Any

from components.observability_dashboard.component import ObservabilityDashboardArgs, dashboard_items
from providers.railway.observability_dashboard import ObservabilityDashboardProvider
from tests.providers.engine import Declared, Engine
from tests.railway.fake_railway import FakeRailway

ENVIRONMENT = "env-dash"


def items(**thresholds: Any) -> list[dict[str, Any]]:
    args = ObservabilityDashboardArgs(
        environment_id=ENVIRONMENT,
        backend_service_id="svc-backend",
        redis_service_id="svc-redis",
        **{
            "cpu_percent": 80,
            "cpu_for_minutes": 5,
            "memory_percent": 90,
            "error_rate_percent": 5.0,
            "p95_latency_ms": 1000,
            **thresholds,
        },
    )
    return dashboard_items(args)


def declared(**thresholds: Any) -> list[Declared]:
    return [
        Declared(
            "dashboard",
            ObservabilityDashboardProvider(),
            lambda _e: {"environmentId": ENVIRONMENT, "items": items(**thresholds)},
        )
    ]


def with_environment(fake: FakeRailway) -> FakeRailway:
    fake.environments[ENVIRONMENT] = {"id": ENVIRONMENT, "name": "production", "projectId": "prj-dash"}
    return fake


def live_items(fake: FakeRailway) -> list[dict[str, Any]]:
    (dashboard,) = fake.dashboards.values()
    return [item["dashboardItem"] for item in dashboard["items"]]


def test_up_creates_the_seed_metrics_dashboard_and_a_second_up_changes_nothing(fake: FakeRailway) -> None:
    with_environment(fake)
    engine = Engine()
    engine.up(declared())
    assert [item["name"] for item in live_items(fake)] == ["CPU", "Memory", "Request rate", "Error rate", "Latency"]
    by_name = {item["name"]: item["config"] for item in live_items(fake)}
    assert by_name["CPU"]["measurements"] == ["CPU_USAGE", "CPU_LIMIT"]
    assert {by_name[name]["httpMetric"] for name in ("Request rate", "Error rate", "Latency")} == {
        "REQUESTS",
        "STATUS_RATIO",
        "LATENCY",
    }
    assert engine.ids["dashboard"] == next(iter(fake.dashboards))

    mutations = len(fake.mutations())
    engine.up(declared())
    assert engine.operations[-1] == ("same", "dashboard")
    assert len(fake.mutations()) == mutations


def test_an_existing_dashboard_is_adopted_and_given_the_items(fake: FakeRailway) -> None:
    with_environment(fake)
    fake.dashboards["dash-default"] = {"id": "dash-default", "environmentId": ENVIRONMENT, "items": []}
    fake._dashboard_items("dash-default", fake.DEFAULT_DASHBOARD_ITEMS)
    engine = Engine()
    engine.up(declared())
    assert engine.ids["dashboard"] == "dash-default"
    assert len(fake.dashboards) == 1
    assert [item["type"] for item in live_items(fake)].count("PROJECT_USAGE_ITEM") == 0


def test_a_new_threshold_updates_the_items_in_place_keeping_their_ids(fake: FakeRailway) -> None:
    with_environment(fake)
    engine = Engine()
    engine.up(declared())
    ids = [item["id"] for item in live_items(fake)]
    engine.up(declared(cpu_percent=70))
    assert engine.operations[-1] == ("update", "dashboard")
    assert [item["id"] for item in live_items(fake)] == ids
    assert live_items(fake)[0]["description"].startswith("Alert above 70%")


def test_refresh_sees_items_changed_by_hand_and_the_next_up_restores_them(fake: FakeRailway) -> None:
    with_environment(fake)
    engine = Engine()
    engine.up(declared())
    (dashboard,) = fake.dashboards.values()
    dashboard["items"] = dashboard["items"][:2]
    engine.refresh()
    assert len(engine.out("dashboard", "items")) == 2
    engine.up(declared())
    assert engine.operations[-1] == ("update", "dashboard")
    assert len(live_items(fake)) == 5


def test_items_listed_in_another_order_are_no_drift(fake: FakeRailway) -> None:
    with_environment(fake)
    engine = Engine()
    engine.up(declared())
    (dashboard,) = fake.dashboards.values()
    dashboard["items"].reverse()
    engine.refresh()
    mutations = len(fake.mutations())
    engine.up(declared())
    assert engine.operations[-1] == ("same", "dashboard")
    assert len(fake.mutations()) == mutations


def test_the_order_of_an_items_keys_is_no_change() -> None:
    # The engine hands maps back in any key order (Go map iteration is random).
    stored = [dict(reversed(item.items())) for item in items()]
    olds = {"environmentId": ENVIRONMENT, "items": stored, "dashboardId": "dash-1"}
    news = {"environmentId": ENVIRONMENT, "items": items()}
    assert not ObservabilityDashboardProvider().diff("dash-1", olds, news).changes


def test_destroy_resets_the_dashboard_to_railways_defaults(fake: FakeRailway) -> None:
    with_environment(fake)
    engine = Engine()
    engine.up(declared())
    engine.destroy()
    assert [item["type"] for item in live_items(fake)] == ["PROJECT_USAGE_ITEM"]
    engine.up(declared())
    assert len(fake.dashboards) == 1


def test_check_refuses_duplicate_keys_and_unknown_types() -> None:
    provider = ObservabilityDashboardProvider()
    twice = items()[:1] * 2
    assert [f.reason for f in provider.check({}, {"environmentId": ENVIRONMENT, "items": twice}).failures] == [
        "two items share a key"
    ]
    odd = [{**items()[0], "type": "PIE_CHART"}]
    assert len(provider.check({}, {"environmentId": ENVIRONMENT, "items": odd}).failures) == 1
