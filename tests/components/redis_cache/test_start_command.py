"""redis-server's start command: what the renderer writes, the parser reads back the same way
redis-server does (its own size units, the last flag winning)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from components.redis_cache.start_command import DATA_DIR, RedisServerFlags, parse, render


@pytest.mark.parametrize(
    ("command", "gb"),
    [
        ("sh -c 'exec redis-server --maxmemory 256mb --appendonly yes'", Decimal("0.25")),
        ("redis-server --maxmemory 1gb", Decimal(1)),
        ("redis-server --maxmemory 536870912", Decimal("0.5")),
        ("redis-server --appendonly yes", None),
    ],
)
def test_redis_maxmemory_in_redis_units(command: str, gb: Decimal | None) -> None:
    parsed = parse(command)
    assert parsed is not None
    assert parsed.maxmemory_gb == gb


def test_a_command_that_is_not_text_says_nothing() -> None:
    assert parse(None) is None


@pytest.mark.parametrize("append_only", [True, False])
@pytest.mark.parametrize("rdb_snapshots", [True, False])
def test_the_parser_reads_back_what_the_renderer_writes(append_only: bool, rdb_snapshots: bool) -> None:
    flags = RedisServerFlags(
        memory_mb=512, eviction_policy="allkeys-lru", rdb_snapshots=rdb_snapshots, append_only=append_only
    )
    parsed = parse(render(flags))
    assert parsed is not None
    assert (parsed.append_only, parsed.rdb_off) == (append_only, not rdb_snapshots)
    assert parsed.maxmemory_gb == Decimal("0.5")
    assert parsed.data_dir == DATA_DIR


def test_the_last_appendonly_flag_wins_and_a_missing_dir_is_the_images_default() -> None:
    parsed = parse("redis-server --appendonly yes --appendonly no")
    assert parsed is not None
    assert not parsed.append_only
    assert parsed.data_dir == DATA_DIR
