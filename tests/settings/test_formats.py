"""Well-typed but wrong values: origins, GitHub and Supabase names, cron schedules, each as the service has it."""

from __future__ import annotations

import calendar
import json
import re
import string
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from settings.errors import StackConfigError
from settings.formats import github_cron
from settings.loader import load_stack_settings
from tests.settings.fixtures import NS, config, error_for
from tests.specs import spec_path

PROPERTY = settings(max_examples=150, deadline=None)

LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
HOST = st.builds(
    lambda labels, tld: ".".join([*labels, tld]),
    st.lists(LABEL, min_size=1, max_size=3),
    st.from_regex(r"[a-z]{2,6}", fullmatch=True),
)
PASSWORD = st.from_regex(r"[A-Za-z0-9]{8,16}", fullmatch=True).map(lambda s: "pw" + s)


@PROPERTY
@given(
    scheme=st.sampled_from(["https", "http", "wss", "ftp", "HTTPS", ""]),
    user=st.sampled_from(["", "user@", "PASSWORD"]),
    host=HOST,
    upper=st.booleans(),
    port=st.one_of(st.none(), st.integers(0, 70000), st.just(443)),
    path=st.sampled_from(["", "/", "/app", "/app/"]),
    query=st.sampled_from(["", "?", "?next=/"]),
    fragment=st.sampled_from(["", "#", "#top"]),
    password=PASSWORD,
)
def test_frontend_url_is_an_origin_property(
    scheme: str,
    user: str,
    host: str,
    upper: bool,
    port: int | None,
    path: str,
    query: str,
    fragment: str,
    password: str,
) -> None:
    userinfo = f"deploy:{password}@" if user == "PASSWORD" else user
    shown_host = host.upper() if upper else host
    url = f"{scheme}://{userinfo}{shown_host}{'' if port is None else f':{port}'}{path}{query}{fragment}"
    origin = (
        scheme == "https"
        and not userinfo
        and not (upper and host != host.upper())
        and (port is None or (1 <= port <= 65535 and port != 443))
        and not (path or query or fragment)
    )
    try:
        loaded = load_stack_settings("dev", config("dev", frontendUrl=url), {})
    except StackConfigError as error:
        assert not origin, str(error)
        assert error.keys == {f"{NS}:frontendUrl"}
        assert password not in str(error)
        (problem,) = error.problems
        # What a valid value looks like, or (a password in it) how to keep the credential out of the file.
        assert "https://" in problem.message or "pulumi config set --secret" in problem.message
    else:
        assert origin, url
        assert loaded.frontend_url == url


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("https://app.example.com/", "a path (the trailing `/`)"),
        ("https://app.example.com/login", "a path"),
        ("https://app.example.com?x=1", "a query"),
        ("https://app.example.com:443", "write it without `:443`"),
        ("https://app.example.com:", "a port that is not a number from 1 to 65535"),
        ("https://app.example.com\n", "printable ASCII without spaces"),
        ("http://app.example.com", "must start with https://, not http://"),
        ("HTTPS://app.example.com", "must start with https://, not HTTPS://"),
        ("app.example.com", "must start with https://, not no scheme"),
    ],
)
def test_frontend_url_refusals_say_what_an_origin_is(url: str, says: str) -> None:
    text = str(error_for("staging", frontendUrl=url))
    assert says in text and "e.g. `https://app.example.com`" in text


def is_github_login(name: str) -> bool:
    parts = name.split("-")
    return 1 <= len(name) <= 39 and all(p and p.isascii() and p.isalnum() for p in parts)


def is_github_repository(name: str) -> bool:
    allowed = set(string.ascii_letters + string.digits + "._-")
    return 1 <= len(name) <= 100 and set(name) <= allowed and name not in (".", "..")


def is_team_slug(name: str) -> bool:
    allowed = set(string.ascii_lowercase + string.digits + "_")
    parts = name.split("-")
    return 1 <= len(name) <= 100 and all(p and set(p) <= allowed for p in parts)


NAME_TEXT = st.text(alphabet=string.ascii_letters + string.digits + "-_.é /\n", max_size=110) | st.from_regex(
    r"[a-z0-9]{1,12}\n", fullmatch=True
)


@PROPERTY
@given(name=st.one_of(NAME_TEXT, st.from_regex(r"[A-Za-z0-9]{1,20}(-[A-Za-z0-9]{1,20}){0,3}", fullmatch=True)))
def test_reviewer_users_are_github_logins_property(name: str) -> None:
    github = {"repository": "app", "reviewerUsers": [name]}
    check(
        lambda: load_stack_settings("prod", config("prod", github=github), {}),
        is_github_login(name),
        "github.reviewerUsers[0]",
    )


@PROPERTY
@given(name=st.one_of(NAME_TEXT, st.from_regex(r"[A-Za-z0-9]{1,20}(-[A-Za-z0-9]{1,20}){0,3}", fullmatch=True)))
def test_github_owner_is_a_github_login_property(name: str) -> None:
    values = {**config("staging"), "github:owner": name}
    try:
        load_stack_settings("staging", values, {})
    except StackConfigError as error:
        assert not is_github_login(name), str(error)
        assert error.keys == {"github:owner"}
    else:
        assert is_github_login(name)


@PROPERTY
@given(name=st.one_of(NAME_TEXT, st.sampled_from([".", "..", "...", ".github", "a" * 100, "a" * 101])))
def test_repository_is_a_github_repository_name_property(name: str) -> None:
    github = {"repository": name, "reviewerUsers": ["release-lead"]}
    check(
        lambda: load_stack_settings("prod", config("prod", github=github), {}),
        is_github_repository(name),
        "github.repository",
    )


