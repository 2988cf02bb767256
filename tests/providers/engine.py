"""Drive the dynamic providers the way the Pulumi engine does, with the state kept here, so whole `up`,
`refresh` and `destroy` runs of any service's resources can be counted against its fake API.

The engine's behaviour that matters here: `check` first, then `create` for a new resource, or `diff`
(old *outputs* against new inputs, an ignored input taking the state's value) and then `update` or a
replacement (deleting first when `diff` says so); `read` (refresh) replaces the outputs, and an empty id
drops the resource from the state; `delete` in reverse order for a destroy. Properties cross the wire as
protobuf Struct values (numbers become floats, None values are dropped, secrets stay wrapped).

Resources come either declared directly (`Declared`: a provider and a function of the state giving
its inputs) or from the real program under mocks (`program_engine`), where the provider is rebuilt
from the `__provider` property exactly as Pulumi's dynamic-provider host does (base64 + dill).
"""

from __future__ import annotations

import asyncio
import base64
import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import dill
import pulumi
from pulumi.dynamic import DiffResult, ReadResult, ResourceProvider
from pulumi.dynamic.dynamic import PROVIDER_KEY
from pulumi.runtime import rpc

from offline import program
from providers.core.provider import Provider


def wire(props: dict[str, Any]) -> dict[str, Any]:
    """Properties after a round trip through the engine, with the SDK's own (de)serializer."""
    loop = asyncio.new_event_loop()
    try:
        struct = loop.run_until_complete(rpc.serialize_properties(props, {}))
    finally:
        loop.close()
    return dict(rpc.deserialize_properties(struct))


def provider_of(serialized: Any) -> Provider:
    """The provider a `__provider` property holds, loaded as the dynamic-provider host loads it."""
    raw = rpc.unwrap_rpc_secret(serialized) if rpc.is_rpc_secret(serialized) else serialized
    provider = dill.loads(base64.b64decode(raw))  # noqa: S301 - our own serialized provider
    assert isinstance(provider, Provider)
    return provider


@dataclass
class Declared:
    name: str
    provider: ResourceProvider
    inputs: Callable[[Engine], dict[str, Any]]


@dataclass
class Engine:
    ids: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    providers: dict[str, ResourceProvider] = field(default_factory=dict)
    # Names in the order they were created, which is the reverse of the order of a destroy.
    order: list[str] = field(default_factory=list)
    operations: list[tuple[str, str]] = field(default_factory=list)

    def out(self, name: str, key: str) -> Any:
        return self.outputs[name][key]

    def up(self, declared: list[Declared]) -> None:
        for resource in declared:
            self.apply(resource.name, resource.provider, resource.inputs(self))

    def apply(self, name: str, provider: ResourceProvider, inputs: dict[str, Any]) -> DiffResult | None:
        """One resource's step of an `up`: None when it creates the resource, else the diff that decided
        between nothing, an update and a replacement."""
        self.providers[name] = provider
        checked = provider.check(self.outputs.get(name, {}), wire(inputs))
        assert not checked.failures, [f.reason for f in checked.failures]
        news = checked.inputs
        if name not in self.ids:
            self._create(name, provider, news)
            self.order.append(name)
            self.operations.append(("create", name))
            return None
        olds = self.outputs[name]
        diff = provider.diff(self.ids[name], olds, news)
        if not diff.changes:
            self.operations.append(("same", name))
        elif diff.replaces:
            old_id = self.ids[name]
            if diff.delete_before_replace:
                provider.delete(old_id, olds)
                self._create(name, provider, news)
            else:
                self._create(name, provider, news)
                provider.delete(old_id, olds)
            self.operations.append(("replace", name))
        else:
            self.outputs[name] = wire(provider.update(self.ids[name], olds, news).outs or {})
            self.operations.append(("update", name))
        return diff

    def _create(self, name: str, provider: ResourceProvider, news: dict[str, Any]) -> None:
        created = provider.create(news)
        self.ids[name] = created.id
        self.outputs[name] = wire(created.outs or {})

    def refresh(self) -> None:
        for name in list(self.order):
            self.read(name)

    def read(self, name: str) -> ReadResult:
        """One resource's step of a refresh: an empty id drops it from the state."""
        read = self.providers[name].read(self.ids[name], self.outputs[name])
        if not read.id:
            del self.ids[name], self.outputs[name]
            self.order.remove(name)
            self.operations.append(("gone", name))
        else:
            self.outputs[name] = wire(read.outs or {})
            self.operations.append(("read", name))
        return read

    def destroy(self) -> None:
        for name in reversed(self.order):
            self.providers[name].delete(self.ids.pop(name), self.outputs.pop(name))
        self.order.clear()


@contextmanager
def program_engine(engine: Engine, type_prefix: str) -> Iterator[Engine]:
    """While active, `run_stack(..., preview=False)` runs the resources whose type starts with
    `type_prefix` through their providers for real (the others stay mocked)."""
    original = program.RecordingMocks.new_resource
    original_register = program.RecordingMonitor.RegisterResource
    # `ignore_changes` of each resource, as the program registered it (the mocks' arguments do not carry it).
    ignored: dict[tuple[str, str], list[str]] = {}

    def register(self: program.RecordingMonitor, request: Any) -> Any:
        ignored[request.type, request.name] = list(request.ignoreChanges)
        return original_register(self, request)

    def new_resource(
        self: program.RecordingMocks, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        if self.preview or not args.typ.startswith(type_prefix):
            return original(self, args)
        inputs = {key: value for key, value in args.inputs.items() if key != PROVIDER_KEY}
        name = f"{args.typ}::{args.name}"
        if name in engine.ids:
            # As the engine does: an ignored input keeps the state's value (live after a refresh).
            for key in ignored.get((args.typ, args.name), []):
                inputs[key] = engine.outputs[name].get(key)
        engine.apply(name, provider_of(args.inputs[PROVIDER_KEY]), inputs)
        resource_id, outs = engine.ids[name], engine.outputs[name]
        state = copy.deepcopy(args.inputs)
        # Inputs stay as given (secret inputs stay secret, as the engine keeps them); computed
        # outputs come from the provider.
        for key, value in outs.items():
            if state.get(key) is None:
                state[key] = value
        return resource_id, state

    program.RecordingMocks.new_resource = new_resource  # type: ignore[method-assign]
    program.RecordingMonitor.RegisterResource = register  # type: ignore[method-assign]
    try:
        yield engine
    finally:
        program.RecordingMocks.new_resource = original  # type: ignore[method-assign]
        program.RecordingMonitor.RegisterResource = original_register  # type: ignore[method-assign]
