"""Command line: python -m ops.backup {backup,restore,drill,prune,list}."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import NoReturn

import psycopg

from .errors import ExitCode, OpsError, UsageError
from .pg import DatabaseUrl, PgTools, first_line
from .policy import KEY_PREFIX, RETENTION, RPO
from .progress import Reporter, human_bytes, human_seconds
from .redact import redact
from .service import (
    MIB,
    BackupOptions,
    Context,
    DrillOptions,
    DrillReport,
    RestoreOptions,
    backup,
    drill,
    list_backups,
    prune,
    restore,
)
from .store import BackupStore, Encryption, make_client


def _env(name: str) -> str | None:
    value = os.environ.get(name)
    return value if value else None


def _env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").replace(" ", ",").split(",") if item.strip()]


def _require(value: str | None, flag: str, env: str | None) -> str:
    if not value:
        hint = f" (or set {env})" if env else ""
        raise UsageError(f"{flag} is required{hint}")
    return value


def _url(value: str | None, flag: str, env: str) -> DatabaseUrl | None:
    """The URL of an option or its environment variable; a refusal names which one, never its value."""
    if value is None:
        return None
    subject = f"{flag} (or {env})" if flag else env
    return DatabaseUrl.parse(value, subject)


def _required_url(value: str | None, flag: str, env: str) -> DatabaseUrl:
    url = _url(_require(value, flag, env), flag, env)
    assert url is not None
    return url


class _Parser(argparse.ArgumentParser):
    """argparse, minus echoing what it could not parse: a stray argument may be a URL with its password."""

    def error(self, message: str) -> NoReturn:
        if message.startswith("unrecognized arguments:"):
            message = "unrecognized arguments (not shown: they may contain a password); see --help"
        super().error(redact(message))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m ops.backup",
        description="Converge-NPS database backups to S3: backup, restore, restore drill, retention.",
    )
    common = _Parser(add_help=False)
    common.add_argument("--stack", default=_env("BACKUP_STACK"), help="stack name, e.g. prod (env BACKUP_STACK)")
    common.add_argument("--bucket", default=_env("BACKUP_S3_BUCKET"), help="S3 bucket (env BACKUP_S3_BUCKET)")
    common.add_argument(
        "--prefix", default=_env("BACKUP_PREFIX") or KEY_PREFIX, help=f"key prefix (default {KEY_PREFIX})"
    )
    common.add_argument("--endpoint-url", default=None, help="S3 endpoint (default: AWS, or env AWS_ENDPOINT_URL)")
    common.add_argument("--region", default=None, help="AWS region (default: env AWS_REGION / AWS config)")
    common.add_argument("--pg-bin", type=Path, default=_env("PG_BIN"), help="directory of pg_dump/pg_restore")
    common.add_argument("--quiet", action="store_true", help="only errors and the result")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("backup", parents=[common], help="dump a database to S3, then apply retention")
    p.add_argument("--database-url", default=_env("DATABASE_URL"), help="source database (env DATABASE_URL)")
    p.add_argument("--kms-key-id", default=_env("BACKUP_KMS_KEY_ID"), help="use SSE-KMS with this key")
    p.add_argument("--compress", type=int, default=6, help="pg_dump compression level 0-9 (default 6)")
    p.add_argument("--part-size-mib", type=int, default=8, help="multipart part size (default 8, minimum 5)")
    p.add_argument(
        "--schema",
        action="append",
        default=_env_list("BACKUP_SCHEMAS"),
        help="dump only this schema (repeatable; env BACKUP_SCHEMAS, comma-separated; default: all)",
    )
    p.add_argument(
        "--no-fingerprint",
        action="store_true",
        help="skip the per-table fingerprint in the dump's snapshot (needed behind transaction poolers)",
    )
    p.add_argument("--no-prune", action="store_true", help="do not apply the retention policy afterwards")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", parents=[common], help="restore a backup (default: the latest) into a database")
    p.add_argument("--key", help="backup key (default: the stack's latest)")
    p.add_argument("--target-url", default=_env("RESTORE_TARGET_URL"), help="database to restore into")
    p.add_argument("--target-stack", help="stack the target belongs to (default: --stack)")
    p.add_argument("--production", action="store_true", help="declare that the target is production")
    p.add_argument(
        "--i-understand-this-replaces-production",
        dest="confirm_production",
        action="store_true",
        help="allow restoring over a production database",
    )
    p.add_argument("--create", action="store_true", help="create the target database if it does not exist")
    p.add_argument("--no-owner", action="store_true", help="pg_restore --no-owner")
    p.add_argument("--no-acl", action="store_true", help="pg_restore --no-acl")
    p.add_argument("--work-dir", type=Path, help="where the downloaded archive is kept while restoring")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("drill", parents=[common], help="restore into a scratch database and compare")
    p.add_argument("--key", help="backup key (default: the stack's latest)")
    p.add_argument("--database-url", default=_env("DATABASE_URL"), help="the live source (for --against live)")
    p.add_argument(
        "--scratch-url",
        default=_env("DRILL_SCRATCH_URL"),
        help="server for the scratch database; its database is used for CREATE/DROP DATABASE "
        "(default: the source server's postgres database)",
    )
    p.add_argument(
        "--against",
        choices=("auto", "snapshot", "live"),
        default="auto",
        help="compare with the fingerprint taken at backup time (snapshot) or the live source (auto: snapshot "
        "when the backup has one)",
    )
    p.add_argument("--create-missing-roles", action="store_true", help="create missing roles (NOLOGIN) first")
    p.add_argument("--no-owner", action="store_true", help="pg_restore --no-owner")
    p.add_argument("--no-acl", action="store_true", help="pg_restore --no-acl")
    p.add_argument("--keep-scratch", action="store_true", help="do not drop the scratch database")
    p.add_argument(
        "--enforce-rpo",
        action="store_true",
        help=f"fail when the backup is older than the RPO ({human_seconds(RPO.total_seconds())})",
    )
    p.add_argument(
        "--schema", action="append", default=[], help="compare only this schema (default: the backup's schemas)"
    )
    p.add_argument("--work-dir", type=Path, help="where the downloaded archive is kept")
    p.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    p.set_defaults(func=cmd_drill)

    p = sub.add_parser("prune", parents=[common], help=f"apply the retention policy ({RETENTION})")
    p.add_argument("--dry-run", action="store_true", help="only say what would be deleted")
    p.set_defaults(func=cmd_prune)

    p = sub.add_parser("list", parents=[common], help="list a stack's backups, newest first")
    p.add_argument("--json", action="store_true", help="print JSON on stdout")
    p.set_defaults(func=cmd_list)
    return parser


def _context(args: argparse.Namespace) -> tuple[Context, str]:
    stack = _require(args.stack, "--stack", "BACKUP_STACK")
    bucket = _require(args.bucket, "--bucket", "BACKUP_S3_BUCKET")
    reporter = Reporter(quiet=args.quiet)
    store = BackupStore(make_client(args.endpoint_url, args.region), bucket, args.prefix, reporter)
    return Context(store=store, tools=PgTools(args.pg_bin), reporter=reporter), stack


def cmd_backup(args: argparse.Namespace) -> int:
    ctx, stack = _context(args)
    url = _required_url(args.database_url, "--database-url", "DATABASE_URL")
    result = backup(
        ctx,
        BackupOptions(
            stack=stack,
            database=url,
            encryption=Encryption(args.kms_key_id),
            compress=args.compress,
            part_size=args.part_size_mib * MIB,
            take_fingerprint=not args.no_fingerprint,
            schemas=tuple(args.schema),
            retention=None if args.no_prune else RETENTION,
        ),
    )
    print(result.key)
    return ExitCode.OK


def cmd_restore(args: argparse.Namespace) -> int:
    ctx, stack = _context(args)
    target = _required_url(args.target_url, "--target-url", "RESTORE_TARGET_URL")
    result = restore(
        ctx,
        RestoreOptions(
            stack=stack,
            target=target,
            key=args.key,
            target_stack=args.target_stack,
            declared_production=args.production,
            production=_url(_env("PRODUCTION_DATABASE_URL"), "", "PRODUCTION_DATABASE_URL"),
            confirm_production=args.confirm_production,
            create=args.create,
            no_owner=args.no_owner,
            no_acl=args.no_acl,
            work_dir=args.work_dir,
        ),
    )
    print(result.key)
    return ExitCode.OK


def cmd_drill(args: argparse.Namespace) -> int:
    ctx, stack = _context(args)
    report = drill(
        ctx,
        DrillOptions(
            stack=stack,
            source=_url(args.database_url, "--database-url", "DATABASE_URL"),
            scratch_server=_url(args.scratch_url, "--scratch-url", "DRILL_SCRATCH_URL"),
            key=args.key,
            against=args.against,
            create_missing_roles=args.create_missing_roles,
            no_owner=args.no_owner,
            no_acl=args.no_acl,
            keep_scratch=args.keep_scratch,
            enforce_rpo=args.enforce_rpo,
            schemas=tuple(args.schema),
            work_dir=args.work_dir,
        ),
    )
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(format_drill(report))
    return ExitCode.OK if report.ok else ExitCode.DRILL_FAILED


def format_drill(report: DrillReport) -> str:
    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    rpo = verdict(report.rpo_met) + ("" if report.rpo_enforced else ", not enforced")
    lines = [
        f"drill of {report.key}: {'OK' if report.ok else 'FAILED'}",
        f"  backup age {human_seconds(report.backup_age_seconds)} (RPO {human_seconds(report.rpo_seconds)}: {rpo})",
        f"  restore ready in {human_seconds(report.time_to_restore_seconds)} (download and verify "
        f"{human_seconds(report.download_seconds)}, pg_restore {human_seconds(report.restore_seconds)}; "
        f"RTO {human_seconds(report.rto_seconds)}: {verdict(report.rto_met)})",
    ]
    if report.error:
        lines.append(f"  error: {report.error}")
    else:
        lines.append(
            f"  compared with {report.compared_against}: {report.tables} tables, {report.rows} rows, "
            f"{report.policies} policies, {report.indexes} indexes"
        )
        lines.append(f"  {len(report.differences)} differences" if report.differences else "  no differences")
        lines += [f"    - {d}" for d in report.differences]
    return "\n".join(lines)


def cmd_prune(args: argparse.Namespace) -> int:
    ctx, stack = _context(args)
    ctx.store.check_bucket()
    result = prune(ctx, stack, RETENTION, dry_run=args.dry_run)
    for decision in result.decisions:
        state = "keep  " if decision.keep else "delete"
        print(f"{state} {decision.ref.key} {','.join(decision.reasons)}".rstrip())
    return ExitCode.OK


def cmd_list(args: argparse.Namespace) -> int:
    ctx, stack = _context(args)
    backups = list_backups(ctx, stack)
    now = ctx.clock()
    if args.json:
        rows = [{"key": b.ref.key, "created_at": b.ref.created_at.isoformat(), "size": b.size} for b in backups]
        print(json.dumps(rows, indent=2))
        return ExitCode.OK
    for b in backups:
        age = human_seconds((now - b.ref.created_at).total_seconds())
        print(f"{b.ref.key}\t{human_bytes(b.size)}\t{age} ago")
    if not backups:
        ctx.reporter.info(f"no backups of stack {stack!r}")
    return ExitCode.OK


def _interrupt_on_sigterm(signum: int, frame: FrameType | None) -> None:
    """CI cancels a job with SIGTERM: unwind like Ctrl-C, so the multipart upload is aborted and the scratch
    database dropped."""
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt_on_sigterm) if in_main_thread else None
    try:
        return func(args)
    except OpsError as exc:
        print(f"error: {redact(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except psycopg.Error as exc:
        print(f"error: database error: {first_line(str(exc))}", file=sys.stderr)
        return ExitCode.FAILURE
    except KeyboardInterrupt:
        print("error: interrupted; nothing partial was published", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except Exception:
        print(redact(traceback.format_exc()), file=sys.stderr, end="")
        print("error: internal error (see above)", file=sys.stderr)
        return ExitCode.INTERNAL
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)
