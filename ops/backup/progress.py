"""Messages and progress lines on stderr, always passed through the redactor."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

from .redact import redact


def human_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def human_seconds(s: float) -> str:
    if s < 60:
        return f"{s:.1f} s"
    minutes, seconds = divmod(int(s), 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class Reporter:
    """Writes `[converge-backup] ...` lines; progress lines are rate-limited to one per `interval` seconds."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        quiet: bool = False,
        interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self.quiet = quiet
        self.interval = interval
        self._clock = clock
        self._lock = threading.Lock()

    def info(self, message: str) -> None:
        if not self.quiet:
            self._write(message)

    def warn(self, message: str) -> None:
        self._write(f"warning: {message}")

    def _write(self, message: str) -> None:
        stream = self._stream if self._stream is not None else sys.stderr
        with self._lock:
            stream.write(f"[converge-backup] {redact(message)}\n")
            stream.flush()

    def progress(self, label: str, total: int | None = None) -> Progress:
        return Progress(self, label, total, self._clock)


class Progress:
    """Tracks bytes of one long step and reports size, elapsed time and rate."""

    def __init__(self, reporter: Reporter, label: str, total: int | None, clock: Callable[[], float]) -> None:
        self._reporter = reporter
        self._label = label
        self._total = total
        self._clock = clock
        self.started = clock()
        self._last = self.started
        self.done = 0

    @property
    def elapsed(self) -> float:
        return self._clock() - self.started

    def advance(self, nbytes: int) -> None:
        self.done += nbytes
        now = self._clock()
        if now - self._last >= self._reporter.interval:
            self._last = now
            self._reporter.info(self._line())

    def finish(self, what: str = "done") -> None:
        self._reporter.info(f"{self._line()} ({what})")

    def _line(self) -> str:
        elapsed = self.elapsed
        rate = self.done / elapsed if elapsed > 0 else 0.0
        size = human_bytes(self.done)
        if self._total:
            size += f" of {human_bytes(self._total)} ({100 * self.done / self._total:.0f}%)"
        return f"{self._label}: {size}, {human_seconds(elapsed)}, {human_bytes(rate)}/s"
