"""Run the policy pack over a stack's real program, as `pulumi preview --policy-pack` would.

`judge(stack)` runs the stack's `__main__.py` under the mocks of offline/program.py, optionally
with changed stack config or with one recorded resource changed afterwards, then runs every policy
over the registrations with ops/report/pack.py (which speaks the analyzer protocol to the pack's own
process, started with the run's stack config as the engine starts it) and the stack's CI config
file, policies/config/<stack>.json. One pack process serves every judgement of the same stack config.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from functools import cache
from typing import Any

from components.values import UNKNOWN, Secret
from offline.program import ROOT, ProgramRun, Registration
from ops.report.pack import Analyzer, PackResult, pack_process, read_config_file, run_pack
from policies.converge_policies import POLICIES
from tests.doubles import run_stack, stack_config

CONFIG_DIR = ROOT / "policies" / "config"


def pack_config(stack: str, changes: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The stack's CI config file with `changes` merged in per policy (None removes a policy's entry)."""
    config = read_config_file(CONFIG_DIR / f"{stack}.json")
    for policy, change in (changes or {}).items():
        if change is None:
            config.pop(policy, None)
        elif isinstance(change, Mapping) and isinstance(config.get(policy), Mapping):
            config[policy] = {**config[policy], **change}
        else:
            config[policy] = change
    return config


@cache
def _run(stack: str, preview: bool, overrides: str) -> ProgramRun:
    changes = json.loads(overrides)
    return run_stack(stack, preview=preview, config=stack_config(stack, changes) if changes else None)


# The pack processes started so far, stopped by `stop_pack_processes` at the end of the session.
PACK_PROCESSES = ExitStack()


@cache
def _pack(stack: str, preview: bool, config: str) -> Analyzer:
    return PACK_PROCESSES.enter_context(pack_process(stack, json.loads(config), preview=preview))


def stop_pack_processes() -> None:
    PACK_PROCESSES.close()
    _pack.cache_clear()


class Resources:
    """The registrations of one run, copied so that a variant may change them."""

    def __init__(self, registrations: list[Registration]) -> None:
        self.items = copy.deepcopy(registrations)

    def one(self, type_: str, name: str | None = None) -> Registration:
        found = [r for r in self.items if r.type == type_ and (name is None or r.name == name)]
        assert len(found) == 1, f"expected one {type_} {name or ''}, found {[r.name for r in found]}"
        return found[0]

    def set(self, type_: str, name: str | None, key: str, value: Any) -> Registration:
        """Set a property in both the inputs (what Analyze sees) and the outputs (what AnalyzeStack sees)."""
        resource = self.one(type_, name)
        resource.inputs[key] = copy.deepcopy(value)
        resource.outputs[key] = copy.deepcopy(value)
        return resource

    def drop(self, type_: str, name: str | None = None) -> None:
        self.items.remove(self.one(type_, name))


Change = Callable[[Resources], None]


@dataclass(frozen=True)
class Judged:
    run: ProgramRun
    resources: list[Registration]
    result: PackResult

    def messages(self, policy: str) -> list[str]:
        return [d.detail for d in self.result.of(policy)]


def judge(
    stack: str,
    *,
    preview: bool = True,
    overrides: Mapping[str, Any] | None = None,
    change: Change | None = None,
    config: Mapping[str, Any] | None = None,
    analyzer: Analyzer | None = None,
) -> Judged:
    """`overrides`: stack config keys to change (None deletes); `change`: edits of the recorded resources;
    `config`: per-policy changes to the stack's pack config file; `analyzer`: another pack process."""
    run = _run(stack, preview, json.dumps(dict(overrides or {}), sort_keys=True, default=str))
    resources = Resources(run.state)
    if change is not None:
        change(resources)
    servicer = analyzer or _pack(stack, preview, json.dumps(run.config, sort_keys=True))
    result = run_pack(POLICIES, resources.items, pack_config(stack, config), servicer)
    return Judged(run, resources.items, result)


def all_unknown(value: Any) -> Any:
    """Every scalar replaced by an unknown, containers kept (a preview where nothing is known yet)."""
    if isinstance(value, Secret):
        return Secret(all_unknown(value.value))
    if isinstance(value, dict):
        return {k: (v if k.startswith("__") else all_unknown(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [all_unknown(v) for v in value]
    return UNKNOWN
