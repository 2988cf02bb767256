"""The HTTP core under every API client (Railway, Supabase, and the services that come next).

Bounded retries with backoff on 429 and 5xx (honouring `Retry-After` and `X-RateLimit-Reset`),
timeouts, and errors that name the API operation and carry the API's own message. The bearer
token is read from the environment on every request, so it is never held by a provider object
that Pulumi serializes into the state.
"""

from __future__ import annotations

import email.utils
import functools
import math
import os
import random
import ssl
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from providers.core.errors import CONFIGURATION, ApiError, MissingCredentialsError

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})

# Looked up on every wait (backoff, polling), so tests can record the waits instead of sleeping them.
_sleep: Callable[[float], None] = time.sleep


def sleep(seconds: float) -> None:
    _sleep(seconds)


def seconds_from_environment(api: str, name: str, default: float) -> float:
    """A duration in seconds from the environment variable `name`, read when called; anything but a number
    above 0 is refused by name, as the configuration of `api`."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if math.isnan(value) or math.isinf(value):
        raise ApiError(api, CONFIGURATION, f"{name}={raw!r} is not a number of seconds")
    if value <= 0:
        raise ApiError(api, CONFIGURATION, f"{name} must be more than 0 seconds")
    return value


@functools.cache
def tls_context() -> ssl.SSLContext:
    """Loading the CA bundle costs ~70 ms, and one provider operation makes many requests: load it once.

    Passed as `verify=` (not inside an explicit transport) so HTTP(S)_PROXY settings still apply."""
    return httpx.create_ssl_context()


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    # The longest a rate limit may make one request wait in total before it gives up.
    max_total_wait: float = 120.0


@dataclass
class ApiClient:
    """One API (Railway GraphQL, Supabase REST): base URL, credentials variable, retry rules."""

    api: str
    base_url: str
    token_variable: str
    auth_header: Callable[[str], Mapping[str, str]] = lambda token: {"Authorization": f"Bearer {token}"}
    timeout: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = sleep
    clock: Callable[[], float] = time.time
    transport: httpx.BaseTransport | None = None
    user_agent: str = "converge-nps-pulumi"
    requests_sent: int = 0
    _session: httpx.Client | None = field(default=None, init=False, repr=False, compare=False)

    def _client(self) -> httpx.Client:
        # One pooled connection per API for the life of this client (one provider operation).
        if self._session is None:
            self._session = httpx.Client(
                base_url=self.base_url, timeout=self.timeout, transport=self.transport, verify=tls_context()
            )
        return self._session

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def token(self) -> str:
        token = os.environ.get(self.token_variable, "").strip()
        if not token:
            raise MissingCredentialsError(
                self.api, "authentication", f"set {self.token_variable} in the environment of `pulumi up`"
            )
        return token

    def request(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        form: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        idempotent: bool | None = None,
        ok_statuses: frozenset[int] = frozenset(range(200, 300)),
    ) -> httpx.Response:
        """Send one request with retries, its body JSON (`json`) or form-encoded (`form`). Non-idempotent
        requests (POST unless told otherwise) are retried only when the API says it did not process them
        (429) or the connection never opened."""
        if idempotent is None:
            idempotent = method.upper() != "POST"
        headers = {**self.auth_header(self.token()), "User-Agent": self.user_agent, "Accept": "application/json"}
        waited = 0.0
        client = self._client()
        for attempt in range(1, self.retry.attempts + 1):
            last = attempt == self.retry.attempts
            try:
                self.requests_sent += 1
                response = client.request(method, path, json=json, data=form, params=params, headers=headers)
            except httpx.ConnectError as error:
                if last:
                    raise ApiError(self.api, operation, f"cannot connect: {error}") from None
                delay = self._backoff(attempt)
            except httpx.TimeoutException:
                if last or not idempotent:
                    raise ApiError(
                        self.api, operation, f"timed out after {self.timeout:g}s", ambiguous=not idempotent
                    ) from None
                delay = self._backoff(attempt)
            except httpx.TransportError as error:
                if last or not idempotent:
                    raise ApiError(self.api, operation, str(error), ambiguous=not idempotent) from None
                delay = self._backoff(attempt)
            else:
                if response.status_code in ok_statuses:
                    return response
                retryable = response.status_code == 429 or (idempotent and response.status_code in RETRYABLE_STATUSES)
                if last or not retryable:
                    raise ApiError(
                        self.api,
                        operation,
                        api_message(response),
                        status=response.status_code,
                        ambiguous=not idempotent and response.status_code >= 500,
                    )
                delay = self._server_delay(response) or self._backoff(attempt)
            if waited + delay > self.retry.max_total_wait:
                raise ApiError(self.api, operation, f"still rate limited after waiting {waited:.0f}s", status=429)
            waited += delay
            self.sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _backoff(self, attempt: int) -> float:
        # Full jitter keeps parallel Pulumi resource operations from retrying in lockstep.
        ceiling = min(self.retry.max_delay, self.retry.base_delay * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not cryptography

    def _server_delay(self, response: httpx.Response) -> float | None:
        """How long the API asked us to wait, from `Retry-After` or `X-RateLimit-Reset`."""
        retry_after = response.headers.get("Retry-After")
        if retry_after:
            if retry_after.strip().isdigit():
                return float(retry_after)
            when = email.utils.parsedate_to_datetime(retry_after)
            return max(0.0, when.timestamp() - self.clock())
        reset = response.headers.get("X-RateLimit-Reset")
        if reset:
            try:
                value = float(reset)
            except ValueError:
                return None
            # Some APIs send an epoch timestamp, others the seconds left in the window.
            return max(0.0, value - self.clock()) if value > 1_000_000_000 else value
        return None


def api_message(response: httpx.Response) -> str:
    """The API's own explanation of a failure, without echoing request data."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return text[:300] if text else response.reason_phrase
    if isinstance(body, dict):
        for key in ("message", "error", "msg", "error_description"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            return "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors)
    return str(body)[:300]


def url_from_environment(api: str, name: str, default: str) -> httpx.URL:
    """An API's endpoint from the environment variable `name` (tests point it at a fake), else `default`."""
    return absolute_http_url(api, name, os.environ.get(name, "").strip() or default)


def absolute_http_url(api: str, name: str, raw: str) -> httpx.URL:
    """`raw`, the value of the variable `name`, as an absolute http(s) URL; anything else is refused by name,
    without quoting it (it may hold a credential)."""
    try:
        # httpx percent-encodes what it cannot read as a host (`http://[host` becomes host `%5Bhost`) and
        # fails only when a request is made; the standard library's parser refuses such a URL at once.
        parts = urllib.parse.urlsplit(raw)
        valid = parts.scheme in ("https", "http") and bool(parts.hostname) and parts.port != 0
        url = httpx.URL(raw)
    except (httpx.InvalidURL, ValueError):
        valid = False
    if not valid:
        raise ApiError(api, CONFIGURATION, f"{name} must be an absolute http(s) URL")
    return url


@dataclass(frozen=True)
class EnvironmentNames:
    """The environment variables one service's client is configured from (read when a provider method runs)."""

    token: str
    base_url: str
    timeout: str  # seconds per request (default 30)
    retry_delay: str  # first backoff step, seconds (default 0.5)


def client_from_environment(
    api: str,
    names: EnvironmentNames,
    default_base_url: str,
    *,
    transport: httpx.BaseTransport | None = None,
    auth_header: Callable[[str], Mapping[str, str]] | None = None,
) -> ApiClient:
    """The HTTP core for one service as its environment configures it: base URL, timeout and retry delay."""
    base_url = url_from_environment(api, names.base_url, default_base_url)
    options: dict[str, Any] = {} if auth_header is None else {"auth_header": auth_header}
    return ApiClient(
        api=api,
        base_url=str(base_url).rstrip("/"),
        token_variable=names.token,
        timeout=seconds_from_environment(api, names.timeout, 30.0),
        retry=RetryPolicy(base_delay=seconds_from_environment(api, names.retry_delay, 0.5)),
        transport=transport,
        **options,
    )
