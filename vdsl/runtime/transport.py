"""HTTP for the runtime: pooled httpx clients (one per process, one per event loop), and
server-sent events read line by line. With `aio.py` and `stdlib_http.py`, the only modules of
the runtime that touch sockets. Clients speak httpx's API over aiohttp's pool (async) and the
standard library's `http.client` (sync); see those modules for why."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import weakref
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from ..providers.options import Timeouts
from .closing import close_async_client
from .stdlib_http import StdlibTransport

if TYPE_CHECKING:
    from .aio import AiohttpTransport

_LIMITS = httpx.Limits(max_connections=200, max_keepalive_connections=100,
                       keepalive_expiry=30.0)


class Pool:
    """httpx clients shared by one runtime: safe across threads, renewed after `fork` (a
    child must not reuse its parent's sockets) and per event loop for async calls."""

    def __init__(self, limits: httpx.Limits = _LIMITS) -> None:
        self._limits = limits
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._sync: httpx.Client | None = None
        self._transport: StdlibTransport
        self._defaults: list[tuple[bytes, bytes]] = []
        self._urls: dict[str, httpx.URL] = {}
        # keyed weakly by event loop: a client dies with its loop (asyncio.run makes many)
        self._async: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[httpx.AsyncClient, AiohttpTransport]] = \
            weakref.WeakKeyDictionary()

    def sync(self) -> httpx.Client:
        if self._sync is None or self._pid != os.getpid():
            with self._lock:
                if self._sync is None or self._pid != os.getpid():
                    self._pid = os.getpid()
                    self._async = weakref.WeakKeyDictionary()
                    self._transport = StdlibTransport(self._limits)
                    self._sync = httpx.Client(transport=self._transport, timeout=None,
                                              trust_env=False)
                    self._defaults = list(self._sync.headers.raw)
        return self._sync

    def post(self, url: str, headers: Mapping[str, str], content: bytes,
             timeout: httpx.Timeout) -> httpx.Response:
        """POST and read the whole reply through the sync pool, without httpx's client layer
        (cookies, redirects, hooks: none used here; ~0.1 ms less per call). The same request
        as `client.post` would send: the client's default headers first, then `headers`."""
        self.sync()
        parsed = self.url(url)
        return self._transport.post(parsed, request_headers(parsed, self._defaults, headers,
                                                            content),
                                    content, timeout.as_dict())

    def async_(self) -> httpx.AsyncClient:
        """The httpx client of the running event loop (streams go through it)."""
        return self._for_loop()[0]

    def async_transport(self) -> AiohttpTransport:
        """The same loop's transport, for whole-body requests that skip httpx's client."""
        return self._for_loop()[1]

    def _for_loop(self) -> tuple[httpx.AsyncClient, AiohttpTransport]:
        loop = asyncio.get_running_loop()
        found = self._async.get(loop)
        if found is None or self._pid != os.getpid():
            if self._pid != os.getpid():
                self.sync()
            from .aio import AiohttpTransport  # imported on the first async call only
            transport = AiohttpTransport(self._limits)
            client = httpx.AsyncClient(transport=transport, timeout=None, trust_env=False)
            transport.use_defaults(client.headers)
            found = self._async[loop] = (client, transport)
        return found

    def url(self, text: str) -> httpx.URL:
        """`text` parsed once: a client calls the same few URLs, and httpx's parse (which
        checks every character) cost ~0.1 ms per call."""
        url = self._urls.get(text)
        if url is None:
            if len(self._urls) >= 512:
                self._urls.clear()
            url = self._urls[text] = httpx.URL(text)
        return url

    def close(self) -> None:
        """Close every client now, the async ones too (see `closing.py`)."""
        sync, clients = self._take()
        if sync is not None:
            sync.close()
        for loop, client in clients:
            close_async_client(loop, client)

    async def aclose(self) -> None:
        """Close every client, awaiting the one of the running loop."""
        sync, clients = self._take()
        if sync is not None:
            sync.close()
        running = asyncio.get_running_loop()
        for loop, client in clients:
            if loop is running:
                await client.aclose()
            else:
                await asyncio.to_thread(close_async_client, loop, client)

    def _take(self) -> tuple[httpx.Client | None,
                             list[tuple[asyncio.AbstractEventLoop, httpx.AsyncClient]]]:
        """The clients, taken out of the pool (the runtime reconnects if used again)."""
        with self._lock:
            sync, self._sync = self._sync, None
            clients = [(loop, client) for loop, (client, _) in self._async.items()]
            self._async = weakref.WeakKeyDictionary()
        return sync, clients


