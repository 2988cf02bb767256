"""What a restore and a drill read back from the bucket (object metadata, the manifest) is checked: anything
malformed is a one-line error with exit 1 that names the broken part and what to do, never a traceback."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ops.backup import cli
from ops.backup.errors import BackupCorruptError, ExitCode
from ops.backup.fingerprint import Fingerprint
from ops.backup.naming import manifest_key, parse_key
from ops.backup.store import LIVE_FIX, OTHER_BACKUP
from tests.backup.conftest import BUCKET, PREFIX, Harness, PgServer, admin


def rewrite_metadata(s3: Any, key: str, **changes: str | None) -> None:
    head = s3.head_object(Bucket=BUCKET, Key=key)
    metadata = {k: v for k, v in {**head["Metadata"], **changes}.items() if v is not None}
    s3.copy_object(
        Bucket=BUCKET, Key=key, CopySource={"Bucket": BUCKET, "Key": key}, Metadata=metadata,
        MetadataDirective="REPLACE",
    )  # fmt: skip


def rewrite_manifest(s3: Any, key: str, change: dict[str, Any]) -> None:
    manifest = json.loads(s3.get_object(Bucket=BUCKET, Key=manifest_key(key))["Body"].read())
    s3.put_object(Bucket=BUCKET, Key=manifest_key(key), Body=json.dumps({**manifest, **change}).encode())


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = cli.main([args[0], "--stack", "staging", "--bucket", BUCKET, *args[1:]])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.err


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"sha256": "not-a-checksum"}, "has malformed sha256 metadata (not 64 hex digits)"),
        ({"sha256": "ab" * 33}, "has malformed sha256 metadata (not 64 hex digits)"),
        ({"sha256": None}, "has no sha256 metadata: not made by this tool"),
        ({"size": "12 MiB"}, "has malformed size metadata (not a number of bytes)"),
        ({"size": "-5"}, "has malformed size metadata (not a number of bytes)"),
    ],
    ids=["sha-text", "sha-long", "sha-missing", "size-text", "size-negative"],
)
def test_malformed_object_metadata_is_a_one_line_error(
    harness: Harness, published: str, pg_server: PgServer, s3: Any, capsys: pytest.CaptureFixture[str],
    changes: dict[str, str | None], problem: str,
) -> None:  # fmt: skip
    rewrite_metadata(s3, published, **changes)
    code, err = run_cli(capsys, "restore", "--key", published, "--target-url", pg_server.url("never_created").raw)
    assert code == ExitCode.FAILURE
    assert err.count("\n") == 1
    assert err.startswith(f"error: s3://{BUCKET}/{published} {problem}")
    assert err.rstrip().endswith(OTHER_BACKUP)


def test_the_latest_backup_with_malformed_metadata_is_skipped_for_an_older_one(
    harness: Harness, published: str, s3: Any
) -> None:
    from ops.backup.service import BackupOptions, backup

    harness.clock.advance(hours=1)
    newer = backup(harness.ctx, BackupOptions(stack="staging", database=harness.server.url(), schemas=("public",)))
    rewrite_metadata(s3, newer.key, size="lots")
    assert harness.store.find("staging", None).ref.key == published
    assert f"skipping {newer.key}: s3://{BUCKET}/{newer.key} has malformed size metadata" in harness.log.getvalue()


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"fingerprint": {"tables": {"public.t": {"kind": "r", "rows": "many"}}}},
         "the fingerprint in the manifest of {key} is malformed (its entry for table 'public.t' is malformed)"),
        ({"fingerprint": {"tables": ["public.t"]}}, "is malformed (its tables are malformed)"),
        ({"fingerprint": {"tables": {}, "roles": "app_user"}}, "is malformed (its roles are not a list of names)"),
        ({"fingerprint": "yes"}, "is malformed (it is not a JSON object)"),
        ({"schemas": "public"}, "the manifest of {key} is malformed: its schemas are not a list of names"),
    ],
    ids=["rows-text", "tables-list", "roles-text", "not-object", "schemas-text"],
)  # fmt: skip
def test_a_malformed_manifest_fails_the_drill_in_one_line_before_a_scratch_database_exists(
    harness: Harness, published: str, pg_server: PgServer, s3: Any, capsys: pytest.CaptureFixture[str],
    change: dict[str, Any], problem: str,
) -> None:  # fmt: skip
    rewrite_manifest(s3, published, change)
    code, err = run_cli(capsys, "drill", "--quiet", "--scratch-url", pg_server.url().raw)
    assert code == ExitCode.FAILURE
    assert err.count("\n") == 1
    assert err.startswith("error: ")
    assert problem.format(key=published) in err
    assert "--against live" in err or "--schema" in err
    with admin(pg_server) as conn:
        assert conn.execute("SELECT count(*) FROM pg_database WHERE datname LIKE 'drill\\_%'").fetchone() == (0,)


def test_a_manifest_that_is_not_json_is_a_one_line_error(
    harness: Harness, published: str, pg_server: PgServer, s3: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    s3.put_object(Bucket=BUCKET, Key=manifest_key(published), Body=b"{not json")
    code, err = run_cli(capsys, "drill", "--quiet", "--scratch-url", pg_server.url().raw)
    assert code == ExitCode.FAILURE
    assert err == f"error: s3://{BUCKET}/{manifest_key(published)} is not valid JSON; {LIVE_FIX}\n"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
table_entries = st.fixed_dictionaries(
    {"kind": json_values, "rows": json_values, "checksum": json_values, "rls": json_values, "force_rls": json_values}
)
fingerprints = st.fixed_dictionaries(
    {},
    optional={
        "tables": st.dictionaries(st.text(max_size=8), table_entries | json_values, max_size=3) | json_values,
        "policies": json_values,
        "indexes": json_values,
        "constraints": json_values,
        "sequences": json_values,
        "roles": json_values,
    },
)


@settings(max_examples=300, deadline=None)
@given(data=fingerprints | json_values)
def test_any_json_is_a_fingerprint_or_a_value_error(data: Any) -> None:
    try:
        fp = Fingerprint.from_json(data)
    except ValueError as exc:
        assert str(exc).startswith("it")
        return
    assert Fingerprint.from_json(fp.to_json()) == fp
    assert isinstance(fp.total_rows, int)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sha=st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=70), size=st.text("0123456789-+ x"))
def test_any_metadata_is_accepted_or_refused_as_corrupt(harness: Harness, s3: Any, sha: str, size: str) -> None:
    key = f"{PREFIX}/staging/2026/11/01/staging-20261101T000000Z.dump"
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"x", Metadata={"sha256": sha, "size": size})
    ref = parse_key(PREFIX, "staging", key)
    assert ref is not None
    try:
        stored = harness.store.describe(ref)
    except BackupCorruptError as exc:
        assert OTHER_BACKUP in str(exc)
        return
    assert len(stored.sha256) == 64 and int(stored.metadata["size"]) >= 0
