"""Retention keeps exactly what the policy says, with an injected clock; prune touches nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ops.backup.errors import DumpFailedError
from ops.backup.naming import BackupRef, backup_key, manifest_key, parse_key, partial_key
from ops.backup.pg import DatabaseUrl, PgTools
from ops.backup.policy import RETENTION, Retention
from ops.backup.retention import plan
from ops.backup.service import BackupOptions, backup, prune
from tests.backup.conftest import BUCKET, PREFIX, Harness, fake_bin

NOW = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)  # a Friday


def ref(when: datetime, stack: str = "prod") -> BackupRef:
    key = backup_key(PREFIX, stack, when)
    parsed = parse_key(PREFIX, stack, key)
    assert parsed is not None
    return parsed


def kept(refs: list[BackupRef], policy: Retention, now: datetime = NOW) -> set[datetime]:
    return {d.ref.created_at for d in plan(refs, policy, now) if d.keep}


def test_the_policy_is_the_seeds() -> None:
    assert (RETENTION.daily, RETENTION.weekly) == (7, 4)


def test_weekly_backups_only() -> None:
    # The ordinary schedule: one backup every Monday 03:17 for ten weeks.
    mondays = [datetime(2026, 11, 23, 3, 17, tzinfo=UTC) - timedelta(weeks=i) for i in range(10)]
    result = kept([ref(t) for t in mondays], Retention(hourly=24, daily=7, weekly=4))
    assert result == set(mondays[:4])


def test_hourly_daily_weekly_buckets() -> None:
    hourly = [NOW.replace(minute=5) - timedelta(hours=i) for i in range(72)]  # three days of hourly backups
    older = [datetime(2026, 11, 1, 3, 17, tzinfo=UTC), datetime(2026, 10, 1, 3, 17, tzinfo=UTC)]
    refs = [ref(t) for t in hourly + older]
    result = kept(refs, Retention(hourly=24, daily=7, weekly=4))
    # The 24 newest hours, the newest of each of the three days (today's newest is already an hourly),
    # and nothing from weeks older than four (1 November is in ISO week 44; four weeks back from week 48
    # reach week 45).
    expected = set(hourly[:24])
    expected |= {max(t for t in hourly if t.date() == d) for d in {t.date() for t in hourly}}
    assert result == expected
    assert datetime(2026, 11, 1, 3, 17, tzinfo=UTC) not in result


def test_two_backups_in_the_same_day_keep_the_newest() -> None:
    a = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    b = datetime(2026, 11, 25, 23, 0, tzinfo=UTC)
    assert kept([ref(a), ref(b)], Retention(hourly=0, daily=7, weekly=0)) == {b}


def test_the_newest_backup_is_kept_even_when_every_window_has_passed() -> None:
    old = [datetime(2025, 1, 6, tzinfo=UTC), datetime(2025, 1, 13, tzinfo=UTC)]
    assert kept([ref(t) for t in old], RETENTION) == {old[1]}


def test_backups_from_the_future_are_kept() -> None:
    future = NOW + timedelta(days=3)
    assert future in kept([ref(future), ref(NOW - timedelta(days=100))], Retention(hourly=0, daily=0, weekly=0))


def test_zero_everything_keeps_only_the_newest() -> None:
    times = [NOW - timedelta(days=i) for i in range(5)]
    assert kept([ref(t) for t in times], Retention(hourly=0, daily=0, weekly=0)) == {times[0]}


def test_negative_retention_is_rejected() -> None:
    with pytest.raises(ValueError, match="daily"):
        Retention(hourly=1, daily=-1, weekly=1)


def put(s3: Any, key: str) -> None:
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"x", Metadata={"sha256": "0" * 64})


def test_prune_deletes_only_what_the_policy_drops(harness: Harness, s3: Any) -> None:
    harness.clock.now = NOW
    mondays = [datetime(2026, 11, 23, 3, 17, tzinfo=UTC) - timedelta(weeks=i) for i in range(6)]
    for t in mondays:
        put(s3, backup_key(PREFIX, "prod", t))
        put(s3, manifest_key(backup_key(PREFIX, "prod", t)))
    foreign = [
        backup_key(PREFIX, "staging", mondays[-1]),  # another stack
        f"{PREFIX}/prod/notes.txt",  # not a backup
        f"{PREFIX}/prod-eu/2026/10/12/prod-eu-20261012T031700Z.dump",  # a stack whose name starts with prod
        "elsewhere/prod-20261012T031700Z.dump",
    ]
    for key in foreign:
        put(s3, key)
    young_partial = partial_key(PREFIX, "prod", NOW)
    put(s3, young_partial)  # LastModified is the real time; prune compares with the injected clock
    result = prune(harness.ctx, "prod", Retention(hourly=24, daily=7, weekly=4))
    assert sorted(result.deleted) == sorted(backup_key(PREFIX, "prod", t) for t in mondays[4:])
    remaining = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    for t in mondays[:4]:
        assert backup_key(PREFIX, "prod", t) in remaining
        assert manifest_key(backup_key(PREFIX, "prod", t)) in remaining
    for t in mondays[4:]:
        assert backup_key(PREFIX, "prod", t) not in remaining
        assert manifest_key(backup_key(PREFIX, "prod", t)) not in remaining
    assert set(foreign) <= remaining
    assert young_partial in remaining


def test_prune_dry_run_deletes_nothing(harness: Harness, s3: Any) -> None:
    harness.clock.now = NOW
    for days in (0, 40, 80):
        put(s3, backup_key(PREFIX, "prod", NOW - timedelta(days=days)))
    result = prune(harness.ctx, "prod", RETENTION, dry_run=True)
    assert len(result.deleted) == 2
    assert len(s3.list_objects_v2(Bucket=BUCKET)["Contents"]) == 3


def test_prune_removes_stale_debris(harness: Harness, s3: Any) -> None:
    stale_partial = partial_key(PREFIX, "prod", NOW)
    put(s3, stale_partial)
    orphan = manifest_key(backup_key(PREFIX, "prod", NOW - timedelta(days=3)))
    put(s3, orphan)
    harness.clock.now = datetime.now(UTC) + timedelta(hours=2)
    assert prune(harness.ctx, "prod", RETENTION).debris == []  # younger than a day: may be a running backup
    # (Unfinished uploads are created only now: moto reports the same old `Initiated` time for every upload.)
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key=partial_key(PREFIX, "prod", NOW))
    other_stack_upload = s3.create_multipart_upload(Bucket=BUCKET, Key=partial_key(PREFIX, "staging", NOW))
    harness.clock.now = datetime.now(UTC) + timedelta(days=2)
    result = prune(harness.ctx, "prod", RETENTION)
    assert sorted(result.debris) == sorted([stale_partial, orphan, upload["Key"]])
    assert "Contents" not in s3.list_objects_v2(Bucket=BUCKET)
    uploads = s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
    assert [u["UploadId"] for u in uploads] == [other_stack_upload["UploadId"]]


def test_retention_runs_only_after_a_successful_backup(
    harness: Harness, s3: Any, source_db: DatabaseUrl, tmp_path: Path
) -> None:
    harness.clock.now = NOW
    old = [backup_key(PREFIX, "staging", NOW - timedelta(weeks=w)) for w in (10, 11, 12)]
    for key in old:
        put(s3, key)
    real_tools = harness.ctx.tools
    harness.ctx.tools = PgTools(fake_bin(tmp_path, harness.server.bindir, "echo 'pg_dump: error: boom' >&2; exit 1\n"))
    with pytest.raises(DumpFailedError):
        backup(harness.ctx, BackupOptions(stack="staging", database=source_db))
    assert {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]} == set(old)

    harness.ctx.tools = real_tools
    result = backup(harness.ctx, BackupOptions(stack="staging", database=source_db))
    assert sorted(result.pruned) == sorted(old)  # in no window, and no longer the newest
    remaining = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert remaining == {result.key, manifest_key(result.key)}
