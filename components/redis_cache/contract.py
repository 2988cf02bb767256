"""What the policy pack and the cost model read of a RedisCache, each fact named once.

The service's start command carries memory and persistence (start_command.py renders and parses it);
the component's own outputs carry what Railway's API cannot (the volume size).
"""

from __future__ import annotations

from typing import Final

# A RedisCache output: Railway sizes volumes by plan and has no size in its public API.
VOLUME_GB_OUTPUT: Final = "volumeGb"

# The image the Redis service runs is Docker Hub's, not one this project builds; non-root-containers
# lets it through with this reason.
EXTERNAL_IMAGE_PATTERN: Final = "redis:8.*-alpine"
EXTERNAL_IMAGE_REASON: Final = (
    "Official Docker Hub image, pinned by tag in Pulumi.<stack>.yaml. Its entrypoint starts as root only to "
    "chown the data directory, then re-executes redis-server as the unprivileged redis user (uid 999) with "
    "setpriv when the command starts with redis-server, which the RedisCache start command does."
)
