"""Database connection strings, read by libpq's own rules and printed without their password.

libpq itself parses every connection string (psycopg's `conninfo_to_dict` calls `PQconninfoParse`), so the
tool sees exactly the user, password, hosts and database that pg_dump and pg_restore would: percent-decoding,
IPv6 hosts in brackets, query parameters and key=value strings. Two things are added on top:

- libpq accepts some strings whose meaning is surely not what was intended: an unencoded '@' or '/' in a
  password moves the rest of the password into the host, port or database name, where it would then be
  printed (in our messages and in libpq's own). Those shapes are refused before anything connects.
- libpq's parse errors quote the offending input, password included, so they are never passed on: each is
  replaced by a fixed description of the problem and how to fix it.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from .errors import UsageError
from .redact import MASK, redact, register_secret

CONNECT_TIMEOUT_SECONDS = 15
APPLICATION_NAME = "converge-backup"

EXAMPLE = "postgresql://USER:PASSWORD@HOST:PORT/DBNAME"
ENCODE_HINT = (
    "percent-encode special characters of the user name and password ('@' as %40, '/' as %2F, ':' as %3A, "
    "'?' as %3F, '%' as %25); python3 -c 'import getpass, urllib.parse; "
    'print(urllib.parse.quote(getpass.getpass(), safe=""))\' prints the encoded form'
)
PARAMETERS_DOC = "https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-PARAMKEYWORDS"

_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://")
_HOSTNAME = re.compile(r"^[A-Za-z0-9._-]+$")
_IPV6 = re.compile(r"^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9_.-]+)?$")

# libpq's parse errors, by their start, as (what is wrong, how to fix it). The rest of libpq's message quotes
# the input and is dropped.
_LIBPQ_PROBLEMS = (
    (
        'missing "=" after',
        "a word has no '=' after it",
        f"give {EXAMPLE} or key=value pairs, quoting a value with spaces: password='a b'",
    ),
    ("unterminated quoted string", "a quoted value has no closing quote", "close it, and write a quote inside as \\'"),
    ("end of string reached when looking for matching", "an IPv6 address has no closing ']'", "write [::1]"),
    ("IPv6 host address may not be empty", "the IPv6 address in [] is empty", "put the address between the brackets"),
    (
        "unexpected character",
        "an unexpected character follows the host",
        "put ':' before a port and '/' before the database name",
    ),
    ("extra key/value separator", "a query parameter has a second '='", "percent-encode '=' in a value as %3D"),
    ("missing key/value separator", "a query parameter has no '='", "percent-encode '&' in a value as %26"),
    ("invalid percent-encoded token", "a '%' is not followed by two hex digits", "write a literal '%' as %25"),
    ("forbidden value %00", "it contains %00 (a zero byte)", "remove it: libpq cannot pass a zero byte"),
)
_UNKNOWN_PARAMETER = re.compile(r'^(?:invalid connection option|invalid URI query parameter:) "(?P<name>.*)"$', re.S)

# Parameters that are secrets: never printed, never on a command line.
SECRET_PARAMETERS = ("password", "sslpassword")


class MalformedUrlError(UsageError):
    """A connection string that cannot be used; the message never contains any part of it."""

    def __init__(self, problem: str, fix: str, subject: str = "the database URL") -> None:
        self.problem = problem
        self.fix = fix
        super().__init__(f"{subject} is not usable: {problem}; {fix}")

    def about(self, subject: str) -> MalformedUrlError:
        return MalformedUrlError(self.problem, self.fix, subject)


def _libpq_keywords() -> list[str]:
    return [option.keyword.decode() for option in psycopg.pq.Conninfo.get_defaults()]


def _explain_libpq_error(message: str) -> MalformedUrlError:
    message = message.strip()
    unknown = _UNKNOWN_PARAMETER.match(message)
    if unknown:
        close = difflib.get_close_matches(unknown.group("name").lower(), _libpq_keywords(), n=1, cutoff=0.75)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return MalformedUrlError("it has a parameter libpq does not know", f"{hint}the parameters: {PARAMETERS_DOC}")
    for start, problem, fix in _LIBPQ_PROBLEMS:
        if message.startswith(start):
            return MalformedUrlError(problem, fix)
    return MalformedUrlError("libpq cannot parse it", f"write it as {EXAMPLE}; {ENCODE_HINT}")


def _split_credentials(uri: str) -> tuple[str | None, str]:
    """(credentials, the rest) of a URI as libpq splits it: the credentials end at the first '@' unless a '/'
    comes first (conninfo_uri_parse_options), in which case there are none."""
    rest = uri.split("://", 1)[1]
    end = next((i for i, c in enumerate(rest) if c in "@/"), len(rest))
    if end < len(rest) and rest[end] == "@":
        return rest[:end], rest[end + 1 :]
    return None, rest


def _check_uri_shape(uri: str) -> None:
    """Refuse the URIs libpq would read with part of the password in the host, port or database name.

    A password with an unencoded '@' or '/' leaves an '@' after the credentials. An '@' in the query string
    could be meant, but also be the rest of a password whose '/' libpq took for the start of the database
    name: the only '@' allowed is the one that ends the credentials.
    """
    if "@" in _split_credentials(uri)[1]:
        raise MalformedUrlError("it has an '@' that does not separate the user from the host", ENCODE_HINT)


def _check_hosts_and_ports(params: Mapping[str, str]) -> None:
    for host in params.get("host", "").split(","):
        if host and not host.startswith("/") and not _HOSTNAME.match(host) and not _IPV6.match(host):
            raise MalformedUrlError(
                "a host is not a host name, an IP address or a socket directory", f"check the host; {ENCODE_HINT}"
            )
    hosts, ports = params.get("host", "").split(","), params.get("port", "").split(",")
    if len(ports) not in (1, len(hosts)):
        raise MalformedUrlError(
            f"it has {len(hosts)} hosts but {len(ports)} ports", "give one port for all hosts, or one per host"
        )
    for port in ports:
        if port and not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
            raise MalformedUrlError("a port is not a number from 1 to 65535", f"check the port; {ENCODE_HINT}")
    if "sslpassword" in params:
        raise MalformedUrlError(
            "it sets sslpassword, which pg_dump and pg_restore could only get on their command line",
            "use a client key without a passphrase (or drop sslpassword if the key has none)",
        )


def _raw_password_forms(uri: str) -> list[str]:
    """The password as written in a URI (any percent-encoding), so that it is masked wherever it is echoed."""
    credentials, rest = _split_credentials(uri)
    forms = [credentials.split(":", 1)[1]] if credentials and ":" in credentials else []
    if "?" in rest:
        for pair in rest.split("?", 1)[1].split("&"):
            key, _, value = pair.partition("=")
            if key in SECRET_PARAMETERS:
                forms.append(value)
    return forms


def parse(raw: str) -> dict[str, str]:
    """The connection parameters of a postgresql:// URI or a libpq key=value string."""
    if not raw.strip():
        raise MalformedUrlError("it is empty", f"give {EXAMPLE}")
    scheme = _SCHEME.match(raw)
    if scheme:
        if scheme.group("scheme").lower() not in ("postgresql", "postgres"):
            raise MalformedUrlError(
                f"its scheme is {scheme.group('scheme')!r}, not postgresql or postgres", f"give {EXAMPLE}"
            )
        for form in _raw_password_forms(raw):
            register_secret(form)
        _check_uri_shape(raw)
    try:
        parsed = conninfo_to_dict(raw)
    except psycopg.Error as exc:
        raise _explain_libpq_error(str(exc)) from None
    params = {key: str(value) for key, value in parsed.items() if value is not None}
    for key in SECRET_PARAMETERS:
        register_secret(params.get(key))
    if not scheme and not params:
        raise MalformedUrlError("it has no parameters", f"give {EXAMPLE} or key=value pairs")
    _check_hosts_and_ports(params)
    return params


