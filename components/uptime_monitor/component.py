"""An UptimeRobot HTTP(s) monitor of the backend's health check, alerting an e-mail address and Slack.

UptimeRobot's free plan (50 monitors, checks every 5 minutes) covers it, so it has no cost entry.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components import tokens
from providers.uptimerobot import AlertContactArgs, MonitorArgs, UptimeRobotAlertContact, UptimeRobotMonitor


@dataclass
class UptimeMonitorArgs:
    # Unique per stack: UptimeRobot adopts a monitor or contact of the same name on create.
    name: str
    url: pulumi.Input[str]
    interval_seconds: int
    alert_email: str
    # The incoming webhook of the Slack channel alerts go to; None alerts by e-mail only.
    slack_webhook_url: pulumi.Input[str] | None = None


class UptimeMonitor(pulumi.ComponentResource):
    """Outputs `monitor_id` (UptimeRobot's id of the monitor)."""

    monitor_id: pulumi.Output[str]

    def __init__(self, name: str, args: UptimeMonitorArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(tokens.UPTIME_MONITOR, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        contacts = [
            UptimeRobotAlertContact(
                f"{name}-email",
                AlertContactArgs(kind="email", friendly_name=f"{args.name} e-mail", value=args.alert_email),
                child,
            )
        ]
        if args.slack_webhook_url is not None:
            contacts.append(
                UptimeRobotAlertContact(
                    f"{name}-slack",
                    AlertContactArgs(
                        kind="slack",
                        friendly_name=f"{args.name} Slack",
                        value=pulumi.Output.secret(args.slack_webhook_url),
                    ),
                    child,
                )
            )
        monitor = UptimeRobotMonitor(
            name,
            MonitorArgs(
                friendly_name=args.name,
                url=args.url,
                interval=args.interval_seconds,
                alert_contact_ids=[contact.contact_id for contact in contacts],
            ),
            child,
        )
        self.monitor_id = monitor.monitor_id
        self.register_outputs({"monitorId": self.monitor_id})
