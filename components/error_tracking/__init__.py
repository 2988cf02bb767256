"""ErrorTracking: the stack's Sentry projects (backend, frontend), their DSNs, and the critical-error alert."""
