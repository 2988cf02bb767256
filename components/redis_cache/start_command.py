"""redis-server's start command: rendered for the Railway service, parsed back by the policies and the
cost model. Memory, eviction and persistence are redis-server flags, not Railway API fields, so this
command is where they live; the renderer and the parser sit together so they cannot drift apart.

The parser reads a command the way it will run: Railway execs the start command in place of the
image's ENTRYPOINT (no shell, so `$VARIABLE`s need `sh -c`), the official image's
`docker-entrypoint.sh` prepends `redis-server` to arguments that start with `-` and drops root only for
`redis-server`, and redis-server turns its `--name value…` arguments into config lines applied in order
(src/server.c main, src/config.c loadServerConfigFromString): the last `--appendonly` wins, `--save ""`
(or a `--save` without a value) clears the RDB points while a later `--save <points>` adds them back,
and each `--dir` is a chdir from the previous directory.
"""

from __future__ import annotations

import posixpath
import shlex
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

PORT = 6379
# The official image's WORKDIR: where redis-server starts, and what a relative `--dir` is relative to.
DATA_DIR = "/data"
# RDB points: after 1 h if 1 key changed, 5 min if 100, 1 min if 10,000 (Redis' own defaults).
RDB_SAVE_POINTS = "3600 1 300 100 60 10000"
# The password comes from the service's variables (expanded by the shell), so it never appears in the
# command, which Railway and the Pulumi state hold in plain text.
PASSWORD_VARIABLE = "REDIS_PASSWORD"  # noqa: S105 - a variable name
SERVER = "redis-server"
# The official image's ENTRYPOINT. The image has no USER: this script, when it runs as root with
# `redis-server` as its command, chowns the data directory and re-executes itself as the `redis` user.
ENTRYPOINT = "docker-entrypoint.sh"
# Shells a start command may wrap its command in (`sh -c '…'`) to expand variables.
SHELLS = frozenset({"sh", "bash", "ash", "dash"})


@dataclass(frozen=True)
class RedisServerFlags:
    memory_mb: int
    eviction_policy: str
    rdb_snapshots: bool
    append_only: bool


def render(flags: RedisServerFlags) -> str:
    arguments = [
        f"--port {PORT}",
        f'--requirepass "${PASSWORD_VARIABLE}"',
        f"--maxmemory {flags.memory_mb}mb",
        f"--maxmemory-policy {flags.eviction_policy}",
        f"--dir {DATA_DIR}",
        f'--save "{RDB_SAVE_POINTS if flags.rdb_snapshots else ""}"',
        f"--appendonly {'yes' if flags.append_only else 'no'}",
    ]
    # Through the image's entrypoint: Railway's start command replaces it, and it is what drops root.
    return f"sh -c {shlex.quote(f'exec {ENTRYPOINT} {SERVER} ' + ' '.join(arguments))}"


