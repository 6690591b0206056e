"""Which files make the project an open file belongs to, and where their text comes from.

The project is every `.vdsl`/`.baml` file under the nearest directory (from the file upwards)
that holds a `vdsl.toml`, a `pyproject.toml` or a file with a `generator` block; with none of
them, the file's own folder. Open editor buffers win over the files on disk, unsaved text
included.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from ..compiler import EXTENSIONS, SKIP_DIRS, PathProblem, find_files

__all__ = ["MAX_FILE_BYTES", "project_files", "project_root"]

MARKERS = ("vdsl.toml", "pyproject.toml")
_GENERATOR = re.compile(r"^[ \t]*generator[ \t]+[A-Za-z_]", re.MULTILINE)
MAX_FILE_BYTES = 8 * 1024 * 1024
"""Files larger than this are not read from disk for a project (a stray dump is not a source)."""


def project_root(path: Path) -> Path:
    """The directory whose files make `path`'s project."""
    folder = path.parent
    for directory in (folder, *folder.parents):
        if any((directory / marker).is_file() for marker in MARKERS) \
                or _has_generator(directory):
            return directory
    return folder


def _has_generator(directory: Path) -> bool:
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return False
    for entry in entries:
        if entry.name.endswith(EXTENSIONS) and entry.is_file():
            try:
                if entry.stat().st_size <= MAX_FILE_BYTES and _GENERATOR.search(
                        Path(entry.path).read_text("utf-8", errors="replace")):
                    return True
            except OSError:
                continue
    return False


def project_files(root: Path, open_paths: Iterable[str]) -> list[str]:
    """The project's files in `vdsl check` order (open buffers under `root` included, on disk
    or not)."""
    try:
        found = [str(p) for p in find_files([root])]
    except PathProblem:
        found = []
    extra = [p for p in open_paths if p not in found and _under(Path(p), root)
             and p.endswith(EXTENSIONS)]
    if not extra:
        return found
    return [str(p) for p in sorted({Path(p) for p in found + extra})]


def _under(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return not any(part in SKIP_DIRS for part in path.parts)
