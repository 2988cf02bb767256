"""Pulumi properties: how args become properties, how two sets of them compare, unknowns and secrets.

One naming rule for every service: args dataclasses have snake_case fields, the properties Pulumi
stores are their camelCase names (Pulumi's convention for state). Only the top-level keys are
renamed: the keys of a map value (Railway variable names, for instance) are data and stay as given.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from pulumi.output import Unknown
from pulumi.runtime import rpc

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


def camel(field_name: str) -> str:
    """`memory_gb` -> `memoryGb`: the property name of an args field."""
    head, *rest = field_name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def snake(property_name: str) -> str:
    """`memoryGb` -> `memory_gb`: the Python attribute name of a property (the inverse of `camel`)."""
    return "".join(f"_{char.lower()}" if char.isupper() else char for char in property_name)


def properties(args: DataclassInstance) -> dict[str, Any]:
    """The properties of an args dataclass, each field under its camelCase name, values untouched."""
    return {camel(field.name): getattr(args, field.name) for field in dataclasses.fields(args)}


def is_unknown(value: Any) -> bool:
    """A value the engine does not know yet (preview of an input that comes from another resource). The
    provider host hands it over as an `Unknown` object (check, diff) or as the wire sentinel."""
    return isinstance(value, Unknown) or (isinstance(value, str) and value == rpc.UNKNOWN)


def has_unknown(value: Any) -> bool:
    """Whether `value`, or anything inside it, is unknown."""
    if is_unknown(value):
        return True
    if isinstance(value, Mapping):
        return any(has_unknown(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(has_unknown(item) for item in value)
    return False


def plain(value: Any) -> Any:
    """`value` with the engine's secret wrappers removed (they arrive around secret inputs and outputs)."""
    if rpc.is_rpc_secret(value):
        return plain(rpc.unwrap_rpc_secret(value))
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def secret(value: Any) -> Any:
    """Mark an output secret in what a provider returns, so the engine stores it encrypted whatever the
    resource's `additional_secret_outputs` say (refresh included)."""
    if value is None or rpc.is_rpc_secret(value):
        return value
    return rpc.wrap_rpc_secret(value)


def normalised(value: Any, *, unordered: bool = False) -> Any:
    """`value` as the diff compares it.

    Numbers cross the engine as floats (protobuf Struct): 2 and 2.0 are the same replica count. A None
    in a map is the same as no entry (the engine drops them). A list keeps its order unless the input
    is declared `unordered` (a set of CIDRs, of schemas), then it compares sorted; the engine may hand
    lists back as tuples.
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {key: normalised(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        items = [normalised(item) for item in value]
        return sorted(items, key=repr) if unordered else items
    return value


def changed(
    olds: Mapping[str, Any], news: Mapping[str, Any], keys: Collection[str], unordered: Collection[str] = ()
) -> list[str]:
    """The keys among `keys` whose new value differs from the old one; an unknown new value (preview)
    counts as a change."""
    return [
        key for key in keys if has_unknown(news.get(key)) or _differs(olds.get(key), news.get(key), key in unordered)
    ]


def _differs(old: Any, new: Any, unordered: bool) -> bool:
    return normalised(old, unordered=unordered) != normalised(new, unordered=unordered)
