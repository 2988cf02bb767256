"""Run the real program with its Railway resources driven through their providers, against the fake.

The mocked program (`offline/program.py`) hands every registration to `RecordingMocks`. Here,
for the Railway types only, the provider is rebuilt from the `__provider` input exactly as Pulumi's
dynamic-provider host does (base64 + dill), and the engine's steps are replayed: `create` for a new
resource, `diff` then `update` or replace for a known one, `read` for a refresh, `delete` in reverse
order for a destroy. What the fake server receives is then what a real `pulumi up` would send.
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import dill
import pulumi

from offline import program
from offline.program import Secret, _mark, plain
from providers.railway.base import PROVIDER_KEY, RailwayProvider

RAILWAY = "pulumi-python:dynamic/railway:"


def all_secret(values: Any) -> bool:
    """A map of variables with every value marked secret, by itself or with the map (the SDK lifts a
    nested secret to the property), and with its names known (not one unknown blob in preview)."""
    if isinstance(values, Secret):
        values = values.value
        return isinstance(values, dict) and bool(values)
    return isinstance(values, dict) and bool(values) and all(isinstance(v, Secret) for v in values.values())


def provider_of(serialized: str) -> RailwayProvider:
    provider = dill.loads(base64.b64decode(serialized))  # noqa: S301 - our own serialized provider
    assert isinstance(provider, RailwayProvider)
    return provider


@dataclass
class Deployed:
    """The emulated engine's state: (type, name) -> (id, outputs, serialized provider)."""

    state: dict[tuple[str, str], tuple[str, dict[str, Any], str]] = field(default_factory=dict)
    order: list[tuple[str, str]] = field(default_factory=list)
    steps: list[tuple[str, str]] = field(default_factory=list)  # (step, name)

    def register(self, typ: str, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        serialized = inputs[PROVIDER_KEY]
        provider = provider_of(serialized)
        news = {key: value for key, value in inputs.items() if key != PROVIDER_KEY}
        key = (typ, name)
        if key not in self.state:
            created = provider.create(dict(news))
            resource_id, outs = created.id, dict(created.outs or {})
            self.order.append(key)
            self.steps.append(("create", name))
        else:
            resource_id, olds, _ = self.state[key]
            diff = provider.diff(resource_id, olds, news)
            if diff.replaces:
                created = provider.create(dict(news))
                provider.delete(resource_id, olds)
                resource_id, outs = created.id, dict(created.outs or {})
                self.steps.append(("replace", name))
            elif diff.changes:
                outs = dict(provider.update(resource_id, olds, news).outs or {})
                self.steps.append(("update", name))
            else:
                outs = olds
        self.state[key] = (resource_id, outs, serialized)
        return resource_id, outs

    def refresh(self) -> None:
        for key, (resource_id, outs, serialized) in list(self.state.items()):
            result = provider_of(serialized).read(resource_id, outs)
            if result.id:
                self.state[key] = (result.id, dict(result.outs or {}), serialized)
            else:
                del self.state[key]
                self.order.remove(key)

    def destroy(self) -> None:
        for key in reversed(self.order):
            resource_id, outs, serialized = self.state.pop(key)
            provider_of(serialized).delete(resource_id, outs)
        self.order.clear()


@contextmanager
def railway_engine(deployed: Deployed) -> Iterator[Deployed]:
    """While active, `run_stack(..., preview=False)` creates/updates the Railway resources for real."""
    original = program.RecordingMocks.new_resource

    def new_resource(
        self: program.RecordingMocks, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        if self.preview or not args.typ.startswith(RAILWAY):
            return original(self, args)
        resource_id, outs = deployed.register(args.typ, args.name, plain(_mark(args.inputs)))
        state = copy.deepcopy(args.inputs)
        # Inputs stay as given (secret inputs stay secret, as the engine keeps them); computed
        # outputs come from the provider.
        for key, value in outs.items():
            if state.get(key) is None:
                state[key] = value
        return resource_id, state

    program.RecordingMocks.new_resource = new_resource  # type: ignore[method-assign]
    try:
        yield deployed
    finally:
        program.RecordingMocks.new_resource = original  # type: ignore[method-assign]
