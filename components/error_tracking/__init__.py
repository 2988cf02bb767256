"""ErrorTracking: the stack's Sentry projects (backend, frontend), their DSNs, and the critical-error alert."""

from components.error_tracking.component import ErrorTracking, ErrorTrackingArgs

__all__ = ["ErrorTracking", "ErrorTrackingArgs"]
