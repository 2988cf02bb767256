"""Connection strings as libpq reads them: every shape libpq accepts is understood the same way, the shapes
that would put part of a password into a host or database name are refused, and no refusal quotes its input."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ops.backup.dburl import DatabaseUrl, MalformedUrlError
from tests.backup.conftest import PASSWORD_MARK, SHAPES, passwords, url_shapes

SECRET = "n0t-In-any:Output/@?#%"
ENCODED = quote(SECRET, safe="")


@pytest.mark.parametrize(
    ("url", "host", "port", "dbname"),
    [
        (f"postgresql://app:{ENCODED}@db.example:6543/converge", "db.example", "6543", "converge"),
        (f"postgres://app:{ENCODED}@[::1]:5432/converge", "::1", "5432", "converge"),
        (f"postgresql://app:{ENCODED}@[2001:db8::7]/converge?sslmode=require", "2001:db8::7", None, "converge"),
        (f"postgresql://app@db.example/converge?password={ENCODED}", "db.example", None, "converge"),
        (f"postgresql://app:{ENCODED}@h1:5432,h2:5433/converge", "h1,h2", "5432,5433", "converge"),
        (f"postgresql://app:{ENCODED}@%2Fvar%2Frun%2Fpostgresql/converge", "/var/run/postgresql", None, "converge"),
        ("host=db.example port=6543 user=app dbname=converge password='n0t-In-any:Output/@?#%'", "db.example",
         "6543", "converge"),
        ("host=/run/pg:a user=app dbname=converge password='n0t-In-any:Output/@?#%'", "/run/pg:a", None,
         "converge"),
    ],
    ids=["userinfo", "ipv6", "ipv6-no-port", "query", "two-hosts", "socket", "key-value", "socket-with-colon"],
)  # fmt: skip
def test_every_shape_libpq_accepts_is_read_as_libpq_reads_it(
    url: str, host: str, port: str | None, dbname: str
) -> None:
    parsed = DatabaseUrl(url)
    assert parsed.password == SECRET
    assert parsed.params["user"] == "app"
    assert parsed.host == host
    assert parsed.params.get("port") == port
    assert parsed.dbname == dbname
    assert parsed.subprocess_env()["PGPASSWORD"] == SECRET
    for shown in (str(parsed), repr(parsed), parsed.without_password(), parsed.with_dbname("x").redacted):
        assert SECRET not in shown
        assert ENCODED not in shown
    # What pg_dump gets on its command line reaches the same server and database, without the password.
    again = DatabaseUrl(parsed.without_password())
    assert (again.host, again.params.get("port"), again.dbname, again.password) == (host, port, dbname, None)
    assert DatabaseUrl(parsed.with_dbname("other").raw).password == SECRET


def test_a_percent_encoded_password_is_decoded_and_masked_in_every_spelling() -> None:
    url = DatabaseUrl("postgresql://app:s%65cr%65t%2fpw@db/x")  # lower-case hex, needlessly encoded letters
    assert url.password == "secret/pw"
    assert "s%65cr%65t%2fpw" not in url.redacted
    from ops.backup.redact import redact

    assert redact("echoed: s%65cr%65t%2fpw and secret/pw and secret%2Fpw") == "echoed: *** and *** and ***"


# Each case hides the marker Xy7 in what libpq would quote back (the password, a host, a parameter).
@pytest.mark.parametrize(
    ("url", "problem", "fix"),
    [
        ("postgresql://app:p@ssXy7@db/x", "an '@' that does not separate the user from the host", "'@' as %40"),
        ("postgresql://app:pass/Xy7@db/x", "an '@' that does not separate the user from the host", "'/' as %2F"),
        ("postgresql://app:Xy7@db/x?application_name=a@b", "an '@' that does not", "'@' as %40"),
        ("postgresql://app:pass%Xy7@db/x", "a '%' is not followed by two hex digits", "'%' as %25"),
        ("postgresql://app:pass%00Xy7@db/x", "%00", "remove it"),
        ("postgresql://app:Xy7@[::1/x", "no closing ']'", "[::1]"),
        ("postgresql://app:Xy7@[]/x", "the IPv6 address in [] is empty", "between the brackets"),
        ("postgresql://app:Xy7@db:Xy7/x", "a port is not a number from 1 to 65535", "check the port"),
        ("postgresql://app:Xy7@db:99999/x", "a port is not a number", "check the port"),
        ("postgresql://app:Xy7@db/x?host=Xy7@db", "an '@' that does not", "'@' as %40"),
        ("postgresql://app:Xy7@db/x?host=Xy7%40db", "a host is not a host name", "check the host"),
        ("postgresql://app:Xy7@db/x?pasword=Xy7", "a parameter libpq does not know", "did you mean 'password'?"),
        ("postgresql://app@db/x?password=Xy7&Xy7", "a query parameter has no '='", "'&' in a value as %26"),
        ("postgresql://app@db/x?password=Xy7=Xy7", "a query parameter has a second '='", "'=' in a value as %3D"),
        ("postgresql://app@db/x?sslpassword=Xy7", "sslpassword", "client key without a passphrase"),
        ("host=db password=pass Xy7", "a word has no '=' after it", "password='a b'"),
        ("host=db password='Xy7", "a quoted value has no closing quote", "close it"),
        ("mysql://app:Xy7@db/x", "its scheme is 'mysql'", "postgresql://USER:PASSWORD@HOST:PORT/DBNAME"),
        ("", "it is empty", "postgresql://USER:PASSWORD@HOST:PORT/DBNAME"),
        ("host=a,b port=1,2,3 password=Xy7", "2 hosts but 3 ports", "one port for all hosts"),
    ],
    ids=lambda value: value if "://" in value or "=" in value or not value else None,
)
def test_refusals_say_what_is_wrong_and_how_to_fix_it_without_echoing_the_input(
    url: str, problem: str, fix: str
) -> None:
    with pytest.raises(MalformedUrlError) as info:
        DatabaseUrl.parse(url, "--database-url (or DATABASE_URL)")
    message = str(info.value)
    assert message.startswith("--database-url (or DATABASE_URL) is not usable: ")
    assert problem in message
    assert fix in message
    assert "\n" not in message
    assert "Xy7" not in message


def test_an_unknown_parameter_is_not_named_when_nothing_close_exists() -> None:
    """The unknown name may be the tail of a password split by a space: only a known keyword is suggested."""
    with pytest.raises(MalformedUrlError) as info:
        DatabaseUrl("host=db password=correct horse=battery")
    assert "horse" not in str(info.value)
    assert "did you mean" not in str(info.value)


@settings(max_examples=300, deadline=None)
@given(password=passwords, shape=st.sampled_from(SHAPES))
def test_a_password_is_understood_or_refused_never_misread_and_never_shown(password: str, shape: str) -> None:
    url = url_shapes(password, host="db.example")[shape]
    try:
        parsed = DatabaseUrl.parse(url, "--database-url")
    except MalformedUrlError as exc:
        # Only the careless spellings may be refused, and the refusal shows nothing of the input.
        assert shape.startswith("unencoded")
        assert PASSWORD_MARK not in str(exc)
        return
    assert parsed.password == password
    for shown in (str(parsed), repr(parsed), parsed.without_password()):
        assert PASSWORD_MARK not in shown
