"""redis-server's start command: what the renderer writes, the parser reads back the way it will run:
Railway execs it (a `sh -c` wrapper looked through), the image's entrypoint prepends redis-server to
bare flags, and redis-server applies its flags in order (its own size units, the last `--appendonly`,
`--save` lines clearing or adding points, `--dir` as successive chdirs)."""

from __future__ import annotations

import posixpath
import shlex
from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.redis_cache.start_command import (
    DATA_DIR,
    ENTRYPOINT,
    RDB_SAVE_POINTS,
    RedisServerFlags,
    executed_words,
    parse,
    render,
    server_command,
)


@pytest.mark.parametrize(
    ("command", "gb"),
    [
        ("sh -c 'exec redis-server --maxmemory 256mb --appendonly yes'", Decimal("0.25")),
        ("redis-server --maxmemory 1gb", Decimal(1)),
        ("redis-server --maxmemory 536870912", Decimal("0.5")),
        ("redis-server --maxmemory 1g", Decimal(1000**3) / Decimal(1024**3)),
        ("redis-server --appendonly yes", None),
    ],
)
def test_redis_maxmemory_in_redis_units(command: str, gb: Decimal | None) -> None:
    parsed = parse(command)
    assert parsed is not None
    assert parsed.maxmemory_gb == gb


@pytest.mark.parametrize(
    "command",
    [None, 42, "", "node server.js", "sh -c 'redis-server --appendonly yes; rm -rf /data'", "sh -c 'a && b'"],
)
def test_a_command_that_does_not_visibly_start_redis_server_says_nothing(command: object) -> None:
    assert parse(command) is None


@pytest.mark.parametrize("append_only", [True, False])
@pytest.mark.parametrize("rdb_snapshots", [True, False])
def test_the_parser_reads_back_what_the_renderer_writes(append_only: bool, rdb_snapshots: bool) -> None:
    flags = RedisServerFlags(
        memory_mb=512, eviction_policy="allkeys-lru", rdb_snapshots=rdb_snapshots, append_only=append_only
    )
    parsed = parse(render(flags))
    assert parsed is not None
    assert (parsed.append_only, parsed.rdb_on) == (append_only, rdb_snapshots)
    assert parsed.maxmemory_gb == Decimal("0.5")
    assert parsed.data_dir == DATA_DIR
    assert parsed.through_entrypoint
    assert (parsed.invalid, parsed.config_file) == ((), None)


def test_the_rendered_command_runs_redis_server_through_the_images_entrypoint() -> None:
    """Railway's start command replaces the ENTRYPOINT; the entrypoint is what drops root."""
    words = executed_words(render(RedisServerFlags(256, "allkeys-lru", True, True)))
    assert words is not None
    assert words[:2] == [ENTRYPOINT, "redis-server"]


@pytest.mark.parametrize(
    ("command", "through", "server"),
    [
        ("sh -c 'exec redis-server --port 1'", False, True),
        ("redis-server", False, True),
        ("/usr/local/bin/docker-entrypoint.sh redis-server", True, True),
        ("docker-entrypoint.sh --appendonly yes", True, True),  # the entrypoint prepends redis-server
        ("docker-entrypoint.sh redis.conf", True, True),
        ("docker-entrypoint.sh sh -c 'redis-server'", True, False),
        ("bash -c 'docker-entrypoint.sh redis-server'", True, True),
    ],
)
def test_which_program_a_start_command_runs(command: str, through: bool, server: bool) -> None:
    found = server_command(command)
    assert found is not None
    assert (found.through_entrypoint, found.arguments is not None) == (through, server)


def test_a_config_file_is_named_not_guessed() -> None:
    parsed = parse("redis-server /etc/redis/redis.conf --appendonly yes")
    assert parsed is not None
    assert parsed.config_file == "/etc/redis/redis.conf"


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        ("redis-server --appendonly maybe", "--appendonly maybe: must be yes or no"),
        ("redis-server --save 3600", "--save 3600: must be pairs"),
        ("redis-server --save 'x 1'", "--save x 1: must be pairs"),
    ],
)
def test_what_redis_server_would_refuse_is_reported(command: str, problem: str) -> None:
    parsed = parse(command)
    assert parsed is not None
    assert any(problem in text for text in parsed.invalid), parsed.invalid


