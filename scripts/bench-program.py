#!/usr/bin/env python3
"""Time a mocked run of a stack's real program (or the cost and policy report) against the import
floor of its SDKs. All are fresh Python processes, alternated and repeated, so the ratio is measured
in one command:

    .venv/bin/python scripts/bench-program.py prod --runs 5            # __main__.py under mocks
    .venv/bin/python scripts/bench-program.py prod --report --runs 5   # python -m ops.report
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROGRAM_FLOOR = "import pulumi, pulumi_random, pulumi_github, pulumi_docker"
REPORT_FLOOR = "import pulumi, pulumi_policy, pulumi_random, pulumi_github, pulumi_docker"
MOCKED_RUN = (
    "import sys; from offline.program import run_stack; from ops.report.collect import report_stand_ins; "
    "run = run_stack(sys.argv[1], report_stand_ins()); "
    "print(len(run.resources), len(run.custom_resources))"
)


def timed(args: list[str]) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (of this child) and stdout of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode not in (0, 1):  # the report exits 1 on a mandatory violation, and still reports
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result.stdout.strip()


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from settings.stacks import STACKS

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stack", choices=STACKS)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--report", action="store_true", help="time `python -m ops.report` instead")
    options = parser.parse_args()
    floor_code = REPORT_FLOOR if options.report else PROGRAM_FLOOR
    measured = ["-m", "ops.report", "--stack", options.stack] if options.report else ["-c", MOCKED_RUN, options.stack]
    label = f"python -m ops.report --stack {options.stack}" if options.report else "mocked run of __main__.py"
    timed(["-c", floor_code])  # warm the OS file cache
    floor, run, out = [], [], ""
    for _ in range(options.runs):
        floor.append(timed(["-c", floor_code])[:2])
        wall, cpu, out = timed(measured)
        run.append((wall, cpu))
    if not options.report:
        resources, custom = out.split()
        print(f"stack {options.stack}: {resources} resources registered ({custom} custom, the rest components)")

    def median(samples: list[tuple[float, float]], index: int) -> float:
        return statistics.median(sample[index] for sample in samples)

    print(f"import floor ({floor_code}): median {median(floor, 0):.3f}s wall, {median(floor, 1):.3f}s CPU")
    print(f"{label}: median {median(run, 0):.3f}s wall, {median(run, 1):.3f}s CPU ({options.runs} runs each)")
    print(f"ratio: {median(run, 0) / median(floor, 0):.2f}x wall, {median(run, 1) / median(floor, 1):.2f}x CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
