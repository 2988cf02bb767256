"""The UptimeRobot side of the provider core: every UptimeRobot kind's provider makes its client here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

from providers.core.provider import Provider

if TYPE_CHECKING:
    from providers.uptimerobot.client import UptimeRobotClient

# Alert contact types as the API numbers them, by the names the args use.
CONTACT_TYPES: Final[Mapping[str, int]] = {"email": 2, "slack": 11}


class UptimeRobotProvider(Provider):
    def client(self) -> UptimeRobotClient:
        """A client for the base URL and `UPTIMEROBOT_API_KEY` in the environment right now."""
        from providers.uptimerobot.client import UptimeRobotClient

        return UptimeRobotClient.from_environment()
