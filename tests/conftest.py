"""Shared fixtures. The offline runner is offline/program.py; its stand-ins are in tests/doubles.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from offline.program import ProgramRun
from settings.stacks import STACKS
from tests.doubles import run_stack
from tests.engine import report

_RUNS: dict[tuple[str, bool], ProgramRun] = {}


@pytest.fixture(scope="session")
def stack_run() -> Callable[[str, bool], ProgramRun]:
    """The real program run once per (stack, preview) with the stack's real config, shared read-only."""

    def get(stack: str, preview: bool) -> ProgramRun:
        if (stack, preview) not in _RUNS:
            _RUNS[stack, preview] = run_stack(stack, preview=preview)
        return _RUNS[stack, preview]

    return get


@pytest.fixture(params=STACKS)
def stack(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=[True, False], ids=["preview", "update"])
def preview(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


# The engine tests' figures: these hooks run on pytest-xdist's controller, which loads no other conftest.
def pytest_sessionfinish(session: pytest.Session) -> None:
    report.hand_to_controller(session.config)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    report.take_from_worker(node.workeroutput)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    report.print_summary(terminalreporter)
