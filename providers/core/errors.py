"""The errors every API client raises. Free of any HTTP library, so provider modules can catch them
without importing a client."""

from __future__ import annotations

# The operation of an `ApiError` that no request caused: the client's own settings (an endpoint, a duration)
# from the environment are wrong.
CONFIGURATION = "configuration"


class ApiError(Exception):
    """A request failed for good. `status` is None when no HTTP response arrived."""

    def __init__(
        self,
        api: str,
        operation: str,
        message: str,
        *,
        status: int | None = None,
        ambiguous: bool = False,
    ) -> None:
        self.api = api
        self.operation = operation
        self.status = status
        self.api_message = message
        # True when the request may have been applied although no success came back (a timeout or
        # a 5xx on a non-idempotent call): the caller must look before it tries to create again.
        self.ambiguous = ambiguous
        where = f"HTTP {status}" if status is not None else "no response"
        super().__init__(f"{api} {operation} failed ({where}): {message}")


class MissingCredentialsError(ApiError):
    pass


class NotFoundError(ApiError):
    """The API says the object asked for does not exist. A `read` that meets it reports the resource
    gone, a `delete` that meets it has nothing left to do."""
