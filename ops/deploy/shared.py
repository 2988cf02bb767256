"""Everything this package takes from the providers' code, in one module, so that a move there is a
one-line fix here: the HTTP core (bounded retries on 429/5xx, timeouts, errors that name the operation)
and the Railway GraphQL client on top of it."""

from __future__ import annotations

from providers.http import ApiClient, ApiError
from providers.railway.client import (
    API_URL_VARIABLE as RAILWAY_API_URL_VARIABLE,
)
from providers.railway.client import (
    DEFAULT_API_URL as RAILWAY_DEFAULT_API_URL,
)
from providers.railway.client import (
    TOKEN_VARIABLE as RAILWAY_TOKEN_VARIABLE,
)
from providers.railway.client import RailwayClient
from providers.railway.operations import Operation

__all__ = [
    "RAILWAY_API_URL_VARIABLE",
    "RAILWAY_DEFAULT_API_URL",
    "RAILWAY_TOKEN_VARIABLE",
    "ApiClient",
    "ApiError",
    "Operation",
    "RailwayClient",
]
