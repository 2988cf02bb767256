"""The five operations: backup, restore, drill, prune and list."""

from __future__ import annotations

import contextlib
import re
import secrets
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import psycopg
from psycopg import sql

from . import fingerprint
from .errors import (
    BackupCorruptError,
    DatabaseMissingError,
    DatabaseUnreachableError,
    DumpFailedError,
    IdentityUnknownError,
    OpsError,
    RefusedError,
    RestoreFailedError,
    StorageError,
    UsageError,
)
from .fingerprint import Conn, TableRows, table_inventory
from .naming import BackupRef, backup_key, check_stack, manifest_key, partial_key
from .pg import (
    DatabaseUrl,
    PgTools,
    ServerIdentity,
    connect,
    create_database,
    drop_database,
    first_line,
    maintenance_url,
    server_identity,
)
from .policy import PRODUCTION_NAMES, RETENTION, RPO, RTO, STALE_AFTER, Retention
from .progress import Reporter, human_bytes, human_seconds
from .retention import Decision, plan
from .store import (
    LIVE_FIX,
    META_CREATED,
    META_FORMAT,
    META_SHA256,
    META_SIZE,
    META_STACK,
    BackupStore,
    Encryption,
    MultipartUpload,
    StoredBackup,
)

Clock = Callable[[], datetime]
MIB = 1024 * 1024
MIN_PART_SIZE = 5 * MIB


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    store: BackupStore
    tools: PgTools
    reporter: Reporter
    clock: Clock = utc_now


# -- backup ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupOptions:
    stack: str
    database: DatabaseUrl
    encryption: Encryption = field(default_factory=Encryption)
    compress: int = 6
    part_size: int = 8 * MIB
    take_fingerprint: bool = True
    schemas: tuple[str, ...] = ()
    retention: Retention | None = RETENTION


@dataclass
class BackupResult:
    key: str
    size: int
    sha256: str
    seconds: float
    tables: int | None
    rows: int | None
    pruned: list[str]


@dataclass(frozen=True)
class _Dumped:
    size: int
    sha256: str
    fingerprint: fingerprint.Fingerprint | None
    server_version: int


def _dump_to_temporary(ctx: Context, opts: BackupOptions, temp_key: str) -> _Dumped:
    """Stream pg_dump into a completed upload at `temp_key`, fingerprinting the same snapshot meanwhile.

    Any failure (pg_dump's exit status, the fingerprint, S3, an interrupt) aborts the multipart upload, so
    nothing is left behind but S3's record of an aborted upload.
    """
    store, reporter = ctx.store, ctx.reporter
    with connect(opts.database, autocommit=False) as conn:
        snapshot: str | None = None
        if opts.take_fingerprint:
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            try:
                row = conn.execute("SELECT pg_export_snapshot()").fetchone()
            except psycopg.Error as exc:
                raise DumpFailedError(
                    f"cannot export a snapshot ({first_line(str(exc))}); use a direct (not pooled) connection "
                    "or pass --no-fingerprint"
                ) from None
            assert row is not None
            snapshot = str(row[0])
        server_version = conn.info.server_version

        upload = MultipartUpload(store.client, store.bucket, temp_key, opts.encryption.args(), part_size=opts.part_size)
        fp_box: dict[str, Any] = {}
        fp_thread: threading.Thread | None = None
        try:
            dump = ctx.tools.start_dump(opts.database, compress=opts.compress, snapshot=snapshot, schemas=opts.schemas)
            if opts.take_fingerprint:

                def run_fingerprint() -> None:
                    try:
                        fp_box["fp"] = fingerprint.take(conn, opts.schemas)
                    except BaseException as exc:  # reported by the main thread
                        fp_box["error"] = exc

                fp_thread = threading.Thread(target=run_fingerprint, name="fingerprint", daemon=True)
                fp_thread.start()
            progress = reporter.progress("pg_dump -> s3")
            try:
                size, sha256 = upload.feed(dump.stdout, progress)
            except BaseException:
                dump.kill()
                raise
            code = dump.wait()
            if code != 0:
                raise DumpFailedError(
                    f"pg_dump failed after {human_bytes(size)} (exit {code}): {dump.error or 'no message'}; "
                    "the partial upload was discarded, nothing was published"
                )
            if size == 0:
                raise DumpFailedError("pg_dump produced no output; nothing was published")
            if fp_thread is not None:
                fp_thread.join()
                if "error" in fp_box:
                    error = fp_box["error"]
                    detail = first_line(str(error)) if isinstance(error, psycopg.Error) else repr(error)
                    raise DumpFailedError(f"fingerprinting the source failed: {detail}; nothing was published")
            progress.finish("dump complete")
            upload.complete()
        except BaseException:
            upload.abort()
            raise
        finally:
            if fp_thread is not None and fp_thread.is_alive():
                conn.cancel()
                fp_thread.join()
            with contextlib.suppress(psycopg.Error):  # closing the connection ends the snapshot anyway
                conn.rollback()

    return _Dumped(size=size, sha256=sha256, fingerprint=fp_box.get("fp"), server_version=server_version)


