"""Expected failures: each carries a one-line message and the process exit code (docs/deploy.md)."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_DRIFT = 3
EXIT_PREVIEW_FAILED = 4
EXIT_PLAN_MOVED = 5
EXIT_INTERNAL = 70


class DeployError(Exception):
    """A step failed in a way the operator can act on; printed as one line, never with a traceback."""

    exit_code = EXIT_FAILED


class UsageError(DeployError):
    exit_code = EXIT_USAGE


class PlanMovedError(DeployError):
    """The saved plan no longer describes what `pulumi up --plan` would start from."""

    exit_code = EXIT_PLAN_MOVED
