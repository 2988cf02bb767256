"""The Railway side of the provider core: every Railway kind's provider makes its client here, and the
Railway-specific rules (Relay connections, deletes decided by the parent's list) live here."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from providers.core.provider import Provider
from providers.railway.errors import RailwayGraphQLError, RailwayNotFoundError

if TYPE_CHECKING:
    from providers.railway.client import RailwayClient

T = TypeVar("T")


class RailwayProvider(Provider):
    def client(self) -> RailwayClient:
        """A client for the endpoint and `RAILWAY_TOKEN` in the environment right now."""
        from providers.railway.client import connect

        return connect()


def whole(value: Any) -> int | None:
    """An Int input as the API wants it (Pulumi hands numbers over as floats)."""
    return None if value is None else int(value)


def managed(props: Mapping[str, Any], key: str, live: Any) -> Any:
    """The live value of an input this program sets; None for one it leaves to Railway (so a
    Railway default is not mistaken for drift)."""
    return None if props.get(key) is None else live


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
    """The live nodes of a Relay connection. Railway keeps listing a deleted object for a while with
    `deletedAt` set: it is gone, never adopted nor read as there."""
    if not connection:
        return []
    nodes = [edge["node"] for edge in connection.get("edges", []) if edge and edge.get("node")]
    return [node for node in nodes if not deleted(node)]


def deleted(node: Mapping[str, Any]) -> bool:
    return node.get("deletedAt") is not None


def first(items: Iterable[T], predicate: Callable[[T], bool]) -> T | None:
    return next((item for item in items if predicate(item)), None)
