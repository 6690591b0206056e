"""Source files and spans: every IR node and diagnostic points back into the text."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import NamedTuple


class Span(NamedTuple):
    """A region of one file. Lines and columns are 1-based; `end_column` is exclusive.

    A named tuple, not a frozen dataclass: every IR node and token carries spans, and a frozen
    dataclass takes ~2 µs to build (one `object.__setattr__` per field), a tuple ~0.5 µs."""

    file: str
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int

    def to(self, other: Span) -> Span:
        """The span from the start of `self` to the end of `other`."""
        return new_span((self.file, self.start, other.end, self.line, self.column,
                         other.end_line, other.end_column))

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


def new_span(fields: tuple[str, int, int, int, int, int, int]) -> Span:
    """`Span(*fields)` without the named tuple's Python-level `__new__` (a third of the
    time; the parser makes one per token and node)."""
    return _tuple_new(Span, fields)


_tuple_new = tuple.__new__


@dataclass(slots=True)
class SourceFile:
    """One file's text, with an index of line starts for offset → line/column lookups."""

    path: str
    text: str
    _line_starts: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        starts = [0]
        find = self.text.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self._line_starts = starts

    def line_col(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def span(self, start: int, end: int) -> Span:
        line, column = self.line_col(start)
        end_line, end_column = self.line_col(end)
        return Span(self.path, start, end, line, column, end_line, end_column)

    def offset(self, line: int, column: int) -> int:
        """The offset of 1-based `line` and `column`, clamped to that line and the text."""
        line = max(1, min(line, len(self._line_starts)))
        start = self._line_starts[line - 1]
        end = self.text.find("\n", start)
        end = len(self.text) if end == -1 else end
        return min(start + max(0, column - 1), end)

    def line_span(self, line: int) -> Span:
        """The whole of 1-based `line` (without its newline)."""
        line = max(1, min(line, len(self._line_starts)))
        start = self._line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.span(start, len(self.text) if end == -1 else end)

    def line_text(self, line: int) -> str:
        if not 1 <= line <= len(self._line_starts):
            return ""
        start = self._line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start: len(self.text) if end == -1 else end]

    @property
    def line_count(self) -> int:
        return len(self._line_starts)
