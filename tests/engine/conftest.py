"""Fixtures for the engine tests (marker `engine`, registered in pyproject.toml).

The session's `engine` builds or finds the Pulumi engine once (a cold build takes minutes; later runs reuse the cache
outside the repo), installs the stand-in provider plugins (test doubles) into a Pulumi home of this run and logs in to
a local file backend. Measurements that tests add to `engine_report` are printed at the end of the run and, if
CONVERGE_ENGINE_REPORT names a file, written there as JSON.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.engine.harness import Engine, Result, write_floor_program

_REPORT: dict[str, object] = {}


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine.create(tmp_path_factory.mktemp("engine"))


@pytest.fixture(scope="session")
def engine_floor(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Result:
    """The engine's floor: the fastest of three previews of the one-resource program (one random.RandomBytes), by
    the same engine in the same run. Divide a stack's preview time by `.seconds` to get its ratio to the floor."""
    project = write_floor_program(tmp_path_factory.mktemp("floor") / "program")
    engine.init_stack(project, "floor")
    floor = engine.measure_preview(project, "floor", repeat=3)
    _REPORT["floor preview (one RandomBytes), seconds"] = round(floor.seconds, 3)
    _REPORT["floor preview, peak RSS MiB"] = round(floor.peak_rss_kib / 1024, 1)
    return floor


@pytest.fixture(scope="session")
def engine_report() -> dict[str, object]:
    """Figures for the end-of-run summary (wall times, peak memory, ratios)."""
    return _REPORT


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _REPORT:
        return
    terminalreporter.section("Pulumi engine measurements")
    for key, value in _REPORT.items():
        terminalreporter.write_line(f"{key}: {value}")
    target = os.environ.get("CONVERGE_ENGINE_REPORT")
    if target:
        Path(target).write_text(json.dumps(_REPORT, indent=2, sort_keys=True) + "\n")
