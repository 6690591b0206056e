"""What a call reports while it runs: to the `Collector`s passed to it and to OpenTelemetry
(when `vdsl.otel.instrument()` was called). A call with neither pays nothing: `observe`
returns None and the runtime skips every hook.

The runtime tells an `Observation` about each attempt as it ends (with the prepared `Call`,
which holds the request and the response) and about the end of the call; it turns them into
`LLMCall`/`FunctionLog` records (secrets redacted) and hands them to the tracer.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from .collector import (
    Collector,
    FunctionLog,
    HTTPBody,
    HTTPRequest,
    HTTPResponse,
    LLMCall,
    Timing,
    Usage,
)

if TYPE_CHECKING:
    from .attempts import Attempt
    from .calls import Call
    from .result import Result

__all__ = ["Observation", "Tracer", "aobserving", "observe", "observing", "set_tracer",
           "tracing"]


class Tracer(Protocol):
    """What `vdsl.otel` implements: spans for calls and attempts."""

    def start(self, function: str, kind: str, tags: Mapping[str, str]) -> Any: ...
    def attempt(self, handle: Any, record: LLMCall, call: Call | None) -> None: ...
    def end(self, handle: Any, log: FunctionLog, error: BaseException | None) -> None: ...


_tracer: Tracer | None = None


def set_tracer(tracer: Tracer | None) -> None:
    global _tracer
    _tracer = tracer


def _now_ms() -> int:
    return int(time.time() * 1000)


class Observation:
    """One call, as its collectors and the tracer see it."""

    def __init__(self, function: str, kind: str, collectors: Sequence[Collector],
                 tags: Mapping[str, str], tracer: Tracer | None) -> None:
        self.log = FunctionLog(function, "stream" if kind == "stream" else "call",
                               Timing(_now_ms()), tags=dict(tags))
        self._started = time.monotonic()
        self._first: float | None = None
        for collector in collectors:
            collector._start(self.log)
        self._tracer = tracer
        self._ended = False
        self._span = tracer.start(function, kind, tags) if tracer is not None else None

    def attempt(self, attempt: Attempt, call: Call | None, selected: bool) -> None:
        record = _record(attempt, call, selected, self.log.log_type == "stream")
        self.log.calls.append(record)
        if selected and call is not None and call.completion is not None:
            self.log.raw_llm_response = call.completion.text
        if self._tracer is not None:
            self._tracer.attempt(self._span, record, call)

    def first_event(self) -> None:
        if self._first is None:
            self._first = time.monotonic()

    def end(self, result: Result | None, error: BaseException | None) -> None:
        if self._ended:
            return
        self._ended = True
        elapsed = time.monotonic() - self._started
        first = None if self._first is None else int((self._first - self._started) * 1000)
        self.log.timing = Timing(self.log.timing.start_time_utc_ms, int(elapsed * 1000), first)
        if isinstance(error, GeneratorExit):
            self.log.error = "the stream was closed before it finished"
        elif error is not None:
            self.log.error = str(error).split("\nattempts:", 1)[0] or type(error).__name__
        if self._tracer is not None:
            self._tracer.end(self._span, self.log, error)


def tracing() -> bool:
    return _tracer is not None


@contextlib.contextmanager
def observing(observation: Observation | None) -> Iterator[None]:
    """An error leaving the block ends the observation (a success ends it where the result
    is made, in the plan)."""
    try:
        yield
    except BaseException as error:
        if observation is not None:
            observation.end(None, error)
        raise


@contextlib.asynccontextmanager
async def aobserving(observation: Observation | None) -> AsyncIterator[None]:
    try:
        yield
    except BaseException as error:
        if observation is not None:
            observation.end(None, error)
        raise


def observe(function: str, kind: str, collectors: Sequence[Collector],
            tags: Mapping[str, str]) -> Observation | None:
    """An observation for this call, or None when nobody is watching."""
    tracer = _tracer
    if not collectors and tracer is None:
        return None
    return Observation(function, kind, collectors, tags, tracer)


def _record(attempt: Attempt, call: Call | None, selected: bool, stream: bool) -> LLMCall:
    latency = int(attempt.latency_ms)
    usage = Usage()
    if call is not None and call.completion is not None and call.completion.usage:
        from ..providers.catalog import estimate_cost
        u = call.completion.usage
        usage = Usage(u.input_tokens, u.output_tokens, u.cached_tokens, u.thinking_tokens,
                      estimate_cost(call.options.model, u))
    return LLMCall(attempt.client, "vertex-ai", attempt.model or (
        call.options.model if call is not None else ""),
        Timing(_now_ms() - latency, latency), usage, selected,
        _request(call), _response(call, stream), attempt.error, stream)


def _request(call: Call | None) -> HTTPRequest | None:
    if call is None or not call.sent:
        return None
    shown = call.request.redacted()
    body = call.request.scrub(call.request.content().decode("utf-8", "replace"))
    return HTTPRequest(shown["url"], shown["method"], dict(shown["headers"]), HTTPBody(body))


def _response(call: Call | None, stream: bool) -> HTTPResponse | None:
    response = call.response if call is not None else None
    if call is None or response is None:
        return None
    if stream and call.events is not None:
        text = "\n".join(call.events)
    else:
        try:
            text = response.content.decode("utf-8", "replace")
        except Exception:  # noqa: BLE001 - a stream response whose body was not read
            text = ""
    headers = {k: v for k, v in response.headers.items() if k.lower() != "set-cookie"}
    return HTTPResponse(response.status_code, headers, HTTPBody(call.request.scrub(text)))

