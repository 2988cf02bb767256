"""Everything this package takes from the providers' code, in one module, so that a move there is a
one-line fix here: the HTTP core (bounded retries on 429/5xx, timeouts, errors that name the operation)
and the Railway GraphQL client on top of it."""

from __future__ import annotations

from providers.core.errors import ApiError
from providers.core.http import ApiClient
from providers.railway.client import RailwayClient
from providers.railway.client import connect as connect_railway
from providers.railway.documents import Operation

__all__ = ["ApiClient", "ApiError", "Operation", "RailwayClient", "connect_railway"]
