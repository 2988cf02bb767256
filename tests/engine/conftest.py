"""Fixtures for the engine tests (marker `engine`, registered in pyproject.toml).

The session's `engine` builds or finds the Pulumi engine once (a cold build takes minutes; later runs reuse the cache
outside the repo), installs the stand-in provider plugins (test doubles) into a Pulumi home of this run and logs in to
a local file backend. `fullstack` adds a scratch copy of the project with the dev, staging and prod stacks initialized
(tests/engine/fullstack.py) and the fake Railway and Supabase servers. Measurements that tests add to `engine_report`
are printed at the end of the run (tests/engine/report.py), with the wall time of the tests in this directory.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from settings.stacks import STACKS
from tests.engine import report
from tests.engine.fullstack import FullStack, init_stack, running_fakes, scratch_project
from tests.engine.harness import Engine, Result, write_floor_program

# The lifecycle checks shared by the per-stack tests assert in a helper module: their failures should show values.
pytest.register_assert_rewrite("tests.engine.lifecycle")

HERE = Path(__file__).resolve().parent
# First setup start and last teardown end of the tests in this directory: their wall time.
_SPAN: list[float] = []


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
    report.FIGURES["floor preview (one RandomBytes), seconds"] = round(floor.seconds, 3)
    report.FIGURES["floor preview, peak RSS MiB"] = round(floor.peak_rss_kib / 1024, 1)
    return floor


@pytest.fixture(scope="session")
def fullstack(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FullStack]:
    """The real program in a scratch project with every stack initialized (secrets set), and the fakes its
    providers talk to. For previews: tests that deploy use fakes (and stacks) of their own."""
    project = scratch_project(tmp_path_factory.mktemp("fullstack") / "project")
    for stack in STACKS:
        init_stack(engine, project, stack)
    with running_fakes() as fakes:
        yield FullStack(engine=engine, project=project, fakes=fakes)
        assert fakes.violations() == [], "a provider sent a request outside the APIs' contracts"


@pytest.fixture(scope="session")
def engine_report() -> dict[str, object]:
    """Figures for the end-of-run summary (wall times, peak memory, ratios)."""
    return report.FIGURES


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    if HERE not in item.path.parents:
        return (yield)
    _SPAN[:1] = _SPAN[:1] or [time.perf_counter()]
    try:
        return (yield)
    finally:
        _SPAN[1:] = [time.perf_counter()]
        report.record_wall_time(_SPAN[1] - _SPAN[0])
