"""Fixtures for the backup tests: a throwaway PostgreSQL cluster (Debian's server binaries, run as an
unprivileged user when the tests run as root), moto's S3, a seeded application database and a fake clock."""

from __future__ import annotations

import io
import os
import pwd
import shutil
import socket
import stat
import subprocess
import tempfile
import textwrap
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import boto3
import psycopg
import pytest
from hypothesis import strategies as st
from moto import mock_aws
from moto.server import ThreadedMotoServer
from psycopg import sql

from ops.backup.pg import DatabaseUrl, PgTools
from ops.backup.progress import Reporter
from ops.backup.service import BackupOptions, Context, backup
from ops.backup.store import BackupStore

PG_BINDIR = Path(os.environ.get("PG_BINDIR", "/usr/lib/postgresql/15/bin"))
SUPERUSER = "postgres"
# Characters that must be percent-encoded in a URL: the redaction tests look for both forms.
PASSWORD = "Sup3r/S3cret@pw!"
BUCKET = "converge-nps-backups-test"
PREFIX = "converge-nps"


HERE = Path(__file__).resolve().parent

# Passwords of any characters but NUL (libpq cannot pass one) around a marker that no output holds by
# chance (hypothesis also tries the strings of our own messages): wherever the marker shows, some part of the
# password leaked.
PASSWORD_MARK = "Zq8Vx"
_any_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
passwords = st.builds(lambda head, tail: head + PASSWORD_MARK + tail, _any_text, _any_text)
SHAPES = ("userinfo", "ipv6", "query", "key-value", "unencoded", "unencoded-query")
# Left unencoded in the careless shapes: everything with a meaning in a URI but '%' (a '%' followed by two hex
# digits is an encoded character however it was meant) and, in a query, '&' and '=' (a password "a&port=1"
# is a second parameter to anyone).
UNENCODED = "@/:?#[]&= ,'\"\\"
UNENCODED_IN_QUERY = "@/:?#[] ,"


