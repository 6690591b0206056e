"""Progress while tests run: a bar redrawn in place on a terminal, plain lines elsewhere.

In CI (`CI` set), with `TERM=dumb`, or when stderr is not a terminal, each finished test is
one line (`PASSED  Fn::Test (0.05 s)`), which logs keep readable. On a terminal one line is
redrawn: a bar, the count done, and how many failed or errored so far.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import TextIO

from .report import render_line
from .results import CaseResult, Status

__all__ = ["Progress", "interactive"]

WIDTH = 24


def interactive(stream: TextIO) -> bool:
    """Whether `stream` is a terminal a person watches (not CI, not a dumb terminal)."""
    if os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Progress:
    """Called with each result as it finishes (from worker threads)."""

    def __init__(self, total: int, stream: TextIO | None = None, *,
                 bar: bool | None = None) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.bar = interactive(self.stream) if bar is None else bar
        self.done = 0
        self.bad = 0
        self._started = time.monotonic()
        self._lock = threading.Lock()

    def __call__(self, result: CaseResult) -> None:
        with self._lock:
            self.done += 1
            self.bad += result.status in (Status.FAILED, Status.ERRORED)
            if self.bar:
                if result.status in (Status.FAILED, Status.ERRORED):
                    self._write("\r\x1b[2K" + render_line(result) + "\n")
                self._write("\r\x1b[2K" + self._bar())
            else:
                self._write(render_line(result) + "\n")

    def _bar(self) -> str:
        filled = WIDTH * self.done // max(1, self.total)
        elapsed = time.monotonic() - self._started
        problems = f" · {self.bad} not passing" if self.bad else ""
        return (f"[{'#' * filled}{'.' * (WIDTH - filled)}] {self.done}/{self.total}"
                f"{problems} · {elapsed:.1f} s")

    def finish(self) -> None:
        """Clear the bar so what follows starts on a clean line."""
        if self.bar and self.done:
            self._write("\r\x1b[2K")

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            pass  # a closed or broken stderr must not stop the run
