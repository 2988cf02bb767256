"""Step 1, production only: a backup before the migrations touch the schema, taken by ops.backup itself."""

from __future__ import annotations

from collections.abc import Sequence

from ops.backup import cli as backup_cli
from settings.seed import PRODUCTION_ENVIRONMENT

from .errors import DeployError
from .output import log


class BackupFailedError(DeployError):
    pass


def backup_before_migrations(environment: str, backup_args: Sequence[str]) -> bool:
    """Run `python -m ops.backup backup <backup_args>` in production; elsewhere do nothing. True when a
    backup was taken. ops.backup prints the key it wrote on stdout and its own one-line error."""
    if environment != PRODUCTION_ENVIRONMENT:
        log(f"no backup before the migrations of {environment}: only {PRODUCTION_ENVIRONMENT} takes one")
        return False
    log(f"backing up {environment} before the migrations (ops.backup backup)")
    status = backup_cli.main(["backup", *backup_args])
    if status != 0:
        raise BackupFailedError(f"the pre-deploy backup failed (ops.backup exit status {status}); nothing was migrated")
    return True
