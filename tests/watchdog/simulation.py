"""The watchdog against the Railway fake over a simulated conference day (no real sleeping).

`python -m tests.watchdog.simulation` runs it and rewrites the generated part of docs/monitoring.md
(`--check` only compares); `python -m tests.watchdog.plot` draws docs/monitoring-conference-day.png.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import math
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import httpx

from settings.loader import load_stack_settings
from settings.model import StackSettings
from settings.stackfile import read_stack_file
from tests.doubles import STAND_IN_SECRETS
from tests.railway.fake_railway import FakeRailway, Load, LoadCurve, serve
from tests.railway.schema import railway_schema
from tests.seed import SEED_CONFIG
from watchdog.contract import WatchdogConfig, parse_config
from watchdog.railway import WatchdogRailway
from watchdog.render import render_config
from watchdog.service import Action, AlertEvent, Watchdog
from watchdog.slack import Slack

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "monitoring.md"
BEGIN, END = "<!-- simulation:begin -->", "<!-- simulation:end -->"

WEBHOOK = "https://hooks.slack.com/services/T0SIM/B0SIM/simulation-webhook-secret"

CONFERENCE_DAY = dt.datetime(2027, 4, 13, tzinfo=dt.UTC)  # a Tuesday inside the event window below
EVENT_WINDOW = {"start": "2027-04-12", "end": "2027-04-23"}

# The conference day's CPU demand (vCPU over all replicas, 2 vCPU each in prod) at hours of the day (UTC),
# linearly interpolated: a quiet night, a morning peak, a lunch spike, a busy afternoon, a quiet evening.
DEMAND = (
    (0.0, 0.4),
    (6.5, 0.5),
    (8.0, 5.0),
    (9.0, 6.6),
    (10.5, 6.4),
    (11.0, 2.6),
    (11.95, 2.6),
    (12.0, 9.4),
    (12.6, 9.4),
    (12.75, 4.4),
    (17.0, 4.4),
    (18.0, 1.5),
    (21.0, 0.4),
    (24.0, 0.4),
)
REQUESTS_PER_VCPU_MINUTE = 1500
# The failure burst: the application answers a fifth of its requests 503 (a bad dependency, not load).
FAILURE = (dt.time(14, 30), dt.time(14, 38), 0.2)


def demand_at(moment: dt.datetime) -> float:
    hour = moment.hour + moment.minute / 60
    for (h0, v0), (h1, v1) in itertools.pairwise(DEMAND):
        if h0 <= hour < h1:
            base = v0 + (v1 - v0) * (hour - h0) / (h1 - h0)
            break
    # A small deterministic wobble, so the thresholds see real-looking, not flat, series.
    return base * (1 + 0.03 * math.sin(moment.minute * 0.7 + moment.hour))


def conference_day(ts: int) -> Load:
    moment = dt.datetime.fromtimestamp(ts, dt.UTC)
    cpu = demand_at(moment)
    start, end, fraction = FAILURE
    failing = start <= moment.time() < end
    return Load(cpu_vcpu=cpu, requests=cpu * REQUESTS_PER_VCPU_MINUTE, error_fraction=fraction if failing else 0.0)


def stack_settings(stack: str, **watchdog: Any) -> StackSettings:
    """The stack at the seed's sizes, budget and off-hours (tests/seed.py) whatever its stack file says today:
    the scenarios and docs/monitoring.md are about those figures."""
    config = {**read_stack_file(ROOT / f"Pulumi.{stack}.yaml"), **STAND_IN_SECRETS, **SEED_CONFIG[stack]}
    block = dict(config.get("converge-nps:watchdog") or {})
    config["converge-nps:watchdog"] = {**block, **watchdog}
    return load_stack_settings(stack, config, {})


@dataclass
class SimClock:
    now: dt.datetime

    def __call__(self) -> dt.datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@dataclass
class Minute:
    at: dt.datetime
    replicas: int
    cpu_percent: float


@dataclass
class Result:
    config: WatchdogConfig
    minutes: list[Minute]
    actions: list[Action]
    alerts: list[AlertEvent]
    slack: list[str]
    logs: list[str]
    mutations: list[str] = field(default_factory=list)

    def minutes_above(self, percent: float) -> int:
        return sum(1 for m in self.minutes if m.cpu_percent > percent)

    def replica_months(self) -> float:
        """Replicas the day ran, as a share of a month of such days (replica-minutes / minutes)."""
        return sum(m.replicas for m in self.minutes) / len(self.minutes)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@contextmanager
def _captured_logs() -> Iterator[list[str]]:
    handler = _Collect()
    logger = logging.getLogger("watchdog")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler.lines
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def simulate(
    settings: StackSettings,
    *,
    start: dt.datetime,
    minutes: int,
    initial_replicas: int,
    curve: LoadCurve = conference_day,
) -> Result:
    railway_schema()
    fake = FakeRailway()
    clock = SimClock(start)
    fake.clock = lambda: clock.now.timestamp()
    project = fake._project_create({"name": f"converge-nps-{settings.environment}"})
    environment_id = next(e for e, env in fake.environments.items() if env["projectId"] == project["id"])
    service = fake._service_create({"projectId": project["id"], "name": "backend"})
    token = fake._token_create({"projectId": project["id"], "environmentId": environment_id, "name": "watchdog"})
    fake.serve_load(
        service["id"],
        environment_id,
        curve,
        vcpu_per_replica=settings.backend.vcpu_per_replica,
        memory_gb_per_replica=settings.backend.memory_gb_per_replica,
        replicas=initial_replicas,
        region=settings.railway.region,
    )
    config = parse_config(
        render_config(
            settings, project_id=project["id"], environment_id=environment_id, backend_service_id=service["id"]
        )
    )
    posted: list[str] = []

    def slack_endpoint(request: httpx.Request) -> httpx.Response:
        posted.append(str(httpx.Response(200, content=request.content).json()["text"]))
        return httpx.Response(200, text="ok")

    with serve(fake) as url, mock.patch.dict(os.environ, {"RAILWAY_API_URL": url, "RAILWAY_TOKEN": token}):
        railway = WatchdogRailway(
            environment_id=environment_id,
            service_id=service["id"],
            region=settings.railway.region,
            sleep=clock.sleep,
            clock=lambda: clock.now.timestamp(),
        )
        slack = Slack(WEBHOOK, transport=httpx.MockTransport(slack_endpoint))
        watchdog = Watchdog(config=config, railway=railway, slack=slack, clock=clock, sleep=clock.sleep)
        with _captured_logs() as logs:
            watchdog.run(ticks=minutes)
        railway.close()
        slack.close()
    if fake.violations:
        raise AssertionError(f"requests the SDL refuses: {fake.violations}")
    load = fake.loads[(service["id"], environment_id)]
    series = []
    for index in range(minutes):
        at = start + dt.timedelta(minutes=index)
        minute = load.minute(int(at.timestamp()))
        series.append(Minute(at, minute.replicas, 100 * minute.utilisation))
    return Result(
        config=config,
        minutes=series,
        actions=watchdog.actions,
        alerts=watchdog.alerts,
        slack=posted,
        logs=logs,
        mutations=[r.operation for r in fake.mutations()],
    )


def conference_day_result() -> Result:
    settings = stack_settings("prod", eventWindows=[EVENT_WINDOW])
    return simulate(settings, start=CONFERENCE_DAY, minutes=24 * 60, initial_replicas=settings.backend.event_replicas)


# Reporting ------------------------------------------------------------------------------------------------


def _usd(value: float) -> str:
    return f"${value:,.2f}"


def report(result: Result) -> str:
    config = result.config
    price = config.price_per_replica_monthly_usd
    lines = [
        BEGIN,
        "<!-- generated by `python -m tests.watchdog.simulation`; do not edit by hand -->",
        "",
        "**Replicas over the day** (every two hours, on the hour, UTC):",
        "",
        "| hour | " + " | ".join(f"{h:02d}" for h in range(0, 24, 2)) + " |",
        "|---|" + "---|" * 12,
        "| CPU % | " + " | ".join(f"{result.minutes[h * 60].cpu_percent:.0f}" for h in range(0, 24, 2)) + " |",
        "| replicas | " + " | ".join(str(result.minutes[h * 60].replicas) for h in range(0, 24, 2)) + " |",
        "",
        "**Scale actions** (each sent to Slack):",
        "",
        "| time | replicas | reason |",
        "|---|---|---|",
        *(f"| {a.at:%H:%M} | {a.before} → {a.after} | {a.reason} |" for a in result.actions),
        "",
        "**Alerts** (each sent to Slack once when it fired and once when it resolved):",
        "",
        "| time | alert | event | value |",
        "|---|---|---|---|",
        *(f"| {e.at:%H:%M} | {e.rule} | {e.kind} | {e.value:.1f} |" for e in result.alerts),
        "",
        "**Figures:**",
        "",
        f"- minutes with CPU above the scale-up threshold ({config.backend.scale_up.cpu_percent} %): "
        f"{result.minutes_above(config.backend.scale_up.cpu_percent)} of {len(result.minutes)}; "
        f"above the alert threshold ({config.alerts.cpu_percent} %): {result.minutes_above(config.alerts.cpu_percent)}",
        f"- replicas: between {min(m.replicas for m in result.minutes)} and {max(m.replicas for m in result.minutes)}, "
        f"{result.replica_months():.2f} on average; {len(result.actions)} scale actions",
        f"- a month of days like this one: backend {_usd(result.replica_months() * price)}, "
        f"stack {_usd(result.replica_months() * price + config.other_monthly_usd)}; at the maximum "
        f"({config.backend.max_replicas} replicas) all month: backend {_usd(config.backend.max_replicas * price)}, "
        f"stack {_usd(config.backend.max_replicas * price + config.other_monthly_usd)} "
        f"(budget {_usd(config.budget.monthly_usd)}; one replica {_usd(price)} a month)",
        END,
    ]
    return "\n".join(lines)


def with_report(document: str, block: str) -> str:
    head, _, rest = document.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return head + block + tail


def main(argv: list[str]) -> int:
    block = report(conference_day_result())
    current = DOC.read_text()
    wanted = with_report(current, block)
    if "--check" in argv:
        if wanted != current:
            print(f"{DOC.relative_to(ROOT)} is stale: run python -m tests.watchdog.simulation", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(wanted)
    print(block)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
