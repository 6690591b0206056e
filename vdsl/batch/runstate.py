"""`vdsl batch run` remembers its job in a local file, so running it again resumes instead of
submitting twice.

The run's key is a digest of what it submits (project folder, function, client, input file
with its size and modification time, destination, display name, emulator or not). Before the
job is created the file records `submitting`; once Vertex names the job, `submitted` with its
name. A run interrupted between the two finds its job by the `vdsl-run` label Vertex keeps on
it (the create request may have reached Vertex even if its answer was lost), and only when no
job carries the label does it submit again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .. import jsontext

__all__ = ["RunState", "run_key"]


def run_key(*parts: object) -> str:
    """A 32-character hex key for the run's inputs."""
    text = json.dumps([str(p) for p in parts])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def input_identity(path: str | Path) -> str:
    """The input file by name, size and modification time (a changed file is a new run)."""
    resolved = Path(path).resolve()
    try:
        stat = resolved.stat()
    except OSError:
        return str(resolved)
    return f"{resolved}:{stat.st_size}:{stat.st_mtime_ns}"


class RunState:
    """The local record of one run: `phase` (submitting | submitted | collected) and `job`."""

    def __init__(self, folder: Path, key: str) -> None:
        self.path = folder / f"{key}.json"
        self.key = key
        self.data: dict[str, Any] = self._read()

    @classmethod
    def default_folder(cls) -> Path:
        """`$VDSL_BATCH_STATE`, else `batch-runs` in vdsl's cache folder, else `.vdsl-batch`."""
        configured = os.environ.get("VDSL_BATCH_STATE")
        if configured:
            return Path(configured)
        from ..compiler import cache_dir
        base = cache_dir()
        return base / "batch-runs" if base is not None else Path(".vdsl-batch")

    def _read(self) -> dict[str, Any]:
        try:
            data = jsontext.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    @property
    def job(self) -> str | None:
        job = self.data.get("job")
        return job if isinstance(job, str) and job else None

    @property
    def phase(self) -> str:
        return str(self.data.get("phase") or "")

    def save(self, **fields: Any) -> None:
        self.data.update(fields)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(self.data, out)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
