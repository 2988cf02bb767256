"""A client for UptimeRobot's API v2 (`https://api.uptimerobot.com/v2/<method>`), on the shared HTTP core.

UptimeRobot publishes no machine-readable description of this API: the methods and parameters below
follow its documentation (https://uptimerobot.com/api/) and the way the community Terraform provider
(louy/terraform-provider-uptimerobot, `uptimerobot/api/`) calls it. Every method is a form-encoded POST
carrying `api_key` and `format=json`, and every answer, failures included, is HTTP 200 with a JSON body
whose `stat` is `ok` or `fail`; a failure names its kind in `error.type` (`not_found`,
`invalid_parameter`, `missing_parameter`, ...). Rate limits are HTTP 429 with `Retry-After`, which the HTTP
core honours.

The key (`UPTIMEROBOT_API_KEY`) and the base URL (`UPTIMEROBOT_API_URL`) are read from the environment
inside the provider methods, the only place that imports this module, and the key once per request.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from providers.core.errors import ApiError, NotFoundError
from providers.core.http import (
    ApiClient,
    EnvironmentNames,
    client_from_environment,
)
from providers.uptimerobot.errors import API

TOKEN_VARIABLE = "UPTIMEROBOT_API_KEY"  # noqa: S105 - the variable's name, not a key
DEFAULT_BASE_URL = "https://api.uptimerobot.com/v2"
BASE_URL_VARIABLE = "UPTIMEROBOT_API_URL"
HTTP_TIMEOUT_VARIABLE = "UPTIMEROBOT_HTTP_TIMEOUT"  # seconds per request (default 30)
RETRY_DELAY_VARIABLE = "UPTIMEROBOT_RETRY_BASE_DELAY"  # first backoff step, seconds (default 0.5)

# The most records one getMonitors or getAlertContacts page holds.
PAGE_LIMIT = 50
# Monitor type 1 is HTTP(s).
HTTP_MONITOR = 1
# A monitor's alert contacts: notify on the first failed check (threshold 0), once (recurrence 0).
_THRESHOLD, _RECURRENCE = 0, 0


class UptimeRobotClient:
    """One method per API method the providers use; each sends one request (or one per page)."""

    def __init__(self, http: ApiClient) -> None:
        self.http = http

    @classmethod
    def from_environment(cls, transport: httpx.BaseTransport | None = None) -> UptimeRobotClient:
        names = EnvironmentNames(TOKEN_VARIABLE, BASE_URL_VARIABLE, HTTP_TIMEOUT_VARIABLE, RETRY_DELAY_VARIABLE)
        # The key travels in the form body, not in a header.
        return cls(
            client_from_environment(API, names, DEFAULT_BASE_URL, transport=transport, auth_header=lambda _key: {})
        )

    def call(self, method: str, form: Mapping[str, str], *, idempotent: bool) -> dict[str, Any]:
        """POST one API method; a `stat: fail` answer (HTTP 200 too) raises, `not_found` as NotFoundError."""
        response = self.http.request(
            method,
            "POST",
            f"/{method}",
            form={"api_key": self.http.token(), "format": "json", **form},
            idempotent=idempotent,
        )
        try:
            body = response.json()
        except ValueError:
            raise ApiError(API, method, f"answered {response.status_code} with a non-JSON body") from None
        if not isinstance(body, dict):
            raise ApiError(API, method, "answered with a JSON body that is not an object")
        if body.get("stat") == "ok":
            return body
        error = body.get("error")
        if not isinstance(error, dict):
            error = {}
        kind = str(error.get("type") or "unknown error")
        # `passed_value` is left out: it echoes what was sent, the API key or a webhook URL included.
        message = "; ".join(str(part) for part in (kind, error.get("parameter_name"), error.get("message")) if part)
        if kind == "not_found":
            raise NotFoundError(API, method, message, status=response.status_code)
        raise ApiError(API, method, message, status=response.status_code)

    def _pages(self, method: str, key: str, form: Mapping[str, str]) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            body = self.call(method, {**form, "offset": str(offset), "limit": str(PAGE_LIMIT)}, idempotent=True)
            items = [item for item in body.get(key) or [] if isinstance(item, dict)]
            yield from items
            # getMonitors puts the counts under `pagination`, getAlertContacts at the top level.
            total = int((body.get("pagination") or body).get("total") or 0)
            offset += len(items)
            if not items or offset >= total:
                return

    # Monitors

    def find_monitors(self, friendly_name: str) -> list[dict[str, Any]]:
        """The monitors whose friendly name is exactly `friendly_name` (`search` also matches parts of
        names and URLs), with their alert contacts."""
        found = self._pages("getMonitors", "monitors", {"search": friendly_name, "alert_contacts": "1"})
        return [monitor for monitor in found if monitor.get("friendly_name") == friendly_name]

    def get_monitor(self, monitor_id: str) -> dict[str, Any]:
        body = self.call("getMonitors", {"monitors": monitor_id, "alert_contacts": "1"}, idempotent=True)
        for monitor in body.get("monitors") or []:
            if str(monitor.get("id")) == monitor_id:
                return dict(monitor)
        raise NotFoundError(API, "getMonitors", f"no monitor {monitor_id}")

    def new_monitor(self, *, friendly_name: str, url: str, interval: int, alert_contact_ids: list[str]) -> str:
        form = {
            "friendly_name": friendly_name,
            "url": url,
            "type": str(HTTP_MONITOR),
            "interval": str(interval),
            "alert_contacts": _alert_contacts(alert_contact_ids),
        }
        body = self.call("newMonitor", form, idempotent=False)
        return str(body["monitor"]["id"])

    def edit_monitor(
        self, monitor_id: str, *, friendly_name: str, url: str, interval: int, alert_contact_ids: list[str]
    ) -> None:
        form = {
            "id": monitor_id,
            "friendly_name": friendly_name,
            "url": url,
            "interval": str(interval),
            "alert_contacts": _alert_contacts(alert_contact_ids),
        }
        self.call("editMonitor", form, idempotent=True)

    def delete_monitor(self, monitor_id: str) -> None:
        self.call("deleteMonitor", {"id": monitor_id}, idempotent=True)

    # Alert contacts

    def find_alert_contacts(self, friendly_name: str, contact_type: int) -> list[dict[str, Any]]:
        """The alert contacts of that type named exactly `friendly_name` (the API cannot search them)."""
        return [
            contact
            for contact in self._pages("getAlertContacts", "alert_contacts", {})
            if contact.get("friendly_name") == friendly_name and contact.get("type") == contact_type
        ]

    def get_alert_contact(self, contact_id: str) -> dict[str, Any]:
        body = self.call("getAlertContacts", {"alert_contacts": contact_id}, idempotent=True)
        for contact in body.get("alert_contacts") or []:
            if str(contact.get("id")) == contact_id:
                return dict(contact)
        raise NotFoundError(API, "getAlertContacts", f"no alert contact {contact_id}")

    def new_alert_contact(self, *, friendly_name: str, contact_type: int, value: str) -> str:
        form = {"friendly_name": friendly_name, "type": str(contact_type), "value": value}
        body = self.call("newAlertContact", form, idempotent=False)
        return str(body["alertcontact"]["id"])

    def edit_alert_contact(self, contact_id: str, *, friendly_name: str, value: str) -> None:
        self.call(
            "editAlertContact", {"id": contact_id, "friendly_name": friendly_name, "value": value}, idempotent=True
        )

    def delete_alert_contact(self, contact_id: str) -> None:
        self.call("deleteAlertContact", {"id": contact_id}, idempotent=True)


def _alert_contacts(ids: list[str]) -> str:
    """`id_threshold_recurrence` per contact, joined by `-`, as newMonitor and editMonitor take them."""
    return "-".join(f"{contact_id}_{_THRESHOLD}_{_RECURRENCE}" for contact_id in sorted(ids))
