"""Railway's usage limit, sized for the workspace it covers.

Railway keeps one usage limit per workspace (`usageLimitSet` takes the customer, not a project), and its
hard limit takes every workload of the workspace offline, production included. So the limit is sized
from what every stack sharing the workspace can spend on Railway at maximum scale, read from the stack
files (`Pulumi.<stack>.yaml`, the stacks of settings/stacks.py). Supabase bills separately and is not
part of it. The program sets it from here, the spending-cap policy judges it against production's
Railway spend at maximum scale, and the report shows the headroom.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from cost.prices import PriceTable, load_prices
from cost.stack import estimate, railway_usd, sizes_from_settings
from settings.loader import load_stack_settings
from settings.model import StackSettings
from settings.sources import NAMESPACE
from settings.stackfile import read_stack_file
from settings.stacks import ENVIRONMENT_BY_STACK, STACKS

ROOT = Path(__file__).resolve().parents[1]


def placeholder_secrets() -> dict[str, str]:
    """A value for every `--secret` key of the settings, for reading a stack's sizes or running it offline
    without its secrets (neither reads one). An https URL, because the DSN and webhook keys must be one."""
    return {
        f"{NAMESPACE}:{field.alias}": "https://placeholder.invalid/"
        for field in StackSettings.model_fields.values()
        if "SecretStr" in repr(field.annotation)
    }


def stack_file_settings(stack: str, root: Path = ROOT) -> StackSettings:
    """The settings `Pulumi.<stack>.yaml` declares, without CI's per-run overrides."""
    config = {**read_stack_file(root / f"Pulumi.{stack}.yaml"), **placeholder_secrets()}
    return load_stack_settings(stack, config, {})


def railway_max_usd(settings: StackSettings, prices: PriceTable | None = None) -> Decimal:
    """What a stack's Railway services cost a month at maximum replicas."""
    return railway_usd(estimate(sizes_from_settings(settings), prices), "max_usd")


@dataclass(frozen=True)
class WorkspaceLimit:
    """The usage limit of one Railway workspace and what it is sized from."""

    hard_usd: int
    soft_usd: int
    # Each stack sharing the workspace, at maximum scale on Railway, and its budget.
    railway_max_by_stack: Mapping[str, Decimal]
    budget_by_stack: Mapping[str, Decimal]

    @property
    def railway_max_usd(self) -> Decimal:
        return sum(self.railway_max_by_stack.values(), Decimal(0))

    @property
    def headroom_usd(self) -> Decimal:
        """What the hard limit leaves above every stack at maximum scale."""
        return Decimal(self.hard_usd) - self.railway_max_usd


def workspace_limit(settings: StackSettings, *, root: Path = ROOT, prices: PriceTable | None = None) -> WorkspaceLimit:
    """The limit for the workspace of the stack running with `settings` (as it runs now, in place of its
    stack file, whatever the Pulumi stack is called): the hard limit covers every stack in that workspace
    at maximum scale, the soft limit (an e-mail) is `budget.softLimitPercent` of it."""
    table = prices or load_prices()
    stack = stack_of(settings)
    others = {name: stack_file_settings(name, root) for name in STACKS if name != stack}
    sharing = {
        name: other for name, other in others.items() if other.railway.workspace_id == settings.railway.workspace_id
    }
    members = {stack: settings, **sharing}
    by_stack = {name: railway_max_usd(s, table) for name, s in members.items()}
    hard = math.ceil(sum(by_stack.values(), Decimal(0)))
    return WorkspaceLimit(
        hard_usd=hard,
        soft_usd=math.floor(hard * settings.budget.soft_limit_percent / 100),
        railway_max_by_stack=by_stack,
        budget_by_stack={name: Decimal(str(s.budget.monthly_usd)) for name, s in members.items()},
    )


def stack_of(settings: StackSettings) -> str:
    """The stack that deploys `settings.environment`."""
    return next(stack for stack, environment in ENVIRONMENT_BY_STACK.items() if environment == settings.environment)
