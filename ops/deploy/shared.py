"""Everything this package takes from the providers' code, in one module, so that a move there is a
one-line fix here: the HTTP core (bounded retries on 429/5xx, timeouts, errors that name the operation)
and the Railway GraphQL client on top of it."""

from __future__ import annotations

from providers.http import ApiClient, ApiError
from providers.railway.client import RailwayClient
from providers.railway.client import connect as connect_railway
from providers.railway.operations import Operation

__all__ = ["ApiClient", "ApiError", "Operation", "RailwayClient", "connect_railway"]
