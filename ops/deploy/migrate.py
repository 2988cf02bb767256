"""Database migrations: the application's own migration command, run against the session-mode URL."""

from __future__ import annotations

import os
import shlex
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from ops.backup.pg import DatabaseUrl

from .errors import DeployError, UsageError
from .output import log

DEFAULT_COMMAND = "npx prisma migrate deploy"
# Supavisor's transaction mode listens on 6543 (docs/supabase.md). Prisma's migrate engine takes advisory
# locks and runs DDL across statements, which a transaction pooler does not keep on one connection.
TRANSACTION_POOLER_PORT = 6543

NOT_ROLLED_BACK = (
    "Migrations are not rolled back automatically: a rollback of the application leaves the schema as the "
    "migrations left it, so the previous release must run against it (expand/contract: a release only adds; "
    "what the old release still reads is removed by a later release). Undoing a migration is a new, "
    "reviewed migration, or a restore of the pre-deploy backup (production)."
)


class MigrationFailedError(DeployError):
    pass


@dataclass(frozen=True)
class MigrateOptions:
    command: Sequence[str]
    database_url: DatabaseUrl
    cwd: Path | None
    timeout: float


def parse_command(text: str) -> list[str]:
    try:
        argv = shlex.split(text)
    except ValueError as error:
        raise UsageError(f"cannot parse the migration command: {error}") from None
    if not argv:
        raise UsageError("the migration command is empty")
    return argv


def session_mode_url(raw: str | None) -> DatabaseUrl:
    if not raw:
        raise UsageError("DATABASE_URL is not set (the session-mode URL of the environment's database)")
    url = DatabaseUrl(raw)
    query = dict(parse_qsl(urlsplit(url.raw).query))
    if url.port == TRANSACTION_POOLER_PORT or query.get("pgbouncer", "").lower() == "true":
        raise UsageError(
            f"DATABASE_URL ({url.redacted}) is the transaction pooler: migrations need the session-mode URL"
        )
    return url


def migrate(options: MigrateOptions) -> float:
    """Run the migration command with DATABASE_URL in its environment; its output is relayed redacted.
    Returns the seconds it took."""
    started = time.monotonic()
    shown = shlex.join(options.command)
    log(f"running migrations: {shown}")
    env = {**os.environ, "DATABASE_URL": options.database_url.raw}
    try:
        process = subprocess.Popen(
            list(options.command),
            cwd=options.cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
        )
    except FileNotFoundError:
        raise UsageError(f"the migration command {options.command[0]!r} is not installed") from None
    except OSError as error:
        raise UsageError(f"cannot run the migration command {options.command[0]!r}: {error.strerror}") from None
    relay = threading.Thread(target=_relay, args=(process,), daemon=True)
    relay.start()
    try:
        status = process.wait(timeout=options.timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        relay.join(5)
        raise MigrationFailedError(
            f"the migrations did not finish within {options.timeout:g}s and were stopped; "
            "the database may be partly migrated"
        ) from None
    except KeyboardInterrupt:
        process.terminate()
        process.wait()
        raise
    relay.join(5)
    if status != 0:
        raise MigrationFailedError(
            f"the migration command exited with status {status}; the database may be partly migrated "
            "(see its output above)"
        )
    return time.monotonic() - started


def _relay(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        log(f"  | {line.rstrip()}")
