"""Command line: python -m ops.deploy <step>. Exit codes: 0 ok, 1 the step failed, 2 usage or configuration,
3 drift found, 4 the drift preview failed, 5 the saved plan no longer applies, 70 internal error."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from ops.backup.errors import OpsError
from providers.core.errors import CONFIGURATION

from . import drift, github, plan, preview, railway, slack
from .backup import backup_before_migrations
from .errors import EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, DeployError, UsageError
from .migrate import DEFAULT_COMMAND, NOT_ROLLED_BACK, MigrateOptions, migrate, parse_command, session_mode_url
from .output import job_summary, log, register_environment_secrets, result
from .outputs import StackOutputs
from .shared import ApiError
from .smoke import SmokeOptions, checks_for, smoke


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or default


def _env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").replace(" ", ",").split(",") if item.strip()]


def _commit(args: argparse.Namespace) -> str:
    commit: str | None = args.commit or _env("GITHUB_SHA")
    if not commit:
        raise UsageError("--commit is required (or GITHUB_SHA)")
    return commit


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ops.deploy",
        description="Converge-NPS deploy steps: backup, migrate, smoke, rollback, notify; drift; saved plans.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    outputs = argparse.ArgumentParser(add_help=False)
    outputs.add_argument(
        "--outputs", type=Path, required=True, help="the stack's outputs (`pulumi stack output --json`)"
    )

    p = sub.add_parser("backup", parents=[outputs], help="production: back up the database before migrating")
    p.add_argument("backup_args", nargs="*", help="after --: arguments of `python -m ops.backup backup`")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("migrate", help="run the application's migrations against DATABASE_URL (session mode)")
    p.add_argument(
        "--command",
        dest="migrate_command",
        default=_env("MIGRATE_COMMAND", DEFAULT_COMMAND),
        help=f"migration command (env MIGRATE_COMMAND; default {DEFAULT_COMMAND!r})",
    )
    p.add_argument("--cwd", type=Path, default=_env("MIGRATE_WORKDIR"), help="run it here (env MIGRATE_WORKDIR)")
    p.add_argument(
        "--timeout",
        type=float,
        default=_env("MIGRATE_TIMEOUT_SECONDS", "900"),
        help="seconds before a hanging migration is stopped (env MIGRATE_TIMEOUT_SECONDS; default 900)",
    )
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("smoke", parents=[outputs], help="check /health and the critical endpoints")
    p.add_argument(
        "--endpoint",
        action="append",
        default=_env_list("SMOKE_ENDPOINTS"),
        help="a critical endpoint, /path or /path=status[,status] (repeatable; env SMOKE_ENDPOINTS)",
    )
    p.add_argument("--attempts", type=int, default=10, help="tries per endpoint (default 10)")
    p.add_argument("--interval", type=float, default=6.0, help="seconds between tries (default 6)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per request (default 10)")
    p.set_defaults(func=cmd_smoke)

    p = sub.add_parser("live-deployment", parents=[outputs], help="print the backend's live Railway deployment")
    p.set_defaults(func=cmd_live)

    p = sub.add_parser("rollback", parents=[outputs], help="roll the backend back to a successful deployment")
    p.add_argument("--to", help="deployment id (default: the successful one before the live one)")
    p.add_argument("--wait-seconds", type=float, default=600.0, help="how long the rollback may take to go live")
    p.set_defaults(func=cmd_rollback)

    p = sub.add_parser("notify", help="post the deploy's outcome to Slack (SLACK_WEBHOOK_URL)")
    p.add_argument("--stack", required=True)
    p.add_argument("--step", action="append", default=[], help="name=outcome, in order (repeatable)")
    p.add_argument("--rolled-back-to", help="the deployment the rollback step went back to")
    p.set_defaults(func=cmd_notify)

    p = sub.add_parser("drift", help="report a drift check to the job summary, Slack and the stack's issue")
    p.add_argument("--stack", required=True)
    p.add_argument("--preview", type=Path, required=True, help="`pulumi preview --json` output")
    p.add_argument("--pulumi-exit", type=int, required=True, help="the exit status of that preview")
    p.set_defaults(func=cmd_drift)

    commit = argparse.ArgumentParser(add_help=False)
    commit.add_argument("--stack", required=True)
    commit.add_argument("--commit", help="the commit deployed (default: GITHUB_SHA)")
    commit.add_argument("--plan", type=Path, required=True, help="the plan file (`pulumi preview --save-plan`)")
    commit.add_argument("--state", type=Path, required=True, help="`pulumi stack export` of the stack, now")

    p = sub.add_parser("plan-record", parents=[commit], help="record a saved plan and show it in the job summary")
    p.add_argument("--preview", type=Path, required=True, help="`pulumi preview --json` output of that preview")
    p.add_argument("--out", type=Path, required=True, help="where to write the plan record")
    p.set_defaults(func=cmd_plan_record)

    p = sub.add_parser("plan-verify", parents=[commit], help="check a saved plan still applies before `up --plan`")
    p.add_argument("--record", type=Path, required=True, help="the record plan-record wrote")
    p.set_defaults(func=cmd_plan_verify)
    return parser


def cmd_backup(args: argparse.Namespace) -> int:
    backup_before_migrations(StackOutputs.load(args.outputs).environment, args.backup_args)
    return EXIT_OK


def cmd_migrate(args: argparse.Namespace) -> int:
    options = MigrateOptions(
        command=parse_command(args.migrate_command),
        database_url=session_mode_url(_env("DATABASE_URL")),
        cwd=args.cwd,
        timeout=args.timeout,
    )
    seconds = migrate(options)
    result(f"migrations applied in {seconds:.1f}s")
    return EXIT_OK


def cmd_smoke(args: argparse.Namespace) -> int:
    stack = StackOutputs.load(args.outputs)
    checks = checks_for(args.endpoint)
    outcomes = smoke(
        SmokeOptions(
            base_url=stack.api_url,
            checks=checks,
            attempts=args.attempts,
            interval=args.interval,
            timeout=args.timeout,
        )
    )
    result(f"smoke tests passed: {', '.join(o.check.path for o in outcomes)}")
    return EXIT_OK


def cmd_live(args: argparse.Namespace) -> int:
    result(railway.Railway(railway.connect(), StackOutputs.load(args.outputs)).live().id)
    return EXIT_OK


def cmd_rollback(args: argparse.Namespace) -> int:
    deployments = railway.Railway(railway.connect(), StackOutputs.load(args.outputs))
    try:
        rolled = deployments.rollback(args.to, args.wait_seconds)
    finally:
        log(NOT_ROLLED_BACK)
    if rolled is not None:
        job_summary(f"### Rollback\n\nThe backend was rolled back: `{rolled.id}` is live.\n\n{NOT_ROLLED_BACK}")
        result(rolled.id)
    return EXIT_OK


def cmd_notify(args: argparse.Namespace) -> int:
    outcome = slack.DeployOutcome(args.stack, slack.parse_steps(args.step), args.rolled_back_to)
    slack.post(slack.deploy_message(outcome, os.environ))
    return EXIT_OK


def cmd_drift(args: argparse.Namespace) -> int:
    check = drift.DriftCheck(args.stack, preview.load(args.preview), args.pulumi_exit)
    return drift.report(check, github.connect(), slack.post, os.environ)


def cmd_plan_record(args: argparse.Namespace) -> int:
    saved = plan.record(args.stack, _commit(args), args.plan, args.state)
    saved.save(args.out)
    job_summary(plan.summary(saved, preview.load(args.preview)))
    result(saved.plan_sha256)
    return EXIT_OK


def cmd_plan_verify(args: argparse.Namespace) -> int:
    plan.verify(plan.PlanRecord.load(args.record), args.stack, _commit(args), args.plan, args.state)
    result(f"the plan for {args.stack} still applies")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    register_environment_secrets()
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except DeployError as error:
        log(f"error: {error}")
        return error.exit_code
    except OpsError as error:  # a bad DATABASE_URL, as ops.backup words it
        log(f"error: {error}")
        return error.exit_code
    except ApiError as error:
        log(f"error: {error}")
        return EXIT_USAGE if error.operation == CONFIGURATION else 1
    except KeyboardInterrupt:
        log("error: interrupted")
        return 130
    except Exception as error:
        log(f"error: internal error ({type(error).__name__}: {error})")
        return EXIT_INTERNAL
