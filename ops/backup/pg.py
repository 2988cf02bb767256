"""PostgreSQL access: URLs (passwords kept out of argv and messages), connections, pg_dump and pg_restore."""

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
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from .errors import BackupCorruptError, DatabaseMissingError, DatabaseUnreachableError, ToolMissingError, UsageError
from .redact import redact, register_secret

CONNECT_TIMEOUT_SECONDS = 15
APPLICATION_NAME = "converge-backup"


@dataclass(frozen=True)
class DatabaseUrl:
    """A postgres:// URL. `str()` is the redacted form; the password only reaches libpq."""

    raw: str

    def __post_init__(self) -> None:
        parts = urlsplit(self.raw)
        if parts.scheme not in ("postgres", "postgresql"):
            raise UsageError(f"not a PostgreSQL URL: {redact(self.raw)!r} (expected postgresql://...)")
        register_secret(self.password)

    def __str__(self) -> str:
        return self.redacted

    @property
    def redacted(self) -> str:
        return redact(self.raw)

    @property
    def password(self) -> str | None:
        parts = urlsplit(self.raw)
        if parts.password is not None:
            return unquote(parts.password)
        for key, value in parse_qsl(parts.query):
            if key == "password":
                return value
        return None

    @property
    def host(self) -> str:
        parts = urlsplit(self.raw)
        if parts.hostname:
            return parts.hostname
        return dict(parse_qsl(parts.query)).get("host", "")

    @property
    def port(self) -> int:
        return urlsplit(self.raw).port or 5432

    @property
    def dbname(self) -> str:
        parts = urlsplit(self.raw)
        name = unquote(parts.path.lstrip("/"))
        if name:
            return name
        query = dict(parse_qsl(parts.query))
        return query.get("dbname") or (unquote(parts.username) if parts.username else "") or "postgres"

    def with_dbname(self, dbname: str) -> DatabaseUrl:
        parts = urlsplit(self.raw)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "dbname"]
        return DatabaseUrl(urlunsplit(parts._replace(path="/" + quote(dbname, safe=""), query=urlencode(query))))

    def without_password(self) -> str:
        """The URL with its password removed, for a subprocess's argv."""
        parts = urlsplit(self.raw)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, hostport = netloc.rsplit("@", 1)
            user = userinfo.split(":", 1)[0]
            netloc = f"{user}@{hostport}" if user else hostport
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "password"]
        return urlunsplit(parts._replace(netloc=netloc, query=urlencode(query)))

    def subprocess_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("PGPASSWORD", None)
        password = self.password
        if password is not None:
            env["PGPASSWORD"] = password
        env.setdefault("PGCONNECT_TIMEOUT", str(CONNECT_TIMEOUT_SECONDS))
        env["PGAPPNAME"] = APPLICATION_NAME
        return env


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
            url.raw,
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
