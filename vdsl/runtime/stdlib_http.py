"""httpx's sync API on the standard library's `http.client` connections.

httpx's own sync pool (httpcore + h11) costs ~0.2 ms of CPU per request against a fast server
and writes the headers and the body of a POST in two sends; `http.client` costs ~0.08 ms and
sends them in one (with TCP_NODELAY), so a sequential call waits less too (bench/versus.py).
The runtime keeps speaking httpx — `httpx.Request`/`Response`, its timeouts and its
exceptions, mapped as httpcore maps them — and the same bytes go on the wire: httpx's headers,
its order and its case. HTTP/1.1 only, like the async path (`aio.py`).

Connections are kept per (scheme, host, port) for `keepalive_expiry` seconds, at most
`max_keepalive_connections` idle ones; one that the server closed while idle (its socket is
readable) is dropped before it is used, as httpcore does. Nothing caps connections in use:
`Runtime(max_in_flight=…)` does that for every path.
"""

from __future__ import annotations

import contextlib
import http.client
import select
import ssl
import threading
import time
from collections.abc import Iterator, Mapping, Sequence

import httpx

__all__ = ["StdlibTransport"]

_Key = tuple[str, str, int]
_Headers = Sequence[tuple[bytes, bytes]]


class StdlibTransport(httpx.BaseTransport):
    """A pool of `http.client` connections behind `httpx.BaseTransport`; thread-safe."""

    def __init__(self, limits: httpx.Limits) -> None:
        self._keep = limits.max_keepalive_connections or 0
        self._expiry = limits.keepalive_expiry
        self._lock = threading.Lock()
        self._idle: dict[_Key, list[tuple[float, http.client.HTTPConnection]]] = {}
        self._ssl: ssl.SSLContext | None = None
        self.in_use = 0
        """Connections handed to a request and not given back yet (tests read it)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        key, conn, response = self._exchange(request.url, request.method, request.headers.raw,
                                             request.read(), request.extensions.get("timeout"))
        return httpx.Response(
            response.status, headers=_raw_headers(response),
            stream=_Body(self, key, conn, response), request=request,
            extensions={"http_version": b"HTTP/1.1",
                        "reason_phrase": response.reason.encode("latin-1", "replace")})

    def post(self, url: httpx.URL, headers: _Headers, content: bytes,
             timeout: Mapping[str, float | None]) -> httpx.Response:
        """POST and read the whole reply (decoded per its Content-Encoding), with no
        `httpx.Request` in between; `headers` are the complete list httpx would send."""
        key, conn, response = self._exchange(url, "POST", headers, content, timeout)
        with _mapped("read"):
            try:
                body = response.read()
            except BaseException:
                response.close()
                self._discard(conn)
                raise
        self._release(key, conn, response)
        reply = httpx.Response(response.status, headers=_raw_headers(response),
                               stream=httpx.ByteStream(body))
        reply.read()
        return reply

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, {}
        for connections in idle.values():
            for _, conn in connections:
                conn.close()

    # ---- one exchange -----------------------------------------------------------------------

    def _exchange(self, url: httpx.URL, method: str, headers: _Headers, content: bytes,
                  timeout: Mapping[str, float | None] | None
                  ) -> tuple[_Key, http.client.HTTPConnection, http.client.HTTPResponse]:
        limits = timeout or {}
        fresh = False
        while True:
            key, conn, reused = self._connection(url, limits.get("connect"), fresh)
            try:
                conn.sock.settimeout(limits.get("read"))  # type: ignore[attr-defined]
                with _mapped("write"):
                    conn.putrequest(method, url.raw_path.decode("ascii"), skip_host=True,
                                    skip_accept_encoding=True)
                    for name, value in headers:
                        conn.putheader(name, value)
                    conn.endheaders(content or None)  # headers and body in one send
                with _mapped("read"):
                    response = conn.getresponse()
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as error:
                self._discard(conn)
                if reused and not fresh and isinstance(error.__cause__, _STALE):
                    fresh = True  # the server closed it as we reused it: it never saw this
                    continue
                raise
            except BaseException:
                self._discard(conn)
                raise
            return key, conn, response

    def _connection(self, url: httpx.URL, connect: float | None, fresh: bool = False
                    ) -> tuple[_Key, http.client.HTTPConnection, bool]:
        """A connection for `url` (an idle one unless `fresh`), and whether it was idle."""
        scheme = url.scheme
        if scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"Request URL has an unsupported protocol "
                                            f"'{scheme}://'.")
        key = (scheme, url.host, url.port or (443 if scheme == "https" else 80))
        conn = None if fresh else self._reuse(key)
        reused = conn is not None
        if conn is None:
            if scheme == "https":
                conn = http.client.HTTPSConnection(key[1], key[2], timeout=connect,
                                                   context=self._context())
            else:
                conn = http.client.HTTPConnection(key[1], key[2], timeout=connect)
            with _mapped("connect"):
                conn.connect()
        with self._lock:
            self.in_use += 1
        return key, conn, reused

    def _reuse(self, key: _Key) -> http.client.HTTPConnection | None:
        """The most recently used idle connection that is still open, if any."""
        now = time.monotonic()
        while True:
            with self._lock:
                found = self._idle.get(key)
                if not found:
                    return None
                since, conn = found.pop()
            # idle and readable: the server closed it (or sent something unasked)
            if (self._expiry is None or now - since < self._expiry) and not _readable(conn):
                return conn
            conn.close()

    def _release(self, key: _Key, conn: http.client.HTTPConnection,
                 response: http.client.HTTPResponse) -> None:
        """Back to the pool when the reply was read to its end on a connection that stays
        open; closed otherwise (an unread body must not reach the next request)."""
        if response.will_close or not response.isclosed() or conn.sock is None:
            response.close()  # a reply that owns its socket (`Connection: close`) lets go
            self._discard(conn)
            return
        with self._lock:
            self.in_use -= 1
            idle = self._idle.setdefault(key, [])
            if sum(len(c) for c in self._idle.values()) < self._keep:
                idle.append((time.monotonic(), conn))
                return
        conn.close()

    def _discard(self, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            self.in_use -= 1
        conn.close()

    def _context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = httpx.create_ssl_context(trust_env=False)
        return self._ssl


class _Body(httpx.SyncByteStream):
    """A reply's body as it arrives; closing it gives the connection back (or drops it,
    when the body was not read to its end)."""

    def __init__(self, transport: StdlibTransport, key: _Key,
                 conn: http.client.HTTPConnection, response: http.client.HTTPResponse) -> None:
        self._transport, self._key, self._conn, self._response = transport, key, conn, response
        self._open = True

    def __iter__(self) -> Iterator[bytes]:
        with _mapped("read"):
            while chunk := self._response.read1(65536):
                yield chunk

    def close(self) -> None:
        if self._open:
            self._open = False
            self._transport._release(self._key, self._conn, self._response)


def _readable(conn: http.client.HTTPConnection) -> bool:
    sock = conn.sock
    if sock is None:
        return True
    try:
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True


def _raw_headers(response: http.client.HTTPResponse) -> list[tuple[bytes, bytes]]:
    """The reply's headers as received (names in their case, values as bytes)."""
    return [(name.encode("latin-1"), value.encode("latin-1"))
            for name, value in response.msg.raw_items()]


