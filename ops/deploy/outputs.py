"""The deployed stack's outputs (`pulumi stack output --json`), the one source of the ids and URLs the
steps need: which Railway service to roll back, which URL to smoke-test, which environment this is."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import UsageError


@dataclass(frozen=True)
class StackOutputs:
    environment: str
    api_url: str
    project_id: str
    environment_id: str
    service_id: str

    @classmethod
    def load(cls, path: Path) -> StackOutputs:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise UsageError(f"cannot read the stack outputs {path}: {error.strerror}") from None
        except ValueError:
            raise UsageError(f"{path} is not JSON (expected `pulumi stack output --json`)") from None
        if not isinstance(data, dict):
            raise UsageError(f"{path} is not a JSON object (expected `pulumi stack output --json`)")
        railway = data.get("railway")
        return cls(
            environment=_text(data, "environment", path),
            api_url=_text(data, "apiUrl", path),
            project_id=_text(railway, "projectId", path, "railway."),
            environment_id=_text(railway, "environmentId", path, "railway."),
            service_id=_text(railway, "backendServiceId", path, "railway."),
        )


def _text(data: Any, key: str, path: Path, prefix: str = "") -> str:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, str) or not value:
        raise UsageError(f"{path} has no output {prefix}{key} (is it the outputs of a deployed stack?)")
    return value
