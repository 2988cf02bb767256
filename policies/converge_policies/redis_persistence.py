"""redis-persistence: staging and production Redis keep their data across restarts (seed: RDB + AOF).

The seed's Redis persists with RDB snapshots plus the append-only file. On Railway both are flags of
redis-server's start command, and they only survive a redeploy on a volume mounted at Redis' data
directory. Checked on the Redis service: `--appendonly yes` in its start command and a volume at
`dataDir`. Development may run without (config `required: false`).
"""

from __future__ import annotations

import re

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from cost.resources import view
from policies.converge_policies.common import config, is_unknown, stack_resources

NAME = "redis-persistence"
_APPENDONLY = re.compile(r"--appendonly\s+(\S+)")
_SAVE_OFF = re.compile(r"--save\s+(\"\"|''|$)")


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    if not config(args, "required", True):
        return
    data_dir = str(config(args, "dataDir", "/data")).rstrip("/") or "/"
    stack = view(stack_resources(args))
    for group in stack.role("redis"):
        name = group.service.name
        command = group.service.props.get("startCommand")
        if is_unknown(command):
            continue
        flags = _APPENDONLY.findall(command) if isinstance(command, str) else []
        if not flags or flags[-1].strip("\"'").lower() != "yes":
            report_violation(
                f"Redis service '{name}' does not run with `--appendonly yes`: writes since the last snapshot are "
                "lost on restart.",
                group.service.urn,
            )
        if isinstance(command, str) and _SAVE_OFF.search(command):
            report_violation(f"Redis service '{name}' turns RDB snapshots off (`--save \"\"`).", group.service.urn)
        mounts = [v.props.get("mountPath") for v in group.volumes]
        if any(is_unknown(m) for m in mounts):
            continue
        if not any(isinstance(m, str) and (m.rstrip("/") or "/") == data_dir for m in mounts):
            report_violation(
                f"Redis service '{name}' has no volume at {data_dir}: its RDB and AOF files would be lost at every "
                "redeploy.",
                group.service.urn,
            )


POLICY = StackValidationPolicy(
    name=NAME,
    description="Redis persists (AOF + RDB on a volume) in staging and production.",
    validate=validate,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=PolicyConfigSchema(
        properties={
            "required": {"type": "boolean", "description": "Whether this stack's Redis must persist.", "default": True},
            "dataDir": {
                "type": "string",
                "description": "redis-server's data directory (`--dir`).",
                "default": "/data",
            },
        }
    ),
    remediation_steps=(
        "Keep redis.appendOnly and redis.rdbSnapshots true in Pulumi.<stack>.yaml; the RedisCache component then "
        "starts redis-server with --appendonly yes and mounts its volume at /data."
    ),
)
