"""Each failure is one clear error, and nothing it touches is damaged."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ops.backup import cli, fingerprint
from ops.backup.errors import (
    BackupNotFoundError,
    BucketMissingError,
    ChecksumMismatchError,
    DatabaseMissingError,
    DatabaseUnreachableError,
    DumpFailedError,
    RefusedError,
    RestoreFailedError,
)
from ops.backup.naming import backup_key, manifest_key
from ops.backup.pg import DatabaseUrl, PgTools, connect
from ops.backup.service import MIB, BackupOptions, DrillOptions, RestoreOptions, backup, drill, restore
from ops.backup.store import BackupStore
from tests.backup.conftest import BUCKET, PREFIX, Harness, PgServer, fake_bin, seed_app


def snapshot_of(url: DatabaseUrl) -> fingerprint.Fingerprint:
    with connect(url) as conn:
        return fingerprint.take(conn)


@pytest.fixture
def target(make_db: Callable[..., DatabaseUrl]) -> DatabaseUrl:
    """A database with data of its own that a failed restore must leave alone."""
    url = make_db()
    with psycopg.connect(url.raw, autocommit=True) as conn:
        conn.execute("CREATE TABLE public.attendees (id int PRIMARY KEY, name text)")
        conn.execute("INSERT INTO public.attendees SELECT g, 'keep me ' || g FROM generate_series(1, 25) g")
    return url


def rewrite(s3: Any, key: str, body: bytes, metadata: dict[str, str]) -> None:
    s3.put_object(Bucket=BUCKET, Key=key, Body=body, Metadata=metadata)


def test_corrupted_object_is_refused_before_the_target_is_touched(
    harness: Harness, published: str, target: DatabaseUrl, s3: Any
) -> None:
    head = s3.head_object(Bucket=BUCKET, Key=published)
    body = bytearray(s3.get_object(Bucket=BUCKET, Key=published)["Body"].read())
    body[len(body) // 2] ^= 0xFF
    rewrite(s3, published, bytes(body), head["Metadata"])
    before = snapshot_of(target)
    with pytest.raises(ChecksumMismatchError, match="checksum mismatch.*nothing was restored"):
        restore(harness.ctx, RestoreOptions(stack="staging", target=target))
    assert fingerprint.compare(before, snapshot_of(target)) == []


def test_truncated_object_is_refused(harness: Harness, published: str, target: DatabaseUrl, s3: Any) -> None:
    head = s3.head_object(Bucket=BUCKET, Key=published)
    body = s3.get_object(Bucket=BUCKET, Key=published)["Body"].read()
    rewrite(s3, published, body[: len(body) // 3], head["Metadata"])
    before = snapshot_of(target)
    with pytest.raises(ChecksumMismatchError, match="truncated"):
        restore(harness.ctx, RestoreOptions(stack="staging", target=target))
    assert fingerprint.compare(before, snapshot_of(target)) == []


def test_wrong_checksum_in_metadata_is_refused(harness: Harness, published: str, target: DatabaseUrl, s3: Any) -> None:
    head = s3.head_object(Bucket=BUCKET, Key=published)
    body = s3.get_object(Bucket=BUCKET, Key=published)["Body"].read()
    rewrite(s3, published, body, {**head["Metadata"], "sha256": hashlib.sha256(b"something else").hexdigest()})
    before = snapshot_of(target)
    with pytest.raises(ChecksumMismatchError):
        restore(harness.ctx, RestoreOptions(stack="staging", target=target))
    assert fingerprint.compare(before, snapshot_of(target)) == []


def test_truncated_dump_with_a_matching_checksum_rolls_back(
    harness: Harness, published: str, target: DatabaseUrl, s3: Any
) -> None:
    """A dump that was cut short before its checksum was taken passes the checksum, not the restore."""
    body = s3.get_object(Bucket=BUCKET, Key=published)["Body"].read()
    short = body[: int(len(body) * 0.8)]
    rewrite(s3, published, short, {"sha256": hashlib.sha256(short).hexdigest(), "size": str(len(short))})
    before = snapshot_of(target)
    with pytest.raises(RestoreFailedError, match="left unchanged"):
        restore(harness.ctx, RestoreOptions(stack="staging", target=target))
    assert fingerprint.compare(before, snapshot_of(target)) == []


def test_object_that_is_not_an_archive_is_refused(harness: Harness, target: DatabaseUrl, s3: Any) -> None:
    key = f"{PREFIX}/staging/2026/11/01/staging-20261101T000000Z.dump"
    junk = b"this is not a pg_dump archive\n" * 100
    rewrite(s3, key, junk, {"sha256": hashlib.sha256(junk).hexdigest()})
    before = snapshot_of(target)
    with pytest.raises(Exception, match="not a readable pg_dump archive"):
        restore(harness.ctx, RestoreOptions(stack="staging", target=target))
    assert fingerprint.compare(before, snapshot_of(target)) == []


def test_missing_bucket(harness: Harness, source_db: DatabaseUrl, target: DatabaseUrl, s3: Any) -> None:
    store = BackupStore(s3, "no-such-bucket", PREFIX, harness.ctx.reporter)
    harness.ctx.store = store
    with pytest.raises(BucketMissingError, match="bucket 'no-such-bucket' does not exist"):
        backup(harness.ctx, BackupOptions(stack="staging", database=source_db))
    with pytest.raises(BucketMissingError):
        restore(harness.ctx, RestoreOptions(stack="staging", target=target))
    with pytest.raises(BucketMissingError):
        drill(harness.ctx, DrillOptions(stack="staging", source=source_db))


def test_missing_backup(harness: Harness, target: DatabaseUrl, published: str) -> None:
    with pytest.raises(BackupNotFoundError, match="no backups of stack 'prod'"):
        restore(harness.ctx, RestoreOptions(stack="prod", target=target))
    gone = backup_key(PREFIX, "staging", datetime(2000, 1, 1, tzinfo=UTC))
    with pytest.raises(BackupNotFoundError, match="does not exist"):
        restore(harness.ctx, RestoreOptions(stack="staging", target=target, key=gone))
    with pytest.raises(BackupNotFoundError, match="not a backup key"):
        restore(harness.ctx, RestoreOptions(stack="staging", target=target, key="elsewhere/thing.dump"))


def test_unreachable_database(harness: Harness, pg_server: PgServer, s3: Any) -> None:
    closed = DatabaseUrl(f"postgresql://postgres:pw@127.0.0.1:{pg_server.port + 1 if pg_server.port < 65535 else 1}/x")
    with pytest.raises(DatabaseUnreachableError, match=r"cannot connect to postgresql://postgres:\*\*\*@127.0.0.1"):
        backup(harness.ctx, BackupOptions(stack="staging", database=closed))
    assert "Contents" not in s3.list_objects_v2(Bucket=BUCKET)
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=BUCKET)
    wrong_password = pg_server.url(password="wrong-password")
    with pytest.raises(DatabaseUnreachableError, match="password authentication failed"):
        backup(harness.ctx, BackupOptions(stack="staging", database=wrong_password))


def test_missing_target_database_needs_create(harness: Harness, published: str, pg_server: PgServer) -> None:
    with pytest.raises(DatabaseMissingError, match="pass --create"):
        restore(harness.ctx, RestoreOptions(stack="staging", target=pg_server.url("does_not_exist_yet")))


@pytest.mark.parametrize(
    "script",
    [
        # Real pg_dump output, cut off after 6 MiB (more than one multipart part), then a failure exit.
        '"$PG_REAL_BIN/pg_dump" "$@" | head -c 6291456\necho "pg_dump: error: connection lost" >&2; exit 1\n',
        # A failure before anything was written.
        'echo "pg_dump: error: query failed: permission denied for table secrets" >&2; exit 1\n',
    ],
    ids=["halfway", "at-start"],
)
def test_dump_failing_leaves_no_latest(
    harness: Harness,
    published: str,
    source_db: DatabaseUrl,
    tmp_path: Path,
    s3: Any,
    monkeypatch: pytest.MonkeyPatch,
    script: str,
) -> None:
    # Make the database big enough that a real dump is longer than 6 MiB.
    with psycopg.connect(source_db.raw, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE public.bulk AS SELECT g, md5(g::text) || md5((g * 7)::text) AS a,"
            " md5((g * 3)::text) AS b FROM generate_series(1, 150000) g"
        )
    monkeypatch.setenv("PG_REAL_BIN", str(harness.server.bindir))
    harness.ctx.tools = PgTools(fake_bin(tmp_path, harness.server.bindir, script))
    before = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"])
    harness.clock.advance(hours=1)
    with pytest.raises(DumpFailedError, match="pg_dump failed after .*nothing was published") as info:
        # 5 MiB parts: the cut-off dump has uploaded two parts when pg_dump fails.
        backup(harness.ctx, BackupOptions(stack="staging", database=source_db, part_size=5 * MIB))
    assert "connection lost" in str(info.value) or "permission denied" in str(info.value)
    after = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"])
    assert after == before == sorted([published, manifest_key(published)])
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=BUCKET)
    assert harness.store.find("staging", None).ref.key == published


def test_restore_over_production_needs_the_flag_and_says_what_it_replaces(
    harness: Harness, published: str, target: DatabaseUrl
) -> None:
    before = snapshot_of(target)
    with pytest.raises(RefusedError) as info:
        restore(harness.ctx, RestoreOptions(stack="staging", target_stack="prod", target=target))
    message = str(info.value)
    assert "the target stack is 'prod'" in message
    assert "it would replace 1 tables (25 rows)" in message
    assert "--i-understand-this-replaces-production" in message
    assert "public.attendees (25 rows)" in harness.log.getvalue()
    assert fingerprint.compare(before, snapshot_of(target)) == []

    with pytest.raises(RefusedError, match="--production was given"):
        restore(harness.ctx, RestoreOptions(stack="staging", target=target, declared_production=True))
    with pytest.raises(RefusedError, match="PRODUCTION_DATABASE_URL"):
        restore(harness.ctx, RestoreOptions(stack="staging", target=target, production=target))
    assert fingerprint.compare(before, snapshot_of(target)) == []

    restore(harness.ctx, RestoreOptions(stack="staging", target_stack="prod", target=target, confirm_production=True))
    assert snapshot_of(target).tables["public.attendees"].rows == 3000


def test_production_looking_url(harness: Harness) -> None:
    from ops.backup.service import production_reason

    assert production_reason("dev", DatabaseUrl("postgresql://u@db.prod.example.com/app"), False, None)
    assert production_reason("dev", DatabaseUrl("postgresql://u@localhost/converge_production"), False, None)
    assert production_reason("dev", DatabaseUrl("postgresql://u@localhost/reproduce"), False, None) is None
    assert production_reason("staging", DatabaseUrl("postgresql://u@db.staging/app"), False, None) is None


def test_restore_failure_inside_pg_restore_rolls_back(
    harness: Harness, published: str, make_db: Callable[..., DatabaseUrl]
) -> None:
    """A target whose objects conflict with the archive in a way --clean cannot fix: nothing changes."""
    url = make_db()
    seed_app(url)
    with psycopg.connect(url.raw, autocommit=True) as conn:
        # A view depending on a table the restore must drop: DROP TABLE fails, the transaction rolls back.
        conn.execute("CREATE VIEW public.attendee_names AS SELECT name FROM public.attendees")
        conn.execute("UPDATE public.attendees SET name = 'local change'")
    before = snapshot_of(url)
    with pytest.raises(RestoreFailedError, match="left unchanged"):
        restore(harness.ctx, RestoreOptions(stack="staging", target=url))
    assert fingerprint.compare(before, snapshot_of(url)) == []


def test_cli_errors_are_one_line_without_traceback(
    harness: Harness, published: str, pg_server: PgServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["list", "--stack", "staging", "--bucket", "no-such-bucket"])
    err = capsys.readouterr().err
    assert code == 1
    assert err == "error: bucket 'no-such-bucket' does not exist\n"

    url = pg_server.url("nope")
    # Another stack than `published`'s: a backup of the same stack in the same second would collide first.
    code = cli.main(["backup", "--stack", "dev", "--bucket", BUCKET, "--database-url", url.raw])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    assert err.splitlines()[-1].startswith("error: database 'nope' does not exist")

    code = cli.main(
        [
            "restore",
            "--stack",
            "staging",
            "--bucket",
            BUCKET,
            "--target-url",
            pg_server.url("x").raw,
            "--key",
            "a/b.dump",
        ]
    )
    assert code == 1
    assert capsys.readouterr().err.splitlines()[-1].startswith("error: 'a/b.dump' is not a backup key")

    code = cli.main(["restore", "--stack", "staging", "--bucket", BUCKET])
    assert code == 2
    assert "--target-url is required" in capsys.readouterr().err
