"""A deployed stack's outputs as `pulumi stack output --json` prints them (only the keys the steps read
matter; the rest shows they are ignored)."""

from __future__ import annotations

import json
from pathlib import Path


def write_outputs(
    path: Path,
    *,
    environment: str = "production",
    api_url: str = "https://api.converge-nps.com",
    project_id: str = "prj-1",
    environment_id: str = "env-2",
    service_id: str = "svc-3",
) -> Path:
    outputs = {
        "environment": environment,
        "deployBranch": "main",
        "apiUrl": api_url,
        "railway": {
            "projectId": project_id,
            "environmentId": environment_id,
            "backendServiceId": service_id,
            "redisServiceId": "svc-redis",
        },
        "database": {"projectRef": "abcdefghijklmnopqrst"},
    }
    path.write_text(json.dumps(outputs, indent=2))
    return path
