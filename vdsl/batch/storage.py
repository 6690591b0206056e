"""Cloud Storage through its JSON API, on the runtime's httpx client and credentials.

Uploads of files are resumable (a session, then chunks of `CHUNK` bytes read from the file one
at a time; after a dropped connection or a 5xx the upload asks the server how much it has and
goes on from there). Downloads stream: lines are yielded as bytes arrive, so a predictions
file of any size is read in constant memory. Errors name the bucket and, for a 403, the
permission the caller lacks.

Why not google-cloud-storage: it brings `requests` and its own auth session, while vdsl's
calls already have an httpx pool and google-auth credentials that refresh; the JSON API
subset a batch needs (resumable upload, media download, list) is small.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import httpx

from ..errors import BatchError, TransportError
from ..runtime.auth_bridge import AuthStrategy
from .plan import split_uri

__all__ = ["CHUNK", "STORAGE_HOST", "Storage"]

STORAGE_HOST = "https://storage.googleapis.com"
CHUNK = 8 * 1024 * 1024
"""Upload chunk size: a multiple of 256 KiB, as resumable uploads require."""
MAX_SMALL = 64 * 1024 * 1024
_PIECE = 256 * 1024
_RETRIES = 5
_TIMEOUT = httpx.Timeout(connect=30.0, read=300.0, write=300.0, pool=60.0)
_PERMISSIONS = {"upload": "storage.objects.create", "read": "storage.objects.get",
                "list": "storage.objects.list"}


class Storage:
    """Objects in Cloud Storage: `upload_file`, `upload_bytes`, `lines`, `read`, `names`."""

    def __init__(self, http: httpx.Client, auth: AuthStrategy | None,
                 base: str = STORAGE_HOST, *, sleep: Any = time.sleep) -> None:
        self._http = http
        self._auth = auth
        self.base = base.rstrip("/")
        self._sleep = sleep

    # ---- uploads ----------------------------------------------------------------------

    def upload_file(self, uri: str, path: str | Path, content_type: str = "application/jsonl",
                    chunk: int = CHUNK) -> dict[str, Any]:
        """Upload a file resumably, `chunk` bytes at a time; returns the object resource."""
        size = Path(path).stat().st_size
        session = self._start_session(uri, size, content_type)
        with open(path, "rb") as handle:
            return self._send_chunks(uri, session, handle, size, chunk)

    def upload_bytes(self, uri: str, data: bytes,
                     content_type: str = "application/json") -> dict[str, Any]:
        """A small object in one request (`uploadType=media`)."""
        bucket, name = split_uri(uri)
        url = (f"{self.base}/upload/storage/v1/b/{bucket}/o?uploadType=media"
               f"&name={quote(name, safe='')}")
        response = self._request("POST", url, uri, "upload", content=data,
                                 headers={"content-type": content_type})
        return _json(response)

    def _start_session(self, uri: str, size: int, content_type: str) -> str:
        bucket, name = split_uri(uri)
        url = (f"{self.base}/upload/storage/v1/b/{bucket}/o?uploadType=resumable"
               f"&name={quote(name, safe='')}")
        response = self._request(
            "POST", url, uri, "upload", content=json.dumps({"name": name}).encode(),
            headers={"content-type": "application/json; charset=UTF-8",
                     "x-upload-content-type": content_type,
                     "x-upload-content-length": str(size)})
        session = response.headers.get("location")
        if not session:
            raise BatchError(f"Cloud Storage gave no upload session for {uri}")
        return session

    def _send_chunks(self, uri: str, session: str, handle: IO[bytes], size: int,
                     chunk: int) -> dict[str, Any]:
        offset, failures = 0, 0
        while True:
            length = max(0, min(chunk, size - offset))
            span = f"bytes {offset}-{offset + length - 1}/{size}" if length else f"bytes */{size}"
            try:
                response = self._http.put(
                    session, content=_read_span(handle, offset, length), timeout=_TIMEOUT,
                    headers={**self._headers(), "content-range": span,
                             "content-length": str(length),
                             "content-type": "application/octet-stream"})
            except httpx.HTTPError as error:
                failures = self._retry(failures, uri, str(error))
                offset = self._persisted(session, size, uri)
                continue
            if response.status_code in (200, 201):
                return _json(response)
            if response.status_code == 308:
                offset, failures = _next_offset(response), 0
                continue
            if response.status_code >= 500 or response.status_code == 429:
                failures = self._retry(failures, uri, f"HTTP {response.status_code}")
                offset = self._persisted(session, size, uri)
                continue
            raise _storage_error(response, uri, "upload")

    def _persisted(self, session: str, size: int, uri: str) -> int:
        """How many bytes the server holds (a status query: an empty PUT, `bytes */size`)."""
        try:
            response = self._http.put(session, content=b"", timeout=_TIMEOUT,
                                      headers={**self._headers(),
                                               "content-range": f"bytes */{size}"})
        except httpx.HTTPError:
            return 0
        if response.status_code == 308:
            return _next_offset(response)
        return 0

    def _retry(self, failures: int, uri: str, reason: str) -> int:
        failures += 1
        if failures > _RETRIES:
            raise TransportError(f"uploading {uri} failed {failures} times in a row: {reason}")
        self._sleep(min(2.0 ** failures * 0.25, 8.0))
        return failures

    # ---- downloads and listing --------------------------------------------------------

    def lines(self, uri: str) -> Iterator[bytes]:
        """The object's lines (without newlines), streamed."""
        bucket, name = split_uri(uri)
        url = f"{self.base}/storage/v1/b/{bucket}/o/{quote(name, safe='')}?alt=media"
        try:
            with self._http.stream("GET", url, headers=self._headers(),
                                   timeout=_TIMEOUT) as response:
                if response.status_code >= 400:
                    response.read()
                    raise _storage_error(response, uri, "read")
                yield from _split_lines(response.iter_bytes())
        except httpx.HTTPError as error:
            raise TransportError(f"downloading {uri} failed: {error}") from None

    def read(self, uri: str, limit: int = MAX_SMALL) -> bytes:
        """A small object whole (at most `limit` bytes)."""
        out = bytearray()
        for line in self.lines(uri):
            out += line + b"\n"
            if len(out) > limit:
                raise BatchError(f"{uri} is larger than {limit} bytes")
        return bytes(out)

    def names(self, uri: str) -> Iterator[str]:
        """`gs://` URIs of the objects under a folder, in name order."""
        bucket, prefix = split_uri(uri)
        token: str | None = None
        while True:
            params = {"prefix": prefix.rstrip("/") + "/" if prefix else ""}
            if token:
                params["pageToken"] = token
            url = f"{self.base}/storage/v1/b/{bucket}/o"
            data = _json(self._request("GET", url, uri, "list", params=params))
            for item in data.get("items") or []:
                yield f"gs://{bucket}/{item.get('name', '')}"
            token = data.get("nextPageToken")
            if not token:
                return

    # ---- plumbing ---------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        return self._auth.headers() if self._auth is not None else {}

    def _request(self, method: str, url: str, uri: str, op: str,
                 **kw: Any) -> httpx.Response:
        headers = {**self._headers(), **kw.pop("headers", {})}
        for attempt in range(_RETRIES + 1):
            try:
                response = self._http.request(method, url, headers=headers, timeout=_TIMEOUT,
                                              **kw)
            except httpx.HTTPError as error:
                if attempt == _RETRIES:
                    raise TransportError(f"Cloud Storage request for {uri} failed: {error}") \
                        from None
                self._sleep(min(2.0 ** attempt * 0.25, 8.0))
                continue
            if response.status_code in (429, 500, 502, 503, 504) and attempt < _RETRIES:
                self._sleep(min(2.0 ** attempt * 0.25, 8.0))
                continue
            if response.status_code >= 400:
                raise _storage_error(response, uri, op)
            return response
        raise AssertionError("unreachable")


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


