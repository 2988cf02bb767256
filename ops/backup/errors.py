"""Expected failures: each carries a one-line message and the process exit code."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Every exit status of `python -m ops.backup` (tabled in docs/backups.md and the README)."""

    OK = 0
    FAILURE = 1
    USAGE = 2
    REFUSED = 3
    DRILL_FAILED = 4
    INTERNAL = 70
    INTERRUPTED = 130


class OpsError(Exception):
    """A failure the operator can act on; printed as one line, never with a traceback."""

    exit_code = ExitCode.FAILURE


class UsageError(OpsError):
    exit_code = ExitCode.USAGE


class ToolMissingError(OpsError):
    """pg_dump / pg_restore not installed."""


class DatabaseUnreachableError(OpsError):
    pass


class DatabaseMissingError(DatabaseUnreachableError):
    pass


class IdentityUnknownError(OpsError):
    """The server identity of a database cannot be read (so whether it is production is unknown)."""


class StorageError(OpsError):
    pass


class BucketMissingError(StorageError):
    pass


class BackupNotFoundError(StorageError):
    pass


class BackupCorruptError(OpsError):
    pass


class ChecksumMismatchError(BackupCorruptError):
    pass


class DumpFailedError(OpsError):
    pass


class RestoreFailedError(OpsError):
    pass


class RefusedError(OpsError):
    """A guard said no (e.g. restoring over production without the confirmation flag)."""

    exit_code = ExitCode.REFUSED
