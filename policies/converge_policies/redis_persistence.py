"""redis-persistence: staging and production Redis keep their data across restarts (seed: RDB + AOF).

The seed's Redis persists with RDB snapshots plus the append-only file. On Railway both are flags of
redis-server's start command, and they only survive a redeploy on a volume mounted at Redis' data
directory. Checked on each RedisCache's service: the start command, read with the component's own
parser (components/redis_cache/start_command.py), runs `--appendonly yes` with RDB on, and a volume
is mounted at its `--dir`. Development runs it disabled (policies/config/dev.json).
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from components import railway_resources as railway
from components.redis_cache import start_command
from components.values import is_unknown
from policies.converge_policies.common import stack_resources
from policies.converge_policies.stack_graph import stack_graph

NAME = "redis-persistence"


def _directory(path: str) -> str:
    return path.rstrip("/") or "/"


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    for group in stack_graph(stack_resources(args)).redis:
        name = group.service.name
        raw = group.service.props.get(railway.SERVICE_START_COMMAND)
        if is_unknown(raw):
            continue
        command = start_command.parse(raw)
        if command is None or not command.append_only:
            report_violation(
                f"Redis service '{name}' does not run with `--appendonly yes`: writes since the last snapshot are "
                "lost on restart.",
                group.service.urn,
            )
        if command is not None and command.rdb_off:
            report_violation(f"Redis service '{name}' turns RDB snapshots off (`--save \"\"`).", group.service.urn)
        mounts = [v.props.get(railway.VOLUME_MOUNT_PATH) for v in group.volumes]
        if any(is_unknown(m) for m in mounts):
            continue
        data_dir = _directory(command.data_dir if command is not None else start_command.DATA_DIR)
        if not any(isinstance(m, str) and _directory(m) == data_dir for m in mounts):
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
    remediation_steps=(
        "Keep redis.appendOnly and redis.rdbSnapshots true in Pulumi.<stack>.yaml; the RedisCache component then "
        f"starts redis-server with --appendonly yes and mounts its volume at {start_command.DATA_DIR}."
    ),
)
