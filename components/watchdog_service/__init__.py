"""WatchdogService: the watchdog (watchdog/) built from its Dockerfile and run as a Railway service."""

from components.watchdog_service.component import WatchdogService, WatchdogServiceArgs

__all__ = ["WatchdogService", "WatchdogServiceArgs"]
