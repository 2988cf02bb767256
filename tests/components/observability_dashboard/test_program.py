"""The program's Railway observability dashboard, for each stack under mocks: the seed's metrics for the
stack's own services, with its alert thresholds."""

from __future__ import annotations

from collections.abc import Callable

from components import tokens
from offline.program import ProgramRun
from settings.sources import PROJECT
from tests.doubles import run_stack, stack_config

StackRun = Callable[[str, bool], ProgramRun]


def test_the_dashboard_shows_the_seeds_metrics_for_the_stacks_services(stack: str, stack_run: StackRun) -> None:
    run = stack_run(stack, False)
    dashboard = run.one(tokens.RAILWAY_OBSERVABILITY_DASHBOARD)
    assert dashboard.inputs["environmentId"] == run.outputs["railway"]["environmentId"]
    items = {item["key"]: item for item in dashboard.inputs["items"]}
    assert list(items) == ["cpu", "memory", "requests", "errors", "latency"]
    backend, redis = run.outputs["railway"]["backendServiceId"], run.outputs["railway"]["redisServiceId"]
    assert items["cpu"]["resourceIds"] == items["memory"]["resourceIds"] == [backend, redis]
    for key, metric in (("requests", "REQUESTS"), ("errors", "STATUS_RATIO"), ("latency", "LATENCY")):
        assert (items[key]["type"], items[key]["httpMetric"], items[key]["resourceIds"]) == (
            "HTTP_METRICS_ITEM",
            metric,
            [backend],
        )
    assert run.outputs["railway"]["dashboardId"] == dashboard.outputs["dashboardId"]


def test_the_descriptions_carry_the_stacks_alert_thresholds() -> None:
    config = stack_config("staging")
    config[f"{PROJECT}:alerts"] = {"cpuPercent": 70, "cpuForMinutes": 10, "p95LatencyMs": 750}
    items = {
        i["key"]: i
        for i in run_stack("staging", config=config).one(tokens.RAILWAY_OBSERVABILITY_DASHBOARD).inputs["items"]
    }
    assert items["cpu"]["description"] == "Alert above 70% of the limit for 10 minutes"
    assert items["latency"]["description"] == "Alert when p95 exceeds 750 ms"
    assert items["errors"]["description"] == "Alert above 5% of responses failing"
