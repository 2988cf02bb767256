"""Step 1: production backs up through ops.backup before migrating; the other environments do not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ops.backup.pg import DatabaseUrl
from ops.deploy import cli
from tests.backup.conftest import BUCKET, PASSWORD, PgServer
from tests.deploy.stack import write_outputs


def backup_args(server: PgServer, url: DatabaseUrl) -> list[str]:
    return ["--stack", "prod", "--bucket", BUCKET, "--pg-bin", str(server.bindir), "--database-url", url.raw]


def keys(s3: Any) -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_production_is_backed_up_by_ops_backup(
    s3: Any, source_db: DatabaseUrl, pg_server: PgServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = write_outputs(tmp_path / "outputs.json", environment="production")
    assert cli.main(["backup", "--outputs", str(outputs), "--", *backup_args(pg_server, source_db)]) == 0
    written = [key for key in keys(s3) if key.endswith(".dump")]
    assert len(written) == 1 and "/prod/" in written[0]
    out = capsys.readouterr()
    assert written[0] in out.out  # ops.backup's own result line
    assert PASSWORD not in out.out + out.err


def test_other_environments_are_not_backed_up(s3: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outputs = write_outputs(tmp_path / "outputs.json", environment="staging")
    assert cli.main(["backup", "--outputs", str(outputs), "--", "--stack", "staging", "--bucket", BUCKET]) == 0
    assert keys(s3) == []
    assert "no backup before the migrations of staging" in capsys.readouterr().err


def test_a_failed_backup_stops_the_deploy(
    s3: Any, pg_server: PgServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = write_outputs(tmp_path / "outputs.json", environment="production")
    missing = pg_server.url("no_such_database")
    assert cli.main(["backup", "--outputs", str(outputs), "--", *backup_args(pg_server, missing)]) == 1
    err = capsys.readouterr().err
    assert "the pre-deploy backup failed" in err and "nothing was migrated" in err
    assert PASSWORD not in err
