"""Round trip of a ~100 MB database through the tool against plain `pg_dump -Fc` + `pg_restore` of the same
database in the same run. Not run by default: `pytest -m benchmark tests/backup -s`.

The tool runs as its own process (`python -m ops.backup`, against moto's S3 server on 127.0.0.1). Memory is
measured two ways: the peak of the whole process tree (the Python process plus pg_dump / pg_restore), sampled
from /proc every 50 ms, and the exact peak of the Python process alone (VmHWM). getrusage's ru_maxrss is not
used: on Linux a child's ru_maxrss includes the parent's RSS at fork time, which would charge the test
process (and moto's in-memory bucket) to the tool.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from ops.backup.pg import DatabaseUrl
from tests.backup.conftest import BUCKET, PgServer

ROOT = Path(__file__).resolve().parents[2]
TARGET_MB = 100
REPEAT = 2
RUNNER = """
import sys
from ops.backup.cli import main
code = main(sys.argv[1:])
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
sys.stderr.write("PEAK_KIB " + hwm.split()[1] + "\\n")
sys.exit(code)
"""
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Run:
    seconds: float
    peak_mib: float  # sampled: the process plus all its descendants at the same moment
    python_mib: float | None = None  # exact: VmHWM of the tool's own process


def seed_bulk(url: DatabaseUrl) -> int:
    """About TARGET_MB of tables and indexes with data that compresses like real rows (not all zeros)."""
    with psycopg.connect(url.raw, autocommit=True) as conn:
        conn.execute(
            """
            CREATE TABLE public.messages (
                id bigint PRIMARY KEY, sender_email text NOT NULL, room integer NOT NULL,
                sent_at timestamptz NOT NULL, body text NOT NULL, meta jsonb NOT NULL);
            ALTER TABLE public.messages ENABLE ROW LEVEL SECURITY;
            CREATE POLICY own_room ON public.messages USING (room = current_setting('app.room', true)::integer);
            INSERT INTO public.messages
            SELECT g, 'user' || (g % 5000) || '@example.org', g % 97,
                   timestamptz '2026-01-01 00:00:00+00' + g * interval '7 seconds',
                   md5(g::text) || ' ' || md5((g * 31)::text) || ' lorem ipsum dolor sit amet ' || (g % 1000),
                   jsonb_build_object('client', 'web', 'v', g % 13, 'tag', substr(md5((g * 17)::text), 1, 8))
            FROM generate_series(1, 340000) AS g;
            CREATE INDEX messages_room_sent ON public.messages (room, sent_at);
            """
        )
        conn.execute("VACUUM ANALYZE public.messages")
        row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        assert row is not None
        return int(row[0])


def _tree_rss(root: int) -> int:
    """Resident bytes of `root` and its descendants, from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [child for child, parent in parents.items() if parent == pid]
        tree.update(children)
        frontier += children
    total = 0
    for pid in tree:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError):
            continue
    return total


def timed(argv: list[str], env: dict[str, str], tmp: Path) -> tuple[Run, str]:
    """Wall time and sampled peak RSS (process tree) of one command, and its output."""
    log = tmp / "output.log"
    peak = 0
    started = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        while proc.poll() is None:
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.05)
    seconds = time.monotonic() - started
    output = log.read_text()
    assert proc.returncode == 0, f"{argv[:4]} failed: {output[-2000:]}"
    return Run(seconds, peak / 1024**2), output


def tool(args: list[str], env: dict[str, str], tmp: Path) -> tuple[Run, str]:
    run, output = timed([sys.executable, "-c", RUNNER, *args], env, tmp)
    line = next(line for line in output.splitlines() if line.startswith("PEAK_KIB "))
    run.python_mib = int(line.split()[1]) / 1024
    return run, output


def rows(url: DatabaseUrl) -> int:
    with psycopg.connect(url.raw) as conn:
        row = conn.execute("SELECT count(*) FROM public.messages").fetchone()
        assert row is not None
        return int(row[0])


@pytest.mark.benchmark
@pytest.mark.postgres
def test_round_trip_overhead_against_plain_pg_dump(
    pg_server: PgServer,
    make_db: Callable[..., DatabaseUrl],
    moto_server: str,
    tmp_path: Path,
    aws_env: None,
) -> None:
    source = make_db()
    size = seed_bulk(source)
    bindir = pg_server.bindir
    env = {**os.environ, **source.subprocess_env()}

    common = ["--stack", "bench", "--bucket", BUCKET, "--endpoint-url", moto_server, "--pg-bin", str(bindir)]
    archive = tmp_path / "plain.dump"
    results: dict[str, list[tuple[Run, Run]]] = {"plain": [], "tool": [], "tool --no-fingerprint": []}
    for _ in range(REPEAT):
        # Plain: pg_dump -Fc to a file, pg_restore into a new database (same compression level as the tool).
        target = make_db()
        dump, _ = timed(
            [str(bindir / "pg_dump"), "-Fc", "-Z6", f"--dbname={source.without_password()}", "-f", str(archive)],
            env,
            tmp_path,
        )
        load, _ = timed(
            [str(bindir / "pg_restore"), f"--dbname={target.without_password()}", str(archive)], env, tmp_path
        )
        assert rows(target) == rows(source)
        results["plain"].append((dump, load))
        for label, extra in (("tool", []), ("tool --no-fingerprint", ["--no-fingerprint"])):
            dump, output = tool(["backup", *common, "--database-url", source.raw, "--no-prune", *extra], env, tmp_path)
            key = next(line for line in output.splitlines() if line.startswith("converge-nps/"))
            target = make_db()
            load, _ = tool(["restore", *common, "--key", key, "--target-url", target.raw], env, tmp_path)
            assert rows(target) == rows(source)
            results[label].append((dump, load))

    def best(label: str) -> tuple[Run, Run]:
        return min(results[label], key=lambda pair: pair[0].seconds + pair[1].seconds)

    plain_dump, plain_load = best("plain")
    plain = plain_dump.seconds + plain_load.seconds
    print()
    print(f"database {size / 1024**2:.1f} MiB, archive {archive.stat().st_size / 1024**2:.1f} MiB; best of {REPEAT}")
    for label in results:
        dump, load = best(label)
        total = dump.seconds + load.seconds
        python = f", python alone {max(dump.python_mib or 0, load.python_mib or 0):.0f} MiB" if label != "plain" else ""
        print(
            f"{label:22} round trip {total:6.2f} s (backup {dump.seconds:.2f} s, restore {load.seconds:.2f} s), "
            f"ratio {total / plain:.2f}x; peak RSS with children: backup {dump.peak_mib:.0f} MiB, "
            f"restore {load.peak_mib:.0f} MiB{python}"
        )
    assert 60 * 1024**2 < size < 200 * 1024**2
