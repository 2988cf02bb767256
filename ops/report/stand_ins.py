"""What the report's offline run of a stack uses where the engine would give the program real values:
placeholder secrets, GitHub lookups that answer a placeholder id, and today's date. Kept apart from the
report's pack machinery so a mocked run of the program imports only what the program needs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from components import tokens
from cost.usage_limit import placeholder_secrets
from offline.program import StandIns

# Stands in for every numeric id a GitHub lookup returns: the report reads no reviewer.
PLACEHOLDER_GITHUB_ID = "0"


def _github_lookup(token: str, args: Mapping[str, Any]) -> dict[str, Any]:
    if token in (tokens.GITHUB_GET_TEAM, tokens.GITHUB_GET_USER):
        return {"id": PLACEHOLDER_GITHUB_ID}
    raise NotImplementedError(f"the offline report cannot answer {token}")


def report_stand_ins() -> StandIns:
    """What the report's offline run uses for the stack's secrets, GitHub's lookups and the date."""
    return StandIns(secrets=placeholder_secrets(), invoke=_github_lookup, today=dt.datetime.now(dt.UTC).date())
