"""redis-persistence: staging and production Redis keep their data across restarts (seed: RDB + AOF).

The seed's Redis persists with RDB snapshots plus the append-only file. On Railway both are flags of
redis-server's start command, and they only survive a redeploy on a volume mounted at Redis' data
directory. Checked on each RedisCache's service: the start command, read with the component's own
parser (components/redis_cache/start_command.py) as redis-server applies its flags (the last
`--appendonly` wins, `--save ""` clears the snapshot points a later `--save` may add back, `--dir` is
relative to the image's working directory), ends with AOF and RDB on, and a volume is mounted at the
directory redis-server writes to. Development runs it disabled (policies/config/dev.json).
"""

from __future__ import annotations

import posixpath
from typing import Any

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
FIX = (
    f"start it as `{start_command.ENTRYPOINT} {start_command.SERVER} … --dir {start_command.DATA_DIR} --save "
    f'"{start_command.RDB_SAVE_POINTS}" --appendonly yes` (what the RedisCache component renders from '
    "redis.appendOnly and redis.rdbSnapshots)"
)


def problems(raw: Any, mounts: list[Any]) -> list[str]:
    """Why redis-server, started with this command on a service with volumes at `mounts`, would lose data
    (empty when it would not). The command is never quoted back: it may hold a password."""
    command = start_command.parse(raw)
    if command is None:
        return [f"its start command does not visibly start redis-server as one simple command; {FIX}"]
    found = [f"redis-server would refuse to start: {problem}; {FIX}" for problem in command.invalid]
    if command.config_file is not None:
        found.append(
            f"redis-server reads the config file {command.config_file!r}, which this policy cannot see; pass "
            f"persistence as flags instead: {FIX}"
        )
    if not command.append_only:
        found.append(
            "it does not end up with `--appendonly yes` (the last --appendonly wins): writes since the last "
            f"snapshot are lost on restart; {FIX}"
        )
    if not command.rdb_on:
        found.append(f'its `--save` flags leave no RDB snapshot points (`--save ""` clears them); {FIX}')
    if not any(is_unknown(m) for m in mounts) and not any(
        isinstance(m, str) and posixpath.normpath(m) == command.data_dir for m in mounts
    ):
        found.append(
            f"it writes its RDB and AOF files to {command.data_dir} (its --dir), where no volume is mounted: "
            f"they would be lost at every redeploy; mount the service's volume at {command.data_dir}"
        )
    return found


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    for group in stack_graph(stack_resources(args)).redis:
        raw = group.service.props.get(railway.SERVICE_START_COMMAND)
        if is_unknown(raw):
            continue
        mounts = [v.props.get(railway.VOLUME_MOUNT_PATH) for v in group.volumes]
        for problem in problems(raw, mounts):
            report_violation(f"Redis service '{group.service.name}': {problem}.", group.service.urn)


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
