#!/usr/bin/env python3
"""Time a mocked run of a stack's real program (or the cost and policy report) against the import
floor of its SDKs. All are fresh Python processes, alternated and repeated, so the ratio is measured
in one command:

    .venv/bin/python scripts/bench-program.py prod --runs 5                 # __main__.py under mocks
    .venv/bin/python scripts/bench-program.py prod --runs 5 --base <ref>    # and the same at <ref>
    .venv/bin/python scripts/bench-program.py prod --report --runs 5        # python -m ops.report

Both trees are byte-compiled first (`compileall`), as Python does on a user's machine by itself: where
PYTHONDONTWRITEBYTECODE is set (as on some CI images) every run would otherwise recompile the
project's modules, which the SDKs in site-packages (compiled by pip) never pay. The base tree runs with
this checkout's virtualenv, in a temporary worktree.
"""

from __future__ import annotations

import argparse
import compileall
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROGRAM_FLOOR = "import pulumi, pulumi_random, pulumi_github, pulumi_docker"
REPORT_FLOOR = "import pulumi, pulumi_policy, pulumi_random, pulumi_github, pulumi_docker"
# Older checkouts' offline runner brought its own stand-ins; newer ones take the report's as a parameter.
MOCKED_RUN = """\
import sys
from offline.program import run_stack
try:
    from ops.report.stand_ins import report_stand_ins
except ImportError:
    run = run_stack(sys.argv[1])
else:
    run = run_stack(sys.argv[1], report_stand_ins())
print(len(run.resources), len(run.custom_resources))
"""
NOT_COMPILED = re.compile(r"/(\.venv|\.git|\.cache|tools|node_modules)/")

Sample = tuple[float, float]


def timed(args: list[str], cwd: Path) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (of this child) and stdout of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode not in (0, 1):  # the report exits 1 on a mandatory violation, and still reports
        raise SystemExit(f"{' '.join(args)} in {cwd} failed:\n{result.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result.stdout.strip()


def median(samples: list[Sample], index: int) -> float:
    return statistics.median(sample[index] for sample in samples)


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from settings.stacks import STACKS

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stack", choices=STACKS)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--report", action="store_true", help="time `python -m ops.report` instead")
    parser.add_argument("--base", help="also measure this git ref (a temporary worktree), in the same run")
    options = parser.parse_args()
    floor_code = REPORT_FLOOR if options.report else PROGRAM_FLOOR
    measured = ["-m", "ops.report", "--stack", options.stack] if options.report else ["-c", MOCKED_RUN, options.stack]
    label = f"python -m ops.report --stack {options.stack}" if options.report else "mocked run of __main__.py"

    with tempfile.TemporaryDirectory(prefix="bench-program-") as scratch:
        trees = {"this checkout": ROOT}
        if options.base:
            base = Path(scratch) / "base"
            subprocess.run(
                ["git", "worktree", "add", "--detach", "--quiet", str(base), options.base], cwd=ROOT, check=True
            )
            trees[f"base {options.base}"] = base
        try:
            for tree in trees.values():
                compileall.compile_dir(tree, quiet=1, rx=NOT_COMPILED)
            timed(["-c", floor_code], ROOT)  # warm the OS file cache
            floor: list[Sample] = []
            runs: dict[str, list[Sample]] = {name: [] for name in trees}
            outputs: dict[str, str] = {}
            for _ in range(options.runs):
                floor.append(timed(["-c", floor_code], ROOT)[:2])
                for name, tree in trees.items():
                    wall, cpu, outputs[name] = timed(measured, tree)
                    runs[name].append((wall, cpu))
        finally:
            if options.base:
                subprocess.run(["git", "worktree", "remove", "--force", str(trees[f"base {options.base}"])], cwd=ROOT)

    print(f"import floor ({floor_code}): median {median(floor, 0):.3f}s wall, {median(floor, 1):.3f}s CPU")
    for name, samples in runs.items():
        if not options.report:
            resources, custom = outputs[name].split()
            print(f"{name}: stack {options.stack} registers {resources} resources ({custom} custom)")
        wall, cpu = median(samples, 0), median(samples, 1)
        print(f"{name}: {label}: median {wall:.3f}s wall, {cpu:.3f}s CPU ({options.runs} runs)")
        print(f"{name}: ratio {wall / median(floor, 0):.2f}x wall, {cpu / median(floor, 1):.2f}x CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
