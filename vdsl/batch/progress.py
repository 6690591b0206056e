"""Progress while a batch job runs: a bar redrawn in place on a terminal, plain lines in CI.

On a terminal: `[#######-------------]  350/1000 rows · RUNNING · 2 failed · ETA 1m20s`.
Elsewhere (CI logs, pipes) one line per change of state, and at most one every
`PLAIN_EVERY` seconds while rows progress, so logs stay short.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from .jobs import BatchStatus

__all__ = ["PLAIN_EVERY", "Progress"]

PLAIN_EVERY = 60.0
_WIDTH = 24


class Progress:
    """Feed it every status read (`update`); `close()` ends the bar's line."""

    def __init__(self, stream: TextIO | None = None, *, tty: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self._started: tuple[float, int] | None = None
        self._last_state = ""
        self._last_line = 0.0
        self._drawn = False

    def update(self, status: BatchStatus) -> None:
        now = time.monotonic()
        if status.state == "JOB_STATE_RUNNING" and self._started is None:
            self._started = (now, status.processed)
        line = self.line(status, now)
        if self.tty:
            self.stream.write("\r" + line.ljust(78))
            self._drawn = True
        elif status.state != self._last_state or now - self._last_line >= PLAIN_EVERY:
            self.stream.write(line + "\n")
            self._last_line = now
        self._last_state = status.state
        self.stream.flush()

    def line(self, status: BatchStatus, now: float | None = None) -> str:
        total = status.total
        done = status.processed
        parts = [f"{done}/{total} rows" if total else f"{done} rows", status.short_state]
        if status.failed:
            parts.append(f"{status.failed} failed")
        eta = self._eta(status, time.monotonic() if now is None else now)
        if eta is not None and not status.done:
            parts.append(f"ETA {_duration(eta)}")
        text = " · ".join(parts)
        if self.tty and total:
            filled = min(_WIDTH, _WIDTH * done // max(total, 1))
            text = f"[{'#' * filled}{'-' * (_WIDTH - filled)}] " + text
        return text

    def _eta(self, status: BatchStatus, now: float) -> float | None:
        if self._started is None or not status.total:
            return None
        began, done_then = self._started
        rate = (status.processed - done_then) / max(now - began, 1e-9)
        if rate <= 0:
            return None
        return (status.total - status.processed) / rate

    def close(self) -> None:
        if self.tty and self._drawn:
            self.stream.write("\n")
            self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
