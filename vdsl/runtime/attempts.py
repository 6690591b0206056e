"""One call's way through its client plan: which failures move on (and to what), how long to
wait, when the whole budget is spent, and the record of every attempt.

What moves on: transport errors, timeouts, broken streams, an empty or blocked reply, and
Vertex statuses 408/429/500/502/503/504 (RESOURCE_EXHAUSTED, UNAVAILABLE, INTERNAL,
DEADLINE_EXCEEDED) — retried and fallen back. A 400/401/403/404, missing settings or
credentials rule the client out for this call but let a fallback try the others. A reply that
arrived but does not parse, or stops for a disallowed finish reason, ends the call (BAML),
unless the client opts in with `retry_on_parse_error`.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import (
    AuthError,
    BlockedError,
    ConfigError,
    OutputParseError,
    ProviderError,
    StreamError,
    TimeoutError,
    TransportError,
    VdslError,
    VertexError,
)
from .failures import TRANSIENT_HINT
from .plan import Node, RoundRobin, Step, steps

if TYPE_CHECKING:
    from .observe import Observation

log = logging.getLogger("vdsl.runtime")
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
RETRY_VERTEX = frozenset({"RESOURCE_EXHAUSTED", "UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED"})


@dataclass
class Attempt:
    """One request the call made: which client, its model, the outcome and how long it took."""

    client: str
    model: str
    status: int | None
    error: str | None
    latency_ms: float
    sent: bool = True
    """False when the call failed before a request went out (credentials, settings)."""

    @property
    def ok(self) -> bool:
        return self.error is None

    def __str__(self) -> str:
        if not self.sent:
            return f"{self.client}: not sent: {self.error}"
        who = f"{self.client} ({self.model})" if self.model else self.client
        repeated = self.status is None or str(self.error).startswith(str(self.status))
        outcome = "ok" if self.ok else (
            str(self.error) if repeated else f"{self.status} {self.error}")
        return f"{who}: {outcome} in {self.latency_ms:.0f} ms"


class Attempts:
    """Walks a plan for one call; the sync, async and stream loops share it."""

    def __init__(self, root: Node, rotation: RoundRobin, *,
                 on_attempt: Callable[[Attempt], None] | None = None,
                 rng: random.Random | None = None,
                 observer: Observation | None = None) -> None:
        self.root = root
        self.record: list[Attempt] = []
        self._steps: Iterator[Step] = steps(root, rotation, rng)
        self._dead: set[str] = set()
        self._last: VdslError | None = None
        self._retry_parse = root.retry_parse
        self._on_attempt = on_attempt
        self._observer = observer
        self._deadline = (time.monotonic() + root.total_timeout_ms / 1000
                          if root.total_timeout_ms else None)
        self._started = 0.0

    def __iter__(self) -> Iterator[tuple[str, float]]:
        """(client, seconds to wait first) for each attempt still worth making."""
        for step in self._steps:
            if step.client in self._dead:
                continue
            wait = self._wait(step.wait)
            yield step.client, wait

    def remaining(self) -> float | None:
        return None if self._deadline is None else self._deadline - time.monotonic()

    def begin(self) -> None:
        self._check_deadline()
        self._started = time.monotonic()

    def _wait(self, planned: float) -> float:
        retry_after = getattr(self._last, "retry_after", None)
        wait = planned
        if retry_after and planned > 0:
            wait = min(max(planned, retry_after), self.root.backoff.cap_seconds or retry_after)
        remaining = self.remaining()
        if remaining is not None:
            if remaining <= 0:
                self._timeout()
            wait = min(wait, remaining)
        return wait

    def _check_deadline(self) -> None:
        remaining = self.remaining()
        if remaining is not None and remaining <= 0:
            self._timeout()

    def _timeout(self) -> None:
        raise self._finish(TimeoutError(
            f"client `{self.root.name}`: total_timeout_ms ({self.root.total_timeout_ms}) "
            "passed", timeout="total_timeout_ms", client=self.root.name))

    def success(self, client: str, model: str, call: Any = None) -> list[Attempt]:
        self._note(Attempt(client, model, 200, None, self._elapsed()), call, selected=True)
        return self.record

    def failure(self, client: str, error: Exception, call: Any = None) -> None:
        """Record a failure; raise it if the call must end, else let the loop go on.
        `call` is the prepared call, if it got that far (collectors record its exchange)."""
        if not isinstance(error, VdslError):
            raise error
        model = getattr(error, "model", "") or ""
        status = getattr(error, "status", None)
        self._note(Attempt(client, model, status, _short(error), self._elapsed(),
                           sent=isinstance(error, ProviderError)), call)
        self._last = error
        if isinstance(error, OutputParseError) and self._retry_parse:
            return
        if _moves_on(error):
            return
        if _rules_out_client(error):
            self._dead.add(client)
            return
        raise self._finish(error)

    def cancelled(self, client: str, call: Any = None) -> None:
        """The attempt in flight was cancelled (an abort): recorded, not retried."""
        model = call.options.model if call is not None else ""
        self._note(Attempt(client, model, None, "cancelled", self._elapsed()), call)

    def broken(self, client: str, error: VdslError, call: Any = None) -> VdslError:
        """A stream failed after sending events: never retried (the caller saw them)."""
        self._note(Attempt(client, getattr(error, "model", "") or "",
                           getattr(error, "status", None), _short(error), self._elapsed()),
                   call)
        return self._finish(error)

    def exhausted(self) -> VdslError:
        """The error to raise when the plan ran out: the last one, listing every attempt."""
        if self._last is None:
            return ConfigError(f"client `{self.root.name}` has no client to call")
        return self._finish(self._last)

    def _finish(self, error: VdslError) -> VdslError:
        error.attempts = list(self.record)  # type: ignore[attr-defined]
        _after_retries(error, sum(a.sent for a in self.record))
        if len(self.record) > 1:
            lines = "\n".join(f"  {i}. {a}" for i, a in enumerate(self.record, 1))
            error.args = (f"{error.args[0] if error.args else error}\nattempts:\n{lines}",)
        return error

    def _elapsed(self) -> float:
        return (time.monotonic() - self._started) * 1000 if self._started else 0.0

    def _note(self, attempt: Attempt, call: Any = None, selected: bool = False) -> None:
        self.record.append(attempt)
        log.debug("attempt %d: %s", len(self.record), attempt)
        if self._observer is not None:
            self._observer.attempt(attempt, call, selected)
        if self._on_attempt is not None:
            self._on_attempt(attempt)


def _moves_on(error: VdslError) -> bool:
    if isinstance(error, VertexError) and not isinstance(error, BlockedError):
        return error.status in RETRY_STATUSES or (error.vertex_status or "") in RETRY_VERTEX
    return isinstance(error, (TransportError, StreamError, BlockedError))


def _rules_out_client(error: VdslError) -> bool:
    return isinstance(error, (VertexError, ConfigError, AuthError)) or (
        isinstance(error, ProviderError) and not isinstance(error, TimeoutError))


def _short(error: Exception) -> str:
    """One line for the attempts list: the reason without what the final error repeats
    (its hint, its list of credential sources)."""
    if isinstance(error, VertexError):
        label = f"{error.status} {error.vertex_status}" if error.vertex_status \
            else str(error.status)
        text = f"{label}: {error.message}"
    else:
        text = str(error)
    text = text.split("\n", 1)[0].strip().removesuffix(". Tried, in order:")
    return text if len(text) <= 200 else text[:199] + "…"


def _after_retries(error: VdslError, tries: int) -> None:
    """A transient failure that was already retried gets a hint for what is left to do."""
    if not isinstance(error, VertexError) or error.hint != TRANSIENT_HINT or tries < 2:
        return
    hint = (f"a transient Vertex problem that outlasted {tries} tries; try again later, "
            "raise the retry_policy's max_retries, or add a fallback client")
    error.args = (str(error.args[0]).replace(f"hint: {error.hint}", f"hint: {hint}", 1),)
    error.hint = hint


def parse_retry_after(value: str | None) -> float | None:
    """`Retry-After` in seconds or as an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
