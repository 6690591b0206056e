"""The rows of a batch, read one at a time: JSONL, CSV, or Python mappings.

A JSONL row is one JSON object of arguments per line (blank lines are skipped). A CSV row is
one record under a header naming the parameters; each cell is text, given as is to a
parameter that takes text (string, enum, literal string, media) and read as JSON otherwise
(`42`, `true`, `[1, 2]`, `{"a": 1}`); an empty cell leaves the argument out, so an optional
parameter is null. Rows are numbered from 1; `line` is where the row starts in its file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import jsontext
from ..errors import BatchError
from ..ir import FunctionDecl
from ..ir.types import LiteralType, Media, NamedType, OptionalType, Primitive, TypeExpr, UnionType
from ..project import Project

__all__ = ["MAX_LINE_BYTES", "Row", "input_format", "read_rows"]

MAX_LINE_BYTES = 32 * 1024 * 1024
"""A row longer than this is reported as bad instead of being read whole."""


@dataclass(slots=True)
class Row:
    """One input row: its arguments, or why it could not be read."""

    number: int
    line: int | None
    args: dict[str, Any] | None = None
    error: str | None = None

    @property
    def where(self) -> str:
        return f"line {self.line}" if self.line is not None else f"row {self.number}"


def input_format(path: str | Path, declared: str | None = None) -> str:
    """`jsonl` or `csv`: as declared, else from the file name (`.csv` is CSV)."""
    if declared:
        return declared
    return "csv" if str(path).lower().endswith(".csv") else "jsonl"


def read_rows(source: str | Path | Iterable[Mapping[str, Any]], project: Project,
              fn: FunctionDecl, fmt: str | None = None) -> Iterator[Row]:
    """Rows from a file path (JSONL or CSV) or from an iterable of argument mappings."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            handle = path.open("r", encoding="utf-8-sig", newline="")
        except OSError as error:
            raise BatchError(f"cannot read the input {path}: {error.strerror or error}") \
                from None
        with handle:
            if input_format(path, fmt) == "csv":
                yield from _csv_rows(handle, project, fn)
            else:
                yield from _jsonl_rows(handle)
        return
    for number, args in enumerate(source, 1):
        if isinstance(args, Mapping):
            yield Row(number, None, dict(args))
        else:
            yield Row(number, None, error=f"expected a mapping of arguments, got "
                                          f"{type(args).__name__}")


def _jsonl_rows(handle: io.TextIOBase) -> Iterator[Row]:
    number = 0
    for line_no, line in enumerate(_bounded_lines(handle), 1):
        if line is None:
            number += 1
            yield Row(number, line_no, error=f"the line is longer than {MAX_LINE_BYTES} bytes")
            continue
        if not line.strip():
            continue
        number += 1
        try:
            args = jsontext.loads(line)
        except ValueError as error:
            yield Row(number, line_no, error=f"not JSON: {error}")
            continue
        if not isinstance(args, dict):
            yield Row(number, line_no, error="expected a JSON object of arguments, got "
                                             + type(args).__name__)
            continue
        yield Row(number, line_no, args)


def _bounded_lines(handle: io.TextIOBase) -> Iterator[str | None]:
    """Lines, or None for a line over MAX_LINE_BYTES (skipped without holding it)."""
    while True:
        line = handle.readline(MAX_LINE_BYTES)
        if not line:
            return
        if len(line) >= MAX_LINE_BYTES and not line.endswith("\n"):
            while True:  # drain the rest of the over-long line
                rest = handle.readline(MAX_LINE_BYTES)
                if not rest or rest.endswith("\n"):
                    break
            yield None
            continue
        yield line


def _csv_rows(handle: io.TextIOBase, project: Project, fn: FunctionDecl) -> Iterator[Row]:
    csv.field_size_limit(MAX_LINE_BYTES)
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as error:
        raise BatchError(f"line 1: the CSV header cannot be read: {error}") from None
    text_params = {p.name: _takes_text(project, p.type) for p in fn.params}
    number = 0
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            number += 1
            yield Row(number, line, error=f"not valid CSV: {error}")
            continue
        if not any(cells):
            continue
        number += 1
        yield _csv_row(number, line, header, cells, text_params)


def _csv_row(number: int, line: int, header: list[str], cells: list[str],
             text_params: dict[str, bool]) -> Row:
    if len(cells) != len(header):
        return Row(number, line, error=f"{len(cells)} cells under a header of {len(header)}")
    args: dict[str, Any] = {}
    for name, cell in zip(header, cells, strict=True):
        if cell == "":
            continue
        if text_params.get(name, True):
            args[name] = cell
            continue
        try:
            args[name] = jsontext.loads(cell)
        except ValueError:
            return Row(number, line, error=f"column `{name}`: {cell[:40]!r} is not a JSON value")
    return Row(number, line, args)


def _takes_text(project: Project, t: TypeExpr | None) -> bool:
    """Whether a CSV cell goes to this parameter as text (rather than as JSON)."""
    if t is None or isinstance(t, Media):
        return True
    if isinstance(t, Primitive):
        return t.name == "string"
    if isinstance(t, LiteralType):
        return isinstance(t.value, str)
    if isinstance(t, OptionalType):
        return _takes_text(project, t.inner)
    if isinstance(t, UnionType):
        return any(_takes_text(project, m) for m in t.members)
    if isinstance(t, NamedType):
        from ..ir import EnumDecl
        return isinstance(project.find(t.name), EnumDecl)
    return False
