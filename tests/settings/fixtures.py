"""Stack configs made for the tests, valid by the rules and independent of the committed stack files."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from settings.errors import StackConfigError
from settings.loader import load_stack_settings

NS = "converge-nps"


# Stand-ins for `pulumi config set --secret` values: credential-shaped on purpose, so any echo would show.
SECRETS: dict[str, str] = {
    f"{NS}:sendgridApiKey": "SG.fixture-sendgrid-key.0123456789abcdef",
    f"{NS}:smartsheetApiKey": "fixture-smartsheet-key-0123456789",
}

_COMMON: dict[str, Any] = {
    "other:unrelated": "not ours",
    f"{NS}:image": {"repository": "registry.example.com/team/backend"},
    f"{NS}:redis": {"memoryMb": 128},
    f"{NS}:budget": {"monthlyUsd": 40},
    f"{NS}:github": {"repository": "app"},
    f"{NS}:uptime": {"alertEmail": "oncall@example.com"},
    f"{NS}:sentry": {"organization": "fixture-org", "team": "fixture-team"},
}
_PER_STACK: dict[str, dict[str, Any]] = {
    "dev": {
        f"{NS}:environment": "development",
        f"{NS}:deployBranch": "develop",
        f"{NS}:autoDeploy": True,
        f"{NS}:frontendUrl": "https://dev.app.example.com",
        f"{NS}:backend": {
            "minReplicas": 1,
            "maxReplicas": 3,
            "eventReplicas": 2,
            "vcpuPerReplica": 1,
            "memoryGbPerReplica": 1,
        },
        f"{NS}:database": {"plan": "free", "organization": "fixture-free-org", "computeSize": "nano"},
        f"{NS}:backups": {"s3Bucket": "fixture-backups-dev", "scheduled": False},
    },
    "staging": {
        f"{NS}:environment": "staging",
        f"{NS}:deployBranch": "staging",
        f"{NS}:autoDeploy": True,
        f"{NS}:frontendUrl": "https://staging.app.example.com:8443",
        f"{NS}:backend": {
            "minReplicas": 1,
            "maxReplicas": 4,
            "eventReplicas": 2,
            "vcpuPerReplica": 0.5,
            "memoryGbPerReplica": 2,
        },
        f"{NS}:database": {"plan": "pro", "organization": "Fixture_Org", "computeSize": "small"},
        f"{NS}:backups": {"s3Bucket": "fixture-backups-staging"},
    },
    "prod": {
        f"{NS}:environment": "production",
        f"{NS}:deployBranch": "main",
        f"{NS}:autoDeploy": False,
        f"{NS}:frontendUrl": "https://app.example.com",
        f"{NS}:backend": {
            "minReplicas": 3,
            "maxReplicas": 5,
            "eventReplicas": 4,
            "vcpuPerReplica": 1,
            "memoryGbPerReplica": 2,
        },
        f"{NS}:database": {"plan": "pro", "organization": "fixture-org", "computeSize": "medium"},
        f"{NS}:backups": {"s3Bucket": "fixture-backups-prod", "weeklyCron": "30 2 * * 1"},
        f"{NS}:github": {"repository": "app", "reviewerUsers": ["release-lead"]},
    },
}


def config(stack: str, **changes: Any) -> dict[str, Any]:
    """A valid config for `stack`; `changes` maps `key` or `key.sub` (`__` for `.`) to a new value, None drops it."""
    values = {**copy.deepcopy(_COMMON), **copy.deepcopy(_PER_STACK[stack]), **SECRETS}
    for dotted, value in changes.items():
        key, _, sub = dotted.replace("__", ".").partition(".")
        full = key if ":" in key else f"{NS}:{key}"
        if sub:
            values[full] = {**values.get(full, {}), sub: value}
        elif value is None:
            values.pop(full, None)
        else:
            values[full] = value
    return values


def error_for(stack: str, environ: dict[str, str] | None = None, **changes: Any) -> StackConfigError:
    """The refusal of `config(stack, **changes)`, checked for what every refusal must do: name the stack
    file, give each problem a key or a line and a message, and quote no secret."""
    with pytest.raises(StackConfigError) as caught:
        load_stack_settings(stack, config(stack, **changes), environ or {})
    error = caught.value
    text = str(error)
    assert text.startswith(f"invalid configuration for stack {stack!r} (Pulumi.{stack}.yaml):\n"), text
    assert error.problems and all((p.key or p.line) and p.message for p in error.problems), text
    assert not any(secret in text for secret in SECRETS.values()), text
    return error
