"""The production guard of restore: production is a server identity (pg_control's system identifier and the
database name), not a host string; the guard decides before anything is created or changed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql

from ops.backup import fingerprint
from ops.backup.errors import DatabaseMissingError, ExitCode, RefusedError
from ops.backup.pg import DatabaseUrl, connect, server_identity
from ops.backup.service import RestoreOptions, restore
from tests.backup.conftest import BUCKET, PASSWORD, Harness, PgServer, admin

ROOT = Path(__file__).resolve().parents[2]
UNKNOWN_FIX = "pass --i-understand-this-replaces-production if the target may be replaced even if it is production"


def snapshot_of(url: DatabaseUrl) -> fingerprint.Fingerprint:
    with connect(url) as conn:
        return fingerprint.take(conn)


def exists(server: PgServer, dbname: str) -> bool:
    with admin(server) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone() is not None


@pytest.fixture
def production(make_db: Callable[..., DatabaseUrl]) -> DatabaseUrl:
    """The "production" database: data of its own, reached as 127.0.0.1."""
    url = make_db()
    with psycopg.connect(url.raw, autocommit=True) as conn:
        conn.execute("CREATE TABLE public.attendees (id int PRIMARY KEY, name text)")
        conn.execute("INSERT INTO public.attendees SELECT g, 'live ' || g FROM generate_series(1, 25) g")
    return url


def test_the_identity_is_the_same_whatever_address_reaches_the_server(
    pg_server: PgServer, other_pg_server: PgServer
) -> None:
    identities = []
    for url in (pg_server.url(), pg_server.url(host="localhost"), pg_server.socket_url()):
        with connect(url) as conn:
            identities.append(server_identity(conn))
    assert identities[0] == identities[1] == identities[2]
    assert identities[0].database == "postgres"
    with connect(other_pg_server.url()) as conn:
        other = server_identity(conn)
    assert other.system_identifier != identities[0].system_identifier


def test_a_role_without_privileges_can_read_the_identity(
    pg_server: PgServer, make_db: Callable[..., DatabaseUrl]
) -> None:
    """pg_control_system() is executable by PUBLIC: the guard does not need a superuser."""
    dbname = make_db().dbname
    with admin(pg_server) as conn:
        conn.execute("DROP ROLE IF EXISTS guard_reader")
        conn.execute(sql.SQL("CREATE ROLE guard_reader LOGIN PASSWORD {}").format(sql.Literal(PASSWORD)))
    try:
        url = DatabaseUrl(f"postgresql://guard_reader:{quote(PASSWORD, safe='')}@127.0.0.1:{pg_server.port}/{dbname}")
        with connect(url) as conn:
            assert server_identity(conn).database == dbname
    finally:
        with admin(pg_server) as conn:
            conn.execute("DROP ROLE guard_reader")


@pytest.mark.parametrize("configured_as", ["localhost", "socket"])
def test_production_reached_by_another_address_is_refused_and_left_unchanged(
    harness: Harness, published: str, production: DatabaseUrl, pg_server: PgServer, configured_as: str
) -> None:
    """PRODUCTION_DATABASE_URL says localhost (or the Unix socket); the target says 127.0.0.1: the same database."""
    configured = (
        pg_server.url(production.dbname, host="localhost")
        if configured_as == "localhost"
        else pg_server.socket_url(production.dbname)
    )
    before = snapshot_of(production)
    with pytest.raises(RefusedError) as info:
        restore(harness.ctx, RestoreOptions(stack="staging", target=production, production=configured))
    message = str(info.value)
    assert "it is the database of PRODUCTION_DATABASE_URL" in message
    assert f"database {production.dbname!r} of the server with system identifier" in message
    assert "pass --i-understand-this-replaces-production to go ahead" in message
    assert PASSWORD not in message and quote(PASSWORD, safe="") not in message
    assert fingerprint.compare(before, snapshot_of(production)) == []


def test_the_same_database_name_on_another_server_is_not_production(
    harness: Harness, published: str, production: DatabaseUrl, other_pg_server: PgServer
) -> None:
    with admin(other_pg_server) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(production.dbname)))
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'app_user'").fetchone() is None:
            conn.execute("CREATE ROLE app_user NOLOGIN")  # the backup's policies name it
    target = other_pg_server.url(production.dbname)
    restore(harness.ctx, RestoreOptions(stack="staging", target=target, production=production))
    assert snapshot_of(target).tables["public.attendees"].rows == 3000
    assert snapshot_of(production).tables["public.attendees"].rows == 25


def test_another_database_on_the_production_server_is_not_production(
    harness: Harness, published: str, production: DatabaseUrl, pg_server: PgServer
) -> None:
    target = pg_server.url(f"{production.dbname}_copy")
    try:
        restore(harness.ctx, RestoreOptions(stack="staging", target=target, production=production, create=True))
        assert snapshot_of(target).tables["public.attendees"].rows == 3000
    finally:
        with admin(pg_server) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(target.dbname)))


@pytest.mark.parametrize(
    "options",
    [
        {"target_stack": "prod"},
        {"declared_production": True},
        # Production cannot be identified: refused as if it were the target.
        {"production": DatabaseUrl("postgresql://postgres@127.0.0.1:1/converge")},
    ],
    ids=["prod-stack", "declared", "production-unreachable"],
)
def test_a_refused_restore_creates_no_database(
    harness: Harness, published: str, pg_server: PgServer, options: dict[str, object]
) -> None:
    """With --create and a target that does not exist yet, the guard still decides first."""
    target = pg_server.url("guard_not_created")
    with pytest.raises(RefusedError) as info:
        restore(harness.ctx, RestoreOptions(stack="staging", target=target, create=True, **options))
    assert "--i-understand-this-replaces-production" in str(info.value)
    assert not exists(pg_server, "guard_not_created")


def test_an_unidentifiable_production_is_refused_unless_confirmed(
    harness: Harness, published: str, production: DatabaseUrl
) -> None:
    unreachable = DatabaseUrl(f"postgresql://postgres:{quote(PASSWORD, safe='')}@127.0.0.1:1/converge")
    before = snapshot_of(production)
    with pytest.raises(RefusedError) as info:
        restore(harness.ctx, RestoreOptions(stack="staging", target=production, production=unreachable))
    message = str(info.value)
    assert message.startswith("cannot tell whether the target is production: cannot connect to postgresql://")
    assert "fix or unset PRODUCTION_DATABASE_URL" in message
    assert UNKNOWN_FIX in message
    assert PASSWORD not in message
    assert fingerprint.compare(before, snapshot_of(production)) == []

    opts = RestoreOptions(stack="staging", target=production, production=unreachable, confirm_production=True)
    restore(harness.ctx, opts)
    assert "going ahead as confirmed" in harness.log.getvalue()
    assert snapshot_of(production).tables["public.attendees"].rows == 3000


def test_a_missing_target_is_reported_before_the_download(
    harness: Harness, published: str, pg_server: PgServer
) -> None:
    with pytest.raises(DatabaseMissingError, match="pass --create"):
        restore(harness.ctx, RestoreOptions(stack="staging", target=pg_server.url("guard_missing")))
    assert "download" not in harness.log.getvalue()


def test_cli_refuses_production_by_identity_with_exit_3(
    moto_server: str, source_db: DatabaseUrl, pg_server: PgServer, production: DatabaseUrl
) -> None:
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": moto_server,
        "BACKUP_S3_BUCKET": BUCKET,
        "BACKUP_STACK": "staging",
        "PG_BIN": str(pg_server.bindir),
        "PRODUCTION_DATABASE_URL": pg_server.url(production.dbname, host="localhost").raw,
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ops.backup", *args],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip

    assert run("backup", "--database-url", source_db.raw).returncode == ExitCode.OK
    refused = run("restore", "--target-url", production.raw)
    assert refused.returncode == ExitCode.REFUSED, refused.stderr
    last = refused.stderr.splitlines()[-1]
    assert last.startswith("error: refusing to restore over a production database (it is the database of ")
    assert last.endswith("pass --i-understand-this-replaces-production to go ahead")
    assert PASSWORD not in refused.stdout + refused.stderr
    assert quote(PASSWORD, safe="") not in refused.stdout + refused.stderr
    assert snapshot_of(production).tables["public.attendees"].rows == 25