@PROPERTY
@given(name=st.one_of(NAME_TEXT, st.from_regex(r"[a-z0-9_]{1,10}(-[a-z0-9_]{1,10}){0,3}", fullmatch=True)))
def test_reviewer_teams_are_team_slugs_property(name: str) -> None:
    github = {"repository": "app", "reviewerTeams": [name]}
    check(
        lambda: load_stack_settings("prod", config("prod", github=github), {}),
        is_team_slug(name),
        "github.reviewerTeams[0]",
    )


def supabase_slug_pattern() -> str:
    spec = json.loads(spec_path("supabase-management-api.openapi.json").read_text())
    schema = spec["components"]["schemas"]["V1CreateProjectBody"]["properties"]["organization_slug"]
    return str(schema["pattern"])


@PROPERTY
@given(name=st.one_of(st.text(max_size=30), NAME_TEXT, st.from_regex(r"[\w-]+", fullmatch=True)))
def test_database_organization_follows_the_management_apis_slug_pattern_property(name: str) -> None:
    # The spec's pattern is an ECMAScript regex, where \w means [A-Za-z0-9_]: Python's re.ASCII.
    expected = re.fullmatch(supabase_slug_pattern(), name, re.ASCII) is not None
    database = {"plan": "pro", "organization": name, "computeSize": "micro"}
    check(
        lambda: load_stack_settings("staging", config("staging", database=database), {}),
        expected,
        "database.organization",
    )


def check(load: Any, valid: bool, key: str) -> None:
    try:
        load()
    except StackConfigError as error:
        assert not valid, str(error)
        assert error.keys == {f"{NS}:{key}"}, str(error)
    else:
        assert valid


@PROPERTY
@given(step=st.integers(1, 59))
def test_a_minute_step_must_leave_five_minutes_between_runs_property(step: int) -> None:
    # */step fires at 0, step, 2*step, ... then again at the next hour's 0.
    shortest = min(step, 60 - (59 // step) * step)
    expression = f"*/{step} * * * *"
    check(
        lambda: load_stack_settings("staging", config("staging", **{"backups.eventCron": expression}), {}),
        shortest >= 5,
        "backups.eventCron",
    )


@PROPERTY
@given(minute=st.integers(0, 59), hour=st.integers(0, 23), day=st.integers(1, 31), month=st.integers(1, 12))
def test_a_schedule_must_name_a_day_the_calendar_has_property(minute: int, hour: int, day: int, month: int) -> None:
    fires = day <= max(calendar.monthrange(year, month)[1] for year in (2027, 2028))
    expression = f"{minute} {hour} {day} {month} *"
    check(
        lambda: load_stack_settings("staging", config("staging", **{"backups.weeklyCron": expression}), {}),
        fires,
        "backups.weeklyCron",
    )


@PROPERTY
@given(
    fields=st.lists(st.integers(0, 100).map(str) | st.sampled_from(["*", "*/15", "1-3", "1,2"]), min_size=5, max_size=5)
)
def test_numbers_outside_a_fields_range_are_refused_property(fields: list[str]) -> None:
    bounds = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]
    in_range = all(not f.isdigit() or lo <= int(f) <= hi for f, (lo, hi) in zip(fields, bounds, strict=True))
    expression = " ".join(fields)
    try:
        github_cron(expression)
    except ValueError as error:
        assert expression in str(error)
        if not in_range:
            return
        assert "every" in str(error) or "never fires" in str(error)
    else:
        assert in_range


@pytest.mark.parametrize(
    ("expression", "says"),
    [
        ("weekly", "has 1 fields; a GitHub Actions cron has five"),
        ("@weekly", "has 1 fields"),
        ("0 0 3 * * 0", "has 6 fields"),
        ("0 3 L * *", "syntax GitHub Actions does not accept"),
        ("0 3 * * 1#2", "syntax GitHub Actions does not accept"),
        ("0 3 ? * 0", "syntax GitHub Actions does not accept"),
        ("H 3 * * 0", "syntax GitHub Actions does not accept"),
        ("0 3 * MON *", "the month field 'MON'"),
        ("0 25 * * 0", "is not a valid cron expression"),
        ("0 3 30 2 *", "never fires"),
        ("* * * * *", "at most every 5 minutes"),
        ("58,2 * * * *", "fires every 0:04:00"),
    ],
)
def test_cron_refusals(expression: str, says: str) -> None:
    text = str(error_for("prod", **{"backups.weeklyCron": expression}))
    assert f"{NS}:backups.weeklyCron" in text and says in text


@pytest.mark.parametrize(
    "expression",
    [
        "0 3 * * 0",
        "0 3 * * SUN",
        "*/5 * * * *",
        "0 0 29 2 *",
        "0 9-17/2 * JAN-MAR MON-FRI",
        "0,30 * * * *",
        "59 * * * *",
    ],
)
def test_cron_that_github_runs(expression: str) -> None:
    assert github_cron(expression) == expression


@PROPERTY
@given(text=st.text(max_size=40))
def test_any_text_as_a_cron_is_accepted_or_refused_by_key_property(text: str) -> None:
    try:
        load_stack_settings("staging", config("staging", **{"backups.weeklyCron": text}), {})
    except StackConfigError as error:
        assert error.keys == {f"{NS}:backups.weeklyCron"}
