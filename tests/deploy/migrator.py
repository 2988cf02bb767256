"""A stand-in for `prisma migrate deploy`: applies `<dir>/*.sql` in name order to DATABASE_URL, each file in
its own transaction, recording applied files in `_migrations` so a second run applies only new ones.

Like some real tools, it names the database it connects to, password included, when it fails: the step
must keep that out of the log."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import psycopg


def main() -> int:
    url = os.environ["DATABASE_URL"]
    directory = Path(sys.argv[1])
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS _migrations (name text PRIMARY KEY, at timestamptz DEFAULT now())")
        conn.commit()
        done = {name for (name,) in conn.execute("SELECT name FROM _migrations").fetchall()}
        for path in sorted(directory.glob("*.sql")):
            if path.name in done:
                continue
            try:
                with conn.transaction():
                    conn.execute(path.read_text())
                    conn.execute("INSERT INTO _migrations (name) VALUES (%s)", (path.name,))
            except psycopg.Error as error:
                print(f"migration {path.name} failed on {url}: {str(error).splitlines()[0]}")
                return 1
            print(f"applied {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
