"""An HTTP(s) monitor (`newMonitor`): UptimeRobot requests `url` every `interval` seconds and alerts the
given contacts when it fails.

Everything the program sets can be edited in place (`editMonitor`), so no change replaces it. A monitor
is adopted by its friendly name, which the program makes unique per stack.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, CreateResult, ReadResult, UpdateResult

from providers.core.properties import is_unknown, properties
from providers.core.provider import Resource, create_or_adopt
from providers.uptimerobot.provider import UptimeRobotProvider

# The shortest interval UptimeRobot accepts on any plan, and the longest (a day), in seconds.
MIN_INTERVAL, MAX_INTERVAL = 30, 86400


class MonitorProvider(UptimeRobotProvider):
    inputs = ("friendlyName", "url", "interval", "alertContactIds")
    unordered = ("alertContactIds",)
    outputs = ("monitorId", "status")

    def check_inputs(self, news: dict[str, Any]) -> list[CheckFailure]:
        failures = []
        url, interval = news.get("url"), news.get("interval")
        if not is_unknown(url) and not (isinstance(url, str) and url.startswith(("https://", "http://"))):
            failures.append(CheckFailure("url", f"{url!r} is not an http(s) URL"))
        if not is_unknown(interval) and not (
            isinstance(interval, int | float) and MIN_INTERVAL <= interval <= MAX_INTERVAL
        ):
            failures.append(CheckFailure("interval", f"{interval!r} is not {MIN_INTERVAL}..{MAX_INTERVAL} seconds"))
        return failures

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()
        wanted = _wanted(props)

        def find() -> dict[str, Any] | None:
            found = client.find_monitors(props["friendlyName"])
            return found[0] if found else None

        def create() -> dict[str, Any]:
            return client.get_monitor(client.new_monitor(**wanted))

        monitor, _origin = create_or_adopt(find, create, what="monitor")
        monitor_id = str(monitor["id"])
        if self.changed(self.observed(monitor), props):
            client.edit_monitor(monitor_id, **wanted)
            monitor = client.get_monitor(monitor_id)
        return CreateResult(monitor_id, self.observed(monitor))

    def read(self, id_: str, _props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, self.observed(self.client().get_monitor(id_)))

    def update(self, id_: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client = self.client()
        client.edit_monitor(id_, **_wanted(news))
        return UpdateResult(self.observed(client.get_monitor(id_)))

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        self.client().delete_monitor(id_)

    @staticmethod
    def observed(monitor: dict[str, Any]) -> dict[str, Any]:
        return {
            "friendlyName": monitor.get("friendly_name"),
            "url": monitor.get("url"),
            "interval": monitor.get("interval"),
            "alertContactIds": sorted(str(contact["id"]) for contact in monitor.get("alert_contacts") or []),
            "monitorId": str(monitor["id"]),
            "status": monitor.get("status"),
        }


def _wanted(props: dict[str, Any]) -> dict[str, Any]:
    return {
        "friendly_name": props["friendlyName"],
        "url": props["url"],
        "interval": int(props["interval"]),
        "alert_contact_ids": [str(contact_id) for contact_id in props.get("alertContactIds") or []],
    }


@dataclass
class MonitorArgs:
    friendly_name: pulumi.Input[str]
    url: pulumi.Input[str]
    interval: pulumi.Input[int]
    alert_contact_ids: pulumi.Input[Sequence[pulumi.Input[str]]]


class UptimeRobotMonitor(Resource, module="uptimerobot", name="Monitor"):
    """An UptimeRobot HTTP(s) monitor (`pulumi-python:dynamic/uptimerobot:Monitor`)."""

    monitor_id: pulumi.Output[str]
    status: pulumi.Output[int]

    def __init__(self, name: str, args: MonitorArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(MonitorProvider(), name, properties(args), opts)
