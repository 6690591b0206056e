"""`Collector`: what each call did — timing, usage, cost, every attempt with its raw HTTP
request and response — for your own logging, with BAML's names.

    collector = Collector("extract")
    runtime.call("ExtractResume", {"text": text}, collector=collector)
    log = collector.last                      # FunctionLog
    log.usage.input_tokens, log.timing.duration_ms, log.cost
    for call in log.calls:                    # every attempt, retries and fallbacks included
        call.client_name, call.http_request.url, call.http_response.status
        call.http_request.body.json()         # secrets <redacted>
    collector.usage                           # sums over every log

Requests are recorded as sent, with the access token, API keys and inline credentials
replaced by `<redacted>`; bodies are kept as text. One collector may serve many calls at
once, from threads and tasks.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Collector", "FunctionLog", "HTTPBody", "HTTPRequest", "HTTPResponse", "LLMCall",
           "Timing", "Usage"]


@dataclass(frozen=True)
class Usage:
    """Token counts (None where the provider did not say) and the estimated cost in USD."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    cached_input_tokens: int | None = None
    thinking_tokens: int | None = None
    cost: float | None = None

    def __add__(self, other: Usage) -> Usage:
        def plus(a: float | None, b: float | None) -> Any:
            return b if a is None else a if b is None else a + b
        return Usage(plus(self.input_tokens, other.input_tokens),
                     plus(self.output_tokens, other.output_tokens),
                     plus(self.cached_input_tokens, other.cached_input_tokens),
                     plus(self.thinking_tokens, other.thinking_tokens),
                     plus(self.cost, other.cost))


@dataclass(frozen=True)
class Timing:
    """When it started (milliseconds since the epoch, UTC) and how long it took."""

    start_time_utc_ms: int
    duration_ms: int | None = None
    time_to_first_token_ms: int | None = None
    """Streams: until the first event arrived."""


class HTTPBody:
    """A body as sent or received: `.text()`, `.json()`, `.raw()`."""

    __slots__ = ("_text",)

    def __init__(self, text: str) -> None:
        self._text = text

    def text(self) -> str:
        return self._text

    def raw(self) -> bytes:
        return self._text.encode()

    def json(self) -> Any:
        """The body parsed as JSON (a stream's body is its events, one per line)."""
        return json.loads(self._text)

    def __repr__(self) -> str:
        return f"HTTPBody({self._text[:60]!r}{'…' if len(self._text) > 60 else ''})"


@dataclass(frozen=True)
class HTTPRequest:
    """A request as sent, secrets redacted."""

    url: str
    method: str
    headers: dict[str, str]
    body: HTTPBody
    id: str = field(default_factory=lambda: uuid.uuid4().hex)


@dataclass(frozen=True)
class HTTPResponse:
    """A response as received (for a stream: status, headers, and the events as lines)."""

    status: int
    headers: dict[str, str]
    body: HTTPBody


@dataclass(frozen=True)
class LLMCall:
    """One attempt: which client and model, how it went, and the raw exchange (None where
    no request was sent, e.g. missing credentials)."""

    client_name: str
    provider: str
    model: str
    timing: Timing
    usage: Usage
    selected: bool
    """The attempt whose reply became the result."""
    http_request: HTTPRequest | None
    http_response: HTTPResponse | None
    error: str | None = None
    stream: bool = False

    def sse_responses(self) -> list[str] | None:
        """A stream attempt's events (their `data`), in order."""
        if not self.stream or self.http_response is None:
            return None
        return [line for line in self.http_response.body.text().split("\n") if line]


@dataclass
class FunctionLog:
    """One call of one function: every attempt it made and how it ended."""

    function_name: str
    log_type: Literal["call", "stream"]
    timing: Timing
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    calls: list[LLMCall] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    raw_llm_response: str | None = None
    error: str | None = None
    """Why the call failed (None when it succeeded or is still running)."""
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def usage(self) -> Usage:
        """Every attempt's usage, summed (failed attempts cost tokens too)."""
        total = Usage()
        for call in self.calls:
            total = total + call.usage
        return total

    @property
    def cost(self) -> float | None:
        return self.usage.cost

    @property
    def selected_call(self) -> LLMCall | None:
        return next((c for c in self.calls if c.selected), None)


class Collector:
    """Records the calls it is passed to (`collector=` on a call, or in `baml_options`)."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name
        self._logs: list[FunctionLog] = []
        self._lock = threading.Lock()

    @property
    def logs(self) -> list[FunctionLog]:
        """Every call recorded, oldest first (a copy)."""
        with self._lock:
            return list(self._logs)

    @property
    def last(self) -> FunctionLog | None:
        with self._lock:
            return self._logs[-1] if self._logs else None

    @property
    def usage(self) -> Usage:
        """Usage and cost summed over every call recorded."""
        total = Usage()
        for log in self.logs:
            total = total + log.usage
        return total

    def id(self, function_log_id: str) -> FunctionLog | None:
        """The log with this id."""
        with self._lock:
            return next((log for log in self._logs if log.id == function_log_id), None)

    def clear(self) -> int:
        """Forget every log; how many there were."""
        with self._lock:
            count = len(self._logs)
            self._logs.clear()
            return count

    def __repr__(self) -> str:
        return f"Collector(name={self.name!r}, logs={len(self._logs)})"

    # ---- fed by the runtime ----------------------------------------------------------------
    def _start(self, log: FunctionLog) -> None:
        with self._lock:
            self._logs.append(log)
