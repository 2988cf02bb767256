"""Smoke tests: `/health` and the critical endpoints of the deployed API answer as expected, each retried
a bounded number of times while a new deployment comes up."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import httpx

from .errors import DeployError, UsageError
from .output import log

HEALTH_PATH = "/health"


class SmokeFailedError(DeployError):
    pass


@dataclass(frozen=True)
class Check:
    """GET `path`; passes on one of `expect` (any 2xx when empty)."""

    path: str
    expect: frozenset[int] = frozenset()

    def passes(self, status: int) -> bool:
        return status in self.expect if self.expect else 200 <= status < 300

    def __str__(self) -> str:
        return f"{self.path} (expects {','.join(map(str, sorted(self.expect))) if self.expect else '2xx'})"


@dataclass(frozen=True)
class Outcome:
    check: Check
    ok: bool
    attempts: int
    last: str


@dataclass
class SmokeOptions:
    base_url: str
    checks: Sequence[Check]
    attempts: int = 10
    interval: float = 6.0
    timeout: float = 10.0
    sleep: Callable[[float], None] = field(default=time.sleep)


def parse_check(text: str) -> Check:
    """`/path` or `/path=401` or `/path=200,204`: an endpoint that must answer, e.g. behind auth, with 401."""
    path, _, codes = text.strip().partition("=")
    if not path.startswith("/"):
        raise UsageError(f"smoke endpoint {text!r} must be a path starting with '/'")
    try:
        expect = frozenset(int(code) for code in codes.split(",") if code.strip())
    except ValueError:
        raise UsageError(f"smoke endpoint {text!r}: expected statuses must be numbers, e.g. /me=401") from None
    if any(not 100 <= code <= 599 for code in expect):
        raise UsageError(f"smoke endpoint {text!r}: not an HTTP status")
    return Check(path=path, expect=expect)


def checks_for(endpoints: Sequence[str]) -> list[Check]:
    """`/health` first, then the configured endpoints, each once."""
    checks = [Check(HEALTH_PATH)]
    for text in endpoints:
        check = parse_check(text)
        if check.path not in {c.path for c in checks}:
            checks.append(check)
    return checks


def smoke(options: SmokeOptions) -> list[Outcome]:
    if not options.base_url.startswith(("https://", "http://")):
        raise UsageError(f"the API URL {options.base_url!r} is not an http(s) URL")
    if options.attempts < 1 or options.timeout <= 0 or options.interval < 0:
        raise UsageError("attempts must be at least 1, timeout positive and interval not negative")
    base = options.base_url.rstrip("/")
    outcomes = []
    with httpx.Client(timeout=options.timeout, follow_redirects=False) as client:
        for check in options.checks:
            outcome = _run(client, base, check, options)
            log(f"{'ok  ' if outcome.ok else 'FAIL'} {check}: {outcome.last} after {outcome.attempts} attempt(s)")
            outcomes.append(outcome)
    failed = [o for o in outcomes if not o.ok]
    if failed:
        raise SmokeFailedError("smoke tests failed: " + "; ".join(f"{o.check.path} answered {o.last}" for o in failed))
    return outcomes


def _run(client: httpx.Client, base: str, check: Check, options: SmokeOptions) -> Outcome:
    last = ""
    for attempt in range(1, options.attempts + 1):
        try:
            response = client.get(base + check.path, headers={"User-Agent": "converge-nps-deploy-smoke"})
        except httpx.TimeoutException:
            last = f"no answer within {options.timeout:g}s"
        except httpx.TransportError as error:
            last = f"connection failed ({type(error).__name__})"
        else:
            last = f"HTTP {response.status_code}"
            if check.passes(response.status_code):
                return Outcome(check, True, attempt, last)
        if attempt < options.attempts:
            options.sleep(options.interval)
    return Outcome(check, False, options.attempts, last)