def executed_words(command: Any) -> list[str] | None:
    """The argv a Railway start command execs: its words, or those of the script of a `sh -c '[exec] …'`
    wrapper. None when it is not a single simple command (a pipeline, a list, command substitution,
    unbalanced quotes): what it runs cannot be read without running a shell."""
    if not isinstance(command, str):
        return None
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if len(words) >= 3 and posixpath.basename(words[0]) in SHELLS and words[1] == "-c":
        script = words[2]
        if "`" in script or "$(" in script:
            return None
        lexer = shlex.shlex(script, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        try:
            tokens = list(lexer)
        except ValueError:
            return None
        if any(token and set(token) <= set(lexer.punctuation_chars) for token in tokens):
            return None  # an operator: ; && || | & < > ( )
        words = shlex.split(script)
        if words[:1] == ["exec"]:
            words = words[1:]
    return words or None


@dataclass(frozen=True)
class ServerCommand:
    """Which program a start command runs, and redis-server's arguments when that is redis-server."""

    program: str
    through_entrypoint: bool  # via the image's entrypoint, which drops root for redis-server
    arguments: tuple[str, ...] | None  # redis-server's; None when the command does not start redis-server


def server_command(command: Any) -> ServerCommand | None:
    words = executed_words(command)
    if words is None:
        return None
    program = words[0]
    if posixpath.basename(program) == ENTRYPOINT:
        rest = words[1:]
        # docker-entrypoint.sh: "first arg is `-f` or `--some-option`, or `something.conf`".
        if rest and (rest[0].startswith("-") or rest[0].endswith(".conf")):
            rest = [SERVER, *rest]
        is_server = bool(rest) and posixpath.basename(rest[0]) == SERVER
        return ServerCommand(program, True, tuple(rest[1:]) if is_server else None)
    if posixpath.basename(program) == SERVER:
        return ServerCommand(program, False, tuple(words[1:]))
    return ServerCommand(program, False, None)


def config_lines(arguments: tuple[str, ...]) -> tuple[str | None, list[tuple[str, list[str]]]]:
    """redis-server's arguments as its config: (the config file it reads first, if any; the lines the
    `--name value…` arguments become, in order, names lower-case as redis matches them)."""
    config_file = None
    index = 0
    if arguments and not arguments[0].startswith("-"):
        config_file, index = arguments[0], 1
    lines: list[tuple[str, list[str]]] = []
    expecting_value = False  # the last `--name` has no value yet: the next argument is one, even `--x`
    for position in range(index, len(arguments)):
        argument = arguments[position]
        last = position == len(arguments) - 1
        if argument == "-" and (position == 0 or last):
            config_file = "-"  # the config from stdin
        elif not expecting_value and argument.startswith("--"):
            name, *values = argument[2:].split() or [""]
            lines.append((name.lower(), values))
            expecting_value = not values
            if expecting_value and name.lower() == "save" and (last or arguments[position + 1].startswith("--")):
                lines[-1][1].append("")  # `--save` then another option, or at the end: `save ""`
                expecting_value = False
        elif lines:
            lines[-1][1].append(argument)
            expecting_value = False
    return config_file, lines


# redis-server's own size units (redis.conf: 1k = 1000 bytes, 1kb = 1024 bytes).
_UNIT_BYTES = {"": 1, "b": 1, "k": 1000, "kb": 1024, "m": 1000**2, "mb": 1024**2, "g": 1000**3, "gb": 1024**3}
BYTES_PER_GB = Decimal(1024) ** 3


def _memory_gb(value: str) -> Decimal | None:
    digits = value.rstrip("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    unit = value[len(digits) :].lower()
    if not digits.isdigit() or unit not in _UNIT_BYTES:
        return None
    return Decimal(digits) * _UNIT_BYTES[unit] / BYTES_PER_GB


@dataclass(frozen=True)
class ParsedCommand:
    """What redis-server will do with a start command's arguments. `invalid` lists what it would refuse
    to start with; `config_file` is set when it reads settings this command does not show."""

    through_entrypoint: bool
    config_file: str | None
    append_only: bool
    rdb_on: bool
    data_dir: str
    maxmemory_gb: Decimal | None
    invalid: tuple[str, ...] = ()


def parse(command: Any) -> ParsedCommand | None:
    """Read a Railway service's start command as redis-server would; None when it does not run redis-server."""
    server = server_command(command)
    if server is None or server.arguments is None:
        return None
    config_file, lines = config_lines(server.arguments)
    append_only, rdb_points, data_dir = False, [RDB_SAVE_POINTS], DATA_DIR
    save_given, maxmemory_gb = False, None
    invalid: list[str] = []
    for name, values in lines:
        # A single value of a multi-word setting is split as redis does (`--save "3600 1 300 100"`).
        words = shlex.split(values[0]) if len(values) == 1 and values[0] else values
        if name == "appendonly":
            if len(values) != 1 or values[0].lower() not in ("yes", "no"):
                invalid.append(f"--appendonly {' '.join(values)}: must be yes or no")
            else:
                append_only = values[0].lower() == "yes"
        elif name == "save":
            if values == [""]:
                rdb_points, save_given = [], True
            elif len(words) % 2 or not all(word.isdigit() for word in words):
                invalid.append(f"--save {' '.join(values)}: must be pairs of <seconds> <changes>")
            else:
                # The first `save` line replaces Redis' default points, later ones add to them.
                rdb_points = [*(rdb_points if save_given else []), *([" ".join(words)] if words else [])]
                save_given = True
        elif name == "dir":
            if len(values) != 1 or not values[0]:
                invalid.append("--dir needs exactly one directory")
            else:
                data_dir = posixpath.normpath(posixpath.join(data_dir, values[0]))
        elif name == "maxmemory" and len(values) == 1:
            maxmemory_gb = _memory_gb(values[0])
    return ParsedCommand(
        through_entrypoint=server.through_entrypoint,
        config_file=config_file,
        append_only=append_only,
        rdb_on=bool(rdb_points),
        data_dir=data_dir,
        maxmemory_gb=maxmemory_gb,
        invalid=tuple(invalid),
    )
