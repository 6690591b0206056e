"""Streams: server-sent events read as they arrive, typed partials on every event, the
time-to-first-token and idle limits, and the same retry and fallback plan as calls (until the
first event: after it, a failure is raised with the text received so far)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from ..errors import BlockedError, StreamError, VdslError, VertexError
from ..providers.base import Completion, Delta, Usage
from ..providers.grounding import Grounding
from .abort import AbortController, armed
from .calls import Call, at_site, http_failure, located
from .failures import http_error, transport_error
from .observe import aobserving, observing
from .result import Result, StreamEvent
from .transport import asse_events, httpx_timeout, sse_events, wire_headers

if TYPE_CHECKING:
    from .attempts import Attempts
    from .observe import Observation
    from .runtime import Runtime
    from .settings import CallSettings

T = TypeVar("T")


def stream_plan(rt: Runtime, function: str, args: Mapping[str, Any], settings: CallSettings
                ) -> Iterator[StreamEvent | Result]:
    observation = settings.observe(function, "stream")
    with observing(observation):
        yield from _stream_attempts(rt, function, args, settings, observation)


def _stream_attempts(rt: Runtime, function: str, args: Mapping[str, Any],
                     settings: CallSettings, observation: Observation | None
                     ) -> Iterator[StreamEvent | Result]:
    attempts = rt._attempts(function, settings, observation)
    for leaf, wait in attempts:
        if wait:
            rt._sleep(wait)
        attempts.begin()
        started = False
        call = None
        try:
            call = rt._prepare(function, args, leaf, settings.env, settings.headers,
                               stream=True, settings=settings)
            with contextlib.closing(stream_events(rt, call)) as events:  # closed at once
                for item in events:
                    _note(item, attempts, leaf, call, observation)
                    started = True
                    yield item
            return
        except VdslError as error:
            if started:
                raise attempts.broken(leaf, error, call) from None
            attempts.failure(leaf, error, call)
    raise attempts.exhausted()

def _note(item: StreamEvent | Result, attempts: Attempts, leaf: str, call: Call,
          observation: Observation | None) -> None:
    if isinstance(item, Result):
        item.attempts = attempts.success(leaf, call.options.model, call)
        if observation is not None:
            observation.end(item, None)
    elif observation is not None:
        observation.first_event()


def stream_events(rt: Runtime, call: Call) -> Generator[StreamEvent | Result, None, None]:
    if not call.stream:  # supports_streaming false: one call, surfaced as one event
        result = rt._finish(call, rt._parse(call, rt._send(call).content))
        yield StreamEvent(result.text, result.text, "".join(result.thoughts), result.value)
        yield result
        return
    http = rt._pool.sync()
    timeout = httpx_timeout(call.options.timeouts, stream=True)
    reader = StreamReader(call)
    try:
        call.sent = True
        with http.stream("POST", rt._pool.url(call.url),
                         headers=wire_headers(rt._headers(call)),
                         content=call.request.content(), timeout=timeout) as response:
            call.response = response
            if response.status_code >= 400:
                response.read()
                raise http_failure(response, call)
            for event in sse_events(response.iter_lines(), reader.junk):
                if call.events is not None:
                    call.events.append(event.data)
                delta = reader.feed(event.event, event.data)
                if delta is not None and (delta.text or delta.thought):
                    yield make_event(rt, call, reader, delta)
    except httpx.HTTPError as error:
        raise reader.broken(error) from None
    yield rt._finish(call, reader.completion())

async def astream_plan(rt: Runtime, function: str, args: Mapping[str, Any],
                       settings: CallSettings) -> AsyncIterator[StreamEvent | Result]:
    observation = settings.observe(function, "stream")
    attempts = rt._attempts(function, settings, observation)
    async with aobserving(observation):
        for leaf, wait in attempts:
            if wait:
                await rt._asleep(wait)
            attempts.begin()
            started = False
            call = None
            try:
                call = await rt._aprepare(function, args, leaf, settings.env, settings.headers,
                                          stream=True, settings=settings)
                async with contextlib.aclosing(astream_events(rt, call)) as events:
                    async for item in events:  # an early close releases the connection now
                        _note(item, attempts, leaf, call, observation)
                        started = True
                        yield item
                return
            except VdslError as error:
                if started:
                    raise attempts.broken(leaf, error, call) from None
                attempts.failure(leaf, error, call)
            except asyncio.CancelledError:
                attempts.cancelled(leaf, call)
                raise
        raise attempts.exhausted()


async def abortable(events: AsyncIterator[T], controller: AbortController | None
                    ) -> AsyncIterator[T]:
    """`events`, each wait for the next one cancelled by `controller` (raising AbortError);
    between events the consumer is left alone. Closing this closes `events`."""
    iterator = events.__aiter__()
    try:
        while True:
            async with armed(controller):
                try:
                    item = await iterator.__anext__()
                except StopAsyncIteration:
                    return
            yield item
    finally:
        close = getattr(iterator, "aclose", None)
        if close is not None:
            await close()


async def astream_events(rt: Runtime, call: Call
                         ) -> AsyncGenerator[StreamEvent | Result, None]:
    if not call.stream:
        result = rt._finish(call, rt._parse(call, await rt._asend(call)))
        yield StreamEvent(result.text, result.text, "".join(result.thoughts), result.value)
        yield result
        return
    http = rt._pool.async_()
    request_headers = call.headers()
    if call.auth is not None and "authorization" in request_headers:
        request_headers.update(await call.auth.aheaders())
        call.hide_token(request_headers)
    reader = StreamReader(call)
    call.sent = True
    try:
        async with http.stream("POST", rt._pool.url(call.url),
                               headers=wire_headers(request_headers),
                               content=call.request.content(),
                               timeout=httpx_timeout(call.options.timeouts, stream=True)
                               ) as response:
            call.response = response
            if response.status_code >= 400:
                await response.aread()
                raise http_failure(response, call)
            events = asse_events(response.aiter_lines(), reader.junk).__aiter__()
            while True:
                name, limit = reader.next_limit()
                try:  # each wait is bounded exactly by the phase it is in
                    event = await asyncio.wait_for(events.__anext__(), limit)
                except StopAsyncIteration:
                    break
                except asyncio.TimeoutError:  # noqa: UP041 - not vdsl.errors.TimeoutError
                    raise reader._timeout(name) from None
                if call.events is not None:
                    call.events.append(event.data)
                delta = reader.feed(event.event, event.data)
                if delta is not None and (delta.text or delta.thought):
                    yield make_event(rt, call, reader, delta)
    except httpx.HTTPError as error:
        raise reader.broken(error) from None
    yield rt._finish(call, reader.completion())

def make_event(rt: Runtime, call: Call, reader: StreamReader, delta: Delta) -> StreamEvent:
    partial = None
    if delta.text:
        try:
            partial = rt._parse_value(call.fn, reader.text, True, call.project)
        except VdslError:
            partial = None
    return StreamEvent(delta.text, reader.text, delta.thought, partial)


class StreamReader:
    """Accumulates deltas and enforces the time-to-first-token and idle limits."""

    def __init__(self, call: Call) -> None:
        self.call = call
        if call.record:
            call.events = []
        self.junk: list[str] = []
        self.parts: list[str] = []
        self.thoughts: list[str] = []
        self.finish_reason: str | None = None
        self.usage: Usage | None = None
        self.grounding: Grounding | None = None
        self.started = time.monotonic()
        self.last: float | None = None

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def feed(self, name: str | None, data: str) -> Delta | None:
        self._check_time()
        try:
            delta = self.call.adapter.parse_event(name, data)
        except ValueError:
            raise StreamError(f"client `{self.call.site.client}`: unreadable stream chunk: "
                              f"{data[:120]!r}", partial_text=self.text,
                              **self.call.site.where()) from None
        except BlockedError as error:
            raise located(error, self.call) from None
        except VertexError as error:  # an error event inside the stream
            raise at_site(error, self.call) from None
        if delta is None:
            return None
        self.parts.append(delta.text)
        if delta.thought:
            self.thoughts.append(delta.thought)
        self.finish_reason = delta.finish_reason or self.finish_reason
        self.grounding = delta.grounding or self.grounding
        if delta.usage is not None:  # Claude: input counts first, output counts at the end
            self.usage = delta.usage if self.usage is None else self.usage.merged(delta.usage)
        return delta

    def _check_time(self) -> None:
        now = time.monotonic()
        limits = self.call.options.timeouts
        if self.last is None and limits.first_token_ms and \
                (now - self.started) * 1000 > limits.first_token_ms:
            raise self._timeout("time_to_first_token_timeout_ms")
        if self.last is not None and limits.idle_ms and (now - self.last) * 1000 > limits.idle_ms:
            raise self._timeout("idle_timeout_ms")
        if limits.request_ms and (now - self.started) * 1000 > limits.request_ms:
            raise self._timeout("request_timeout_ms")
        self.last = now

    def next_limit(self) -> tuple[str, float | None]:
        """The timeout that bounds the wait for the next event, and its seconds (None: none)."""
        limits = self.call.options.timeouts
        now = time.monotonic()
        candidates: list[tuple[str, float]] = []
        if self.last is None and limits.first_token_ms:
            candidates.append(("time_to_first_token_timeout_ms",
                               self.started + limits.first_token_ms / 1000 - now))
        if self.last is not None and limits.idle_ms:
            candidates.append(("idle_timeout_ms", self.last + limits.idle_ms / 1000 - now))
        if limits.request_ms:
            candidates.append(("request_timeout_ms",
                               self.started + limits.request_ms / 1000 - now))
        if not candidates:
            return "", None
        name, seconds = min(candidates, key=lambda c: c[1])
        return name, max(seconds, 0.0)

    def _timeout(self, name: str) -> VdslError:
        from ..errors import TimeoutError
        return TimeoutError(f"client `{self.call.site.client}`: {name} passed while streaming",
                            timeout=name, **self.call.site.where())

    def broken(self, error: httpx.HTTPError) -> VdslError:
        if isinstance(error, httpx.TimeoutException):  # name the limit of the phase it hit
            name = self.next_limit()[0] or "request_timeout_ms"
            return transport_error(error, self.call.site, name)
        return StreamError(f"client `{self.call.site.client}`: the stream broke off: {error}",
                           partial_text=self.text, **self.call.site.where())

    def completion(self) -> Completion:
        if self.junk:
            error = http_error(200, "\n".join(self.junk).encode(), "application/json",
                               self.call.adapter, self.call.site)
            if error.vertex_status:
                raise error
        if self.finish_reason is None:
            raise StreamError(f"client `{self.call.site.client}`: the stream ended before its "
                              "final event (no finish reason): the reply may be cut short",
                              partial_text=self.text, **self.call.site.where())
        return Completion(self.text, self.thoughts, self.finish_reason, self.usage,
                          self.call.options.model, grounding=self.grounding)
