"""What the policy pack reads of a BackendImage: which Dockerfile stage it builds."""

from __future__ import annotations

from typing import Final

# The stage of docker/backend/Dockerfile that runs in production (the others build).
BUILD_TARGET: Final = "runtime"
