"""What the policy pack and the cost model read of a WatchdogService, each fact named once."""

from __future__ import annotations

from typing import Final

# Built with the repository root as context: the image copies the settings models and the Railway client.
DOCKERFILE: Final = "docker/watchdog/Dockerfile"
BUILD_CONTEXT: Final = "."
SERVICE_NAME: Final = "watchdog"
# Two watchdogs would each take a scaling step on the same minute: the service runs exactly one replica.
REPLICAS: Final = 1
