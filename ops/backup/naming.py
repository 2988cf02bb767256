"""Where backups live in the bucket: <prefix>/<stack>/YYYY/MM/DD/<stack>-YYYYMMDDTHHMMSSZ.dump."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from .errors import UsageError

_STACK = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_STAMP = "%Y%m%dT%H%M%SZ"
DUMP_SUFFIX = ".dump"
MANIFEST_SUFFIX = ".manifest.json"
PARTIAL_DIR = "_partial"


def check_stack(stack: str) -> str:
    if not _STACK.match(stack):
        raise UsageError(f"invalid stack name {stack!r}: use lower-case letters, digits and '-'")
    return stack


def stack_prefix(prefix: str, stack: str) -> str:
    return f"{prefix.strip('/')}/{check_stack(stack)}/"


def _utc(when: datetime) -> datetime:
    if when.tzinfo is None:
        raise ValueError("backup times must be timezone-aware")
    return when.astimezone(UTC).replace(microsecond=0)


def backup_key(prefix: str, stack: str, when: datetime) -> str:
    when = _utc(when)
    return f"{stack_prefix(prefix, stack)}{when:%Y/%m/%d}/{stack}-{when.strftime(_STAMP)}{DUMP_SUFFIX}"


def partial_key(prefix: str, stack: str, when: datetime) -> str:
    """A temporary key for an upload in progress; never matches parse_key, so never taken as a backup."""
    when = _utc(when)
    token = secrets.token_hex(4)
    return f"{stack_prefix(prefix, stack)}{PARTIAL_DIR}/{stack}-{when.strftime(_STAMP)}-{token}{DUMP_SUFFIX}"


def manifest_key(key: str) -> str:
    if not key.endswith(DUMP_SUFFIX):
        raise ValueError(f"not a dump key: {key}")
    return key[: -len(DUMP_SUFFIX)] + MANIFEST_SUFFIX


@dataclass(frozen=True, order=True)
class BackupRef:
    """A published backup's key, ordered by its time."""

    created_at: datetime
    key: str
    stack: str


def parse_key(prefix: str, stack: str, key: str) -> BackupRef | None:
    """The backup a key names, or None if the key is not a published dump of this stack."""
    base = stack_prefix(prefix, stack)
    if not key.startswith(base):
        return None
    pattern = re.compile(
        rf"^(?P<y>\d{{4}})/(?P<m>\d{{2}})/(?P<d>\d{{2}})/{re.escape(stack)}-(?P<stamp>\d{{8}}T\d{{6}}Z)"
        rf"{re.escape(DUMP_SUFFIX)}$"
    )
    match = pattern.match(key[len(base) :])
    if not match:
        return None
    try:
        created = datetime.strptime(match.group("stamp"), _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None
    if (created.year, created.month, created.day) != (
        int(match.group("y")),
        int(match.group("m")),
        int(match.group("d")),
    ):
        return None
    return BackupRef(created_at=created, key=key, stack=stack)
