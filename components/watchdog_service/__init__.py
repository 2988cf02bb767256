"""WatchdogService: the watchdog (watchdog/) built from its Dockerfile and run as a Railway service."""
