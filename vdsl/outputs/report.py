"""Where a parse gave up, shown in the reply: the excerpt `OutputParseError` carries.

Users fix prompts by looking at what the model wrote, so a failure points into the raw reply:
the line the failing value is on, trimmed to a window around it, with `^` under the value.
Locating re-reads the candidate that failed with the fixing parser in a recording mode (spans
of every value) and follows the failure's path (`items[2].zip`) through it — work done only
when a parse fails.
"""

from __future__ import annotations

import re
from typing import Any

from .expect import ANY
from .fixing import Fixer
from .words import norm_key

__all__ = ["excerpt", "locate"]

_SEGMENT = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]|\[('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")\]")
_WIDTH = 100
_MAX_CARETS = 40


class _Recorder(Fixer):
    """A fixing parser that keeps the span of every value it reads."""

    __slots__ = ("spans",)
    RECORD = True

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.spans: dict[int, dict[Any, tuple[int, int]]] = {}

    def note(self, box: Any, key: Any, start: int, end: int) -> None:
        self.spans.setdefault(id(box), {})[key] = (start, end)


def locate(text: str, start: int, path: str | None) -> tuple[int, int] | None:
    """The span of the value at `path` inside the value that starts at `text[start]`."""
    if start < 0 or start >= len(text):
        return None
    recorder = _Recorder(text)
    try:
        value, end = recorder.run(start, ANY)
    except Exception:  # noqa: BLE001 - locating is best effort; the error stands without it
        return None
    span = (start, end)
    for segment in _segments(path or ""):
        spans = recorder.spans.get(id(value))
        if spans is None:
            break
        key = _find_key(spans, segment)
        if key is None:
            break
        span = spans[key]
        value = value[key]
    return span


def _segments(path: str) -> list[str | int]:
    out: list[str | int] = []
    for m in _SEGMENT.finditer(path):
        name, index, quoted = m.groups()
        if index is not None:
            out.append(int(index))
        elif quoted is not None:
            out.append(quoted[1:-1])
        elif name:
            out.append(name)
    return out


def _find_key(spans: dict[Any, tuple[int, int]], segment: str | int) -> Any:
    if segment in spans:
        return segment
    if isinstance(segment, str):
        wanted = norm_key(segment)
        for key in spans:
            if isinstance(key, str) and norm_key(key) == wanted:
                return key
    return None


def excerpt(text: str, span: tuple[int, int] | None) -> str:
    """The reply around `span` (its first line), trimmed, with `^` under the span; without a
    span, the start of the reply."""
    if not text.strip():
        return "  (the reply is empty)"
    if span is None:
        head = text[:300]
        more = f"\n  … ({len(text):,} characters in all)" if len(text) > 300 else ""
        return "  reply:\n" + "\n".join("    " + line for line in head.splitlines()) + more
    start, end = span
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    line_no = text.count("\n", 0, start) + 1 if start < 1_000_000 else None
    left = max(line_start, start - _WIDTH // 2)
    right = min(line_end, left + _WIDTH)
    shown = text[left:right].replace("\t", " ")
    prefix = "…" if left > line_start else ""
    suffix = "…" if right < line_end else ""
    carets = max(1, min(end, right) - start, 1)
    where = (f"line {line_no}, column {start - line_start + 1}" if line_no is not None
             else f"offset {start}")
    return (f"  reply, {where}:\n    {prefix}{shown}{suffix}\n"
            f"    {' ' * (len(prefix) + start - left)}{'^' * min(carets, _MAX_CARETS)}")