class Gate:
    """An optional cap on requests in flight, for threads and for each event loop (None: no
    cap, the default: the pools handle any number of connections in constant time)."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self._threads = threading.BoundedSemaphore(limit) if limit else None
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = \
            weakref.WeakKeyDictionary()

    def sync(self) -> contextlib.AbstractContextManager[object]:
        return self._threads if self._threads is not None else contextlib.nullcontext()

    def async_(self) -> contextlib.AbstractAsyncContextManager[object]:
        if not self.limit:
            return contextlib.nullcontext()
        loop = asyncio.get_running_loop()
        semaphore = self._loops.get(loop)
        if semaphore is None:
            semaphore = self._loops[loop] = asyncio.Semaphore(self.limit)
        return semaphore


def wire_headers(headers: Mapping[str, str]) -> list[tuple[bytes, bytes]]:
    """Headers as bytes, values UTF-8 (httpx would refuse a non-ASCII value with a bare
    UnicodeEncodeError; aiohttp sends UTF-8), so every path sends the same bytes."""
    return [(name.encode("latin-1"), value.encode("utf-8")) for name, value in headers.items()]


_AUTOMATIC = frozenset({"host", "content-length", "transfer-encoding"})


def request_headers(url: httpx.URL, defaults: list[tuple[bytes, bytes]],
                    headers: Mapping[str, str], content: bytes) -> list[tuple[bytes, bytes]]:
    """Every header of a POST of `content` as `httpx.Request` orders them: Host, the client's
    defaults, `headers`, Content-Length (httpx builds a Request for any other case)."""
    wire = wire_headers(headers)
    if not content or any(name.lower() in _AUTOMATIC for name in headers):
        return list(httpx.Request("POST", url, content=content,
                                  headers=[*defaults, *wire]).headers.raw)
    return [(b"Host", url.netloc), *defaults, *wire,
            (b"Content-Length", str(len(content)).encode())]


def httpx_timeout(timeouts: Timeouts, *, stream: bool) -> httpx.Timeout:
    """The socket-level limits. A read waits at most the idle limit (streams: the larger of
    first-token and idle, refined per event by the caller), or the whole request's."""
    def s(ms: int | None) -> float | None:
        return None if ms is None else ms / 1000
    candidates = [t for t in (timeouts.request_ms,
                              max(filter(None, (timeouts.first_token_ms, timeouts.idle_ms)),
                                  default=None)) if t]
    read = s(min(candidates)) if candidates else None
    return httpx.Timeout(connect=s(timeouts.connect_ms), read=read, write=read, pool=read)


def read_limit_name(timeouts: Timeouts) -> str:
    """The `http` option behind `httpx_timeout`'s read limit, to name in a timeout error."""
    waiting = max(filter(None, (timeouts.first_token_ms, timeouts.idle_ms)), default=None)
    if timeouts.request_ms and (waiting is None or timeouts.request_ms <= waiting):
        return "request_timeout_ms"
    if waiting is not None and waiting == timeouts.first_token_ms:
        return "time_to_first_token_timeout_ms"
    return "idle_timeout_ms" if waiting is not None else "request_timeout_ms"


def cap(timeout: httpx.Timeout, remaining: float | None) -> httpx.Timeout:
    """`timeout` with no limit longer than `remaining` seconds (a strategy's total budget)."""
    if remaining is None:
        return timeout
    remaining = max(remaining, 0.001)

    def shorter(value: float | None) -> float:
        return remaining if value is None else min(value, remaining)
    return httpx.Timeout(connect=shorter(timeout.connect), read=shorter(timeout.read),
                         write=shorter(timeout.write), pool=shorter(timeout.pool))


@dataclass
class Event:
    """One server-sent event."""

    event: str | None
    data: str


def sse_events(lines: Iterable[str], junk: list[str]) -> Iterator[Event]:
    """Parse SSE lines (LF or CRLF already split). Lines that are not SSE fields (a JSON error
    body sent without `data:`) are collected in `junk` for the caller to inspect."""
    name: str | None = None
    data: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r")
        if not line:
            if data:
                yield Event(name, "\n".join(data))
            name, data = None, []
            continue
        field, sep, value = line.partition(":")
        if not sep or field not in ("data", "event", "id", "retry", ""):
            junk.append(line)
            continue
        value = value.removeprefix(" ")
        if field == "data":
            data.append(value)
        elif field == "event":
            name = value
    if data:
        yield Event(name, "\n".join(data))


async def asse_events(lines: AsyncIterator[str], junk: list[str]) -> AsyncIterator[Event]:
    buffer: list[str] = []
    async for line in lines:
        buffer.append(line)
        if not line.rstrip("\r"):
            for event in sse_events(buffer, junk):
                yield event
            buffer = []
    for event in sse_events(buffer, junk):
        yield event
