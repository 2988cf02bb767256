"""redis-server's start command: rendered for the Railway service, parsed back by the policies and the
cost model. Memory, eviction and persistence are redis-server flags, not Railway API fields, so this
command is where they live; the renderer and the parser sit together so they cannot drift apart."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

PORT = 6379
# The official image's working directory, which redis-server uses when the command names no `--dir`.
DATA_DIR = "/data"
# RDB points: after 1 h if 1 key changed, 5 min if 100, 1 min if 10,000 (Redis' own defaults).
RDB_SAVE_POINTS = "3600 1 300 100 60 10000"
# The password comes from the service's variables (expanded by the shell), so it never appears in the
# command, which Railway and the Pulumi state hold in plain text.
PASSWORD_VARIABLE = "REDIS_PASSWORD"  # noqa: S105 - a variable name


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
    return f"sh -c {shlex.quote('exec redis-server ' + ' '.join(arguments))}"


_APPENDONLY = re.compile(r"--appendonly\s+(\S+)")
_SAVE_OFF = re.compile(r"--save\s+(\"\"|''|$)")
_DIR = re.compile(r"--dir\s+(\S+)")
_MAXMEMORY = re.compile(r"--maxmemory\s+(\d+)\s*([a-zA-Z]*)")
# redis-server's own size units (redis.conf: 1k = 1000 bytes, 1kb = 1024 bytes).
_UNIT_BYTES = {"": 1, "b": 1, "k": 1000, "kb": 1024, "m": 1000**2, "mb": 1024**2, "g": 1000**3, "gb": 1024**3}
BYTES_PER_GB = Decimal(1024) ** 3


@dataclass(frozen=True)
class ParsedCommand:
    """What a start command says about persistence and memory; None where it says nothing readable."""

    append_only: bool
    rdb_off: bool
    data_dir: str
    maxmemory_gb: Decimal | None


def parse(command: Any) -> ParsedCommand | None:
    """Read a Railway service's start command as redis-server would; None when it is not a string."""
    if not isinstance(command, str):
        return None
    appendonly = _APPENDONLY.findall(command)
    directories = _DIR.findall(command)
    memory = _MAXMEMORY.search(command)
    maxmemory_gb = None
    if memory and memory.group(2).lower() in _UNIT_BYTES:
        maxmemory_gb = Decimal(memory.group(1)) * _UNIT_BYTES[memory.group(2).lower()] / BYTES_PER_GB
    return ParsedCommand(
        append_only=bool(appendonly) and appendonly[-1].strip("\"'").lower() == "yes",
        rdb_off=bool(_SAVE_OFF.search(command)),
        data_dir=directories[-1].strip("\"'") if directories else DATA_DIR,
        maxmemory_gb=maxmemory_gb,
    )


def is_redis_server(command: Any) -> bool:
    return isinstance(command, str) and "redis-server" in command