def _split_lines(chunks: Iterator[bytes]) -> Iterator[bytes]:
    rest = b""
    for chunk in chunks:
        rest += chunk
        *complete, rest = rest.split(b"\n")
        yield from (line.rstrip(b"\r") for line in complete)
    if rest.strip():
        yield rest.rstrip(b"\r")


def _next_offset(response: httpx.Response) -> int:
    found = re.match(r"bytes=0-(\d+)", response.headers.get("range", ""))
    return int(found.group(1)) + 1 if found else 0


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _storage_error(response: httpx.Response, uri: str, op: str) -> BatchError:
    """A Cloud Storage error in words: what failed, the server's message, what to do."""
    try:
        message = str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        message = response.text[:300].strip() or "(no message)"
    bucket = split_uri(uri)[0] if uri.startswith("gs://") else uri
    status = response.status_code
    if status == 403:
        permission = _PERMISSIONS.get(op, "storage.objects.get")
        hint = (f"the caller needs the `{permission}` permission on bucket `{bucket}` (role "
                "Storage Object User, roles/storage.objectUser)")
    elif status == 404:
        hint = f"check that bucket `{bucket}` exists and that the path is right"
    elif status == 401:
        hint = "the credentials were refused; check that they are valid and not expired"
    else:
        hint = ""
    return BatchError(f"Cloud Storage answered {status} for {op} of {uri}: {message}"
                      + (f"\nhint: {hint}" if hint else ""))