def backup(ctx: Context, opts: BackupOptions) -> BackupResult:
    """pg_dump streamed into a multipart upload; published under its final key only after pg_dump succeeded."""
    stack = check_stack(opts.stack)
    if not 0 <= opts.compress <= 9:
        raise UsageError(f"--compress {opts.compress} is not a compression level: give 0 (none) to 9 (smallest)")
    if opts.part_size < MIN_PART_SIZE:
        raise UsageError(
            f"a part size of {human_bytes(opts.part_size)} is below S3's minimum of 5 MiB: give --part-size-mib 5 "
            "or more"
        )
    store, reporter = ctx.store, ctx.reporter
    store.check_bucket()
    started_at = ctx.clock()
    started = time.monotonic()
    key = backup_key(store.prefix, stack, started_at)
    if store.exists(key):
        raise StorageError(f"s3://{store.bucket}/{key} already exists (two backups in the same second?)")
    temp_key = partial_key(store.prefix, stack, started_at)
    reporter.info(
        f"backing up {opts.database} to s3://{store.bucket}/{key}, encrypted with {opts.encryption.describe()}"
    )

    dumped = _dump_to_temporary(ctx, opts, temp_key)
    size, sha256, fp = dumped.size, dumped.sha256, dumped.fingerprint
    manifest: dict[str, Any] = {
        "key": key,
        "stack": stack,
        "created_at": started_at.isoformat(),
        "size": size,
        "sha256": sha256,
        "format": "pg_dump custom",
        "compress": opts.compress,
        "schemas": list(opts.schemas),
        "server_version": dumped.server_version,
        "source": opts.database.redacted,
        "encryption": opts.encryption.describe(),
        "fingerprint": fp.to_json() if fp else None,
    }
    metadata = {
        META_SHA256: sha256,
        META_SIZE: str(size),
        META_STACK: stack,
        META_CREATED: started_at.isoformat(),
        META_FORMAT: "pg_dump-custom",
    }
    try:
        store.put_json(manifest_key(key), manifest, opts.encryption)
        store.publish(temp_key, key, metadata, opts.encryption, size)
    except BaseException:
        with contextlib.suppress(OpsError):  # prune removes stale debris otherwise
            store.delete([temp_key, manifest_key(key)])
        raise
    seconds = time.monotonic() - started
    summary = f"published s3://{store.bucket}/{key}: {human_bytes(size)}, sha256 {sha256}, {human_seconds(seconds)}"
    if fp:
        summary += f", {len(fp.tables)} tables, {fp.total_rows} rows"
    reporter.info(summary)

    pruned: list[str] = []
    if opts.retention is not None:
        try:
            pruned = prune(ctx, stack, opts.retention).deleted
        except OpsError as exc:
            raise OpsError(f"backup published at {key}, but pruning old backups failed: {exc}") from None
    return BackupResult(
        key=key,
        size=size,
        sha256=sha256,
        seconds=seconds,
        tables=len(fp.tables) if fp else None,
        rows=fp.total_rows if fp else None,
        pruned=pruned,
    )


