"""The engine tests' measurements (wall times, peak memory, ratios), printed at the end of the run and, if
CONVERGE_ENGINE_REPORT names a file, written there as JSON.

Under pytest-xdist each worker measures the tests it runs and hands its figures to the controller, which
prints them: the hooks that do so live in tests/conftest.py, the one conftest the controller loads.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

FIGURES: dict[str, object] = {}
WALL_TIME = "tests/engine wall time, seconds"
_WORKER_OUTPUT_KEY = "converge_engine_report"


def record_wall_time(seconds: float) -> None:
    FIGURES.pop(WALL_TIME, None)  # kept last in the summary
    FIGURES[WALL_TIME] = round(seconds, 1)


def hand_to_controller(config: pytest.Config) -> None:
    workeroutput: dict[str, Any] | None = getattr(config, "workeroutput", None)
    if workeroutput is not None and FIGURES:
        workeroutput[_WORKER_OUTPUT_KEY] = json.dumps(FIGURES)


def take_from_worker(workeroutput: dict[str, Any]) -> None:
    """A worker's figures; the wall time is the longest of the workers'."""
    figures = workeroutput.get(_WORKER_OUTPUT_KEY)
    if not figures:
        return
    worker = json.loads(figures)
    wall = max(float(worker.pop(WALL_TIME, 0)), float(str(FIGURES.get(WALL_TIME, 0))))
    FIGURES.update(worker)
    record_wall_time(wall)


def print_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not FIGURES or hasattr(terminalreporter.config, "workeroutput"):
        return
    terminalreporter.section("Pulumi engine measurements")
    for key, value in FIGURES.items():
        terminalreporter.write_line(f"{key}: {value}")
    target = os.environ.get("CONVERGE_ENGINE_REPORT")
    if target:
        Path(target).write_text(json.dumps(FIGURES, indent=2, sort_keys=True) + "\n")