def url_shapes(
    password: str, *, host: str = "127.0.0.1", port: int = 5432, user: str = "app", dbname: str = "converge"
) -> dict[str, str]:
    """One password written into every kind of connection string: correctly, and (the `unencoded` shapes)
    with the characters that have a meaning in a URI left as they are. `host` is a name or an IPv4 address;
    the ipv6 shapes use ::1."""
    encoded = quote(password, safe="")
    kv = password.replace("\\", "\\\\").replace("'", "\\'")
    unencoded = quote(password, safe=UNENCODED)
    unencoded_query = quote(password, safe=UNENCODED_IN_QUERY)
    return {
        "userinfo": f"postgresql://{user}:{encoded}@{host}:{port}/{dbname}",
        "ipv6": f"postgresql://{user}:{encoded}@[::1]:{port}/{dbname}?sslmode=disable",
        "query": f"postgresql://{user}@{host}:{port}/{dbname}?password={encoded}",
        "key-value": f"host={host} port={port} user={user} dbname={dbname} password='{kv}'",
        "unencoded": f"postgresql://{user}:{unencoded}@{host}:{port}/{dbname}",
        "unencoded-query": f"postgresql://{user}@[::1]:{port}/{dbname}?password={unencoded_query}",
    }


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In this directory: tests that start PostgreSQL are marked `postgres`; benchmarks run only when asked
    for with `-m benchmark`."""
    run_benchmarks = "benchmark" in (config.getoption("-m") or "")
    skip = pytest.mark.skip(reason="benchmark: run with `pytest -m benchmark tests/backup -s`")
    for item in items:
        if HERE not in item.path.parents:
            continue
        if "pg_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)
        if "benchmark" in item.keywords and not run_benchmarks:
            item.add_marker(skip)


@dataclass(frozen=True)
class PgServer:
    port: int
    bindir: Path
    socket_dir: Path

    def url(self, dbname: str = "postgres", password: str | None = PASSWORD, host: str = "127.0.0.1") -> DatabaseUrl:
        auth = f"{SUPERUSER}:{quote(password, safe='')}" if password is not None else SUPERUSER
        return DatabaseUrl(f"postgresql://{auth}@{host}:{self.port}/{dbname}")

    def socket_url(self, dbname: str = "postgres") -> DatabaseUrl:
        """The same server through its Unix socket (trust authentication)."""
        return DatabaseUrl(f"postgresql://{SUPERUSER}@{quote(str(self.socket_dir), safe='')}:{self.port}/{dbname}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user() -> dict[str, Any]:
    """Popen arguments that drop root to the `postgres` system user (initdb refuses to run as root)."""
    if os.geteuid() != 0:
        return {}
    try:
        entry = pwd.getpwnam("postgres")
    except KeyError:
        pytest.fail("running as root but there is no `postgres` user: run scripts/install-postgres.sh")
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


@contextmanager
def _cluster() -> Iterator[PgServer]:
    """A new PostgreSQL cluster (its own system identifier) on a free port; removed afterwards."""
    for tool in ("initdb", "pg_ctl", "postgres", "pg_dump", "pg_restore"):
        if not (PG_BINDIR / tool).exists():
            pytest.fail(f"{PG_BINDIR / tool} is missing: run scripts/install-postgres.sh (or set PG_BINDIR)")
    drop = _as_server_user()
    base = Path(tempfile.mkdtemp(prefix="converge-pg-"))
    base.chmod(0o755)
    data, sock, log, pwfile = base / "data", base / "sock", base / "server.log", base / "pw"
    sock.mkdir()
    pwfile.write_text(PASSWORD + "\n")
    if drop:
        for path in (base, sock, pwfile):
            os.chown(path, drop["user"], drop["group"])
    port = _free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    subprocess.run(
        [
            str(PG_BINDIR / "initdb"),
            "-D", str(data),
            "-U", SUPERUSER,
            f"--pwfile={pwfile}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
        ],
        check=True, capture_output=True, env=env, cwd=base, **drop,
    )  # fmt: skip
    options = (
        f"-p {port} -k {sock} -c listen_addresses=127.0.0.1,::1 -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c max_connections=50"
    )
    subprocess.run(
        [str(PG_BINDIR / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start"],
        check=True, capture_output=True, env=env, cwd=base, **drop,
    )  # fmt: skip
    try:
        yield PgServer(port=port, bindir=PG_BINDIR, socket_dir=sock)
    finally:
        subprocess.run(
            [str(PG_BINDIR / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            check=False, capture_output=True, env=env, cwd=base, **drop,
        )  # fmt: skip
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    with _cluster() as server:
        yield server


@pytest.fixture(scope="session")
def other_pg_server() -> Iterator[PgServer]:
    """A second, unrelated server: a different system identifier."""
    with _cluster() as server:
        yield server


def admin(server: PgServer) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(server.url().raw, autocommit=True)


@pytest.fixture
def make_db(pg_server: PgServer) -> Iterator[Callable[..., DatabaseUrl]]:
    """Creates empty databases with unique names; drops them afterwards."""
    created: list[str] = []

    def make(name: str | None = None, template: str = "template1") -> DatabaseUrl:
        dbname = name or f"t_{os.getpid()}_{len(created)}_{time.monotonic_ns() % 10**8}"
        with admin(pg_server) as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(dbname), sql.Identifier(template))
            )
        created.append(dbname)
        return pg_server.url(dbname)

    yield make
    with admin(pg_server) as conn:
        for dbname in created:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
        for (name,) in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'drill\\_%'").fetchall():
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(str(name))))


APP_SCHEMA = """
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'app_user') THEN CREATE ROLE app_user NOLOGIN; END IF;
END $$;
CREATE TABLE public.attendees (
    id bigserial PRIMARY KEY,
    email text NOT NULL UNIQUE,
    name text,
    org_id integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    profile jsonb,
    score double precision
);
CREATE TABLE public.sessions (id serial PRIMARY KEY, title text NOT NULL, starts_at timestamptz, room text);
CREATE TABLE public.registrations (
    attendee_id bigint REFERENCES public.attendees (id) ON DELETE CASCADE,
    session_id integer REFERENCES public.sessions (id),
    note text,
    PRIMARY KEY (attendee_id, session_id)
);
CREATE INDEX attendees_org_created ON public.attendees (org_id, created_at);
CREATE INDEX attendees_profile_gin ON public.attendees USING gin (profile);
ALTER TABLE public.attendees ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.attendees FORCE ROW LEVEL SECURITY;
CREATE POLICY attendees_same_org ON public.attendees FOR SELECT TO app_user
    USING (org_id = current_setting('app.org_id')::integer);
