"""The migration step against a real PostgreSQL, with a stand-in for the application's migration command."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from ops.backup.pg import DatabaseUrl
from ops.deploy import cli
from tests.backup.conftest import PASSWORD

MIGRATOR = Path(__file__).with_name("migrator.py")


def tables(url: DatabaseUrl) -> set[str]:
    with psycopg.connect(url.raw) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    return {str(name) for (name,) in rows}


def run(migrations: Path, url: DatabaseUrl | str, monkeypatch: pytest.MonkeyPatch, *extra: str) -> int:
    monkeypatch.setenv("DATABASE_URL", url.raw if isinstance(url, DatabaseUrl) else url)
    return cli.main(["migrate", "--command", f"{sys.executable} {MIGRATOR} {migrations}", *extra])


@pytest.fixture
def migrations(tmp_path: Path) -> Path:
    (tmp_path / "001_sessions.sql").write_text("CREATE TABLE sessions (id serial PRIMARY KEY, title text);")
    (tmp_path / "002_rooms.sql").write_text("ALTER TABLE sessions ADD COLUMN room text;")
    return tmp_path


def test_migrations_are_applied_once(
    make_db: Callable[..., DatabaseUrl],
    migrations: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = make_db()
    assert run(migrations, url, monkeypatch) == 0
    assert tables(url) == {"sessions", "_migrations"}
    out = capsys.readouterr()
    assert "applied 001_sessions.sql" in out.err and "applied 002_rooms.sql" in out.err
    assert out.out.startswith("migrations applied in ")

    (migrations / "003_speakers.sql").write_text("CREATE TABLE speakers (id serial PRIMARY KEY);")
    assert run(migrations, url, monkeypatch) == 0
    err = capsys.readouterr().err
    assert "applied 003_speakers.sql" in err and "001_sessions" not in err
    assert tables(url) == {"sessions", "speakers", "_migrations"}


def test_a_failing_migration_fails_the_step_without_printing_the_password(
    make_db: Callable[..., DatabaseUrl],
    migrations: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (migrations / "003_broken.sql").write_text("ALTER TABLE no_such_table ADD COLUMN x int;")
    (migrations / "004_after.sql").write_text("CREATE TABLE after_the_break (id int);")
    url = make_db()
    assert run(migrations, url, monkeypatch) == 1
    out = capsys.readouterr()
    assert "error: the migration command exited with status 1" in out.err
    assert "migration 003_broken.sql failed" in out.err
    assert "***" in out.err  # the stand-in printed its URL, masked
    assert PASSWORD not in out.err + out.out and "S3cret" not in out.err + out.out
    assert "Traceback" not in out.err
    # What was applied before the failure stays applied; nothing after it ran.
    assert tables(url) == {"sessions", "_migrations"}


def test_the_transaction_pooler_is_refused_before_anything_runs(
    migrations: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    monkeypatch.setenv("DATABASE_URL", "postgresql://app:pw-secret@pooler.supabase.com:6543/postgres")
    assert cli.main(["migrate", "--command", f"touch {marker}"]) == 2
    err = capsys.readouterr().err
    assert "transaction pooler" in err and "pw-secret" not in err
    assert not marker.exists()
    monkeypatch.setenv("DATABASE_URL", "postgresql://app:pw@db.example:5432/postgres?pgbouncer=true")
    assert cli.main(["migrate", "--command", f"touch {marker}"]) == 2
    assert not marker.exists()


def test_usage_errors_are_one_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert cli.main(["migrate"]) == 2
    assert capsys.readouterr().err.strip() == (
        "[deploy] error: DATABASE_URL is not set (the session-mode URL of the environment's database)"
    )
    monkeypatch.setenv("DATABASE_URL", "postgresql://app:pw@127.0.0.1:5432/x")
    assert cli.main(["migrate", "--command", "no-such-migrator-here deploy"]) == 2
    assert "is not installed" in capsys.readouterr().err
    monkeypatch.setenv("MIGRATE_TIMEOUT_SECONDS", "soon")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["migrate"])
    assert exit_info.value.code == 2


def test_a_hanging_migration_is_stopped(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://app:pw@127.0.0.1:5432/x")
    command = f"{sys.executable} -c 'import time; time.sleep(30)'"
    assert cli.main(["migrate", "--command", command, "--timeout", "0.5"]) == 1
    assert "did not finish within 0.5s" in capsys.readouterr().err
