"""The watchdog's view of Railway: what it reads (metrics, placement) and the one thing it changes (replicas).

This is the only module of the watchdog that imports the project's Railway client and HTTP core, so
when they move, the import lines below are the one fix.

It authenticates with the environment's project token (`RAILWAY_TOKEN`, sent as `Project-Access-Token`:
project tokens are not bearer tokens), which scopes every call to one project and environment.
Every document here is validated against Railway's official SDL by `tests/watchdog/test_railway.py`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from providers.core.errors import ApiError
from providers.railway.client import RailwayClient, connect
from providers.railway.documents import Operation
from providers.railway.environment_variables import TOKEN_VARIABLE

__all__ = ["TOKEN_VARIABLE", "ApiError", "MinuteSample", "Operation", "Placement", "Readings", "WatchdogRailway"]

MINUTE = 60


def _op(name: str, document: str) -> Operation:
    return Operation(name=name, document=document.strip())


# One request a minute carries all three metric queries (about 1,440 requests a day, far below even the
# Free plan's hourly rate limit).
READINGS = _op(
    "WatchdogReadings",
    """
query WatchdogReadings(
  $environmentId: String!, $serviceId: String!, $startDate: DateTime!, $endDate: DateTime!, $step: Int!
) {
  metrics(
    environmentId: $environmentId, serviceId: $serviceId, startDate: $startDate, endDate: $endDate,
    sampleRateSeconds: $step, averagingWindowSeconds: $step,
    measurements: [CPU_USAGE, CPU_LIMIT, MEMORY_USAGE_GB, MEMORY_LIMIT_GB]
  ) {
    measurement
    values { ts value }
  }
  httpDurationMetrics(
    environmentId: $environmentId, serviceId: $serviceId, startDate: $startDate, endDate: $endDate, stepSeconds: $step
  ) {
    samples { ts p95 }
  }
  httpMetricsGroupedByStatus(
    environmentId: $environmentId, serviceId: $serviceId, startDate: $startDate, endDate: $endDate, stepSeconds: $step
  ) {
    statusCode
    samples { ts value }
  }
}
""",
)

PROVISIONED_CPU = _op(
    "WatchdogProvisionedCpu",
    """
query WatchdogProvisionedCpu(
  $environmentId: String!, $serviceId: String!, $startDate: DateTime!, $endDate: DateTime!, $step: Int!
) {
  metrics(
    environmentId: $environmentId, serviceId: $serviceId, startDate: $startDate, endDate: $endDate,
    sampleRateSeconds: $step, averagingWindowSeconds: $step, measurements: [CPU_LIMIT]
  ) {
    measurement
    values { ts value }
  }
}
""",
)

PLACEMENT = _op(
    "WatchdogPlacement",
    """
query WatchdogPlacement($environmentId: String!, $serviceId: String!) {
  serviceInstance(environmentId: $environmentId, serviceId: $serviceId) {
    latestDeployment { id status createdAt meta }
  }
}
""",
)

SET_REGIONS = _op(
    "WatchdogSetRegions",
    """
mutation WatchdogSetRegions($environmentId: String!, $serviceId: String!, $multiRegionConfig: JSON!) {
  serviceInstanceUpdate(
    environmentId: $environmentId, serviceId: $serviceId, input: { multiRegionConfig: $multiRegionConfig }
  )
}
""",
)

DEPLOY = _op(
    "WatchdogDeploy",
    """
mutation WatchdogDeploy($environmentId: String!, $serviceId: String!) {
  serviceInstanceDeployV2(environmentId: $environmentId, serviceId: $serviceId)
}
""",
)

OPERATIONS = (READINGS, PROVISIONED_CPU, PLACEMENT, SET_REGIONS, DEPLOY)


@dataclass(frozen=True)
class MinuteSample:
    ts: int  # start of the minute, seconds since the epoch
    value: float


@dataclass(frozen=True)
class Readings:
    """Per-minute figures of the backend, oldest first; a minute without data is absent."""

    cpu_percent: tuple[MinuteSample, ...]
    memory_percent: tuple[MinuteSample, ...]
    error_rate_percent: tuple[MinuteSample, ...]  # 5xx share of all responses; minutes without requests absent
    p95_ms: tuple[MinuteSample, ...]


@dataclass(frozen=True)
class Placement:
    """Where the backend runs now: its latest deployment's replicas per region, and when it was made."""

    replicas_by_region: Mapping[str, int]
    deployed_at: dt.datetime | None

    @property
    def replicas(self) -> int:
        return sum(self.replicas_by_region.values())


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _series(values: list[dict[str, Any]]) -> dict[int, float]:
    return {int(point["ts"]): float(point["value"]) for point in values}


