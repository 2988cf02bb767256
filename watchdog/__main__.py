"""`python -m watchdog`: the service's entrypoint (the container's command).

Reads `WATCHDOG_CONFIG` (the JSON contract, see watchdog/contract.py), `RAILWAY_TOKEN` (the
environment's project token), optionally `RAILWAY_API_URL`, and `WATCHDOG_SLACK_WEBHOOK_URL`.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import sys
import time
from types import FrameType

from pydantic import ValidationError

from watchdog.contract import CONFIG_VARIABLE, SLACK_WEBHOOK_VARIABLE, parse_config
from watchdog.railway import TOKEN_VARIABLE, ApiError, WatchdogRailway
from watchdog.service import Watchdog
from watchdog.slack import Slack


def _stop(_signal: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def main() -> int:
    # As PID 1 in its container the process gets no default SIGTERM action: without a handler a redeploy
    # would wait for Railway to kill it.
    signal.signal(signal.SIGTERM, _stop)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s", stream=sys.stdout)
    try:
        config = parse_config(os.environ.get(CONFIG_VARIABLE, ""))
    except ValidationError as error:
        print(f"{CONFIG_VARIABLE} is not a valid watchdog configuration: {error}", file=sys.stderr)
        return 2
    if not os.environ.get(TOKEN_VARIABLE, "").strip():
        print(f"{TOKEN_VARIABLE} is not set: the environment's Railway project token", file=sys.stderr)
        return 2
    if not config.watchdog.enabled:
        logging.getLogger("watchdog").info("disabled in the stack settings; exiting")
        return 0
    try:
        railway = WatchdogRailway(
            environment_id=config.environment_id,
            service_id=config.backend_service_id,
            region=config.region,
            sleep=time.sleep,
            clock=time.time,
        )
    except ApiError as error:  # the client's own settings (endpoint, timeout) from the environment
        print(error.api_message, file=sys.stderr)
        return 2
    slack = Slack(os.environ.get(SLACK_WEBHOOK_VARIABLE))
    try:
        Watchdog(
            config=config, railway=railway, slack=slack, clock=lambda: dt.datetime.now(dt.UTC), sleep=time.sleep
        ).run()
    finally:
        railway.close()
        slack.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
