"""`AbortController`: stop a call or a stream at once, from any thread or task (BAML's).

    controller = AbortController(timeout_ms=30_000)      # optional deadline
    value = await runtime.acall("Extract", args, abort_controller=controller)
    controller.abort()                                   # elsewhere: the call raises AbortError

An abort ends the call where it is: no further attempt, no retry wait, and the request in
flight is cancelled, which closes its connection instead of returning it to the pool. Async
calls and streams are cancelled in their own task. A sync call (or stream) given a controller
runs on the runtime's background event loop, so that it can be cancelled the same way while
the caller waits (see `background.py`); without a controller nothing changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable

from ..errors import AbortError

__all__ = ["AbortController", "armed"]


class AbortController:
    """Once aborted, stays aborted. `timeout_ms` aborts by itself that long after the
    controller is first given to a call."""

    def __init__(self, timeout_ms: int | None = None) -> None:
        if timeout_ms is not None and (not isinstance(timeout_ms, (int, float))
                                       or timeout_ms < 0):
            raise AbortError(f"timeout_ms must be a number of milliseconds ≥ 0, got "
                             f"{timeout_ms!r}")
        self._timeout_ms = timeout_ms
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._listeners: dict[int, Callable[[], None]] = {}
        self._next = 0
        self._timer: threading.Timer | None = None
        self.reason: str | None = None

    @property
    def aborted(self) -> bool:
        return self._event.is_set()

    def abort(self, reason: str | None = None) -> None:
        """Stop every call and stream using this controller (and any started later)."""
        with self._lock:
            if self._event.is_set():
                return
            self.reason = reason
            self._event.set()
            listeners = list(self._listeners.values())
            if self._timer is not None:
                self._timer.cancel()
        for listener in listeners:
            listener()

    def __repr__(self) -> str:
        return f"AbortController(aborted={self.aborted})"

    # ---- used by the runtime ---------------------------------------------------------------
    def check(self) -> None:
        """Raise AbortError if aborted; start the timeout on first use."""
        if self._event.is_set():
            raise self.error()
        if self._timeout_ms is not None and self._timer is None:
            with self._lock:
                if self._timer is None and not self._event.is_set():
                    self._timer = threading.Timer(self._timeout_ms / 1000, self.abort,
                                                  kwargs={"reason": f"timeout_ms "
                                                                    f"{self._timeout_ms} passed"})
                    self._timer.daemon = True
                    self._timer.start()

    def error(self) -> AbortError:
        return AbortError("the call was aborted" + (f" ({self.reason})" if self.reason else ""))

    def wait(self, seconds: float) -> None:
        """Sleep `seconds`, or less if aborted meanwhile (then raise AbortError)."""
        if self._event.wait(seconds):
            raise self.error()

    def listen(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` (once) when aborted; returns a function that stops listening."""
        with self._lock:
            key = self._next
            self._next += 1
            self._listeners[key] = listener
            fire = self._event.is_set()
        if fire:
            listener()

        def stop() -> None:
            with self._lock:
                self._listeners.pop(key, None)
        return stop


@contextlib.asynccontextmanager
async def armed(controller: AbortController | None) -> AsyncIterator[None]:
    """While inside, an abort cancels the current task; the cancellation comes out as
    AbortError. Outside, the task is left alone (a stream's consumer between events)."""
    if controller is None:
        yield
        return
    controller.check()
    region = _Region(asyncio.current_task(), asyncio.get_running_loop())
    stop = controller.listen(region.schedule)
    try:
        yield
    except asyncio.CancelledError:
        if region.cancelled:
            region.task.uncancel()
            raise controller.error() from None
        raise
    finally:
        region.inside = False
        stop()


class _Region:
    """The task an armed region runs in, cancelled on the loop's own thread (so the
    cancellation cannot land after the region has ended)."""

    def __init__(self, task: asyncio.Task[object] | None, loop: asyncio.AbstractEventLoop
                 ) -> None:
        assert task is not None
        self.task = task
        self.loop = loop
        self.inside = True
        self.cancelled = False

    def schedule(self) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is gone: nothing left to cancel
            self.loop.call_soon_threadsafe(self._cancel)

    def _cancel(self) -> None:
        if self.inside and not self.task.done():
            self.cancelled = True
            self.task.cancel()
