"""Small HTTP servers on 127.0.0.1 for the steps that talk HTTP: a route table of handlers, and a log of
what each received."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Received], Reply]


@dataclass
class Server:
    routes: dict[tuple[str, str], Handler] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    url: str = ""

    def route(self, method: str, path: str, handler: Handler) -> None:
        self.routes[(method, path)] = handler

    def answer(self, request: Received) -> Reply:
        self.received.append(request)
        for (method, pattern), handler in self.routes.items():
            if method == request.method and _matches(pattern, request.path):
                return handler(request)
        return Reply(404, {"message": "Not Found"})


def _matches(pattern: str, path: str) -> bool:
    # `{}` matches one path segment.
    want, got = pattern.strip("/").split("/"), path.strip("/").split("/")
    return len(want) == len(got) and all(w in ("{}", g) for w, g in zip(want, got, strict=True))


@contextmanager
def serve(server: Server) -> Iterator[Server]:
    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body: Any = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode(errors="replace")
            request = Received(self.command, parts.path, parse_qs(parts.query), dict(self.headers.items()), body)
            reply = server.answer(request)
            data = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
            # A client that gave up (a smoke-test timeout) has closed the connection already.
            with suppress(BrokenPipeError, ConnectionResetError):
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        do_GET = do_POST = do_PATCH = _handle  # noqa: N815 - the names http.server dispatches to

        def log_message(self, format: str, *args: Any) -> None:
            return None

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
