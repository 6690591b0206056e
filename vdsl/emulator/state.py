"""Emulator state that outlives one process: JSON documents and blobs in a folder.

Vertex keeps resources between calls (cached contents, batch jobs, Cloud Storage objects);
so must the emulator, or `vdsl cache create` then `vdsl cache list` (two processes) would not
behave as they do against Vertex. A `StateStore` keeps each resource as one JSON document
under `<folder>/<collection>/<key>.json`, and large objects as blob files, written atomically
(temporary file + rename) so a reader in another process never sees half a document.
Without a folder the state lives in a temporary one and goes when the store is closed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

__all__ = ["StateStore"]

_SAFE_COLLECTION = re.compile(r"^[a-zA-Z0-9_.-]{1,100}$")


class StateStore:
    """Documents (`get/put/delete/keys/documents`) and blobs (`blob_path`) in one folder."""

    def __init__(self, folder: str | Path | None = None) -> None:
        self._temporary = folder is None
        self.folder = Path(tempfile.mkdtemp(prefix="vdsl-emulator-")) if folder is None \
            else Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()

    def get(self, collection: str, key: str) -> dict[str, Any] | None:
        """The document, or None when there is none (or it cannot be read)."""
        try:
            data = json.loads(self._path(collection, key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def put(self, collection: str, key: str, document: dict[str, Any]) -> None:
        path = self._path(collection, key)
        with self._lock:
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_atomically(path, json.dumps(document, ensure_ascii=False).encode("utf-8"))

    def delete(self, collection: str, key: str) -> bool:
        with self._lock:
            try:
                self._path(collection, key).unlink()
            except FileNotFoundError:
                return False
        return True

    def keys(self, collection: str) -> list[str]:
        """Keys of a collection, sorted."""
        folder = self._collection(collection)
        if not folder.is_dir():
            return []
        return sorted(_unquote(p.name[:-5]) for p in folder.glob("=*.json"))

    def documents(self, collection: str) -> list[dict[str, Any]]:
        """Every document of a collection, in key order."""
        found = (self.get(collection, key) for key in self.keys(collection))
        return [doc for doc in found if doc is not None]

    def blob_path(self, bucket: str, name: str) -> Path:
        """Where an object's bytes live (the folder is made; the file may not exist)."""
        path = self.folder / "blobs" / _quote(bucket) / _quote(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def blobs(self, bucket: str) -> Iterator[tuple[str, Path]]:
        """(name, path) of every object stored in a bucket, in name order."""
        folder = self.folder / "blobs" / _quote(bucket)
        if folder.is_dir():
            yield from sorted((_unquote(path.name), path) for path in folder.glob("=*"))

    def close(self) -> None:
        """Remove a temporary store's folder (a named folder is kept)."""
        if self._temporary:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _collection(self, collection: str) -> Path:
        if not _SAFE_COLLECTION.match(collection):
            raise ValueError(f"not a collection name: {collection!r}")
        return self.folder / collection

    def _path(self, collection: str, key: str) -> Path:
        return self._collection(collection) / f"{_quote(key)}.json"


def _quote(name: str) -> str:
    # One path component whatever the name holds ("/", "..", "", NUL): the "=" prefix keeps
    # "" and ".." from being special, and percent-encoding keeps "/" out.
    return "=" + quote(name, safe="")


def _unquote(component: str) -> str:
    return unquote(component.removeprefix("="))


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
