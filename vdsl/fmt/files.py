"""Formatting files: one at a time, or several worker processes for a large project.

The syntax check (a full parse) is most of the cost, and files are independent, so a project
of many large files is split over forked workers (one per core). Small runs stay in-process:
starting workers costs more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from ..diagnostics import Diagnostic
from . import FormatError, format_text, is_syntax_error

__all__ = ["FileResult", "format_files"]

PARALLEL_BYTES = 256 * 1024
"""Below this much text in all, formatting stays in this process."""


@dataclass
class FileResult:
    """A file's text before and after, or why it could not be formatted (`error`)."""

    path: Path
    original: str = ""
    formatted: str | None = None
    error: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.formatted is not None and self.formatted != self.original


def format_file(path: Path, check_syntax: bool = True) -> FileResult:
    try:
        original = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        return FileResult(path, error=f"{path}: cannot read: {reason}")
    try:
        formatted = format_text(original, str(path), check_syntax=check_syntax)
        return FileResult(path, original, formatted)
    except FormatError as error:
        return FileResult(path, original, error=str(error), diagnostics=error.diagnostics)


def format_files(paths: Sequence[Path], asked: Sequence[str] = ()) -> Iterator[FileResult]:
    """Every file's result, in the order given (`asked`: the paths named on the command
    line, which `vdsl check` may have checked as one project)."""
    check = partial(format_file, check_syntax=not _checked_clean(asked))
    workers = min(len(paths), os.cpu_count() or 1)
    if workers < 2 or _size(paths) < PARALLEL_BYTES or \
            "fork" not in multiprocessing.get_all_start_methods():
        yield from map(check, paths)
        return
    context = multiprocessing.get_context("fork")  # workers share what is already imported
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        yield from pool.map(check, paths, chunksize=max(1, len(paths) // (workers * 4)))


def _checked_clean(asked: Sequence[str]) -> bool:
    """Whether `vdsl check` with these very paths found the files, as they are now, free of
    syntax errors (its cache says so): then none needs parsing again. CI runs check first."""
    from ..compiler import cached_check

    found = cached_check(*asked) if asked else None
    return found is not None and not any(map(is_syntax_error, found))


def _size(paths: Sequence[Path]) -> int:
    total = 0
    for path in paths:
        try:
            total += path.stat().st_size
        except OSError:
            pass
    return total
