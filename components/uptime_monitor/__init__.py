"""UptimeMonitor: UptimeRobot's check of the backend's health endpoint, and whom it alerts."""