# -- prune -----------------------------------------------------------------------------------------------------


@dataclass
class PruneResult:
    decisions: list[Decision]
    deleted: list[str]
    debris: list[str]


def prune(ctx: Context, stack: str, retention: Retention = RETENTION, *, dry_run: bool = False) -> PruneResult:
    """Delete backups the retention policy no longer keeps, their manifests and stale upload debris."""
    store, reporter = ctx.store, ctx.reporter
    stack = check_stack(stack)
    now = ctx.clock()
    listing = store.scan(stack)
    decisions = plan(listing.backups, retention, now)
    doomed = [d.ref.key for d in decisions if not d.keep]
    manifest_keys = [manifest_key(k) for k in doomed if manifest_key(k) in listing.manifests]
    live_manifests = {manifest_key(ref.key) for ref in listing.backups}
    debris = [k for k, t in listing.manifests.items() if k not in live_manifests and t < now - STALE_AFTER]
    debris += [k for k, t in listing.partials.items() if t < now - STALE_AFTER]
    uploads = store.stale_uploads(stack, now, STALE_AFTER)
    verb = "would delete" if dry_run else "deleting"
    for key in doomed:
        reporter.info(f"{verb} {key} (outside the retention of {retention})")
    for key in debris:
        reporter.info(f"{verb} stale {key}")
    for key, _ in uploads:
        reporter.info(f"{'would abort' if dry_run else 'aborting'} unfinished upload of {key}")
    if not dry_run:
        store.delete(doomed + manifest_keys + debris)
        for key, upload_id in uploads:
            store.abort_upload(key, upload_id)
    kept = sum(1 for d in decisions if d.keep)
    reporter.info(f"retention: {kept} kept, {len(doomed)} {'to delete' if dry_run else 'deleted'}")
    return PruneResult(decisions=decisions, deleted=doomed, debris=debris + [k for k, _ in uploads])


# -- list ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListedBackup:
    ref: BackupRef
    size: int


def list_backups(ctx: Context, stack: str) -> list[ListedBackup]:
    ctx.store.check_bucket()
    listing = ctx.store.scan(check_stack(stack))
    return [ListedBackup(ref=ref, size=listing.sizes[ref.key]) for ref in reversed(listing.backups)]


# -- restore ---------------------------------------------------------------------------------------------------


def production_reason(
    target_stack: str,
    target: DatabaseUrl,
    declared: bool,
    production: ServerIdentity | None,
    target_identity: ServerIdentity | None = None,
) -> str | None:
    """Why the target is (or looks like) production, or None."""
    if declared:
        return "--production was given"
    if target_stack in PRODUCTION_NAMES:
        return f"the target stack is {target_stack!r}"
    for label, value in (("host", target.host), ("database name", target.dbname)):
        tokens = set(re.split(r"[^a-z0-9]+", value.lower()))
        if tokens & PRODUCTION_NAMES:
            return f"its {label} {value!r} says production"
    if production is not None and production == target_identity:
        return f"it is the database of PRODUCTION_DATABASE_URL ({production})"
    return None


@dataclass(frozen=True)
class RestoreOptions:
    stack: str
    target: DatabaseUrl
    key: str | None = None
    target_stack: str | None = None
    declared_production: bool = False
    production: DatabaseUrl | None = None
    confirm_production: bool = False
    create: bool = False
    no_owner: bool = False
    no_acl: bool = False
    work_dir: Path | None = None


@dataclass
class RestoreResult:
    key: str
    replaced: list[TableRows]
    seconds: float


@dataclass(frozen=True)
class _Target:
    """What a restore would write into, found out read-only before anything is created or changed."""

    exists: bool
    inventory: list[TableRows]
    identity: ServerIdentity | None


_UNKNOWN_FIX = "pass --i-understand-this-replaces-production if the target may be replaced even if it is production"


