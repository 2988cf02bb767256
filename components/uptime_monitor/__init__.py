"""UptimeMonitor: UptimeRobot's check of the backend's health endpoint, and whom it alerts."""

from components.uptime_monitor.component import UptimeMonitor, UptimeMonitorArgs

__all__ = ["UptimeMonitor", "UptimeMonitorArgs"]