def _uri(params: Mapping[str, str], *, password: str | None) -> str:
    """A URI of the parameters, with `password` (already encoded) in place of the real one, if given."""
    user = quote(params.get("user", ""), safe="")
    if password is not None and "password" in params:
        user += ":" + password
    hosts = params.get("host", "").split(",")
    ports = params.get("port", "").split(",")
    if len(ports) == 1:
        ports *= len(hosts)
    netloc = ",".join(
        (f"[{host}]" if ":" in host and not host.startswith("/") else quote(host, safe=""))
        + (f":{port}" if port else "")
        for host, port in zip(hosts, ports, strict=True)
    )
    if user:
        netloc = f"{user}@{netloc}"
    query = "&".join(
        f"{key}={quote(value, safe='')}"
        for key, value in params.items()
        if key not in ("user", "host", "port", "dbname", *SECRET_PARAMETERS)
    )
    dbname = quote(params["dbname"], safe="") if "dbname" in params else ""
    return f"postgresql://{netloc}/{dbname}" + (f"?{query}" if query else "")


@dataclass(frozen=True)
class DatabaseUrl:
    """A PostgreSQL connection string. `str()` and `repr()` never show the password; only libpq gets it."""

    raw: str = field(repr=False)
    params: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", parse(self.raw))

    @classmethod
    def parse(cls, raw: str, subject: str) -> DatabaseUrl:
        """Like the constructor, but a refusal names where the string came from (an option, a variable)."""
        try:
            return cls(raw)
        except MalformedUrlError as exc:
            raise exc.about(subject) from None

    def __str__(self) -> str:
        return self.redacted

    def __repr__(self) -> str:
        return f"DatabaseUrl({self.redacted!r})"

    @property
    def redacted(self) -> str:
        return redact(_uri(self.params, password=MASK))

    @property
    def password(self) -> str | None:
        return self.params.get("password")

    @property
    def host(self) -> str:
        return self.params.get("host", "")

    @property
    def port(self) -> int | None:
        """The port libpq tries first; None for its default (5432)."""
        first = self.params.get("port", "").split(",")[0]
        return int(first) if first.isdigit() else None

    @property
    def dbname(self) -> str:
        return self.params.get("dbname") or self.params.get("user") or "postgres"

    def with_dbname(self, dbname: str) -> DatabaseUrl:
        password = quote(self.params.get("password", ""), safe="")
        return DatabaseUrl(_uri({**self.params, "dbname": dbname}, password=password))

    def conninfo(self) -> str:
        """For libpq in this process (psycopg): everything, password included."""
        return make_conninfo("", **self.params)

    def without_password(self) -> str:
        """For a subprocess's argv: the password goes by environment (`subprocess_env`)."""
        return _uri(self.params, password=None)

    def subprocess_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("PGPASSWORD", None)
        if self.password is not None:
            env["PGPASSWORD"] = self.password
        env.setdefault("PGCONNECT_TIMEOUT", str(CONNECT_TIMEOUT_SECONDS))
        env["PGAPPNAME"] = APPLICATION_NAME
        return env
