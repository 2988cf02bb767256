"""PostgreSQL access: connections, server identities, pg_dump and pg_restore (URLs: dburl.py)."""

from __future__ import annotations

import collections
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import psycopg
from psycopg import sql

from .dburl import APPLICATION_NAME, CONNECT_TIMEOUT_SECONDS, DatabaseUrl
from .errors import (
    BackupCorruptError,
    DatabaseMissingError,
    DatabaseUnreachableError,
    IdentityUnknownError,
    ToolMissingError,
)
from .redact import redact


def first_line(text: str) -> str:
    for line in text.strip().splitlines():
        line = line.strip()
        if line:
            return redact(line)
    return ""


@contextmanager
def connect(url: DatabaseUrl, *, autocommit: bool = True) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """A connection with a one-line error for an unreachable server or a missing database."""
    try:
        conn = psycopg.connect(
            url.conninfo(),
            autocommit=autocommit,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            application_name=APPLICATION_NAME,
        )
    except psycopg.Error as exc:
        message = first_line(str(exc))
        if re.search(r'database ".*" does not exist', message):
            raise DatabaseMissingError(f"database {url.dbname!r} does not exist on {url}") from None
        raise DatabaseUnreachableError(f"cannot connect to {url}: {message}") from None
    try:
        yield conn
    finally:
        conn.close()


@dataclass(frozen=True)
class ServerIdentity:
    """Which database a connection reached, whatever address it used (localhost or 127.0.0.1, a pooler or the
    server directly): the cluster's system identifier from pg_control, and the database's name."""

    system_identifier: int
    database: str

    def __str__(self) -> str:
        return f"database {self.database!r} of the server with system identifier {self.system_identifier}"


def server_identity(conn: psycopg.Connection[tuple[object, ...]], database: str | None = None) -> ServerIdentity:
    """The identity of the connection's server and database (or of `database` on the same server)."""
    try:
        row = conn.execute("SELECT system_identifier, current_database() FROM pg_control_system()").fetchone()
    except psycopg.Error as exc:
        raise IdentityUnknownError(
            f"cannot read the server identity with pg_control_system() ({first_line(str(exc))}): grant the role "
            "EXECUTE on it or membership in pg_monitor"
        ) from None
    assert row is not None
    return ServerIdentity(system_identifier=int(str(row[0])), database=database or str(row[1]))


def database_exists(server: DatabaseUrl, dbname: str) -> bool:
    with connect(server) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
        return row is not None


def create_database(server: DatabaseUrl, dbname: str) -> None:
    with connect(server) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(dbname)))


def drop_database(server: DatabaseUrl, dbname: str) -> None:
    with connect(server) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))


def maintenance_url(url: DatabaseUrl) -> DatabaseUrl:
    """The same server's `postgres` database, for CREATE/DROP DATABASE."""
    return url.with_dbname("postgres")


class PgTools:
    """Locates and runs the PostgreSQL client programs."""

    def __init__(self, bin_dir: Path | None = None) -> None:
        self.bin_dir = bin_dir

    def path(self, program: str) -> str:
        if self.bin_dir is not None:
            candidate = self.bin_dir / program
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
            raise ToolMissingError(f"{program} not found in {self.bin_dir}")
        found = shutil.which(program)
        if found is None:
            raise ToolMissingError(
                f"{program} not found on PATH: install the PostgreSQL client (scripts/install-postgres.sh) "
                "or pass --pg-bin"
            )
        return found

    def start_dump(
        self,
        url: DatabaseUrl,
        *,
        compress: int,
        snapshot: str | None,
        schemas: Sequence[str] = (),
    ) -> DumpProcess:
        argv = [
            self.path("pg_dump"),
            "--format=custom",
            f"--compress={compress}",
            "--no-password",
            f"--dbname={url.without_password()}",
        ]
        if snapshot:
            argv.append(f"--snapshot={snapshot}")
        argv += [f"--schema={schema}" for schema in schemas]
        return DumpProcess(argv, url.subprocess_env())

    def list_archive(self, archive: Path) -> ArchiveToc:
        result = subprocess.run(
            [self.path("pg_restore"), "--list", str(archive)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupCorruptError(f"not a readable pg_dump archive: {first_line(result.stderr)}")
        return ArchiveToc.parse(result.stdout)

    def restore(
        self,
        archive: Path,
        url: DatabaseUrl,
        *,
        clean: bool,
        no_owner: bool = False,
        no_acl: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        """pg_restore in one transaction that stops at the first error: all or nothing."""
        argv = [
            self.path("pg_restore"),
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={url.without_password()}",
        ]
        if clean:
            argv += ["--clean", "--if-exists"]
        if no_owner:
            argv.append("--no-owner")
        if no_acl:
            argv.append("--no-acl")
        argv.append(str(archive))
        return subprocess.run(argv, capture_output=True, text=True, env=url.subprocess_env(), check=False)


_TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (?P<schema>\S+) (?P<name>\S+) \S+$")


@dataclass(frozen=True)
class ArchiveToc:
    """The parts of `pg_restore --list` we use."""

    tables: frozenset[str]
    entries: int

    @classmethod
    def parse(cls, listing: str) -> ArchiveToc:
        tables: set[str] = set()
        entries = 0
        for line in listing.splitlines():
            if not line or line.startswith(";"):
                continue
            entries += 1
            match = _TOC_TABLE.match(line)
            if match:
                tables.add(f"{match.group('schema')}.{match.group('name')}")
        return cls(tables=frozenset(tables), entries=entries)


class DumpProcess:
    """A running pg_dump whose stdout is the archive; stderr is kept (last lines) for the error message."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self._proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self._stderr: collections.deque[str] = collections.deque(maxlen=20)
        self._reader = threading.Thread(target=self._read_stderr, name="pg_dump-stderr", daemon=True)
        self._reader.start()

    @property
    def stdout(self) -> IO[bytes]:
        assert self._proc.stdout is not None
        return self._proc.stdout

    def _read_stderr(self) -> None:
        assert self._proc.stderr is not None
        for raw in self._proc.stderr:
            self._stderr.append(raw.decode("utf-8", "replace").rstrip())

    def wait(self) -> int:
        code = self._proc.wait()
        self._reader.join(timeout=5)
        return code

    def kill(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
        self.wait()

    @property
    def error(self) -> str:
        lines = [line for line in self._stderr if line.strip()]
        for line in lines:
            if "error" in line.lower():
                return redact(line)
        return redact(lines[-1]) if lines else ""
