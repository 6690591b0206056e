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
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import httpx

from ..errors import BatchError, TransportError
from ..runtime.auth_bridge import AuthStrategy
from .plan import split_uri
from .upload import CHUNK, TIMEOUT, Uploader, response_json, send

__all__ = ["CHUNK", "STORAGE_HOST", "Storage"]

STORAGE_HOST = "https://storage.googleapis.com"
MAX_SMALL = 64 * 1024 * 1024
_TIMEOUT = TIMEOUT
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
        return response_json(response)

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
        return self._uploader(uri).send(session, handle, size, uri, chunk)

    def _uploader(self, uri: str) -> Uploader:
        return Uploader(self._http, self._headers,
                        lambda response: _storage_error(response, uri, "upload"), self._sleep)

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
            data = response_json(self._request("GET", url, uri, "list", params=params))
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
        response = send(self._http, method, url, headers=headers, sleep=self._sleep,
                        failure=f"Cloud Storage request for {uri} failed", **kw)
        if response.status_code >= 400:
            raise _storage_error(response, uri, op)
        return response


def _split_lines(chunks: Iterator[bytes]) -> Iterator[bytes]:
    rest = b""
    for chunk in chunks:
        rest += chunk
        *complete, rest = rest.split(b"\n")
        yield from (line.rstrip(b"\r") for line in complete)
    if rest.strip():
        yield rest.rstrip(b"\r")


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
