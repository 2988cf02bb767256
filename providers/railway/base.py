"""What every Railway dynamic provider shares: diff rules, create-or-adopt, and the resource base.

Rules all kinds follow (issue 3):
- `create` is safe to retry: it looks for what an earlier, failed attempt may have made and adopts it;
  a create whose response was lost (timeout, 5xx) looks again before it tries a second time.
- `read` of something deleted out of band reports it gone (empty id), decided by listing the parent
  wherever the API allows it rather than by the wording of an error.
- `delete` of something already gone succeeds.
- `diff` asks for a replacement only for inputs the API cannot change in place.
- No credential is held by a provider object (the client reads `RAILWAY_TOKEN` per call), so the
  provider Pulumi serializes into the state carries no token and no secret value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, TypeVar

import pulumi
import pulumi.dynamic
from pulumi.runtime import rpc

from providers.core.errors import ApiError
from providers.railway.client import RailwayClient, RailwayGraphQLError, RailwayNotFoundError, connect

T = TypeVar("T")

PROVIDER_KEY = "__provider"


def differs(old: Any, new: Any) -> bool:
    """Whether an input changed; an unknown new value (preview) counts as a change."""
    if _has_unknown(new):
        return True
    return _normalise(old) != _normalise(new)


def _has_unknown(value: Any) -> bool:
    if value == rpc.UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(_has_unknown(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_unknown(item) for item in value)
    return False


def _normalise(value: Any) -> Any:
    # Pulumi carries every number as a float; 2 and 2.0 are the same replica count.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _normalise(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_normalise(item) for item in value]
    return value


def whole(value: Any) -> int | None:
    """An Int input as the API wants it (Pulumi hands numbers over as floats)."""
    return None if value is None else int(value)


def managed(props: Mapping[str, Any], key: str, live: Any) -> Any:
    """The live value of an input this program sets; None for one it leaves to Railway (so a
    Railway default is not mistaken for drift)."""
    return None if props.get(key) is None else live


def create_or_adopt(
    find: Callable[[], dict[str, Any] | None], create: Callable[[], dict[str, Any]]
) -> tuple[dict[str, Any], bool]:
    """Return (the object, whether this call made it). Looks first, so a create retried after an
    earlier failed `pulumi up` adopts what that attempt left; a create whose answer was lost looks
    again before the one repeat it is allowed."""
    existing = find()
    if existing is not None:
        return existing, False
    try:
        return create(), True
    except ApiError as error:
        if not error.ambiguous:
            raise
    existing = find()
    if existing is not None:
        return existing, True
    return create(), True


def delete_unless_gone(send: Callable[[], object], exists: Callable[[], bool]) -> None:
    """Send a delete; if Railway refuses it, succeed when the object is in fact already gone
    (Railway's wording for "already deleted" is not part of its contract; the parent's list is)."""
    try:
        send()
    except RailwayGraphQLError:
        try:
            still_there = exists()
        except RailwayNotFoundError:
            still_there = False
        if still_there:
            raise


def edges(connection: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The nodes of a Relay connection."""
    if not connection:
        return []
    return [edge["node"] for edge in connection.get("edges", []) if edge and edge.get("node")]


def first(items: Iterable[T], predicate: Callable[[T], bool]) -> T | None:
    return next((item for item in items if predicate(item)), None)


class RailwayProvider(pulumi.dynamic.ResourceProvider):
    """Base of the Railway providers. Holds no state, so its serialized form is just its class."""

    # Inputs the diff compares; those of `replace_on` cannot be changed in place.
    inputs: ClassVar[tuple[str, ...]] = ()
    replace_on: ClassVar[tuple[str, ...]] = ()
    # Two copies cannot coexist (one domain name, one mount path): delete the old one first.
    delete_before_replace: ClassVar[bool] = False

    def client(self) -> RailwayClient:
        return connect()

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.DiffResult:
        changed = [key for key in self.inputs if differs(olds.get(key), news.get(key))]
        replaces = [key for key in changed if key in self.replace_on]
        return pulumi.dynamic.DiffResult(
            changes=bool(changed),
            replaces=replaces,
            delete_before_replace=self.delete_before_replace if replaces else None,
        )

    def given(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """The declared inputs of `props`, as they go back into the state."""
        return {key: props.get(key) for key in self.inputs}

    @staticmethod
    def gone() -> pulumi.dynamic.ReadResult:
        # The engine treats an empty id as "deleted"; outs must be a dict, not None.
        return pulumi.dynamic.ReadResult(id_="", outs={})


def not_found_is_gone(read: Callable[[], pulumi.dynamic.ReadResult]) -> pulumi.dynamic.ReadResult:
    try:
        return read()
    except RailwayNotFoundError:
        return RailwayProvider.gone()


class RailwayResource(pulumi.dynamic.Resource):
    """Properties keep Railway's camelCase names end to end (the SDK would otherwise rename the keys of
    nested maps too, variable names included); snake_case accessors are properties on each kind."""

    def output(self, key: str) -> pulumi.Output[Any]:
        value: pulumi.Output[Any] = self.__dict__[key]
        return value
