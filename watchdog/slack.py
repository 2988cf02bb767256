"""Slack incoming-webhook messages. The webhook URL is a secret: it is never logged or put in an error."""

from __future__ import annotations

import logging

import httpx

log = logging.getLogger("watchdog.slack")
# httpx logs every request's URL at INFO (and httpcore its connection details at DEBUG); for the webhook
# the URL is the secret, so below WARNING these loggers stay silent in this process.
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)


class Slack:
    def __init__(self, webhook_url: str | None, *, transport: httpx.BaseTransport | None = None) -> None:
        self._url = webhook_url
        self._client = httpx.Client(timeout=10.0, transport=transport)

    def close(self) -> None:
        self._client.close()

    def send(self, text: str) -> bool:
        """Post one message; False (and a warning naming only the failure's kind) when it did not arrive."""
        if not self._url:
            log.warning("no Slack webhook configured; message not sent")
            return False
        try:
            response = self._client.post(self._url, json={"text": text})
        except httpx.HTTPError as error:
            # httpx errors can carry the request URL, which here is the secret: only the class is named.
            log.warning("Slack message not sent: %s", type(error).__name__)
            return False
        if response.status_code != 200:
            log.warning("Slack message not sent: HTTP %s", response.status_code)
            return False
        return True
