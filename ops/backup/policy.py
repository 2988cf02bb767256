"""The backup policy: the one place that says how many backups are kept and what the targets are.

Everything else (the CLI defaults, the prune step after each backup, the drill's RPO/RTO verdicts and
docs/backups.md) reads these values from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from settings.seed import PRODUCTION_ENVIRONMENT
from settings.stacks import PRODUCTION_STACK


@dataclass(frozen=True)
class Retention:
    """How many of the newest backups to keep per calendar bucket (see ops.backup.retention)."""

    hourly: int
    daily: int
    weekly: int

    def __post_init__(self) -> None:
        for name in ("hourly", "daily", "weekly"):
            if getattr(self, name) < 0:
                raise ValueError(f"retention {name} must be >= 0")


# hourly=24: event mode takes one backup an hour; a day of hourly restore points lets an operator go back to
#   "before this morning's bad import" during the event week. Outside event mode there are no hourly backups.
# daily=7: the seed's provider backups keep 7 days; the S3 copies keep the same window off the provider.
# weekly=4: the seed's weekly manual backups; four weeks span the monthly restore drill, so every drill
#   has the previous month's backups to fall back on, and reach three weeks past the provider's 7 days.
RETENTION = Retention(hourly=24, daily=7, weekly=4)

# The seed's disaster-recovery targets.
RPO = timedelta(hours=1)
RTO = timedelta(hours=8)

# The names that say production (the production stack's and its environment's): restoring over a target stack,
# host or database so named needs an explicit confirmation flag.
PRODUCTION_NAMES = frozenset({PRODUCTION_STACK, PRODUCTION_ENVIRONMENT})

# Every backup object lives under <KEY_PREFIX>/<stack>/.
KEY_PREFIX = "converge-nps"

# Upload debris (unfinished multipart uploads, unpublished temporary objects) older than this is removed by
# prune; younger debris may belong to a backup that is still running.
STALE_AFTER = timedelta(hours=24)
