"""What the policy pack and the cost model read of a RedisCache, each fact named once.

The service's start command carries memory and persistence (start_command.py renders and parses it);
the component's own outputs carry what Railway's API cannot (the volume size).
"""

from __future__ import annotations

from typing import Final

from components.redis_cache.start_command import ENTRYPOINT, SERVER

# A RedisCache output: Railway sizes volumes by plan and has no size in its public API.
VOLUME_GB_OUTPUT: Final = "volumeGb"

# The image the Redis service runs is Docker Hub's, not one this project builds; non-root-containers
# lets it through with this reason, as long as the service's start command runs the entrypoint that
# drops root (the image itself has no USER).
EXTERNAL_IMAGE_PATTERN: Final = "redis:8.*-alpine"
EXTERNAL_IMAGE_REASON: Final = (
    "Official Docker Hub image, pinned by tag in Pulumi.<stack>.yaml. It has no USER: its ENTRYPOINT, "
    f"{ENTRYPOINT}, starts as root, chowns the data directory and re-executes {SERVER} as the unprivileged "
    f"redis user (uid 999), only when it runs and its command is {SERVER}. Railway's start command replaces "
    f"the ENTRYPOINT, so the RedisCache start command runs `{ENTRYPOINT} {SERVER} …` itself."
)
EXTERNAL_IMAGE_ENTRYPOINT: Final = ENTRYPOINT
EXTERNAL_IMAGE_DROPS_PRIVILEGES_FOR: Final = (SERVER,)