def _ratio(numerator: dict[int, float], denominator: dict[int, float]) -> tuple[MinuteSample, ...]:
    # CPU_USAGE/CPU_LIMIT, as the Railway CLI computes utilisation (both summed over the replicas).
    return tuple(
        MinuteSample(ts, 100.0 * numerator[ts] / denominator[ts])
        for ts in sorted(numerator)
        if denominator.get(ts, 0.0) > 0
    )


class WatchdogRailway:
    """Railway calls for one backend service, over the shared client with the project-token header."""

    def __init__(
        self,
        *,
        environment_id: str,
        service_id: str,
        region: str,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        base = connect(transport=transport)
        http = dataclasses.replace(
            base.http,
            auth_header=lambda token: {"Project-Access-Token": token},
            sleep=sleep,
            clock=clock,
            user_agent="converge-nps-watchdog",
        )
        self.client = RailwayClient(http=http, path=base.path)
        self.environment_id = environment_id
        self.service_id = service_id
        self.region = region

    def close(self) -> None:
        self.client.http.close()

    def _ids(self) -> dict[str, str]:
        return {"environmentId": self.environment_id, "serviceId": self.service_id}

    def readings(self, now: dt.datetime, minutes: int) -> Readings:
        start = now - dt.timedelta(minutes=minutes)
        data = self.client.execute(
            READINGS, {**self._ids(), "startDate": _iso(start), "endDate": _iso(now), "step": MINUTE}
        )
        by_measurement = {item["measurement"]: _series(item["values"]) for item in data["metrics"]}
        totals: dict[int, float] = {}
        errors: dict[int, float] = {}
        for group in data["httpMetricsGroupedByStatus"]:
            for point in group["samples"]:
                ts, count = int(point["ts"]), float(point["value"])
                totals[ts] = totals.get(ts, 0.0) + count
                if 500 <= int(group["statusCode"]) <= 599:
                    errors[ts] = errors.get(ts, 0.0) + count
        return Readings(
            cpu_percent=_ratio(by_measurement.get("CPU_USAGE", {}), by_measurement.get("CPU_LIMIT", {})),
            memory_percent=_ratio(by_measurement.get("MEMORY_USAGE_GB", {}), by_measurement.get("MEMORY_LIMIT_GB", {})),
            error_rate_percent=_ratio({ts: errors.get(ts, 0.0) for ts in totals}, totals),
            p95_ms=tuple(
                MinuteSample(int(s["ts"]), float(s["p95"]))
                for s in sorted(data["httpDurationMetrics"]["samples"], key=lambda s: int(s["ts"]))
            ),
        )

    def provisioned_vcpu_hours(self, start: dt.datetime, end: dt.datetime) -> float:
        """CPU limit summed over the replicas, integrated from `start` to `end` (hourly averages)."""
        data = self.client.execute(
            PROVISIONED_CPU, {**self._ids(), "startDate": _iso(start), "endDate": _iso(end), "step": 3600}
        )
        return sum(point["value"] for item in data["metrics"] for point in item["values"])

    def placement(self) -> Placement:
        instance = self.client.execute(PLACEMENT, self._ids())["serviceInstance"]
        deployment = instance.get("latestDeployment") or {}
        meta = deployment.get("meta") or {}
        deploy = (meta.get("serviceManifest") or {}).get("deploy") or {}
        regions = deploy.get("multiRegionConfig") or {}
        created = deployment.get("createdAt")
        return Placement(
            replicas_by_region={region: int((cfg or {}).get("numReplicas") or 0) for region, cfg in regions.items()},
            deployed_at=dt.datetime.fromisoformat(created.replace("Z", "+00:00")) if created else None,
        )

    def set_replicas(self, replicas: int) -> str:
        """Railway honours `multiRegionConfig`, not the legacy `numReplicas`, and applies it on the next
        deployment: update, then deploy. Returns the new deployment's id."""
        self.client.execute(
            SET_REGIONS,
            {**self._ids(), "multiRegionConfig": {self.region: {"numReplicas": replicas}}},
            idempotent=True,
        )
        return str(self.client.execute(DEPLOY, self._ids())["serviceInstanceDeployV2"])
