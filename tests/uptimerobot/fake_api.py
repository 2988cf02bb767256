"""An in-process fake of UptimeRobot's API v2 on 127.0.0.1, for the providers' behaviour tests.

UptimeRobot publishes no machine-readable spec, so the contract this fake holds requests to (`METHODS`)
is written from its documentation (https://uptimerobot.com/api/, API v2) and from how the community
Terraform provider calls it (louy/terraform-provider-uptimerobot, `uptimerobot/api/client.go`,
`monitor.go`, `alert_contact.go`):

- every method is `POST /v2/<method>` with a form-encoded body carrying `api_key` and `format=json`;
- every answer is HTTP 200 with `{"stat": "ok", ...}` or `{"stat": "fail", "error": {"type": ...,
  "parameter_name": ..., "passed_value": ...}}` (a wrong key, a missing or bad parameter, an unknown id:
  `not_found`); rate limiting is HTTP 429 with `Retry-After`;
- getMonitors pages with `offset`/`limit` (at most 50) and reports `pagination.total`; getAlertContacts
  reports `offset`, `limit` and `total` at the top level; `search` matches parts of names and URLs;
- newMonitor answers `monitor.id` (a number), newAlertContact `alertcontact.id` (a string of digits);
  friendly names need not be unique; a new e-mail contact is "not activated" (status 0) until confirmed.

A request outside that contract (an unknown method or parameter, a missing one, a bad value) is answered
as the API would (`stat: fail`) and recorded in `violations`, which the fixture asserts is empty.
Faults are scripted per method: an HTTP status with headers, or "apply, then lose the answer".
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

KEY = "u1234567-0123456789abcdef01234567"
MAX_LIMIT = 50
_IDS = re.compile(r"^\d+(-\d+)*$")
_CONTACTS_PARAM = re.compile(r"^(\d+_\d+_\d+)(-\d+_\d+_\d+)*$")
_DIGITS = re.compile(r"^\d+$")

# Each method's parameters (besides api_key and format): name -> (required, valid value).
Check = Callable[[str], bool]
_ANY: Check = lambda value: value != ""  # noqa: E731
_DIGIT: Check = lambda value: bool(_DIGITS.match(value))  # noqa: E731
_BOOL: Check = lambda value: value in ("0", "1")  # noqa: E731
METHODS: dict[str, dict[str, tuple[bool, Check]]] = {
    "getMonitors": {
        "monitors": (False, lambda v: bool(_IDS.match(v))),
        "search": (False, _ANY),
        "alert_contacts": (False, _BOOL),
        "offset": (False, _DIGIT),
        "limit": (False, lambda v: _DIGIT(v) and 1 <= int(v) <= MAX_LIMIT),
    },
    "newMonitor": {
        "friendly_name": (True, _ANY),
        "url": (True, lambda v: v.startswith(("http://", "https://"))),
        "type": (True, lambda v: v in ("1", "2", "3", "4", "5")),
        "interval": (False, _DIGIT),
        "alert_contacts": (False, lambda v: v == "" or bool(_CONTACTS_PARAM.match(v))),
    },
    "editMonitor": {
        "id": (True, _DIGIT),
        "friendly_name": (False, _ANY),
        "url": (False, lambda v: v.startswith(("http://", "https://"))),
        "interval": (False, _DIGIT),
        "alert_contacts": (False, lambda v: v == "" or bool(_CONTACTS_PARAM.match(v))),
    },
    "deleteMonitor": {"id": (True, _DIGIT)},
    "getAlertContacts": {
        "alert_contacts": (False, lambda v: bool(_IDS.match(v))),
        "offset": (False, _DIGIT),
        "limit": (False, lambda v: _DIGIT(v) and 1 <= int(v) <= MAX_LIMIT),
    },
    "newAlertContact": {
        "type": (True, _DIGIT),
        "value": (True, _ANY),
        "friendly_name": (False, _ANY),
    },
    "editAlertContact": {"id": (True, _DIGIT), "friendly_name": (False, _ANY), "value": (False, _ANY)},
    "deleteAlertContact": {"id": (True, _DIGIT)},
}
EMAIL, SLACK = 2, 11
NOT_ACTIVATED, ACTIVE = 0, 2
NOT_CHECKED_YET = 1


@dataclass
class Fault:
    method: str
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    apply_first: bool = False  # handle the request, then answer with the fault (a lost response)
    times: int = 1


@dataclass
class Call:
    method: str
    form: dict[str, str]
    status: int

    @property
    def writes(self) -> bool:
        return not self.method.startswith("get")


class StatFailError(Exception):
    def __init__(self, kind: str, parameter: str | None = None, passed: str | None = None) -> None:
        super().__init__(kind)
        self.error: dict[str, Any] = {"type": kind}
        if parameter is not None:
            self.error["parameter_name"] = parameter
        if passed is not None:
            self.error["passed_value"] = passed


class FakeUptimeRobot:
    def __init__(self) -> None:
        self.monitors: dict[int, dict[str, Any]] = {}
        self.contacts: dict[str, dict[str, Any]] = {}
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.faults: list[Fault] = []
        self._ids = itertools.count(777_000_001)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/v2"

    def start(self) -> FakeUptimeRobot:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def fail(self, fault: Fault) -> None:
        self.faults.append(fault)

    def writes(self) -> list[Call]:
        return [call for call in self.calls if call.writes]

    def add_monitor(self, friendly_name: str, url: str, interval: int, contact_ids: tuple[str, ...] = ()) -> int:
        """A monitor made outside the program (or by an earlier, failed `up`)."""
        monitor_id = next(self._ids)
        self.monitors[monitor_id] = self._monitor(monitor_id, friendly_name, url, interval, list(contact_ids))
        return monitor_id

    def add_contact(self, friendly_name: str, contact_type: int, value: str) -> str:
        contact_id = str(next(self._ids))
        status = NOT_ACTIVATED if contact_type == EMAIL else ACTIVE
        self.contacts[contact_id] = {
            "id": contact_id,
            "friendly_name": friendly_name,
            "type": contact_type,
            "status": status,
            "value": value,
        }
        return contact_id

    @staticmethod
    def _monitor(monitor_id: int, name: str, url: str, interval: int, contacts: list[str]) -> dict[str, Any]:
        return {
            "id": monitor_id,
            "friendly_name": name,
            "url": url,
            "type": 1,
            "sub_type": "",
            "keyword_type": None,
            "keyword_value": "",
            "http_username": "",
            "http_password": "",
            "port": "",
            "interval": interval,
            "status": NOT_CHECKED_YET,
            "create_datetime": 1764633600,
            "alert_contacts": contacts,
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                fake.serve(self)

            def do_GET(self) -> None:
                fake.violations.append(f"GET {self.path}: every method is a POST")
                fake.answer(self, 405, b"")

        return Handler

    @staticmethod
    def answer(
        handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str] | None = None
    ) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)

    def serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length).decode()
        method = handler.path.removeprefix("/v2/").strip("/")
        form = dict(parse_qsl(raw, keep_blank_values=True))
        with self._lock:
            fault = next((f for f in self.faults if f.method == method and f.times > 0), None)
            if fault is not None:
                fault.times -= 1
            if fault is not None and not fault.apply_first:
                self.calls.append(Call(method, form, fault.status))
                self.answer(handler, fault.status, json.dumps({"stat": "fail"}).encode(), fault.headers)
                return
            payload = self.handle(handler, method, form)
            status = fault.status if fault is not None else 200
            self.calls.append(Call(method, form, status))
        if fault is not None:
            self.answer(handler, fault.status, b'{"stat":"fail"}', fault.headers)
        else:
            self.answer(handler, 200, json.dumps(payload).encode())

    def handle(self, handler: BaseHTTPRequestHandler, method: str, form: dict[str, str]) -> dict[str, Any]:
        try:
            self._check(handler, method, form)
            result = getattr(self, f"_{method}")(form)
        except StatFailError as failed:
            return {"stat": "fail", "error": failed.error}
        return {"stat": "ok", **result}

    def _check(self, handler: BaseHTTPRequestHandler, method: str, form: dict[str, str]) -> None:
        if handler.headers.get("Content-Type") != "application/x-www-form-urlencoded":
            self.violations.append(f"{method}: body is {handler.headers.get('Content-Type')}, not a form")
        if method not in METHODS:
            self.violations.append(f"unknown method {method!r}")
            raise StatFailError("invalid_parameter", "method", method)
        if form.get("format") != "json":
            self.violations.append(f"{method}: format={form.get('format')!r} (the answer would be XML)")
        if form.get("api_key") != KEY:
            raise StatFailError("invalid_parameter", "api_key", form.get("api_key"))
        parameters = METHODS[method]
        for name, value in form.items():
            if name in ("api_key", "format"):
                continue
            if name not in parameters:
                self.violations.append(f"{method}: undocumented parameter {name!r}")
                raise StatFailError("invalid_parameter", name, value)
            if not parameters[name][1](value):
                self.violations.append(f"{method}: bad {name}={value!r}")
                raise StatFailError("invalid_parameter", name, value)
        for name, (required, _valid) in parameters.items():
            if required and name not in form:
                self.violations.append(f"{method}: missing {name!r}")
                raise StatFailError("missing_parameter", name)

    def _contact_list(self, value: str) -> list[str]:
        ids = [part.split("_")[0] for part in value.split("-") if part]
        for contact_id in ids:
            if contact_id not in self.contacts:
                self.violations.append(f"alert contact {contact_id} does not exist")
                raise StatFailError("not_found", "alert_contacts", value)
        return ids

    def _page(self, items: list[dict[str, Any]], form: dict[str, str]) -> tuple[list[dict[str, Any]], int, int]:
        offset, limit = int(form.get("offset", "0")), int(form.get("limit", str(MAX_LIMIT)))
        return items[offset : offset + limit], offset, limit

    def _getMonitors(self, form: dict[str, str]) -> dict[str, Any]:  # noqa: N802 - the API's method name
        found = sorted(self.monitors.values(), key=lambda m: m["id"])
        if "monitors" in form:
            wanted = {int(part) for part in form["monitors"].split("-")}
            found = [m for m in found if m["id"] in wanted]
        if "search" in form:
            term = form["search"].lower()
            found = [m for m in found if term in m["friendly_name"].lower() or term in m["url"].lower()]
        page, offset, limit = self._page(found, form)
        with_contacts = form.get("alert_contacts") == "1"
        monitors = []
        for monitor in page:
            shown = {key: value for key, value in monitor.items() if key != "alert_contacts"}
            if with_contacts:
                shown["alert_contacts"] = [
                    {**dict(self.contacts[cid]), "threshold": 0, "recurrence": 0}
                    for cid in monitor["alert_contacts"]
                    if cid in self.contacts
                ]
            monitors.append(shown)
        return {"pagination": {"offset": offset, "limit": limit, "total": len(found)}, "monitors": monitors}

    def _newMonitor(self, form: dict[str, str]) -> dict[str, Any]:  # noqa: N802
        contacts = self._contact_list(form.get("alert_contacts", ""))
        monitor_id = next(self._ids)
        self.monitors[monitor_id] = self._monitor(
            monitor_id, form["friendly_name"], form["url"], int(form.get("interval", "300")), contacts
        )
        return {"monitor": {"id": monitor_id, "status": NOT_CHECKED_YET}}

    def _editMonitor(self, form: dict[str, str]) -> dict[str, Any]:  # noqa: N802
        monitor = self.monitors.get(int(form["id"]))
        if monitor is None:
            raise StatFailError("not_found", "id", form["id"])
        if "alert_contacts" in form:
            monitor["alert_contacts"] = self._contact_list(form["alert_contacts"])
        for name in ("friendly_name", "url"):
            if name in form:
                monitor[name] = form[name]
        if "interval" in form:
            monitor["interval"] = int(form["interval"])
        return {"monitor": {"id": monitor["id"]}}

    def _deleteMonitor(self, form: dict[str, str]) -> dict[str, Any]:  # noqa: N802
        if self.monitors.pop(int(form["id"]), None) is None:
            raise StatFailError("not_found", "id", form["id"])
        return {"monitor": {"id": int(form["id"])}}

    def _getAlertContacts(self, form: dict[str, str]) -> dict[str, Any]:  # noqa: N802
        found = sorted(self.contacts.values(), key=lambda c: int(c["id"]))
        if "alert_contacts" in form:
            wanted = set(form["alert_contacts"].split("-"))
            found = [c for c in found if c["id"] in wanted]
        page, offset, limit = self._page(found, form)
        return {
            "offset": offset,
            "limit": limit,
            "total": len(found),
            "alert_contacts": [dict(c) for c in page],
        }

    def _newAlertContact(self, form: dict[str, str]) -> dict[str, Any]:  # noqa: N802
        contact_id = self.add_contact(form.get("friendly_name", ""), int(form["type"]), form["value"])
        return {"alertcontact": {"id": contact_id, "status": self.contacts[contact_id]["status"]}}

    def _editAlertContact(self, form: dict[str, str]) -> dict[str, Any]:  # noqa: N802
        contact = self.contacts.get(form["id"])
        if contact is None:
            raise StatFailError("not_found", "id", form["id"])
        for name in ("friendly_name", "value"):
            if name in form:
                contact[name] = form[name]
        return {"alert_contact": {"id": contact["id"]}}

    def _deleteAlertContact(self, form: dict[str, str]) -> dict[str, Any]:  # noqa: N802
        contact = self.contacts.pop(form["id"], None)
        if contact is None:
            raise StatFailError("not_found", "id", form["id"])
        for monitor in self.monitors.values():
            monitor["alert_contacts"] = [cid for cid in monitor["alert_contacts"] if cid != form["id"]]
        return {"alert_contact": {"id": contact["id"]}}


@contextmanager
def running() -> Iterator[FakeUptimeRobot]:
    fake = FakeUptimeRobot().start()
    try:
        yield fake
    finally:
        fake.stop()