CREATE POLICY attendees_insert ON public.attendees FOR INSERT TO app_user
    WITH CHECK (org_id = current_setting('app.org_id')::integer);
ALTER TABLE public.registrations ENABLE ROW LEVEL SECURITY;
CREATE POLICY registrations_all ON public.registrations TO app_user USING (true);
GRANT SELECT, INSERT ON public.attendees TO app_user;
CREATE SCHEMA audit;
CREATE TABLE audit.events (id bigserial PRIMARY KEY, at timestamptz, payload bytea, amount numeric(12, 2));

INSERT INTO public.attendees (email, name, org_id, created_at, profile, score)
SELECT 'user' || g || '@example.org', 'Attendee ' || g, g % 7,
       timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute',
       jsonb_build_object('interests', jsonb_build_array('ai', 'maritime', g % 13)), g / 3.0
FROM generate_series(1, 3000) AS g;
INSERT INTO public.sessions (title, starts_at, room)
SELECT 'Session ' || g, timestamptz '2026-03-01 09:00:00+00' + g * interval '30 minutes', 'Room ' || (g % 5)
FROM generate_series(1, 50) AS g;
INSERT INTO public.registrations (attendee_id, session_id, note)
SELECT a, s, CASE WHEN a % 10 = 0 THEN NULL ELSE 'note ' || a || '/' || s END
FROM generate_series(1, 3000) AS a, LATERAL (VALUES (1 + a % 50), (1 + (a * 7) % 50)) AS v(s)
ON CONFLICT DO NOTHING;
INSERT INTO audit.events (at, payload, amount)
SELECT timestamptz '2026-02-01 00:00:00+00' + g * interval '1 second', decode(md5(g::text), 'hex'), g * 1.25
FROM generate_series(1, 2000) AS g;
"""


def seed_app(url: DatabaseUrl) -> None:
    with psycopg.connect(url.raw, autocommit=True) as conn:
        conn.execute(APP_SCHEMA)


@pytest.fixture(scope="session")
def app_template(pg_server: PgServer) -> str:
    """The seeded application database, built once; each test gets a copy (CREATE DATABASE ... TEMPLATE)."""
    name = "converge_app_template"
    with admin(pg_server) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    seed_app(pg_server.url(name))
    return name


@pytest.fixture
def source_db(make_db: Callable[..., DatabaseUrl], app_template: str) -> DatabaseUrl:
    """A fresh copy of the application database: schema, indexes, RLS, policies, ~11,000 rows."""
    return make_db(template=app_template)


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")


@pytest.fixture
def s3(aws_env: None) -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


@pytest.fixture
def moto_server(aws_env: None) -> Iterator[str]:
    """moto's S3 as an HTTP server on 127.0.0.1 (for the tool run as a process), with an empty BUCKET."""
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"

    def reset() -> None:
        """moto's state is per process, shared by every server and mock in it: start and end empty."""
        request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")  # noqa: S310 (http, local)
        urllib.request.urlopen(request, timeout=30)  # noqa: S310

    reset()
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=BUCKET)
    try:
        yield endpoint
    finally:
        reset()
        server.stop()


@dataclass
class Harness:
    ctx: Context
    log: io.StringIO
    clock: FakeClock
    server: PgServer

    @property
    def store(self) -> BackupStore:
        return self.ctx.store


@pytest.fixture
def harness(s3: Any, pg_server: PgServer, clock: FakeClock) -> Harness:
    log = io.StringIO()
    reporter = Reporter(stream=log)
    store = BackupStore(s3, BUCKET, PREFIX, reporter)
    ctx = Context(store=store, tools=PgTools(pg_server.bindir), reporter=reporter, clock=clock)
    return Harness(ctx=ctx, log=log, clock=clock, server=pg_server)


@pytest.fixture
def published(harness: Harness, source_db: DatabaseUrl) -> str:
    """One good backup of stack `staging`; returns its key."""
    return backup(harness.ctx, BackupOptions(stack="staging", database=source_db)).key


def fake_bin(tmp_path: Path, real: Path, script: str) -> Path:
    """A bin dir whose pg_dump is `script`; pg_restore is the real one."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    dump = bindir / "pg_dump"
    dump.write_text("#!/bin/sh\n" + textwrap.dedent(script))
    dump.chmod(dump.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    os.symlink(real / "pg_restore", bindir / "pg_restore")
    return bindir
