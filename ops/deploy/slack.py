"""Slack: messages through the incoming webhook in `SLACK_WEBHOOK_URL`. The URL is the credential, so it
comes only from the environment and is never printed, not even in an error."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import httpx

from providers.core.http import absolute_http_url

from .errors import DeployError, UsageError
from .migrate import NOT_ROLLED_BACK
from .output import log
from .shared import ApiClient, ApiError

WEBHOOK_VARIABLE = "SLACK_WEBHOOK_URL"
# GitHub's step outcomes (`steps.<id>.outcome`).
OUTCOMES = ("success", "failure", "cancelled", "skipped")


class SlackError(DeployError):
    pass


def post(text: str, *, transport: httpx.BaseTransport | None = None) -> bool:
    """Send `text`; False (and a notice) when no webhook is configured for this environment."""
    url = os.environ.get(WEBHOOK_VARIABLE, "").strip()
    if not url:
        log(f"{WEBHOOK_VARIABLE} is not set: no Slack message")
        return False
    parts = absolute_http_url("Slack", WEBHOOK_VARIABLE, url)
    client = ApiClient(
        api="Slack",
        base_url=str(parts.copy_with(raw_path=b"/", query=None, fragment=None)).rstrip("/"),
        # The webhook needs no header: the secret is its path.
        token_variable=WEBHOOK_VARIABLE,
        auth_header=lambda _url: {},
        user_agent="converge-nps-deploy",
        timeout=15.0,
        transport=transport,
    )
    try:
        client.request("webhook", "POST", parts.raw_path.decode("ascii"), json={"text": text})
    except ApiError as error:
        raise SlackError(f"Slack refused the message: {error.api_message}") from None
    finally:
        client.close()
    return True


@dataclass(frozen=True)
class DeployOutcome:
    stack: str
    steps: Mapping[str, str]
    rolled_back_to: str | None = None

    @property
    def status(self) -> str:
        for bad in ("failure", "cancelled"):
            if bad in self.steps.values():
                return bad
        return "success"


def parse_steps(items: Sequence[str]) -> dict[str, str]:
    steps: dict[str, str] = {}
    for item in items:
        name, _, outcome = item.partition("=")
        if not name or outcome not in OUTCOMES:
            raise UsageError(f"--step {item!r}: expected name=outcome with outcome one of {', '.join(OUTCOMES)}")
        steps[name] = outcome
    return steps


def deploy_message(outcome: DeployOutcome, env: Mapping[str, str]) -> str:
    icon = {"success": ":white_check_mark:", "failure": ":x:", "cancelled": ":warning:"}[outcome.status]
    commit = env.get("GITHUB_SHA", "")[:7]
    actor = env.get("GITHUB_ACTOR", "")
    who = f" (commit `{commit}`{f' by {actor}' if actor else ''})" if commit else ""
    lines = [f"{icon} Deploy of *{outcome.stack}*{who}: *{outcome.status}*"]
    lines += [f"• {name}: {state}" for name, state in outcome.steps.items()]
    if outcome.steps.get("rollback") == "success":
        target = f" to deployment `{outcome.rolled_back_to}`" if outcome.rolled_back_to else ""
        lines.append(f":leftwards_arrow_with_hook: The backend was rolled back{target}.")
    if outcome.steps.get("rollback") == "failure":
        lines.append(":rotating_light: The automatic rollback FAILED: roll back by hand in Railway.")
    if outcome.steps.get("migrate") == "success" and outcome.status != "success":
        lines.append(f":card_file_box: {NOT_ROLLED_BACK}")
    run = run_url(env)
    if run:
        lines.append(f"<{run}|workflow run>")
    return "\n".join(lines)


def run_url(env: Mapping[str, str]) -> str | None:
    server, repository, run_id = (env.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
    return f"{server}/{repository}/actions/runs/{run_id}" if server and repository and run_id else None
