"""The program exports the cost model's estimate of its stack's settings as the `costEstimate` output."""

from __future__ import annotations

from collections.abc import Callable

from cost.stack import estimate, sizes_from_settings
from offline.program import ProgramRun
from tests.cost.test_model import settings_of

StackRun = Callable[[str, bool], ProgramRun]


def test_the_program_exports_the_estimate(stack: str, preview: bool, stack_run: StackRun) -> None:
    exported = stack_run(stack, preview).outputs["costEstimate"]
    assert exported == estimate(sizes_from_settings(settings_of(stack))).as_output()
    settings = settings_of(stack)
    assert set(exported["components"]) == {"backend", "redis", "database"} | (
        {"watchdog"} if settings.watchdog.enabled else set()
    )
