"""An environment's observability dashboard (`observabilityDashboardCreate` / `Update`): the widgets Railway
shows on the environment's Observability page.

Railway keeps one dashboard per environment, may have made a default one already, and has no mutation to
delete one, so create adopts the environment's dashboard (and sets its items), update replaces its items,
and delete resets it to Railway's defaults (`observabilityDashboardReset`). Neither mutation answers with
the dashboard, so its id comes from `observabilityDashboards`.

Each item is given as `{key, name, type, description?, httpMetric?, measurements?, resourceIds}` and sent
as an `ObservabilityDashboardUpdateInput` whose ids are derived from the environment and the key (uuid5),
so the same item keeps its id across updates. `displayConfig` is an opaque JSON scalar in the SDL; its
shape here (a grid cell `{x, y, w, h}` on a 12-column layout, two widgets a row) is inferred from
Railway's dashboard UI, not documented (docs/monitoring-providers.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import CheckFailure, CreateResult, ReadResult, UpdateResult

from providers.core.errors import ApiError
from providers.core.properties import is_unknown, properties
from providers.core.provider import Resource, gone
from providers.railway import documents as ops
from providers.railway.errors import API
from providers.railway.provider import RailwayProvider, edges

if TYPE_CHECKING:
    from providers.railway.client import RailwayClient

# The SDL's ObservabilityDashboardItemType values this kind declares.
ITEM_TYPES = frozenset({"SERVICE_METRICS_ITEM", "HTTP_METRICS_ITEM", "VOLUME_METRICS_ITEM"})
_CONFIG_KEYS = ("httpMetric", "measurements", "resourceIds")
_COLUMNS, _WIDTH, _HEIGHT = 12, 6, 4


class ObservabilityDashboardProvider(RailwayProvider):
    inputs = ("environmentId", "items")
    replace_on = ("environmentId",)
    outputs = ("dashboardId",)

    def check_inputs(self, news: dict[str, Any]) -> list[CheckFailure]:
        items = news.get("items")
        if is_unknown(items) or not isinstance(items, list | tuple):
            return []
        keys = [item.get("key") for item in items if isinstance(item, Mapping)]
        failures = []
        if len(set(keys)) != len(keys):
            failures.append(CheckFailure("items", "two items share a key"))
        for item in items:
            kind = item.get("type") if isinstance(item, Mapping) else None
            if not is_unknown(kind) and kind not in ITEM_TYPES:
                failures.append(CheckFailure("items", f"{kind!r} is not one of {sorted(ITEM_TYPES)}"))
        return failures

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()
        environment_id = props["environmentId"]
        dashboard = self._dashboard(client, environment_id)
        if dashboard is None:
            client.execute(
                ops.OBSERVABILITY_DASHBOARD_CREATE,
                {"input": {"environmentId": environment_id, "items": update_input(environment_id, props["items"])}},
            )
            dashboard = self._dashboard(client, environment_id)
            if dashboard is None:
                raise ApiError(API, ops.OBSERVABILITY_DASHBOARD_CREATE.name, "no dashboard after creating one")
        else:
            self._set_items(client, dashboard["id"], props)
        return CreateResult(dashboard["id"], {**self.given(props), "dashboardId": dashboard["id"]})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        dashboard = self._dashboard(self.client(), props["environmentId"])
        if dashboard is None or dashboard["id"] != id_:
            return gone()
        items = observed_items(props["environmentId"], props.get("items") or [], dashboard)
        return ReadResult(id_, {**props, "items": items, "dashboardId": id_})

    def update(self, id_: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        self._set_items(self.client(), id_, news)
        return UpdateResult({**self.given(news), "dashboardId": id_})

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        self.client().execute(ops.OBSERVABILITY_DASHBOARD_RESET, {"id": id_}, idempotent=True)

    @staticmethod
    def _set_items(client: RailwayClient, dashboard_id: str, props: dict[str, Any]) -> None:
        items = update_input(props["environmentId"], props["items"])
        client.execute(ops.OBSERVABILITY_DASHBOARD_UPDATE, {"id": dashboard_id, "input": items}, idempotent=True)

    @staticmethod
    def _dashboard(client: RailwayClient, environment_id: str) -> dict[str, Any] | None:
        listed = client.execute(ops.OBSERVABILITY_DASHBOARDS, {"environmentId": environment_id})
        dashboards = edges(listed["observabilityDashboards"])
        return dashboards[0] if dashboards else None


def _ids(environment_id: str, key: str) -> tuple[str, str]:
    """(the item's id, its instance's id on the dashboard), stable for one environment and key."""
    item = uuid.uuid5(uuid.NAMESPACE_URL, f"railway:{environment_id}/dashboard/{key}")
    return str(item), str(uuid.uuid5(item, "instance"))


def update_input(environment_id: str, items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The ObservabilityDashboardUpdateInput list for `items`, laid out two a row."""
    sent = []
    for position, item in enumerate(items):
        item_id, instance_id = _ids(environment_id, item["key"])
        config = {key: item[key] for key in _CONFIG_KEYS if item.get(key) is not None}
        dashboard_item = {"id": item_id, "name": item["name"], "type": item["type"], "config": config}
        if item.get("description"):
            dashboard_item["description"] = item["description"]
        x = (position * _WIDTH) % _COLUMNS
        y = (position * _WIDTH) // _COLUMNS * _HEIGHT
        sent.append(
            {
                "id": instance_id,
                "displayConfig": {"x": x, "y": y, "w": _WIDTH, "h": _HEIGHT},
                "dashboardItem": dashboard_item,
            }
        )
    return sent


def observed_items(
    environment_id: str, declared: Sequence[Mapping[str, Any]], dashboard: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The dashboard's items in the shape and order they are declared in (Railway lists them in no documented
    order; their places are in displayConfig); an item the program did not declare keeps Railway's id as its
    key and comes last, so it shows as drift."""
    keys = {_ids(environment_id, item["key"])[0]: item["key"] for item in declared}
    order = {item["key"]: position for position, item in enumerate(declared)}
    items = []
    for instance in dashboard.get("items") or []:
        live = instance.get("dashboardItem") or {}
        config = live.get("config") or {}
        live_id = str(live.get("id"))
        item = {"key": keys.get(live_id, live_id), "name": live.get("name"), "type": live.get("type")}
        if live.get("description"):
            item["description"] = live["description"]
        item.update({key: config[key] for key in _CONFIG_KEYS if config.get(key) is not None})
        items.append(item)
    return sorted(items, key=lambda item: order.get(item["key"], len(order)))


@dataclass
class ObservabilityDashboardArgs:
    environment_id: pulumi.Input[str]
    # Each: key (unique), name, type (ITEM_TYPES), description, and the item's config: httpMetric
    # (LATENCY, REQUESTS, STATUS_RATIO), measurements (CPU_USAGE, MEMORY_USAGE_GB, ...), resourceIds.
    items: Sequence[Mapping[str, Any]]


class RailwayObservabilityDashboard(Resource, module="railway", name="ObservabilityDashboard"):
    """An environment's observability dashboard (`pulumi-python:dynamic/railway:ObservabilityDashboard`)."""

    dashboard_id: pulumi.Output[str]

    def __init__(
        self, resource_name: str, args: ObservabilityDashboardArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(ObservabilityDashboardProvider(), resource_name, properties(args), opts)
