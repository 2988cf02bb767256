"""Backup, drop, restore, drill against a real PostgreSQL server and moto's S3: nothing is lost."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from ops.backup import fingerprint
from ops.backup.naming import manifest_key, parse_key
from ops.backup.pg import DatabaseUrl, connect
from ops.backup.service import BackupOptions, DrillOptions, RestoreOptions, backup, drill, restore
from ops.backup.store import Encryption
from tests.backup.conftest import BUCKET, PREFIX, Harness, PgServer


def snapshot_of(url: DatabaseUrl) -> fingerprint.Fingerprint:
    with connect(url) as conn:
        return fingerprint.take(conn)


def test_backup_drop_restore_drill_loses_nothing(
    harness: Harness, source_db: DatabaseUrl, pg_server: PgServer, s3: Any
) -> None:
    before = snapshot_of(source_db)
    assert before.tables["public.attendees"].rows == 3000
    assert before.tables["public.attendees"].rls and before.tables["public.attendees"].force_rls
    assert len(before.policies) == 3
    assert before.total_rows > 10_000

    result = backup(harness.ctx, BackupOptions(stack="staging", database=source_db))

    # The key names the stack and the UTC time; the object carries its checksum and is encrypted.
    ref = parse_key(PREFIX, "staging", result.key)
    assert ref is not None
    assert ref.created_at == harness.clock.now
    assert result.key == f"{PREFIX}/staging/{ref.created_at:%Y/%m/%d}/staging-{ref.created_at:%Y%m%dT%H%M%SZ}.dump"
    head = s3.head_object(Bucket=BUCKET, Key=result.key)
    body = s3.get_object(Bucket=BUCKET, Key=result.key)["Body"].read()
    assert head["Metadata"]["sha256"] == hashlib.sha256(body).hexdigest() == result.sha256
    assert head["ServerSideEncryption"] == "AES256"
    assert body[:5] == b"PGDMP"  # pg_dump's custom format
    manifest = json.loads(s3.get_object(Bucket=BUCKET, Key=manifest_key(result.key))["Body"].read())
    assert manifest["sha256"] == result.sha256
    assert fingerprint.Fingerprint.from_json(manifest["fingerprint"]) == before
    # Only the published dump and its manifest remain: the temporary upload is gone.
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"])
    assert keys == sorted([result.key, manifest_key(result.key)])

    # Disaster: the database is gone.
    dbname = source_db.dbname
    with psycopg.connect(pg_server.url().raw, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{dbname}" WITH (FORCE)')

    restored = restore(harness.ctx, RestoreOptions(stack="staging", target=source_db, create=True))
    assert restored.key == result.key
    assert fingerprint.compare(before, snapshot_of(source_db)) == []

    report = drill(harness.ctx, DrillOptions(stack="staging", scratch_server=pg_server.url()))
    assert report.ok, report.differences
    assert report.differences == []
    assert report.tables == len(before.tables)
    assert report.rows == before.total_rows
    assert report.policies == 3
    assert report.rto_met
    assert report.rpo_met  # the fake clock has not moved since the backup
    assert "snapshot" in report.compared_against

    live = drill(harness.ctx, DrillOptions(stack="staging", source=source_db, against="live"))
    assert live.ok, live.differences


def test_restore_over_existing_database_replaces_its_contents(
    harness: Harness, source_db: DatabaseUrl, make_db: Callable[..., DatabaseUrl]
) -> None:
    expected = snapshot_of(source_db)
    backup(harness.ctx, BackupOptions(stack="staging", database=source_db))
    with psycopg.connect(source_db.raw, autocommit=True) as conn:
        conn.execute("DELETE FROM registrations WHERE session_id = 3")
        conn.execute("UPDATE attendees SET name = 'changed' WHERE id < 100")
        conn.execute("DROP POLICY registrations_all ON registrations")
        conn.execute("CREATE TABLE public.scratchpad (x int)")
    restore(harness.ctx, RestoreOptions(stack="staging", target=source_db))
    after = snapshot_of(source_db)
    # Everything in the backup is back; a table the backup does not know stays (and is reported as such).
    assert "public.scratchpad" in after.tables
    del after.tables["public.scratchpad"]
    assert fingerprint.compare(expected, after) == []
    assert "stay as they are: public.scratchpad" in harness.log.getvalue()


def test_sse_kms_is_applied_when_a_key_is_given(harness: Harness, source_db: DatabaseUrl, s3: Any) -> None:
    import boto3

    key_id = boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]["KeyId"]
    result = backup(
        harness.ctx,
        BackupOptions(stack="staging", database=source_db, encryption=Encryption(kms_key_id=key_id)),
    )
    head = s3.head_object(Bucket=BUCKET, Key=result.key)
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"].endswith(key_id)


def test_drill_reports_differences_against_the_live_source(
    harness: Harness, source_db: DatabaseUrl, pg_server: PgServer
) -> None:
    backup(harness.ctx, BackupOptions(stack="staging", database=source_db))
    with psycopg.connect(source_db.raw, autocommit=True) as conn:
        conn.execute("UPDATE audit.events SET amount = amount + 1 WHERE id = 5")
        conn.execute("ALTER TABLE registrations DISABLE ROW LEVEL SECURITY")
        conn.execute("INSERT INTO sessions (title) VALUES ('added after the backup')")
    harness.clock.advance(hours=2)
    report = drill(harness.ctx, DrillOptions(stack="staging", source=source_db, against="live", enforce_rpo=True))
    assert not report.ok
    assert not report.rpo_met
    assert "table audit.events: same row count (2000) but the rows differ (checksum)" in report.differences
    assert any("registrations: row level security" in d for d in report.differences)
    assert any(
        d.startswith("table public.sessions: 51 rows in the source, 50 after restore") for d in report.differences
    )
    # The drill compared against the snapshot by default and found nothing wrong with the backup itself.
    assert drill(harness.ctx, DrillOptions(stack="staging", scratch_server=pg_server.url())).ok


@pytest.mark.parametrize("schema", ["audit"])
def test_schema_limited_backup(harness: Harness, source_db: DatabaseUrl, pg_server: PgServer, schema: str) -> None:
    result = backup(harness.ctx, BackupOptions(stack="staging", database=source_db, schemas=(schema,)))
    assert result.tables == 1
    # The drill compares what the backup covers (its manifest names the schemas), against either reference.
    for against in ("snapshot", "live"):
        report = drill(
            harness.ctx,
            DrillOptions(stack="staging", source=source_db, scratch_server=pg_server.url(), against=against),
        )
        assert report.ok, report.differences
        assert report.tables == 1
