#!/usr/bin/env python3
"""Time one mocked run of a stack's real program against the import floor of its SDKs.

Both are fresh Python processes, alternated and repeated, so the ratio is measured in one command:

    .venv/bin/python scripts/bench-program.py prod --runs 5
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMPORT_FLOOR = "import pulumi, pulumi_random, pulumi_github, pulumi_docker"
MOCKED_RUN = (
    "import sys; from offline.program import run_stack; run = run_stack(sys.argv[1]); "
    "print(len(run.resources), len(run.custom_resources))"
)


def timed(code: str, *args: str) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, result.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stack", choices=["dev", "staging", "prod"])
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    floor, program = [], []
    counts = ""
    timed(IMPORT_FLOOR)  # warm the OS file cache for both
    for _ in range(options.runs):
        floor.append(timed(IMPORT_FLOOR)[0])
        elapsed, counts = timed(MOCKED_RUN, options.stack)
        program.append(elapsed)
    resources, custom = counts.split()
    f, p = statistics.median(floor), statistics.median(program)
    print(f"stack {options.stack}: {resources} resources registered ({custom} custom, the rest components)")
    print(f"import floor ({IMPORT_FLOOR}): median {f:.3f}s over {options.runs} runs")
    print(f"mocked run of __main__.py:  median {p:.3f}s over {options.runs} runs")
    print(f"ratio: {p / f:.2f}x the import floor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
