"""Railway's public GraphQL API over the shared HTTP core (`providers/core/http.py`).

Retries, backoff and rate limits are the core's job; this module adds what is GraphQL-specific:
the request envelope, `errors` in a 200 response turned into exceptions that name the operation,
and which operations may be repeated safely. The token (`RAILWAY_TOKEN`, an account or workspace
token sent as `Authorization: Bearer`) and the endpoint (`RAILWAY_API_URL`) are read from the
environment each time a client is made, inside a provider call, so no provider object that Pulumi
serializes ever holds them. Only provider methods import this module.

This machine cannot reach Railway: everything here is checked against the official schema and a
local fake server (`tests/railway/`), not against the live API.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from providers.core.errors import ApiError
from providers.core.http import ApiClient, seconds_from_environment, url_from_environment
from providers.railway.documents import Operation
from providers.railway.environment_variables import (
    API_URL_VARIABLE,
    POLL_INTERVAL_VARIABLE,
    TIMEOUT_VARIABLE,
    TOKEN_VARIABLE,
)
from providers.railway.errors import API, RailwayGraphQLError, RailwayNotFoundError

DEFAULT_API_URL = "https://backboard.railway.com/graphql/v2"
DEFAULT_TIMEOUT_SECONDS = 30.0
# A deployment builds and starts in minutes: its status is checked every 5 seconds (RAILWAY_POLL_INTERVAL).
DEFAULT_POLL_SECONDS = 5.0

# Railway words a missing object as "<Thing> not found"; anything else (notably "Not Authorized")
# must not be read as "gone", or a wrong token would make a refresh drop live resources from state.
_NOT_FOUND = re.compile(r"\bnot found\b|\bdoes not exist\b", re.IGNORECASE)

# Refusals Railway's own clients retry (alchemy's transient.ts and error matchers, micah5's
# IsStaleEnvironment): the request was refused, nothing applied, so sending it again is safe, creates
# included. Any other GraphQL error is final.
_TRANSIENT = re.compile(
    r"creating (volumes|projects|environments) too quickly"
    r"|one environment can be created per user every 30s"
    r"|failed to create service domain, please try again",
    re.IGNORECASE,
)
_TRANSIENT_CODES = frozenset({"STALE_ENVIRONMENT_BASE"})
_TRANSIENT_WAITS = (2.0, 5.0, 10.0, 15.0, 30.0)

# One change at a time per environment, in this process (the dynamic-provider host runs every Railway
# resource of a `pulumi up` in one process, on several threads): Railway refuses a change that started
# from an environment version another change has just replaced.
_environment_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()

T = TypeVar("T")


@contextmanager
def one_change_at_a_time(environment_id: str | None) -> Iterator[None]:
    if environment_id is None:
        yield
        return
    with _locks_guard:
        lock = _environment_locks.setdefault(environment_id, threading.Lock())
    with lock:
        yield


def changed_environment(variables: Mapping[str, Any]) -> str | None:
    """The environment a mutation changes, as its variables name it (at the top or in `input`)."""
    nested = variables.get("input")
    found = variables.get("environmentId") or (nested.get("environmentId") if isinstance(nested, Mapping) else None)
    return str(found) if found else None


@dataclass
class RailwayClient:
    http: ApiClient
    path: str
    # Seconds between two status checks of something Railway finishes later (a deployment).
    poll_interval: float = DEFAULT_POLL_SECONDS

    def execute(
        self, operation: Operation, variables: Mapping[str, Any], *, idempotent: bool | None = None
    ) -> dict[str, Any]:
        """Send `operation`; return its `data`. Queries are retried on 5xx and timeouts; a mutation
        only when the caller says repeating it is harmless (an upsert, a set, a delete). A refusal
        Railway calls transient is retried after a wait, and a mutation waits for any other change to
        its environment to finish first."""
        if idempotent is None:
            idempotent = not operation.mutation
        environment_id = changed_environment(variables) if operation.mutation else None
        for wait in (*_TRANSIENT_WAITS, None):
            try:
                with one_change_at_a_time(environment_id):
                    return self._send(operation, variables, idempotent)
            except RailwayGraphQLError as error:
                if wait is None or not error.transient:
                    raise
            self.http.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _send(self, operation: Operation, variables: Mapping[str, Any], idempotent: bool) -> dict[str, Any]:
        response = self.http.request(
            operation.name,
            "POST",
            self.path,
            json={"query": operation.document, "variables": dict(variables), "operationName": operation.name},
            idempotent=idempotent,
        )
        try:
            body = response.json()
        except ValueError:
            raise ApiError(API, operation.name, "the response is not JSON", status=response.status_code) from None
        if not isinstance(body, dict):
            raise ApiError(API, operation.name, "the response is not a JSON object", status=response.status_code)
        errors = body.get("errors")
        if errors:
            listed = errors if isinstance(errors, list) else [errors]
            messages = [str(error.get("message", error)) if isinstance(error, dict) else str(error) for error in listed]
            if messages and all(_NOT_FOUND.search(message) for message in messages):
                raise RailwayNotFoundError(operation.name, messages, response.status_code)
            codes = {str((error.get("extensions") or {}).get("code")) for error in listed if isinstance(error, dict)}
            refused = RailwayGraphQLError(operation.name, messages, response.status_code)
            refused.transient = bool(codes & _TRANSIENT_CODES) or any(_TRANSIENT.search(m) for m in messages)
            raise refused
        data = body.get("data")
        if not isinstance(data, dict):
            raise ApiError(API, operation.name, "the response has no data", status=response.status_code)
        return data

    def wait_for(self, what: str, probe: Callable[[], T | None], *, attempts: int, interval: float) -> T:
        """Call `probe` until it returns something, at most `attempts` times `interval` seconds apart:
        Railway accepts a change before it shows it (a new service's instance, a deployment's outcome)."""
        for attempt in range(1, attempts + 1):
            found = probe()
            if found is not None:
                return found
            if attempt < attempts:
                self.http.sleep(interval)
        raise ApiError(API, what, f"not there after {attempts} checks {interval:g}s apart")


def connect(*, transport: httpx.BaseTransport | None = None) -> RailwayClient:
    """A client for the endpoint and token in the environment right now."""
    url = url_from_environment(API, API_URL_VARIABLE, DEFAULT_API_URL)
    timeout = seconds_from_environment(API, TIMEOUT_VARIABLE, DEFAULT_TIMEOUT_SECONDS)
    origin = str(url.copy_with(raw_path=b"/", query=None, fragment=None)).rstrip("/")
    http = ApiClient(
        api=API,
        base_url=origin,
        token_variable=TOKEN_VARIABLE,
        timeout=timeout,
        transport=transport,
    )
    poll_interval = seconds_from_environment(API, POLL_INTERVAL_VARIABLE, DEFAULT_POLL_SECONDS)
    return RailwayClient(http=http, path=url.raw_path.decode("ascii") or "/", poll_interval=poll_interval)
