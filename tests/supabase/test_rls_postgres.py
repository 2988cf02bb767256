"""The RLS statements the provider sends through `/database/query`, run on a real PostgreSQL 15 (the seed's
version): they enable RLS on every table of the listed schemas and nothing else, are idempotent, and the
read-back works inside a read-only transaction (as `read_only: true` runs it)."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from providers.supabase.row_level_security import enable_rls_sql, rls_status_sql

pytestmark = pytest.mark.postgres
PG_BINDIR = Path(os.environ.get("PG_BINDIR", "/usr/lib/postgresql/15/bin"))


def _drop_root() -> dict[str, Any]:
    # initdb refuses to run as root; the Debian package brings a `postgres` system user.
    if os.geteuid() != 0:
        return {}
    entry = pwd.getpwnam("postgres")
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


@pytest.fixture(scope="module")
def conninfo() -> Iterator[str]:
    if not (PG_BINDIR / "initdb").exists():
        pytest.fail(f"{PG_BINDIR}/initdb is missing: run scripts/install-postgres.sh (or set PG_BINDIR)")
    drop = _drop_root()
    base = Path(tempfile.mkdtemp(prefix="converge-rls-"))
    base.chmod(0o755)
    if drop:
        os.chown(base, drop["user"], drop["group"])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    run = {"check": True, "capture_output": True, "cwd": base, "env": {**os.environ, "LC_ALL": "C.UTF-8"}, **drop}
    subprocess.run(
        [str(PG_BINDIR / "initdb"), "-D", str(base / "data"), "-U", "postgres", "--auth=trust", "--no-sync"], **run
    )
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
    # -l: the server must not inherit our pipes, or waiting for pg_ctl would wait for the server.
    log = str(base / "server.log")
    subprocess.run(
        [str(PG_BINDIR / "pg_ctl"), "-D", str(base / "data"), "-l", log, "-o", options, "-w", "start"], **run
    )
    try:
        yield f"host=127.0.0.1 port={port} user=postgres dbname=postgres"
    finally:
        subprocess.run([str(PG_BINDIR / "pg_ctl"), "-D", str(base / "data"), "-m", "immediate", "stop"], **run)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def db(conninfo: str) -> Iterator[psycopg.Connection[tuple[Any, ...]]]:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("drop schema if exists public, app, other cascade; drop role if exists app_owner")
        conn.execute(
            """
            create schema public; create schema app; create schema other;
            create role app_owner;
            create table public.users (id int);
            create table public.events (id int);
            alter table public.events enable row level security;
            create table app.audit (id int, at date) partition by range (at);
            create table app.audit_2026 partition of app.audit for values from ('2026-01-01') to ('2027-01-01');
            create table app.owned_elsewhere (id int);
            alter table app.owned_elsewhere owner to app_owner;
            create view public.user_names as select id from public.users;
            create table other.untouched (id int);
            create table "public"."Mixed Case" (id int);
            """
        )
        yield conn


def status(conn: psycopg.Connection[tuple[Any, ...]], schemas: list[str]) -> list[tuple[str, str, bool]]:
    with conn.transaction():
        conn.execute("set transaction read only")
        return [tuple(row) for row in conn.execute(rls_status_sql(schemas)).fetchall()]  # type: ignore[misc]


def test_enable_then_read_back(db: psycopg.Connection[tuple[Any, ...]]) -> None:
    schemas = ["public", "app"]
    before = status(db, schemas)
    assert before == [
        ("app", "audit", False),
        ("app", "audit_2026", False),
        ("app", "owned_elsewhere", False),
        ("public", "Mixed Case", False),
        ("public", "events", True),
        ("public", "users", False),
    ], "views are not listed; partitioned tables and their partitions are"

    db.execute(enable_rls_sql(schemas))
    assert all(on for _schema, _table, on in status(db, schemas))
    assert status(db, ["other"]) == [("other", "untouched", False)], "schemas not listed are left alone"

    db.execute(enable_rls_sql(schemas))  # idempotent: a second run changes nothing and does not fail
    assert all(on for _schema, _table, on in status(db, schemas))


def test_lost_rls_shows_in_the_read_back(db: psycopg.Connection[tuple[Any, ...]]) -> None:
    db.execute(enable_rls_sql(["public"]))
    db.execute("alter table public.users disable row level security")
    assert ("public", "users", False) in status(db, ["public"])


def test_the_enable_statement_is_refused_in_a_read_only_transaction(db: psycopg.Connection[tuple[Any, ...]]) -> None:
    statement = enable_rls_sql(["public"])
    with db.transaction(force_rollback=True):
        db.execute("set transaction read only")
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            db.execute(statement)
