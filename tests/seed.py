"""The seed's stacks (INFRASTRUCTURE_SETUP_SUMMARY.md) as explicit stack-config overrides.

A test whose expected figures are the seed's runs its stack with these, so that it holds whatever the
committed `Pulumi.<stack>.yaml` sizes: a stack file may resize, turn on event mode or change its budget.
"""

from __future__ import annotations

from typing import Any, Final

NS: Final = "converge-nps"

# Dev $19.65 and staging $59.65 as deployed; prod $135.15 as deployed and $285.15 at five replicas,
# $110.15 of it Railway's (prices.yaml as committed).
SEED_CONFIG: Final[dict[str, dict[str, Any]]] = {
    "dev": {
        f"{NS}:eventMode": False,
        f"{NS}:backend": {
            "minReplicas": 1,
            "maxReplicas": 2,
            "eventReplicas": 2,
            "vcpuPerReplica": 0.5,
            "memoryGbPerReplica": 0.5,
        },
        f"{NS}:redis": {"memoryMb": 256},
        f"{NS}:database": {"plan": "free", "organization": "converge-nps-free", "computeSize": "nano"},
        # The seed's ~$20 plus the watchdog it predates ($4.50 of Railway usage, components/watchdog_service).
        f"{NS}:budget": {"monthlyUsd": 25},
    },
    "staging": {
        f"{NS}:eventMode": False,
        f"{NS}:backend": {
            "minReplicas": 1,
            "maxReplicas": 2,
            "eventReplicas": 2,
            "vcpuPerReplica": 1,
            "memoryGbPerReplica": 1,
        },
        f"{NS}:redis": {"memoryMb": 256},
        f"{NS}:database": {"plan": "pro", "organization": "converge-nps", "computeSize": "micro"},
        # The seed's ~$60 plus the watchdog it predates.
        f"{NS}:budget": {"monthlyUsd": 65},
        # "Staging scales down to one instance" off-hours: 19:00-06:00 in Monterey in winter, and weekends.
        f"{NS}:watchdog": {"offHours": {"startUtc": "03:00", "endUtc": "14:00", "weekends": True, "maxReplicas": 1}},
    },
    "prod": {
        f"{NS}:eventMode": False,
        f"{NS}:backend": {
            "minReplicas": 2,
            "maxReplicas": 5,
            "eventReplicas": 3,
            "vcpuPerReplica": 2,
            "memoryGbPerReplica": 1,
            "publicDomain": "api.converge-nps.com",
        },
        f"{NS}:redis": {"memoryMb": 512, "vcpu": 0.25},
        f"{NS}:database": {"plan": "pro", "organization": "converge-nps", "computeSize": "micro"},
        f"{NS}:budget": {"monthlyUsd": 285},
    },
}
