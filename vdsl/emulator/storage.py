"""Cloud Storage's JSON API, the part vdsl uses: resumable and single-request uploads, media
downloads, object metadata and listing. Objects are blob files in the emulator's state, so
they outlive the process like a bucket does.

Every bucket exists (there is nothing to set up), except names that ask for a failure: a
bucket named `no-such-…` answers 404 and `forbidden-…` answers 403 naming the permission, as
Cloud Storage does for a missing bucket or a caller without access.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from .common import now_rfc3339
from .reply import Reply, Request, json_reply

if TYPE_CHECKING:
    from .app import App

__all__ = ["UPLOADS", "gcs_error", "object_path", "receive_chunk", "serve", "write_object"]

UPLOADS = "gcs-uploads"
OBJECTS = "gcs-objects"
_UPLOAD = re.compile(r"^/upload/storage/v1/b/([^/]+)/o$")
_OBJECT = re.compile(r"^/(?:download/)?storage/v1/b/([^/]+)/o/(.+)$")
_LIST = re.compile(r"^/storage/v1/b/([^/]+)/o$")
_BUCKET = re.compile(r"^/storage/v1/b/([^/]+)$")
_PERMISSION = {"POST": "storage.objects.create", "PUT": "storage.objects.create",
               "GET": "storage.objects.get"}
EMULATOR_ACCOUNT = "vdsl-emulator@vdsl-emulator.iam.gserviceaccount.com"


def serve(app: App, request: Request) -> Reply | None:
    """Answer a Cloud Storage request, or None when the path is not Cloud Storage's."""
    path = request.path
    if not (path.startswith(("/storage/v1/", "/upload/storage/v1/", "/download/storage/v1/"))):
        return None
    denied = app.authority.check_resource(request)
    if denied is not None:
        return denied
    bucket = _bucket_of(path)
    problem = _bucket_problem(bucket, request) if bucket else None
    if problem is not None:
        return problem
    return _route(app, request)


def _route(app: App, request: Request) -> Reply:
    path, method = request.path, request.method
    if (found := _UPLOAD.match(path)) and method in ("POST", "PUT"):
        return _upload(app, request, found.group(1))
    if (found := _OBJECT.match(path)) and method == "GET":
        return _read(app, request, found.group(1), unquote(found.group(2)))
    if (found := _LIST.match(path)) and method == "GET":
        return _list(app, request, found.group(1))
    if (found := _BUCKET.match(path)) and method == "GET":
        return json_reply({"kind": "storage#bucket", "name": found.group(1),
                           "location": "US-CENTRAL1"})
    return gcs_error(404, "Not Found", "notFound")


def _bucket_of(path: str) -> str | None:
    found = re.match(r"^/(?:upload/|download/)?storage/v1/b/([^/]+)", path)
    return unquote(found.group(1)) if found else None


def _bucket_problem(bucket: str, request: Request) -> Reply | None:
    if bucket.startswith("no-such-"):
        return gcs_error(404, "The specified bucket does not exist.", "notFound")
    if bucket.startswith("forbidden-"):
        permission = "storage.objects.list" if _LIST.match(request.path) else \
            _PERMISSION.get(request.method, "storage.objects.get")
        return gcs_error(403, f"{EMULATOR_ACCOUNT} does not have {permission} access to the "
                              f"Google Cloud Storage bucket. Permission '{permission}' denied "
                              "on resource (or it may not exist).", "forbidden")
    return None


def gcs_error(status: int, message: str, reason: str) -> Reply:
    """Cloud Storage's JSON error body."""
    return json_reply({"error": {"code": status, "message": message, "errors": [
        {"message": message, "domain": "global", "reason": reason}]}}, status=status)


# ---- uploads --------------------------------------------------------------------------


def _upload(app: App, request: Request, bucket: str) -> Reply:
    kind = request.param("uploadType") or ""
    if kind == "media" and request.method == "POST":
        name = request.param("name") or ""
        if not name:
            return gcs_error(400, "Required parameter: name", "required")
        path = app.state.blob_path(bucket, name)
        _write(path, request.body)
        return json_reply(write_object(app, bucket, name, request.header("content-type")))
    if kind != "resumable":
        return gcs_error(400, f"Invalid upload type: {kind!r}", "invalid")
    upload_id = request.param("upload_id")
    if upload_id is None:
        return _start(app, request, bucket)
    return _chunk(app, request, upload_id)


