"""Downloading media URLs: http(s) only, only to allowed addresses, capped in size and time.

`MediaFetcher` owns its own httpx client, apart from the pool that talks to Vertex. Its
transport connects through `_GuardedBackend`, which resolves each host itself, checks every
address against the `MediaPolicy` (`netpolicy.py`) and connects to the checked address — so
redirects and DNS rebinding are covered by the same check. A download has one deadline for
everything (connect, redirects, headers, every read): a server that trickles a byte at a time
is cut off when the deadline passes, not when a read stalls. Messages never show a URL's
query string or user info (signed URLs carry credentials there).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpcore
import httpx

from ..errors import MediaError
from .netpolicy import MediaPolicy

__all__ = ["MediaFetcher", "shown_url"]

_DEADLINE: ContextVar[float | None] = ContextVar("vdsl_media_deadline", default=None)


class MediaFetcher:
    """`fetch(url) -> (bytes, media type or None)` under a `MediaPolicy`; thread-safe."""

    def __init__(self, policy: MediaPolicy | None = None) -> None:
        self.policy = policy or MediaPolicy()
        self._client: httpx.Client | None = None

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(transport=_GuardedTransport(self.policy),
                                        trust_env=False, follow_redirects=False,
                                        headers={"accept-encoding": "identity"})
        return self._client

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()

    def fetch(self, url: str) -> tuple[bytes, str | None]:
        policy = self.policy
        token = _DEADLINE.set(time.monotonic() + policy.timeout_s)
        try:
            return self._follow(url)
        except httpx.TimeoutException:
            raise MediaError(f"Failed to fetch media from {shown_url(url)}: it did not arrive "
                             f"within {policy.timeout_s:g} s") from None
        except httpx.HTTPError as error:
            raise MediaError(f"Failed to fetch media from {shown_url(url)}: "
                             f"{type(error).__name__}: {error}") from None
        finally:
            _DEADLINE.reset(token)

    def _follow(self, url: str) -> tuple[bytes, str | None]:
        current = url
        for _ in range(self.policy.max_redirects + 1):
            _check_scheme(current, url)
            with self._http().stream("GET", current, timeout=self.policy.timeout_s) as response:
                if response.is_redirect:
                    current = urljoin(current, response.headers.get("location", ""))
                    continue
                if response.status_code != 200:
                    raise MediaError(f"Failed to fetch media from {shown_url(url)}: HTTP "
                                     f"{response.status_code}")
                return self._read(response, url), _content_type(response)
        raise MediaError(f"Failed to fetch media from {shown_url(url)}: too many redirects")

    def _read(self, response: httpx.Response, url: str) -> bytes:
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            raise MediaError(f"Failed to fetch media from {shown_url(url)}: the server sent "
                             f"it compressed (Content-Encoding: {encoding}); media is read "
                             "uncompressed only")
        cap, size = self.policy.max_bytes, 0
        chunks: list[bytes] = []
        for chunk in response.iter_raw():
            size += len(chunk)
            if size > cap:
                raise MediaError(f"Failed to fetch media from {shown_url(url)}: larger than "
                                 f"{_size(cap)}")
            chunks.append(chunk)
        return b"".join(chunks)


def shown_url(url: str) -> str:
    """`url` as messages show it: without user info, query or fragment."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, "…" if parts.query else "", ""))


def _size(cap: int) -> str:
    return f"{cap // (1024 * 1024)} MiB" if cap % (1024 * 1024) == 0 else f"{cap:,} bytes"


def _check_scheme(current: str, original: str) -> None:
    if urlsplit(current).scheme not in ("http", "https"):
        raise MediaError(f"Failed to fetch media from {shown_url(original)}: URL scheme is "
                         f"not allowed ({current.split(':', 1)[0]}:)")


def _content_type(response: httpx.Response) -> str | None:
    value = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return value if value and value not in ("application/octet-stream", "binary/octet-stream") \
        and "/" in value else None


def _remaining(timeout: float | None) -> float | None:
    """`timeout` shortened to what is left of the download's deadline."""
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the download's deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read and write ends by the download's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _remaining(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _remaining(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname,
                                                     _remaining(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """Connects only to addresses the policy allows, and to exactly those addresses."""

    def __init__(self, policy: MediaPolicy) -> None:
        self._policy = policy
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        failure: Exception | None = None
        for address in self._policy.addresses(host, port):
            try:
                stream = self._inner.connect_tcp(str(address), port, _remaining(timeout),
                                                 local_address, socket_options)
            except httpcore.ConnectError as error:
                failure = error
                continue
            return _DeadlineStream(stream)
        assert failure is not None
        raise failure

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None
                            ) -> httpcore.NetworkStream:
        raise MediaError("media download refused: Unix sockets are not allowed")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _GuardedTransport(httpx.BaseTransport):
    """httpx over an httpcore pool that connects through `_GuardedBackend`."""

    def __init__(self, policy: MediaPolicy) -> None:
        self._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(),
                                             max_connections=20, max_keepalive_connections=10,
                                             keepalive_expiry=30.0,
                                             network_backend=_GuardedBackend(policy))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port,
                             target=url.raw_path),
            headers=request.headers.raw, content=request.stream,  # type: ignore[arg-type]
            extensions=request.extensions)
        with _httpx_errors(request):
            response = self._pool.handle_request(core_request)
        return httpx.Response(status_code=response.status, headers=response.headers,
                              stream=_Body(response, request), extensions=response.extensions)

    def close(self) -> None:
        self._pool.close()


class _Body(httpx.SyncByteStream):
    def __init__(self, response: httpcore.Response, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        with _httpx_errors(self._request):
            yield from self._response.iter_stream()

    def close(self) -> None:
        self._response.close()


@contextlib.contextmanager
def _httpx_errors(request: httpx.Request) -> Iterator[None]:
    """httpcore's exceptions as the httpx exceptions of the same name."""
    try:
        yield
    except Exception as error:
        if not type(error).__module__.startswith("httpcore"):
            raise
        mapped = getattr(httpx, type(error).__name__, httpx.TransportError)
        raise mapped(str(error), request=request) from None
