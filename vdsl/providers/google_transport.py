"""A google-auth transport over httpx, so token refreshes need no `requests`.

google-auth talks HTTP through a `google.auth.transport.Request` callable. Its stock
implementation uses `requests`, which vdsl does not depend on; this one sends the same
requests through one pooled `httpx.Client` shared by every credential in the process (token
endpoints, STS, IAM credentials, the metadata server). httpx failures become
`google.auth.exceptions.TransportError`, which google-auth's own retry logic understands.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import httpx
from google.auth import exceptions
from google.auth import transport as google_transport

__all__ = ["HttpxRequest", "HttpxResponse", "shared_client"]

DEFAULT_TIMEOUT = 120.0
"""Seconds, as google-auth's requests transport; token endpoints answer far sooner."""

_client: httpx.Client | None = None
_client_lock = threading.Lock()


def shared_client() -> httpx.Client:
    """The process-wide client for auth traffic (created on first use; keep-alive pooled).

    Redirects are not followed: a token request carries a signed assertion or a refresh
    token, and must not be replayed to wherever a redirect points.
    """
    global _client
    with _client_lock:
        if _client is None or _client.is_closed:
            _client = httpx.Client(follow_redirects=False, timeout=DEFAULT_TIMEOUT)
        return _client


class HttpxResponse(google_transport.Response):
    """The status, headers and body google-auth reads from a response."""

    def __init__(self, response: httpx.Response) -> None:
        self._status = response.status_code
        self._headers = response.headers
        self._data = response.content

    @property
    def status(self) -> int:
        return self._status

    @property
    def headers(self) -> Mapping[str, str]:
        """Case-insensitive, as google-auth looks up `Metadata-Flavor` in any case."""
        return self._headers

    @property
    def data(self) -> bytes:
        return self._data

    def __repr__(self) -> str:  # the body may hold a token: never show it
        return f"<HttpxResponse status={self._status}>"


class HttpxRequest(google_transport.Request):
    """`google.auth.transport.Request` over httpx: `request(url, method, body, headers)`."""

    def __init__(self, client: httpx.Client | None = None) -> None:
        self._client = client

    def __call__(self, url: str, method: str = "GET", body: Any = None,
                 headers: Mapping[str, str] | None = None, timeout: float | None = None,
                 **kwargs: Any) -> HttpxResponse:
        client = self._client or shared_client()
        try:
            response = client.request(method, url, content=_content(body),
                                      headers=dict(headers or {}),
                                      timeout=DEFAULT_TIMEOUT if timeout is None else timeout)
        except httpx.HTTPError as exc:
            raise exceptions.TransportError(_describe(exc, url)) from exc
        return HttpxResponse(response)

    def __repr__(self) -> str:
        return "<HttpxRequest>"


def _content(body: Any) -> bytes | None:
    if body is None or isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    return bytes(body)


def _describe(exc: httpx.HTTPError, url: str) -> str:
    """Name the failure and the endpoint without the query (a URL never carries secrets
    in google-auth's flows, but the query is noise here)."""
    endpoint = url.split("?", 1)[0]
    return f"{type(exc).__name__} calling {endpoint}: {exc}"
