"""Reading `Pulumi.<stack>.yaml`: what Pulumi refuses is refused, with the file and line, quoting no secret."""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from settings.errors import StackConfigError
from settings.loader import load_stack_settings
from settings.stackfile import parse_stack_file, read_stack_file
from tests.settings.fixtures import NS, SECRETS, config

FILE_SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def write(tmp_path: Path, text: str, stack: str = "qa") -> Path:
    path = tmp_path / f"Pulumi.{stack}.yaml"
    path.write_text(text)
    return path


def refusal(path: Path) -> StackConfigError:
    with pytest.raises(StackConfigError) as caught:
        parse_stack_file(path)
    error = caught.value
    assert str(error).startswith(f"invalid configuration for stack {error.stack!r} ({path.name}):")
    return error


def test_a_repeated_key_is_refused_as_pulumi_refuses_it(tmp_path: Path) -> None:
    path = write(tmp_path, f"config:\n  {NS}:eventMode: false\n  github:owner: me\n  {NS}:eventMode: true\n")
    error = refusal(path)
    (problem,) = error.problems
    assert (problem.origin, problem.line) == ("Pulumi.qa.yaml", 4)
    assert f'mapping key "{NS}:eventMode" already defined at line 2' in str(error)


def test_a_repeated_nested_key_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, f"config:\n  {NS}:backend:\n    minReplicas: 1\n    maxReplicas: 2\n    minReplicas: 3\n")
    assert 'Pulumi.qa.yaml:5: not valid YAML: mapping key "minReplicas" already defined at line 3' in str(refusal(path))


def test_timestamps_stay_text_as_pulumi_passes_them(tmp_path: Path) -> None:
    text = "config:\n  a:day: 2026-01-31\n  a:time: 2026-01-31T10:00:00Z\n  a:branch: release-2026-01-31\n"
    assert read_stack_file(write(tmp_path, text)) == {
        "a:day": "2026-01-31",
        "a:time": "2026-01-31T10:00:00Z",
        "a:branch": "release-2026-01-31",
    }


@FILE_SETTINGS
@given(
    word=st.sampled_from(["yes", "no", "on", "off", "y", "n", "Yes", "NO", "On", "OFF"]),
    hours=st.integers(1, 99),
    minutes=st.integers(0, 59),
)
def test_yaml_1_1_booleans_and_base_60_numbers_stay_text_as_in_yaml_1_2(
    tmp_path: Path, word: str, hours: int, minutes: int
) -> None:
    clock = f"{hours}:{minutes:02d}"
    text = f"config:\n  a:flag: {word}\n  a:clock: {clock}\n  a:list: [{word}, {clock}, true, False, 12, 1.5]\n"
    assert read_stack_file(write(tmp_path, text)) == {
        "a:flag": word,
        "a:clock": clock,
        "a:list": [word, clock, True, False, 12, 1.5],
    }


def test_merge_keys_may_override_what_they_merge(tmp_path: Path) -> None:
    text = "base: &b {a: 1, b: 2}\nconfig:\n  x:y:\n    <<: *b\n    a: 3\n"
    assert parse_stack_file(write(tmp_path, text)).config == {"x:y": {"a": 3, "b": 2}}


KEY_TEXT = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC0123456789-_:.", min_size=1, max_size=12)
SCALAR = st.one_of(st.integers(-(10**6), 10**6), st.booleans(), st.text(alphabet="abc xyz019", max_size=8))


def spellings(key: str) -> st.SearchStrategy[str]:
    """The ways YAML writes the same string key: double-quoted, single-quoted, plain where it stays a string."""
    forms = [json.dumps(key), "'" + key.replace("'", "''") + "'"]
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*(:[A-Za-z0-9_-]+)?", key) and yaml.safe_load(f"{key}: 1") == {key: 1}:
        forms.append(key)
    return st.sampled_from(forms)


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    """A stack file whose config (two levels) may repeat keys; with every (first line, repeat line) pair."""
    lines = ["config:"]
    repeats: list[tuple[int, int]] = []

    def mapping(indent: str, depth: int) -> None:
        seen: dict[str, int] = {}
        # Few distinct keys, so that repeats are common; the third spelling of one key is also a repeat.
        for key in draw(
            st.lists(st.one_of(st.sampled_from(["a", "x:y", "eventMode"]), KEY_TEXT), min_size=1, max_size=5)
        ):
            lines.append(f"{indent}{draw(spellings(key))}:")
            number = len(lines)
            if key in seen:
                repeats.append((seen[key], number))
            seen.setdefault(key, number)
            if depth < 2 and draw(st.booleans()):
                mapping(indent + "  ", depth + 1)
            else:
                lines[-1] += " " + json.dumps(draw(SCALAR))

    mapping("  ", 1)
    return "\n".join(lines) + "\n", repeats