_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)
"""What a reused connection raises before any reply when the server had closed it while it
sat idle (the close and our request crossed): sent again once, on a new connection, as
urllib3 and Go's net/http do — the server closed it, so it did not take the request."""


@contextlib.contextmanager
def _mapped(phase: str) -> Iterator[None]:
    """Standard-library errors as the httpx exceptions httpcore raises for them."""
    try:
        yield
    except TimeoutError as error:
        waited: type[httpx.TimeoutException] = {
            "connect": httpx.ConnectTimeout, "write": httpx.WriteTimeout}.get(
            phase, httpx.ReadTimeout)
        raise waited(str(error) or "timed out") from error
    except http.client.RemoteDisconnected as error:
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.") \
            from error
    except http.client.IncompleteRead as error:
        raise httpx.RemoteProtocolError(
            f"peer closed connection without sending complete message body: received "
            f"{len(error.partial)} bytes" + (f", expected {error.expected}"
                                             if error.expected else "")) from error
    except http.client.HTTPException as error:  # a malformed status line or headers
        raise httpx.RemoteProtocolError(str(error) or type(error).__name__) from error
    except OSError as error:  # refused, reset, unreachable, TLS failures…
        failed: type[httpx.NetworkError] = {
            "connect": httpx.ConnectError, "write": httpx.WriteError}.get(phase, httpx.ReadError)
        raise failed(str(error) or type(error).__name__) from error