def _identify(
    conn: Conn, opts: RestoreOptions, reporter: Reporter, what: str, database: str | None = None
) -> ServerIdentity | None:
    """The server identity, or None when it cannot be read and production was confirmed anyway: not knowing
    must never let a restore over production through."""
    try:
        return server_identity(conn, database)
    except IdentityUnknownError as exc:
        if opts.confirm_production:
            reporter.warn(f"{what}: {exc}; going ahead as confirmed")
            return None
        raise RefusedError(f"cannot tell whether the target is production: {what}: {exc}; {_UNKNOWN_FIX}") from None


def _production_identity(opts: RestoreOptions, reporter: Reporter) -> ServerIdentity | None:
    if opts.production is None:
        return None
    what = f"PRODUCTION_DATABASE_URL ({opts.production})"
    try:
        with connect(opts.production) as conn:
            return _identify(conn, opts, reporter, what)
    except DatabaseUnreachableError as exc:
        if opts.confirm_production:
            reporter.warn(f"cannot identify {what}: {exc}; going ahead as confirmed")
            return None
        raise RefusedError(
            f"cannot tell whether the target is production: {exc}; fix or unset PRODUCTION_DATABASE_URL, or "
            f"{_UNKNOWN_FIX}"
        ) from None


def _probe_target(opts: RestoreOptions, reporter: Reporter, *, identify: bool) -> _Target:
    what = f"the target {opts.target}"
    try:
        with connect(opts.target) as conn:
            inventory = table_inventory(conn)
            identity = _identify(conn, opts, reporter, what) if identify else None
            return _Target(exists=True, inventory=inventory, identity=identity)
    except DatabaseMissingError:
        if not opts.create:
            raise DatabaseMissingError(
                f"database {opts.target.dbname!r} does not exist on {opts.target}; pass --create to create it"
            ) from None
    identity = None
    if identify:
        with connect(maintenance_url(opts.target)) as conn:
            identity = _identify(conn, opts, reporter, what, opts.target.dbname)
    return _Target(exists=False, inventory=[], identity=identity)


def _describe_tables(tables: list[TableRows], limit: int = 20) -> str:
    shown = ", ".join(f"{t.name} ({t.rows} rows)" for t in tables[:limit])
    if len(tables) > limit:
        shown += f", ... and {len(tables) - limit} more"
    return shown or "nothing"


def restore(ctx: Context, opts: RestoreOptions) -> RestoreResult:
    """Verify the backup, decide whether the target is production, and only then create or write anything."""
    store, reporter = ctx.store, ctx.reporter
    stack = check_stack(opts.stack)
    target_stack = check_stack(opts.target_stack or stack)
    store.check_bucket()
    backup = store.find(stack, opts.key)
    _announce(ctx, backup)
    production = _production_identity(opts, reporter)
    target = _probe_target(opts, reporter, identify=production is not None)
    with tempfile.TemporaryDirectory(prefix="converge-restore-", dir=opts.work_dir) as tmp:
        archive = Path(tmp) / "backup.dump"
        store.download(backup, archive)
        toc = ctx.tools.list_archive(archive)
        reporter.info(f"archive readable: {toc.entries} entries, {len(toc.tables)} tables")

        replaced = [t for t in target.inventory if t.name in toc.tables]
        untouched = [t for t in target.inventory if t.name not in toc.tables]
        replaced_rows = sum(t.rows for t in replaced)
        reporter.info(
            f"target {opts.target}: the restore replaces {len(replaced)} tables ({replaced_rows} rows): "
            f"{_describe_tables(replaced)}"
        )
        if untouched:
            reporter.info(f"tables the backup does not contain stay as they are: {_describe_tables(untouched)}")
        reason = production_reason(target_stack, opts.target, opts.declared_production, production, target.identity)
        if reason:
            what = f"{len(replaced)} tables ({replaced_rows} rows) in {opts.target}"
            if not opts.confirm_production:
                raise RefusedError(
                    f"refusing to restore over a production database ({reason}): it would replace {what}; "
                    "pass --i-understand-this-replaces-production to go ahead"
                )
            reporter.warn(f"replacing production data as confirmed ({reason}): {what}")
        if not target.exists:
            create_database(maintenance_url(opts.target), opts.target.dbname)
            reporter.info(f"created database {opts.target.dbname!r}")

        started = time.monotonic()
        reporter.info("pg_restore running (one transaction: all or nothing)")
        result = ctx.tools.restore(archive, opts.target, clean=True, no_owner=opts.no_owner, no_acl=opts.no_acl)
        if result.returncode != 0:
            raise RestoreFailedError(
                f"pg_restore failed: {first_line(_error_line(result.stderr))}; it ran in one transaction, "
                f"so {opts.target} was left unchanged"
            )
        seconds = time.monotonic() - started
    reporter.info(f"restored {backup.ref.key} into {opts.target} in {human_seconds(seconds)}")
    return RestoreResult(key=backup.ref.key, replaced=replaced, seconds=seconds)


