"""httpx's async API on aiohttp's connection pool.

httpx's own async pool (httpcore) rescans every connection for every queued request each time
a request starts or ends, polling each socket and asking anyio for its peer address on the way:
with 32 requests in flight that is ~2,500 connection checks and ~90 `poll` calls per request,
about 2.5 ms of CPU, so a fast server sees ~400 calls/s however many it could serve
(bench/versus.py). aiohttp's pool hands a connection over in constant time (~0.12 ms per
request). The runtime keeps speaking httpx (requests, responses, timeouts, errors); only the
async socket work moves here. Errors are mapped to the httpx exception that names what really
happened (a server that hangs up is not a connect timeout), so `transport_error` words them
the same on both paths.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator, Iterator, Mapping

import aiohttp
import httpx

__all__ = ["AiohttpTransport"]


class AiohttpTransport(httpx.AsyncBaseTransport):
    """One aiohttp session for one event loop, created on first use inside it.

    Streams go through httpx (`handle_async_request`); a whole-body request can skip httpx's
    client layer (`post`, ~0.1 ms less per call) and still gets an `httpx.Response` back.
    """

    def __init__(self, limits: httpx.Limits) -> None:
        self._limits = limits
        self._defaults: list[tuple[str, str]] = []
        self._session: aiohttp.ClientSession | None = None

    def use_defaults(self, headers: httpx.Headers) -> None:
        """The headers httpx's client adds to every request (Accept, User-Agent, …), which
        `post` sends too."""
        self._defaults = _pairs(headers)

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._limits.max_connections or 0, limit_per_host=0,
                keepalive_timeout=self._limits.keepalive_expiry or 15.0,
                ssl=httpx.create_ssl_context(trust_env=False))
            # a runtime dropped with its loop still open must not warn "Unclosed connector"
            weakref.finalize(self, _close_quietly, connector)
            self._session = aiohttp.ClientSession(
                connector=connector, trust_env=False, auto_decompress=False,
                skip_auto_headers=("User-Agent",))
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        content = await request.aread()
        with _mapped():
            response = await self._open().request(
                request.method, str(request.url), headers=_pairs(request.headers),
                data=content or None, allow_redirects=False, compress=None,
                timeout=_timeout(request.extensions.get("timeout", {})))
        return httpx.Response(
            response.status, headers=response.raw_headers, stream=_Body(response),
            request=request, extensions={"http_version": b"HTTP/1.1",
                                         "reason_phrase": (response.reason or "").encode()})

    async def post(self, url: str, headers: Mapping[str, str], content: bytes,
                   timeout: httpx.Timeout) -> httpx.Response:
        """POST and read the whole reply; the same headers on the wire as httpx's client
        sends (its defaults first), errors as httpx's exceptions."""
        sent = [*self._defaults, *headers.items(), ("Content-Length", str(len(content)))]
        with _mapped():
            async with self._open().request(
                    "POST", url, headers=sent, data=content, allow_redirects=False,
                    compress=None, timeout=_timeout(timeout.as_dict())) as response:
                body = await response.read()
        return httpx.Response(response.status, headers=response.raw_headers, content=body)

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()


def _timeout(limits: Mapping[str, float | None]) -> aiohttp.ClientTimeout:
    """httpx's limits in aiohttp's terms: `pool` bounds waiting for a connection (and
    connecting), `connect` the TCP connect, `read` each wait for data."""
    return aiohttp.ClientTimeout(total=None, connect=limits.get("pool"),
                                 sock_connect=limits.get("connect"),
                                 sock_read=limits.get("read"))


def _pairs(headers: httpx.Headers) -> list[tuple[str, str]]:
    """The headers as httpx would write them (its names and their case, its order); values
    are UTF-8 (`transport.wire_headers`), which aiohttp encodes back to the same bytes."""
    return [(name.decode("latin-1"), value.decode("utf-8", "replace"))
            for name, value in headers.raw]


class _Body(httpx.AsyncByteStream):
    """The response body as it arrives; closing it early drops the connection (an unread
    body must not be handed to the next request)."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _mapped():
            async for chunk in self._response.content.iter_any():
                yield chunk

    async def aclose(self) -> None:
        if self._response.content.at_eof():
            self._response.release()
        else:
            self._response.close()


@contextlib.contextmanager
def _mapped() -> Iterator[None]:
    try:
        yield
    except aiohttp.ClientError as error:
        raise _httpx_error(error) from error
    except asyncio.TimeoutError as error:  # noqa: UP041 - aiohttp's total timeout
        raise httpx.ReadTimeout(str(error) or "timed out") from error


def _httpx_error(error: aiohttp.ClientError) -> httpx.TransportError:
    message = str(error) or type(error).__name__
    kinds: list[tuple[type[BaseException], type[httpx.TransportError]]] = [
        (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),
        (aiohttp.ServerTimeoutError, httpx.ReadTimeout),
        (aiohttp.ClientConnectorError, httpx.ConnectError),
        (aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError),
        (aiohttp.ClientPayloadError, httpx.RemoteProtocolError),
        (aiohttp.InvalidURL, httpx.UnsupportedProtocol),
        (aiohttp.NonHttpUrlClientError, httpx.UnsupportedProtocol),
    ]
    for aiohttp_kind, httpx_kind in kinds:
        if isinstance(error, aiohttp_kind):
            return httpx_kind(message)
    return httpx.ReadError(message)


def _close_quietly(connector: aiohttp.BaseConnector) -> None:
    """Mark the connector closed and close its sockets now, without awaiting (the finalizer
    may run after the loop closed). `close()` is a coroutine; `_close` is its synchronous
    part, which aiohttp itself calls from `__del__`."""
    with contextlib.suppress(Exception):
        connector._close()
