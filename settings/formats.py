"""Names, origins and schedules as the real services accept them, so a typo fails here and not in an API call.

Each validator raises `ValueError` with what is wrong and what a valid value looks like.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import itertools
import re
from urllib.parse import urlsplit

from croniter import CroniterBadDateError, CroniterError, croniter
from pydantic import JsonValue

# GitHub: "letters, numbers, and - (hyphen); cannot begin or end with -"; no repeated hyphen; 39 at most.
GITHUB_LOGIN = re.compile(r"^(?=.{1,39}$)[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$")
# GitHub repository names: ASCII letters, digits, `.`, `_`, `-`; 100 at most; `.` and `..` are reserved.
GITHUB_REPOSITORY = re.compile(r"^(?!\.\.?$)[A-Za-z0-9._-]{1,100}$")
# A team's slug is its name slugified: lower case, digits, `_`, single hyphens between them.
GITHUB_TEAM_SLUG = re.compile(r"^(?=.{1,100}$)[a-z0-9_]+(?:-[a-z0-9_]+)*$")
# The Management API's `organization_slug` pattern is `^[\w-]+$`; OpenAPI patterns are ECMAScript regexes,
# whose `\w` is ASCII only (Python's is Unicode).
SUPABASE_ORGANIZATION_SLUG = re.compile(r"^[A-Za-z0-9_-]+$")
# Validators use fullmatch: `$` alone also matches before a final newline.
DEFAULT_PORTS = {"https": 443, "http": 80, "wss": 443, "ws": 80}
_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# GitHub Actions schedules take POSIX cron: five fields of numbers, `*`, `,`, `-`, `/`, and month and day
# names; not croniter's extensions (`L`, `W`, `#`, `?`, `H`, seconds, years, `@weekly`).
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*,/-]+$")
_CRON_NAMES = {
    3: {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"},
    4: {"sun", "mon", "tue", "wed", "thu", "fri", "sat"},
}
_CRON_FIELDS = ("minute", "hour", "day of month", "month", "day of week")
# GitHub runs scheduled workflows at most every 5 minutes.
GITHUB_MIN_CRON_INTERVAL = dt.timedelta(minutes=5)
# Enough consecutive runs to see the shortest gap of any schedule that repeats within a day or a year.
_FIRES_CHECKED = 64


def json_pattern(pattern: re.Pattern[str]) -> dict[str, JsonValue]:
    """The pattern for the stack files' JSON schema (editors), where the validator's message is not shown."""
    return {"pattern": pattern.pattern}


def github_login(value: str) -> str:
    if not GITHUB_LOGIN.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a GitHub login: 1-39 letters, digits or single hyphens, not starting or ending "
            "with a hyphen"
        )
    return value


def github_repository(value: str) -> str:
    if not GITHUB_REPOSITORY.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a GitHub repository name: 1-100 of A-Z a-z 0-9 . _ - (not `.` or `..`), "
            "without the owner (that is `github:owner`)"
        )
    return value


def github_team_slug(value: str) -> str:
    if not GITHUB_TEAM_SLUG.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a GitHub team slug: lower-case letters, digits, `_` and single hyphens, as in "
            "the team's URL (`/orgs/<owner>/teams/<slug>`)"
        )
    return value


def supabase_organization_slug(value: str) -> str:
    if not SUPABASE_ORGANIZATION_SLUG.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a Supabase organization slug: A-Z a-z 0-9 _ - only, as in the dashboard's "
            "URL (`/dashboard/org/<slug>`)"
        )
    return value


def hostname(value: str) -> str:
    if not _HOSTNAME.fullmatch(value):
        raise ValueError(f"{value!r} is not a lower-case DNS hostname (no scheme, no path)")
    return value


def origin(value: str, scheme: str = "https") -> str:
    """A browser origin (what CORS compares): `scheme://host[:port]`, nothing else."""
    example = f"e.g. `{scheme}://app.example.com` or `{scheme}://app.example.com:8443`"
    if not value.isascii() or any(c.isspace() or not c.isprintable() for c in value):
        # urlsplit silently drops tabs and newlines; a header value cannot hold them.
        raise ValueError(f"an origin is printable ASCII without spaces (hosts in punycode); {example}")
    if "@" in value:
        # Not echoed: user info is where a password would be.
        raise ValueError(f"an origin has no user info (`user:password@`) and no `@`; {example}")
    parts = urlsplit(value)
    if not value.startswith(f"{scheme}://"):
        # urlsplit lower-cases the scheme; a browser's Origin header has it in lower case.
        got = f"{value.split('://')[0]}://" if parts.scheme else "no scheme"
        raise ValueError(f"{value!r} must start with {scheme}://, not {got}; {example}")
    extra = [
        name
        for name, present in (
            ("a path" + (" (the trailing `/`)" if parts.path == "/" else ""), bool(parts.path)),
            ("a query", bool(parts.query) or value.endswith("?")),
            ("a fragment", bool(parts.fragment) or value.endswith("#")),
        )
        if present
    ]
    if extra:
        raise ValueError(
            f"{value!r} is not an origin: it has {' and '.join(extra)}; an origin is only a scheme, a host and "
            f"an optional port, {example}"
        )
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0 or parts.netloc.endswith(":"):
        raise ValueError(f"{value!r} has a port that is not a number from 1 to 65535; {example}")
    if port == DEFAULT_PORTS.get(scheme):
        # Browsers send the origin without its default port, so a CORS check comparing strings never matches.
        raise ValueError(f"{value!r} names {scheme}'s default port; write it without `:{port}`, {example}")
    host = parts.hostname or ""
    if not (_HOSTNAME.fullmatch(host) or _is_ip(host)) or parts.netloc != parts.netloc.lower():
        raise ValueError(f"{value!r} does not name a lower-case DNS host or an IP address; {example}")
    return value


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def github_cron(value: str) -> str:
    """A schedule GitHub Actions accepts and that fires: five POSIX cron fields, at most every 5 minutes."""
    fields = value.split()
    if len(fields) != len(_CRON_FIELDS):
        raise ValueError(
            f"{value!r} has {len(fields)} fields; a GitHub Actions cron has five (minute hour day-of-month month "
            "day-of-week), e.g. `0 3 * * 0`"
        )
    for index, field in enumerate(fields):
        names = {n.lower() for n in re.findall(r"[A-Za-z]+", field)}
        if not _CRON_FIELD.fullmatch(field) or not names <= _CRON_NAMES.get(index, set()):
            raise ValueError(
                f"{value!r}: the {_CRON_FIELDS[index]} field {field!r} uses syntax GitHub Actions does not accept "
                "(only numbers, `*`, `,`, `-`, `/`, and month or weekday names)"
            )
    try:
        schedule = croniter(value, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        first = schedule.get_next(dt.datetime)
        minutes = schedule.expanded[0]
        if len(minutes) == 1 and minutes[0] != "*":
            # One minute of the hour: any two runs are at least an hour apart.
            return value
        fires = [first, *(schedule.get_next(dt.datetime) for _ in range(_FIRES_CHECKED - 1))]
    except CroniterBadDateError:
        raise ValueError(f"{value!r} never fires (no such date)") from None
    except CroniterError as error:
        raise ValueError(f"{value!r} is not a valid cron expression: {error}") from None
    shortest = min(later - earlier for earlier, later in itertools.pairwise(fires))
    if shortest < GITHUB_MIN_CRON_INTERVAL:
        raise ValueError(f"{value!r} fires every {shortest}; GitHub runs a schedule at most every 5 minutes")
    return value