def _error_line(stderr: str) -> str:
    for line in stderr.splitlines():
        if "error" in line.lower():
            return line
    return stderr or "no message"


def _announce(ctx: Context, backup: StoredBackup) -> None:
    age = ctx.clock() - backup.ref.created_at
    ctx.reporter.info(
        f"backup {backup.ref.key}: {human_bytes(backup.size)}, taken {backup.ref.created_at.isoformat()} "
        f"({human_seconds(age.total_seconds())} ago)"
    )


# -- drill -----------------------------------------------------------------------------------------------------

Against = Literal["auto", "snapshot", "live"]


@dataclass(frozen=True)
class DrillOptions:
    stack: str
    source: DatabaseUrl | None = None
    scratch_server: DatabaseUrl | None = None
    key: str | None = None
    against: Against = "auto"
    create_missing_roles: bool = False
    no_owner: bool = False
    no_acl: bool = False
    keep_scratch: bool = False
    enforce_rpo: bool = False
    schemas: tuple[str, ...] = ()
    work_dir: Path | None = None


@dataclass
class DrillReport:
    stack: str
    key: str = ""
    backup_created_at: str = ""
    backup_age_seconds: float = 0.0
    rpo_seconds: float = RPO.total_seconds()
    rpo_met: bool = False
    rpo_enforced: bool = False
    download_seconds: float = 0.0
    restore_seconds: float = 0.0
    compare_seconds: float = 0.0
    time_to_restore_seconds: float = 0.0
    total_seconds: float = 0.0
    rto_seconds: float = RTO.total_seconds()
    rto_met: bool = False
    compared_against: str = ""
    scratch_database: str = ""
    tables: int = 0
    rows: int = 0
    policies: int = 0
    indexes: int = 0
    differences: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.differences and self.rto_met and (self.rpo_met or not self.rpo_enforced)

    def to_json(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["ok"] = self.ok
        return data


def drill(ctx: Context, opts: DrillOptions) -> DrillReport:
    """Restore a backup into a scratch database, compare it, time it against the RTO and age it against the RPO."""
    store, reporter = ctx.store, ctx.reporter
    stack = check_stack(opts.stack)
    report = DrillReport(stack=stack, rpo_enforced=opts.enforce_rpo)
    started = time.monotonic()
    store.check_bucket()
    backup = store.find(stack, opts.key)
    _announce(ctx, backup)
    report.key = backup.ref.key
    report.backup_created_at = backup.ref.created_at.isoformat()
    report.backup_age_seconds = round((ctx.clock() - backup.ref.created_at).total_seconds(), 3)
    report.rpo_met = report.backup_age_seconds <= RPO.total_seconds()

    expected: fingerprint.Fingerprint | None = None
    manifest = store.manifest_of(backup) or {}
    # Compare what the backup covers: its schemas unless the caller names others.
    schemas = opts.schemas or _manifest_schemas(backup, manifest)
    if opts.against in ("auto", "snapshot"):
        if manifest.get("fingerprint"):
            expected = _manifest_fingerprint(backup, manifest)
            report.compared_against = "the source as dumped (fingerprint taken in the dump's snapshot)"
        elif opts.against == "snapshot":
            raise OpsError(f"{backup.ref.key} has no fingerprint in its manifest: use --against live")
    if expected is None and opts.source is None:
        raise UsageError("this drill compares with the live source: give --database-url (or DATABASE_URL)")
    server = opts.scratch_server or (maintenance_url(opts.source) if opts.source else None)
    if server is None:
        raise UsageError("give --scratch-url: a server where the drill may create and drop a database")
    live_source = opts.source if expected is None else None
    if live_source is not None:
        report.compared_against = f"the live source {live_source}"

    scratch = f"drill_{stack.replace('-', '_')}_{ctx.clock():%Y%m%d%H%M%S}_{secrets.token_hex(3)}"
    report.scratch_database = scratch
    with tempfile.TemporaryDirectory(prefix="converge-drill-", dir=opts.work_dir) as tmp:
        archive = Path(tmp) / "backup.dump"
        phase = time.monotonic()
        store.download(backup, archive)
        toc = ctx.tools.list_archive(archive)
        report.download_seconds = round(time.monotonic() - phase, 3)

        create_database(server, scratch)
        reporter.info(f"created scratch database {scratch!r} on {server}")
        try:
            if live_source is not None:
                with connect(live_source) as conn:
                    expected = fingerprint.take(conn, schemas)
            assert expected is not None
            if opts.create_missing_roles:
                _create_roles(server, expected.roles, reporter)
            phase = time.monotonic()
            reporter.info(f"pg_restore into {scratch!r} ({toc.entries} archive entries)")
            result = ctx.tools.restore(
                archive, server.with_dbname(scratch), clean=False, no_owner=opts.no_owner, no_acl=opts.no_acl
            )
            report.restore_seconds = round(time.monotonic() - phase, 3)
            if result.returncode != 0:
                report.error = f"pg_restore failed: {first_line(_error_line(result.stderr))}"
            else:
                phase = time.monotonic()
                with connect(server.with_dbname(scratch)) as conn:
                    actual = fingerprint.take(conn, schemas)
                report.differences = fingerprint.compare(expected, actual)
                report.compare_seconds = round(time.monotonic() - phase, 3)
                report.tables = len(actual.tables)
                report.rows = actual.total_rows
                report.policies = len(actual.policies)
                report.indexes = len(actual.indexes)
        finally:
            if opts.keep_scratch:
                reporter.info(f"keeping scratch database {scratch!r} (--keep-scratch)")
            else:
                drop_database(server, scratch)
                reporter.info(f"dropped scratch database {scratch!r}")
    report.time_to_restore_seconds = round(report.download_seconds + report.restore_seconds, 3)
    report.rto_met = report.time_to_restore_seconds <= RTO.total_seconds()
    report.total_seconds = round(time.monotonic() - started, 3)
    return report


def _manifest_schemas(backup: StoredBackup, manifest: dict[str, Any]) -> tuple[str, ...]:
    schemas = manifest.get("schemas", [])
    if not isinstance(schemas, list) or not all(isinstance(s, str) for s in schemas):
        raise BackupCorruptError(
            f"the manifest of {backup.ref.key} is malformed: its schemas are not a list of names; name the schemas "
            "to compare with --schema"
        )
    return tuple(schemas)


def _manifest_fingerprint(backup: StoredBackup, manifest: dict[str, Any]) -> fingerprint.Fingerprint:
    try:
        return fingerprint.Fingerprint.from_json(manifest["fingerprint"])
    except ValueError as exc:
        raise BackupCorruptError(
            f"the fingerprint in the manifest of {backup.ref.key} is malformed ({exc}); {LIVE_FIX}"
        ) from None


def _create_roles(server: DatabaseUrl, roles: list[str], reporter: Reporter) -> None:
    with connect(server) as conn:
        existing = {str(r[0]) for r in conn.execute("SELECT rolname FROM pg_roles").fetchall()}
        for role in roles:
            if role not in existing:
                conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
                reporter.info(f"created role {role!r} (NOLOGIN) on the scratch server")
