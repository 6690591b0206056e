"""What Cloud Storage and BigQuery calls share: requests retried on dropped connections, 429s
and 5xx (`send`), and Google's resumable upload protocol (`Uploader`), for objects and for
BigQuery load jobs alike.

A session URI (from the API's `uploadType=resumable` request) takes the bytes in `PUT`s of
`chunk` bytes (a multiple of 256 KiB) with `Content-Range: bytes a-b/total`; the server
answers `308` with `Range: bytes=0-N` until the last one, then `200`/`201` with the resource
(the object, or the load job). Each chunk is streamed from the file in 256 KiB pieces, so
memory stays flat whatever the file's size. After a dropped connection, a 429 or a 5xx the
upload asks the session how much it holds (`Content-Range: bytes */total`) and goes on from
there (a few tries, with backoff).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import httpx

from ..errors import TransportError

__all__ = ["CHUNK", "TIMEOUT", "Uploader", "response_json", "send"]

CHUNK = 8 * 1024 * 1024
"""Upload chunk size: a multiple of 256 KiB, as resumable uploads require."""
TIMEOUT = httpx.Timeout(connect=30.0, read=300.0, write=300.0, pool=60.0)
RETRIES = 5
_PIECE = 256 * 1024
_RETRIED = frozenset({429, 500, 502, 503, 504})


def send(http: httpx.Client, method: str, url: str, *, headers: dict[str, str],
         sleep: Callable[[float], None], failure: str, **kw: Any) -> httpx.Response:
    """The response to a request, retried (with backoff) after a dropped connection, a 429 or
    a 5xx; TransportError (`failure: why`) when every try failed to connect."""
    for attempt in range(RETRIES + 1):
        try:
            response = http.request(method, url, headers=headers, timeout=TIMEOUT, **kw)
        except httpx.HTTPError as error:
            if attempt == RETRIES:
                raise TransportError(f"{failure}: {error}") from None
            sleep(min(2.0 ** attempt * 0.25, 8.0))
            continue
        if response.status_code in _RETRIED and attempt < RETRIES:
            sleep(min(2.0 ** attempt * 0.25, 8.0))
            continue
        return response
    raise AssertionError("unreachable")


class Uploader:
    """Sends a file to a resumable session. `headers` gives the credentials' headers for each
    request; `refused` turns a 4xx answer into the caller's error (it names the permission)."""

    def __init__(self, http: httpx.Client, headers: Callable[[], dict[str, str]],
                 refused: Callable[[httpx.Response], Exception],
                 sleep: Callable[[float], None]) -> None:
        self._http = http
        self._headers = headers
        self._refused = refused
        self._sleep = sleep

    def send_file(self, session: str, path: str | Path, what: str,
                  chunk: int = CHUNK) -> dict[str, Any]:
        size = Path(path).stat().st_size
        with open(path, "rb") as handle:
            return self.send(session, handle, size, what, chunk)

    def send(self, session: str, handle: IO[bytes], size: int, what: str,
             chunk: int = CHUNK) -> dict[str, Any]:
        """Send `size` bytes from `handle` (resuming from what the session already holds)."""
        offset, failures = 0, 0
        while True:
            length = max(0, min(chunk, size - offset))
            span = f"bytes {offset}-{offset + length - 1}/{size}" if length else f"bytes */{size}"
            try:
                response = self._http.put(
                    session, content=_read_span(handle, offset, length), timeout=TIMEOUT,
                    headers={**self._headers(), "content-range": span,
                             "content-length": str(length),
                             "content-type": "application/octet-stream"})
            except httpx.HTTPError as error:
                failures = self._retry(failures, what, str(error))
                offset = self._persisted(session, size)
                continue
            if response.status_code in (200, 201):
                return response_json(response)
            if response.status_code == 308:
                offset, failures = _next_offset(response), 0
                continue
            if response.status_code >= 500 or response.status_code == 429:
                failures = self._retry(failures, what, f"HTTP {response.status_code}")
                offset = self._persisted(session, size)
                continue
            raise self._refused(response)

    def _persisted(self, session: str, size: int) -> int:
        """How many bytes the server holds (a status query: an empty PUT, `bytes */size`)."""
        try:
            response = self._http.put(session, content=b"", timeout=TIMEOUT,
                                      headers={**self._headers(),
                                               "content-range": f"bytes */{size}"})
        except httpx.HTTPError:
            return 0
        if response.status_code == 308:
            return _next_offset(response)
        return 0

    def _retry(self, failures: int, what: str, reason: str) -> int:
        failures += 1
        if failures > RETRIES:
            raise TransportError(f"uploading {what} failed {failures} times in a row: {reason}")
        self._sleep(min(2.0 ** failures * 0.25, 8.0))
        return failures


def _read_span(handle: IO[bytes], offset: int, length: int) -> Iterator[bytes]:
    """The file's bytes [offset, offset+length) in pieces, read as the request is sent: no
    chunk is held whole, and nothing stays referenced once it is on the wire."""
    handle.seek(offset)
    while length > 0:
        piece = handle.read(min(_PIECE, length))
        if not piece:
            return
        length -= len(piece)
        yield piece


def _next_offset(response: httpx.Response) -> int:
    found = re.match(r"bytes=0-(\d+)", response.headers.get("range", ""))
    return int(found.group(1)) + 1 if found else 0


def response_json(response: httpx.Response) -> dict[str, Any]:
    """The JSON object a response holds ({} when it holds none)."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
