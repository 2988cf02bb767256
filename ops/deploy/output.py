"""Where the steps write: progress on stderr, results on stdout, Markdown to the job summary. Every line
passes through the redactor shared with ops.backup, which knows every secret the steps were given."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from ops.backup.redact import redact, register_secret

PREFIX = "[deploy]"
# What the steps may have in their environment that must never be printed.
SECRET_VARIABLES = ("DATABASE_URL", "SLACK_WEBHOOK_URL", "GITHUB_TOKEN", "RAILWAY_TOKEN")


def register_environment_secrets() -> None:
    for name in SECRET_VARIABLES:
        register_secret(os.environ.get(name, "").strip() or None)
    # A Slack webhook's secret is its path, which an error could show without the host.
    try:
        webhook_path = urlsplit(os.environ.get("SLACK_WEBHOOK_URL", "").strip()).path
    except ValueError:  # not a URL: masked whole above, and refused by name when the notify step reads it
        webhook_path = ""
    register_secret(webhook_path.strip("/") or None)


def log(message: str) -> None:
    for line in message.splitlines() or [""]:
        sys.stderr.write(f"{PREFIX} {redact(line)}\n")
    sys.stderr.flush()


def result(message: str) -> None:
    sys.stdout.write(redact(message) + "\n")
    sys.stdout.flush()


def job_summary(markdown: str, path: str | None = None) -> None:
    """Append to the GitHub job summary (`GITHUB_STEP_SUMMARY`); outside Actions there is none."""
    target = path or os.environ.get("GITHUB_STEP_SUMMARY", "").strip()
    if not target:
        return
    with Path(target).open("a", encoding="utf-8") as summary:
        summary.write(redact(markdown).rstrip("\n") + "\n\n")
