"""The watchdog: reads the backend's metrics from Railway every minute, alerts on Slack and scales replicas.

Railway has no autoscaler and no API for alert rules; this service, deployed into each environment,
does both from the stack's settings (see docs/monitoring.md).
"""