@FILE_SETTINGS
@given(document=documents())
def test_repeated_keys_property(tmp_path: Path, document: tuple[str, list[tuple[int, int]]]) -> None:
    text, repeats = document
    path = write(tmp_path, text)
    if not repeats:
        assert read_stack_file(path) == {str(k): v for k, v in yaml.safe_load(text)["config"].items()}
        return
    event("repeated")
    (problem,) = refusal(path).problems
    found = re.fullmatch(r'not valid YAML: mapping key ".*" already defined at line (\d+)', problem.message)
    assert found, problem.message
    assert (int(found.group(1)), problem.line) in repeats


@FILE_SETTINGS
@given(year=st.integers(1970, 2200), month=st.integers(1, 12), day=st.integers(1, 31))
def test_a_date_the_calendar_lacks_is_refused_by_key_and_line(tmp_path: Path, year: int, month: int, day: int) -> None:
    anchor = f"{year:04d}-{month:02d}-{day:02d}"
    text = f"config:\n  {NS}:secretRotation:\n    rotationDays: 30\n    anchor: {anchor}\n"
    stack_file = parse_stack_file(write(tmp_path, text, "dev"))
    # Kept as text, as Go's yaml.v3 keeps it, so the settings name the key rather than the parser failing.
    assert stack_file.config[f"{NS}:secretRotation"]["anchor"] == anchor
    values = {**config("dev"), f"{NS}:secretRotation": stack_file.config[f"{NS}:secretRotation"]}
    if day <= calendar.monthrange(year, month)[1]:
        loaded = load_stack_settings("dev", values, {}, lines=stack_file.lines)
        assert loaded.secret_rotation.anchor == dt.date(year, month, day)
        return
    with pytest.raises(StackConfigError) as caught:
        load_stack_settings("dev", values, {}, lines=stack_file.lines)
    (problem,) = caught.value.problems
    assert (problem.key, problem.origin, problem.line) == (f"{NS}:secretRotation.anchor", "Pulumi.dev.yaml", 4)
    assert "date" in problem.message


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        (f"config:\n  {NS}:backend: [1,\n", 3, "expected the node content"),
        (f"config:\n\t{NS}:eventMode: true\n", 2, "cannot start any token"),
        (f"config:\n  {NS}:eventMode: 'open\n", 3, "found unexpected end of stream"),
        (f"config:\n  {NS}:eventMode: !custom yes\n", 2, "could not determine a constructor for the tag '!custom'"),
        (f"config:\n  {NS}:redis:\n    memoryMb: !!int lots\n", 3, "not a valid tag:yaml.org,2002:int"),
        (f"config:\n  {NS}:budget: {{monthlyUsd: !!float much}}\n", 2, "not a valid tag:yaml.org,2002:float"),
        (f"config:\n  {NS}:eventMode: *nowhere\n", 2, "found undefined alias 'nowhere'"),
        ("config: {}\n---\nconfig: {}\n", 2, "expected a single document in the stream"),
        (f"config:\n  ? [{NS}:a]\n  : 1\n", 2, "found unhashable key"),
    ],
)
def test_yaml_the_loader_rejects_is_refused_with_its_line(tmp_path: Path, text: str, line: int, says: str) -> None:
    (problem,) = refusal(write(tmp_path, text)).problems
    assert (problem.key, problem.line) == (None, line)
    assert problem.message.startswith("not valid YAML: ") and says in problem.message


@FILE_SETTINGS
@given(
    document=st.recursive(
        st.one_of(st.integers(), st.booleans(), st.text(max_size=10), st.floats(allow_nan=False)),
        lambda inner: st.lists(inner, max_size=3),
        max_leaves=6,
    )
)
def test_a_top_level_that_is_not_a_mapping_is_refused(tmp_path: Path, document: Any) -> None:
    assume(document not in ("", None))
    text = yaml.safe_dump(document)
    assume(yaml.safe_load(text) is not None)
    (problem,) = refusal(write(tmp_path, text)).problems
    assert problem.message.startswith("the top level must be a mapping (config: ...), not a ")
    assert problem.line == 1


