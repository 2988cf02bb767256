"""The environment's Railway observability dashboard with the seed's metrics: CPU, memory, request rate,
error rate and latency.

CPU and memory are service metrics of the backend and Redis; requests, the error ratio and latency are the
backend's HTTP metrics (Railway measures them at its edge, per public domain). Each widget's description
states the stack's alert threshold (`alerts.*`): Railway's public API can draw the widgets but has no
mutation for the monitors that alert on them, so the thresholds are shown here and alerted on by Sentry and
UptimeRobot. The dashboard is part of Railway's plan: it costs nothing extra.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from components import tokens
from providers.railway import ObservabilityDashboardArgs as DashboardArgs
from providers.railway import RailwayObservabilityDashboard


@dataclass
class ObservabilityDashboardArgs:
    environment_id: pulumi.Input[str]
    backend_service_id: pulumi.Input[str]
    redis_service_id: pulumi.Input[str]
    cpu_percent: int
    cpu_for_minutes: int
    memory_percent: int
    error_rate_percent: float
    p95_latency_ms: int


def dashboard_items(args: ObservabilityDashboardArgs) -> list[dict[str, Any]]:
    services = [args.backend_service_id, args.redis_service_id]
    backend = [args.backend_service_id]
    return [
        {
            "key": "cpu",
            "name": "CPU",
            "type": "SERVICE_METRICS_ITEM",
            "description": f"Alert above {args.cpu_percent}% of the limit for {args.cpu_for_minutes} minutes",
            "measurements": ["CPU_USAGE", "CPU_LIMIT"],
            "resourceIds": services,
        },
        {
            "key": "memory",
            "name": "Memory",
            "type": "SERVICE_METRICS_ITEM",
            "description": f"Alert above {args.memory_percent}% of the limit",
            "measurements": ["MEMORY_USAGE_GB", "MEMORY_LIMIT_GB"],
            "resourceIds": services,
        },
        {
            "key": "requests",
            "name": "Request rate",
            "type": "HTTP_METRICS_ITEM",
            "httpMetric": "REQUESTS",
            "resourceIds": backend,
        },
        {
            "key": "errors",
            "name": "Error rate",
            "type": "HTTP_METRICS_ITEM",
            "description": f"Alert above {args.error_rate_percent:g}% of responses failing",
            "httpMetric": "STATUS_RATIO",
            "resourceIds": backend,
        },
        {
            "key": "latency",
            "name": "Latency",
            "type": "HTTP_METRICS_ITEM",
            "description": f"Alert when p95 exceeds {args.p95_latency_ms} ms",
            "httpMetric": "LATENCY",
            "resourceIds": backend,
        },
    ]


class ObservabilityDashboard(pulumi.ComponentResource):
    """Outputs `dashboard_id`."""

    dashboard_id: pulumi.Output[str]

    def __init__(self, name: str, args: ObservabilityDashboardArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(tokens.OBSERVABILITY_DASHBOARD, name, None, opts)
        dashboard = RailwayObservabilityDashboard(
            name,
            DashboardArgs(environment_id=args.environment_id, items=dashboard_items(args)),
            pulumi.ResourceOptions(parent=self),
        )
        self.dashboard_id = dashboard.dashboard_id
        self.register_outputs({"dashboardId": self.dashboard_id})
