"""Test doubles shared by the suites: stand-in secrets, a fixed date, GitHub's lookups answered with
stable ids, and the offline runner with them (plus CI's environment overrides, set for one run)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from components import tokens
from offline import program
from offline.program import ProgramRun, StandIns
from settings.sources import PROJECT

# Stand-ins for the values operators set with `pulumi config set --secret` (no real credential).
STAND_IN_SECRETS: dict[str, str] = {
    f"{PROJECT}:sendgridApiKey": "SG.test-sendgrid-key-0123456789",
    f"{PROJECT}:smartsheetApiKey": "test-smartsheet-key-0123456789",
    f"{PROJECT}:slackWebhookUrl": "https://hooks.slack.com/services/T000/B000/test-webhook-secret",
}
FIXED_TODAY = dt.date(2026, 11, 27)


def github_id(name: str) -> int:
    """The numeric id the stand-in GitHub API gives a team or user."""
    return int(hashlib.sha256(name.encode()).hexdigest()[:6], 16)


def answer_github_lookups(token: str, args: Mapping[str, Any]) -> dict[str, Any]:
    if token in (tokens.GITHUB_GET_TEAM, tokens.GITHUB_GET_USER):
        key = args.get("slug") or args.get("username")
        return {"id": str(github_id(str(key))), "nodeId": f"N_{key}"}
    raise NotImplementedError(f"no stand-in for invoke {token}")


def stand_ins(today: dt.date = FIXED_TODAY) -> StandIns:
    return StandIns(secrets=STAND_IN_SECRETS, invoke=answer_github_lookups, today=today)


def stack_config(stack: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The stack's real `Pulumi.<stack>.yaml` config plus the stand-in secrets, with optional overrides."""
    return program.stack_config(stack, STAND_IN_SECRETS, overrides)


@contextmanager
def ci_environment(environ: Mapping[str, str]) -> Iterator[None]:
    """Exactly these CONVERGE_* variables (CI's per-run overrides) in the environment, for one run."""
    saved = dict(os.environ)
    for key in [k for k in os.environ if k.startswith("CONVERGE_")]:
        del os.environ[key]
    os.environ.update(environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_stack(
    stack: str,
    *,
    preview: bool = False,
    config: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    today: dt.date = FIXED_TODAY,
    raise_errors: bool = True,
) -> ProgramRun:
    """The offline runner with the stand-ins above; `config` replaces the stack's config when given."""
    with ci_environment(environ or {}):
        return program.run_stack(stack, stand_ins(today), preview=preview, config=config, raise_errors=raise_errors)