@pytest.mark.parametrize("config_value", ["[a, b]", "just text", "42", "true"])
def test_a_config_that_is_not_a_mapping_is_refused(tmp_path: Path, config_value: str) -> None:
    (problem,) = refusal(write(tmp_path, f"secretsprovider: passphrase\nconfig: {config_value}\n")).problems
    assert problem.line == 2 and problem.message.startswith("config must be a mapping of `namespace:key`")


def test_config_keys_must_be_text(tmp_path: Path) -> None:
    (problem,) = refusal(write(tmp_path, "config:\n  github:owner: me\n  12: twelve\n")).problems
    assert (problem.line, problem.message) == (3, "a config key must be text (`namespace:key`)")


def test_an_empty_file_or_config_is_no_config(tmp_path: Path) -> None:
    for text in ("", "# nothing yet\n", "config:\n", "secretsprovider: passphrase\n"):
        assert parse_stack_file(write(tmp_path, text)).config == {}


def test_a_declared_secret_in_plaintext_is_refused_without_its_value(tmp_path: Path) -> None:
    value = SECRETS[f"{NS}:sendgridApiKey"]
    text = f"config:\n  {NS}:sentryDsn:\n    secure: v1:AAAA\n  {NS}:sendgridApiKey: {value}\n"
    error = refusal(write(tmp_path, text, "staging"))
    (problem,) = error.problems
    assert (problem.key, problem.line) == (f"{NS}:sendgridApiKey", 4)
    assert f"`pulumi config set --secret {NS}:sendgridApiKey <value> -s staging`" in problem.message
    assert value not in str(error)


def test_lines_locate_nested_keys_and_list_items(tmp_path: Path) -> None:
    text = f"config:\n  {NS}:database:\n    plan: pro\n    allowedCidrs:\n      - 10.0.0.0/8\n      - 10.1.0.0/16\n"
    lines = parse_stack_file(write(tmp_path, text)).lines
    assert lines[f"{NS}:database"] == 2
    assert lines[f"{NS}:database.plan"] == 3
    assert lines[f"{NS}:database.allowedCidrs[1]"] == 6


TOKEN = "ghp_" + "Z9" * 18


@FILE_SETTINGS
@given(
    noise=st.lists(
        st.sampled_from(
            [
                "[",
                "]",
                "{",
                "}",
                ":",
                "- ",
                "\t",
                "'",
                '"',
                "&a ",
                "*a ",
                "!x ",
                "? ",
                "\n  ",
                "\n",
                "#",
                "\x00",
                "\x1b",
            ]
        ),
        max_size=6,
    ),
    at=st.integers(0, 200),
)
def test_whatever_the_text_it_is_read_or_refused_and_no_value_is_quoted(
    tmp_path: Path, noise: list[str], at: int
) -> None:
    valid = f"config:\n  {NS}:github:\n    repository: app\n  other:token: {TOKEN}\n  {NS}:eventMode: true\n"
    cut = at % (len(valid) + 1)
    text = valid[:cut] + "".join(noise) + valid[cut:]
    try:
        parse_stack_file(write(tmp_path, text))
    except StackConfigError as error:
        assert TOKEN not in str(error)
        assert all(p.origin == "Pulumi.qa.yaml" for p in error.problems)


def test_a_file_that_is_not_utf8_text_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.qa.yaml"
    path.write_bytes(b"config:\n  a:b: caf\xe9\n")
    (problem,) = refusal(path).problems
    assert (problem.line, problem.message) == (2, "not UTF-8 text (byte 19 of the file)")


def test_a_control_character_is_refused_with_its_line(tmp_path: Path) -> None:
    (problem,) = refusal(write(tmp_path, "config:\n  a:b: x\n  a:c: y\x07z\n")).problems
    assert (problem.line, problem.message) == (3, "not valid YAML: character U+0007 is not allowed in YAML")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.binary(max_size=120) | st.text(max_size=120).map(str.encode), prefix=st.sampled_from([b"", b"config:\n  "])
)
def test_any_bytes_are_read_or_refused_by_line_property(tmp_path: Path, data: bytes, prefix: bytes) -> None:
    path = tmp_path / "Pulumi.qa.yaml"
    path.write_bytes(prefix + data)
    try:
        parse_stack_file(path)
    except StackConfigError as error:
        assert all(p.origin == "Pulumi.qa.yaml" and (p.line or 0) >= 1 for p in error.problems), str(error)