# --- generated commands, against a model of redis-server's own config loading --------------------------


@dataclass(frozen=True)
class Option:
    name: str
    values: tuple[str, ...]
    joined: bool  # written as one argument, "--name value"


@dataclass
class Expected:
    append_only: bool = False
    points: tuple[str, ...] = (RDB_SAVE_POINTS,)
    save_seen: bool = False
    directory: str = DATA_DIR

    def apply(self, option: Option) -> None:
        name = option.name.lower()
        if name == "appendonly":
            self.append_only = option.values[0].lower() == "yes"
        elif name == "save":
            if option.values in ((), ("",)):
                self.points = ()
            else:
                added = (" ".join(option.values),)
                self.points = (self.points if self.save_seen else ()) + added
            self.save_seen = True
        elif name == "dir":
            self.directory = posixpath.normpath(posixpath.join(self.directory, option.values[0]))


def _case(word: str) -> st.SearchStrategy[str]:
    return st.sampled_from([word, word.upper(), word.capitalize()])


_points = st.lists(st.tuples(st.integers(1, 86_400), st.integers(0, 100_000)), min_size=1, max_size=3).map(
    lambda pairs: tuple(str(n) for pair in pairs for n in pair)
)
_directory = st.lists(st.sampled_from(["data", "var", "lib", "redis", "..", "."]), min_size=1, max_size=3)
_options = st.one_of(
    st.builds(
        lambda name, value, joined: Option(name, (value,), joined),
        _case("appendonly"),
        st.sampled_from(["yes", "no", "YES", "No"]),
        st.booleans(),
    ),
    st.builds(lambda name, points: Option(name, points, False), _case("save"), _points),
    st.builds(lambda name, points: Option(name, (" ".join(points),), False), _case("save"), _points),
    st.builds(lambda name: Option(name, ("",), False), _case("save")),
    st.builds(
        lambda parts, absolute: Option("dir", (("/" if absolute else "") + "/".join(parts),), False),
        _directory,
        st.booleans(),
    ),
    st.builds(lambda mb: Option("maxmemory", (f"{mb}mb",), True), st.integers(1, 4096)),
    st.builds(lambda port: Option("port", (str(port),), False), st.integers(1, 65535)),
    st.just(Option("requirepass", ('"$REDIS_PASSWORD"',), False)),
)


def _arguments(options: list[Option], bare_save_last: bool) -> list[str]:
    words: list[str] = []
    for option in options:
        if option.joined:
            words.append(f"--{option.name} {' '.join(option.values)}")
        else:
            words += [f"--{option.name}", *option.values]
    if bare_save_last:
        words.append("--save")  # a `--save` without a value: redis-server reads `save ""`
    return words


def _quoted(words: list[str]) -> str:
    return " ".join(word if word == '"$REDIS_PASSWORD"' else shlex.quote(word) for word in words)


@given(
    options=st.lists(_options, max_size=8),
    bare_save_last=st.booleans(),
    launcher=st.sampled_from(["redis-server", f"{ENTRYPOINT} redis-server", ENTRYPOINT]),
    wrapper=st.sampled_from(["{line}", "sh -c {quoted}", "sh -c {exec}", "/bin/bash -c {exec}"]),
)
def test_generated_commands_are_read_as_redis_server_applies_them(
    options: list[Option], bare_save_last: bool, launcher: str, wrapper: str
) -> None:
    arguments = _arguments(options, bare_save_last)
    if launcher == ENTRYPOINT and not arguments:
        arguments = ["--appendonly", "no"]
        options = [Option("appendonly", ("no",), False)]
    line = f"{launcher} {_quoted(arguments)}".strip()
    command = wrapper.format(line=line, quoted=shlex.quote(line), exec=shlex.quote(f"exec {line}"))
    expected = Expected()
    for option in options:
        expected.apply(option)
    if bare_save_last:
        expected.apply(Option("save", (), False))
    parsed = parse(command)
    assert parsed is not None
    assert parsed.invalid == ()
    assert parsed.append_only == expected.append_only
    assert parsed.rdb_on == bool(expected.points)
    assert parsed.data_dir == expected.directory
    assert parsed.through_entrypoint == launcher.startswith(ENTRYPOINT)
