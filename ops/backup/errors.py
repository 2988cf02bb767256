"""Expected failures: each carries a one-line message and the process exit code."""

from __future__ import annotations

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3
EXIT_DRILL_FAILED = 4


class OpsError(Exception):
    """A failure the operator can act on; printed as one line, never with a traceback."""

    exit_code = EXIT_FAILURE


class UsageError(OpsError):
    exit_code = EXIT_USAGE


class ToolMissingError(OpsError):
    """pg_dump / pg_restore not installed."""


class DatabaseUnreachableError(OpsError):
    pass


class DatabaseMissingError(DatabaseUnreachableError):
    pass


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

    exit_code = EXIT_REFUSED
