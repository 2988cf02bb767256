"""Drive the Supabase dynamic providers the way the Pulumi engine does (check, diff, create, update, read,
delete), with the state kept here, so whole `up`/`refresh` runs can be counted against the fake API.

The engine's own behaviour that matters here: `diff` gets the old *outputs* and the new inputs; `update`
runs only when `diff` reports changes; `read` (refresh) replaces the outputs, and an empty id drops the
resource from the state; properties cross the wire as protobuf Struct values (numbers become floats).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pulumi.dynamic import ResourceProvider
from pulumi.runtime import rpc

Inputs = Callable[["Stack"], dict[str, Any]]


def wire(props: dict[str, Any]) -> dict[str, Any]:
    """Properties after a round trip through the engine, with the SDK's own (de)serializer: numbers come
    back as floats and None values are dropped."""
    loop = asyncio.new_event_loop()
    try:
        struct = loop.run_until_complete(rpc.serialize_properties(props, {}))
    finally:
        loop.close()
    return dict(rpc.deserialize_properties(struct))


@dataclass
class Declared:
    name: str
    provider: ResourceProvider
    inputs: Inputs


@dataclass
class Stack:
    ids: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    operations: list[tuple[str, str]] = field(default_factory=list)

    def out(self, name: str, key: str) -> Any:
        return self.outputs[name][key]

    def up(self, declared: list[Declared]) -> None:
        for resource in declared:
            news = wire(resource.inputs(self))
            provider = resource.provider
            checked = provider.check(self.outputs.get(resource.name, {}), news)
            assert not checked.failures, [f.reason for f in checked.failures]
            news = checked.inputs
            if resource.name not in self.ids:
                created = provider.create(news)
                self.ids[resource.name] = created.id
                self.outputs[resource.name] = wire(created.outs or {})
                self.operations.append(("create", resource.name))
                continue
            olds = self.outputs[resource.name]
            diff = provider.diff(self.ids[resource.name], olds, news)
            if not diff.changes:
                self.operations.append(("same", resource.name))
                continue
            if diff.replaces:
                provider.delete(self.ids[resource.name], olds)
                created = provider.create(news)
                self.ids[resource.name] = created.id
                self.outputs[resource.name] = wire(created.outs or {})
                self.operations.append(("replace", resource.name))
                continue
            updated = provider.update(self.ids[resource.name], olds, news)
            self.outputs[resource.name] = wire(updated.outs or {})
            self.operations.append(("update", resource.name))

    def refresh(self, declared: list[Declared]) -> None:
        for resource in declared:
            if resource.name not in self.ids:
                continue
            read = resource.provider.read(self.ids[resource.name], self.outputs[resource.name])
            if not read.id:
                del self.ids[resource.name], self.outputs[resource.name]
                self.operations.append(("gone", resource.name))
                continue
            self.outputs[resource.name] = wire(read.outs or {})
            self.operations.append(("read", resource.name))

    def destroy(self, declared: list[Declared]) -> None:
        for resource in reversed(declared):
            if resource.name in self.ids:
                resource.provider.delete(self.ids.pop(resource.name), self.outputs.pop(resource.name))