def _start(app: App, request: Request, bucket: str) -> Reply:
    meta = request.json if isinstance(request.json, dict) else {}
    name = request.param("name") or str(meta.get("name") or "")
    if not name:
        return gcs_error(400, "Required parameter: name", "required")
    upload_id = secrets.token_urlsafe(24)
    size = request.header("x-upload-content-length")
    app.state.put(UPLOADS, upload_id, {
        "bucket": bucket, "name": name, "received": 0,
        "size": int(size) if size and size.isdigit() else None,
        "content_type": request.header("x-upload-content-type") or "application/octet-stream"})
    app.state.blob_path("_uploads", upload_id).write_bytes(b"")
    host = request.header("host") or "127.0.0.1"
    location = (f"http://{host}/upload/storage/v1/b/{quote(bucket, safe='')}/o"
                f"?uploadType=resumable&upload_id={upload_id}")
    return json_reply({}, headers={"Location": location})


def _chunk(app: App, request: Request, upload_id: str) -> Reply:
    return receive_chunk(app, request, UPLOADS, upload_id,
                         lambda session, partial: _finish(app, upload_id, session, partial))


def receive_chunk(app: App, request: Request, collection: str, upload_id: str,
                  finish: Callable[[dict[str, Any], Path], Reply]) -> Reply:
    """One `PUT` to a resumable session kept in `collection` (Cloud Storage's and BigQuery's
    upload protocol): append the chunk, answer 308 with what is held, or call `finish` with
    the session and the whole file when the last byte has arrived."""
    session = app.state.get(collection, upload_id)
    if session is None:
        return gcs_error(404, "No such upload session.", "notFound")
    span = re.match(r"^bytes (?:(\d+)-(\d+)|\*)/(\d+|\*)$",
                    request.header("content-range") or "")
    if span is None:
        return gcs_error(400, "Failed to parse Content-Range header.", "invalid")
    partial = app.state.blob_path("_uploads", upload_id)
    received = int(session["received"])
    total = int(span.group(3)) if span.group(3) != "*" else None
    if span.group(1) is not None:
        start = int(span.group(1))
        if start != received or int(span.group(2)) - start + 1 != len(request.body):
            return _incomplete(received)  # the client resends from what we hold
        with partial.open("ab") as out:
            out.write(request.body)
        received += len(request.body)
        session["received"] = received
        app.state.put(collection, upload_id, session)
    if total is not None and received == total:
        return finish(session, partial)
    return _incomplete(received)


def _incomplete(received: int) -> Reply:
    headers = {"Range": f"bytes=0-{received - 1}"} if received else {}
    return Reply(status=308, headers={"Content-Length": "0", **headers})


def _finish(app: App, upload_id: str, session: dict[str, Any], partial: Path) -> Reply:
    bucket, name = str(session["bucket"]), str(session["name"])
    shutil.move(str(partial), str(app.state.blob_path(bucket, name)))
    app.state.delete(UPLOADS, upload_id)
    return json_reply(write_object(app, bucket, name, str(session["content_type"])))


def _write(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)


def write_object(app: App, bucket: str, name: str, content_type: str | None) -> dict[str, Any]:
    """Record an object whose bytes are already in its blob file; returns its resource."""
    path = app.state.blob_path(bucket, name)
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        for piece in iter(lambda: handle.read(1 << 20), b""):
            digest.update(piece)
    resource = {"kind": "storage#object", "bucket": bucket, "name": name,
                "id": f"{bucket}/{name}", "size": str(path.stat().st_size),
                "contentType": content_type or "application/octet-stream",
                "md5Hash": digest.hexdigest(), "updated": now_rfc3339(),
                "timeCreated": now_rfc3339()}
    app.state.put(OBJECTS, f"{bucket}/{name}", resource)
    return resource


def object_path(app: App, bucket: str, name: str) -> Path | None:
    """The blob file of an existing object, or None."""
    path = app.state.blob_path(bucket, name)
    return path if path.is_file() and app.state.get(OBJECTS, f"{bucket}/{name}") else None


# ---- reads ----------------------------------------------------------------------------


def _read(app: App, request: Request, bucket: str, name: str) -> Reply:
    path = object_path(app, bucket, name)
    if path is None:
        return gcs_error(404, f"No such object: {bucket}/{name}", "notFound")
    if request.param("alt") == "media":
        return Reply(headers={"Content-Type": "application/octet-stream"},
                     body=path.read_bytes())
    return json_reply(app.state.get(OBJECTS, f"{bucket}/{name}"))


def _list(app: App, request: Request, bucket: str) -> Reply:
    prefix = request.param("prefix") or ""
    names = [n for n, _ in app.state.blobs(bucket)
             if n.startswith(prefix) and app.state.get(OBJECTS, f"{bucket}/{n}")]
    start = int(request.param("pageToken") or 0)
    size = min(int(request.param("maxResults") or 1000), 1000)
    page = names[start:start + size]
    body: dict[str, Any] = {"kind": "storage#objects",
                            "items": [app.state.get(OBJECTS, f"{bucket}/{n}") for n in page]}
    if start + size < len(names):
        body["nextPageToken"] = str(start + size)
    return json_reply(body)
