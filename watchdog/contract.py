"""The watchdog's settings contract: one JSON document in one environment variable.

The program renders it from the stack settings (`watchdog.render.render_config`); the service parses
it here. The thresholds are the settings model's own sub-models, so there is no second copy of them.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AliasGenerator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from settings.model import AlertSettings, BackendSettings, BudgetSettings, Environment, WatchdogSettings

CONFIG_VARIABLE = "WATCHDOG_CONFIG"
# The Slack incoming webhook is a secret: it travels in its own (sealed) variable, never in the JSON.
SLACK_WEBHOOK_VARIABLE = "WATCHDOG_SLACK_WEBHOOK_URL"
CONTRACT_VERSION = 1


class WatchdogConfig(BaseModel):
    """Everything the service needs from the stack, with the figures the program computed for it."""

    model_config = ConfigDict(
        alias_generator=AliasGenerator(alias=to_camel), populate_by_name=True, extra="forbid", frozen=True
    )

    version: Annotated[int, Field(ge=CONTRACT_VERSION, le=CONTRACT_VERSION)] = CONTRACT_VERSION
    environment: Environment
    project_id: Annotated[str, Field(min_length=1)]
    environment_id: Annotated[str, Field(min_length=1)]
    backend_service_id: Annotated[str, Field(min_length=1)]
    # The Railway region the backend's replicas are placed in (`railway.region` of the stack settings).
    region: Annotated[str, Field(min_length=1)]
    event_mode: bool
    backend: BackendSettings
    alerts: AlertSettings
    budget: BudgetSettings
    watchdog: WatchdogSettings
    # From the cost model (cost/), computed by the program: the service image carries no price table.
    price_per_replica_monthly_usd: Annotated[float, Field(gt=0)]
    other_monthly_usd: Annotated[float, Field(ge=0, description="The rest of the stack: Redis, Supabase.")]
    railway_other_monthly_usd: Annotated[float, Field(ge=0, description="The rest of the stack on Railway: Redis.")]
    railway_hard_limit_usd: Annotated[
        float | None, Field(gt=0, description="Railway's hard usage limit, when this stack sets it.")
    ]

    def event_mode_at(self, moment: dt.datetime) -> bool:
        return self.event_mode or self.watchdog.event_mode_at(moment)

    @property
    def dashboard_url(self) -> str:
        return f"https://railway.com/project/{self.project_id}/observability?environmentId={self.environment_id}"


def parse_config(text: str) -> WatchdogConfig:
    return WatchdogConfig.model_validate_json(text)
