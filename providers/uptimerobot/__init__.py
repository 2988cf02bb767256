"""Pulumi dynamic providers over UptimeRobot's API v2 (see docs/monitoring-providers.md).

One kind per module, each with its own type token `pulumi-python:dynamic/uptimerobot:<Kind>`, its args
dataclass and its resource class: Monitor, AlertContact. The key comes from `UPTIMEROBOT_API_KEY` when a
provider method runs, and the client (`client.py`) is imported there too: declaring resources imports no
HTTP library.
"""

from providers.uptimerobot.alert_contact import AlertContactArgs, UptimeRobotAlertContact
from providers.uptimerobot.monitor import MonitorArgs, UptimeRobotMonitor

__all__ = ["AlertContactArgs", "MonitorArgs", "UptimeRobotAlertContact", "UptimeRobotMonitor"]
