"""`python -m ops.preflight --stack <stack> [--config-file Pulumi.<stack>.yaml]`: read-only checks with the
real credentials before the stack's first `pulumi up`, printed as a checklist with a fix for every failure.

Exit status: 0 every check passed, 1 a check failed, 2 usage or configuration error (an unknown stack, a
config file that is missing or invalid). No token is ever printed.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ops.preflight.checks import GITHUB_TOKEN, RAILWAY_TOKEN, Result, Status, Target, run
from providers.supabase.client import TOKEN_VARIABLE as SUPABASE_TOKEN
from settings.errors import StackConfigError
from settings.model import BackupSettings, DatabaseSettings, GitHubSettings, RailwaySettings
from settings.sources import NAMESPACE
from settings.stackfile import read_stack_file
from settings.stacks import STACKS

ROOT = Path(__file__).resolve().parents[2]
OK, CHECK_FAILED, USAGE = 0, 1, 2
# Every credential preflight may hold; their values are masked in whatever it prints.
_SECRET_VARIABLES = (RAILWAY_TOKEN, SUPABASE_TOKEN, GITHUB_TOKEN, "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


class ConfigError(Exception):
    pass


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ops.preflight", description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True, choices=STACKS)
    parser.add_argument("--config-file", type=Path, help="the stack's config file (default: Pulumi.<stack>.yaml)")
    return parser.parse_args(argv)


def target_of(stack: str, config: Mapping[str, Any]) -> Target:
    """The sections preflight needs, validated by the settings model's own section models. The rest of the
    config (its secrets among it, encrypted in the file) is not read."""

    def section(key: str) -> Any:
        return config.get(f"{NAMESPACE}:{key}") or {}

    try:
        database = DatabaseSettings.model_validate(section("database"))
        railway = RailwaySettings.model_validate(section("railway"))
        github = GitHubSettings.model_validate(section("github"))
        backups = BackupSettings.model_validate(section("backups"))
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise ConfigError(f"invalid configuration for stack {stack!r}: {problems}") from None
    owner = config.get("github:owner")
    if not isinstance(owner, str) or not owner:
        raise ConfigError(f"stack {stack!r} sets no `github:owner`: `pulumi config set github:owner <org> -s {stack}`")
    return Target(
        stack=stack,
        railway_workspace_id=railway.workspace_id,
        supabase_organization=database.organization,
        supabase_plan=database.plan,
        github_owner=owner,
        github_repository=github.repository,
        reviewer_teams=tuple(github.reviewer_teams),
        s3_bucket=backups.s3_bucket,
        aws_region=backups.aws_region,
    )


def render(stack: str, results: list[Result], environ: Mapping[str, str]) -> str:
    lines = [f"Preflight for stack {stack!r} (read-only):"]
    for result in results:
        lines.append(f"  [{result.status.value}] {result.check}: {result.detail}")
        if result.fix:
            lines.append(f"         fix: {result.fix}")
    failures = sum(1 for r in results if r.status is Status.FAIL)
    lines.append(f"{failures} of {len(results)} checks failed." if failures else f"All {len(results)} checks passed.")
    return mask("\n".join(lines), environ)


def mask(text: str, environ: Mapping[str, str]) -> str:
    """An API's message could quote a credential back: none is ever printed."""
    for variable in _SECRET_VARIABLES:
        value = environ.get(variable, "").strip()
        if len(value) >= 4:
            text = text.replace(value, "***")
    return text


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    environ = dict(os.environ)
    try:
        path = args.config_file or ROOT / f"Pulumi.{args.stack}.yaml"
        if not path.is_file():
            raise ConfigError(f"no config file {path}")
        target = target_of(args.stack, read_stack_file(path))
    except (ConfigError, StackConfigError, OSError) as error:
        print(f"preflight: {error}", file=sys.stderr)
        return USAGE
    results = run(target, environ)
    print(render(args.stack, results, environ))
    return CHECK_FAILED if any(r.status is Status.FAIL for r in results) else OK


if __name__ == "__main__":
    sys.exit(main())
