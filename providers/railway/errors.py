"""What Railway's API answers when a request fails, without importing the client."""

from __future__ import annotations

from providers.core.errors import ApiError, NotFoundError

API = "Railway"


class RailwayGraphQLError(ApiError):
    """The API answered, but with GraphQL `errors`: nothing in the request was applied."""

    def __init__(self, operation: str, messages: list[str], status: int | None) -> None:
        self.messages = messages
        # Railway refused it for now (too quick, a concurrent change): the client sends it again.
        self.transient = False
        super().__init__(API, operation, "; ".join(messages) or "GraphQL error without a message", status=status)


class RailwayNotFoundError(RailwayGraphQLError, NotFoundError):
    """Every error says the object asked for does not exist."""
