"""The UptimeRobot API's name, for the errors its client raises, without importing the client."""

from __future__ import annotations

API = "UptimeRobot API"
