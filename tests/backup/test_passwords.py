"""No password in any output, whatever the connection string looks like: stdout, stderr, log records, exception
text, the argv of pg_dump/pg_restore, the objects and metadata in the bucket. Property-tested with hypothesis
over passwords and URL shapes, through the command line, against a server that refuses the connection and
against the real one (where a misread password would also fail to log in)."""

from __future__ import annotations

import json
import logging
import subprocess
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg import sql

from ops.backup import cli
from ops.backup.errors import ExitCode
from tests.backup.conftest import BUCKET, PASSWORD_MARK, SHAPES, PgServer, admin, passwords, url_shapes

FIXTURES_PER_TEST = [HealthCheck.function_scoped_fixture]


def forms(password: str) -> list[str]:
    """The spellings in which a password, or a part of it, would be recognisable."""
    return [password, quote(password, safe=""), quote(password), PASSWORD_MARK]


def assert_nowhere(password: str, *outputs: str) -> None:
    for output in outputs:
        for form in forms(password):
            assert form not in output


@pytest.fixture
def argv_log(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every command line this process starts (pg_dump, pg_restore)."""
    seen: list[str] = []
    real = subprocess.Popen

    class Recording(real):
        def __init__(self, args: Any, *rest: Any, **kwargs: Any) -> None:
            seen.append(" ".join(map(str, args)) if isinstance(args, list) else str(args))
            super().__init__(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", Recording)
    return seen


@settings(max_examples=80, deadline=None, suppress_health_check=FIXTURES_PER_TEST)
@given(password=passwords, shape=st.sampled_from(SHAPES), command=st.sampled_from(["backup", "restore", "drill"]))
def test_no_password_in_any_output_when_the_server_is_unreachable(
    published: str, pg_server: PgServer, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
    password: str, shape: str, command: str,
) -> None:  # fmt: skip
    """Port 1 refuses the connection: each URL reaches the error paths of its command (restore and drill get as
    far as connecting, with `published` to work on), or is refused before."""
    url = url_shapes(password, port=1)[shape]
    args = {
        "backup": ["--database-url", url],
        "restore": ["--target-url", url],
        "drill": ["--against", "live", "--database-url", url, "--scratch-url", url],
    }[command]
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        # backup: another stack than `published`'s, which may have been taken in the same second.
        stack = "dev" if command == "backup" else "staging"
        code = cli.main([command, "--stack", stack, "--bucket", BUCKET, "--pg-bin", str(pg_server.bindir), *args])
    out, err = capsys.readouterr()
    last = err.splitlines()[-1]
    if code == ExitCode.USAGE:
        assert shape.startswith("unencoded")
        assert last.startswith("error: --database-url" if command != "restore" else "error: --target-url")
    else:
        assert code == ExitCode.FAILURE
        assert last.startswith("error: cannot connect to postgresql://app:***@"), last
    assert "Traceback" not in err
    assert_nowhere(password, out, err, caplog.text, *(str(r.msg) + str(r.args) for r in caplog.records))


def test_a_stray_argument_is_not_echoed(capsys: pytest.CaptureFixture[str]) -> None:
    """A URL pasted without its option: argparse would print it back in its error."""
    secret = "stray-Secret-8c2f"
    with pytest.raises(SystemExit) as info:
        cli.main(["backup", f"postgresql://app:{secret}@db/x"])
    assert info.value.code == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "unrecognized arguments (not shown: they may contain a password); see --help" in err
    assert secret not in err


@pytest.fixture
def login(pg_server: PgServer) -> Iterator[str]:
    """A role (pw_user) owning a small database (pw_src); the tests set its password."""
    with admin(pg_server) as conn:
        conn.execute("DROP DATABASE IF EXISTS pw_src")
        conn.execute("DROP ROLE IF EXISTS pw_user")
        conn.execute("CREATE ROLE pw_user LOGIN SUPERUSER")
        conn.execute("CREATE DATABASE pw_src OWNER pw_user")
    with psycopg.connect(pg_server.url("pw_src").raw, autocommit=True) as conn:
        conn.execute("CREATE TABLE notes (id int PRIMARY KEY, body text)")
        conn.execute("INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 100) g")
    yield "pw_user"
    with admin(pg_server) as conn:
        for (name,) in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'pw\\_%'").fetchall():
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(str(name))))
        conn.execute("DROP ROLE pw_user")


@settings(max_examples=12, deadline=None, suppress_health_check=FIXTURES_PER_TEST)
@given(password=passwords, shape=st.sampled_from(SHAPES))
def test_backup_and_restore_with_any_password_in_any_shape(
    s3: Any, pg_server: PgServer, login: str, argv_log: list[str], capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture, password: str, shape: str,
) -> None:  # fmt: skip
    with admin(pg_server) as conn:
        conn.execute(sql.SQL("ALTER ROLE pw_user PASSWORD {}").format(sql.Literal(password)))
        conn.execute("DROP DATABASE IF EXISTS pw_restored WITH (FORCE)")
    source = url_shapes(password, port=pg_server.port, user=login, dbname="pw_src")[shape]
    target = url_shapes(password, port=pg_server.port, user=login, dbname="pw_restored")[shape]
    argv_log.clear()
    caplog.clear()
    stack = f"pw-{len(s3.list_objects_v2(Bucket=BUCKET).get('Contents', []))}"  # a new stack each time
    common = ["--stack", stack, "--bucket", BUCKET, "--pg-bin", str(pg_server.bindir)]
    with caplog.at_level(logging.DEBUG):
        backed_up = cli.main(["backup", *common, "--database-url", source])
        out, err = capsys.readouterr()
        restored = cli.main(["restore", *common, "--target-url", target, "--create"])
        out2, err2 = capsys.readouterr()
    if shape.startswith("unencoded") and backed_up == ExitCode.USAGE:
        # A careless spelling libpq would misread is refused up front; the well-formed ones always work.
        assert restored == ExitCode.USAGE
        assert "is not usable" in err and "is not usable" in err2
    else:
        assert (backed_up, restored) == (ExitCode.OK, ExitCode.OK), err + err2
        assert len(argv_log) >= 3  # pg_dump, pg_restore --list, pg_restore
    stored: list[str] = []
    for obj in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        head = s3.head_object(Bucket=BUCKET, Key=obj["Key"])
        stored.append(json.dumps(head["Metadata"]))
        if obj["Key"].endswith(".json"):
            stored.append(s3.get_object(Bucket=BUCKET, Key=obj["Key"])["Body"].read().decode())
    records = [str(r.msg) + str(r.args) for r in caplog.records]
    assert_nowhere(password, out, err, out2, err2, caplog.text, *records, *argv_log, *stored)
