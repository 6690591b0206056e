"""Find the JSON in a model's reply: the extraction ladder.

1. the whole reply is strict JSON (`json.loads`) — the common case, and the fastest;
2. markdown fences (any language tag, nested fences too) — each block's content is read by
   this same ladder;
3. JSON values amid prose — every `{…}`/`[…]` found left to right, strict where possible,
   else by the fixing parser (which also closes what a truncated reply left open);
4. nothing found: coercion falls back to the raw text (an enum name in a sentence, a number).

Several values found give several candidates (plus one array holding all of them, for a list
target); coercion picks the best per target type. Before the fixing parser runs, a cheap
string-aware clean-up (trailing commas, comments) is tried with `json.loads`, because that is
most of what models get wrong and C is faster than any Python parser.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .jsonish import PartialList, PartialNum, is_complete, parse_fixing

__all__ = ["Extracted", "extract"]

_MAX_VALUES = 16
_MAX_DEPTH = 3
_DECODER = json.JSONDecoder()
_STRICT_START = frozenset('{["-0123456789tfn')
_FENCE = re.compile(r"```+([\w+.#-]*)")
_OPEN = re.compile(r"[{\[]")
_NONE: Any = object()
_CLEANUP = re.compile(r'("(?:[^"\\\n]|\\.)*")|,(\s*[}\]])|//[^\n]*|/\*.*?\*/', re.DOTALL)


@dataclass(slots=True)
class Extracted:
    """The reply (`raw`) and the JSON-ish values found in it, in the order they were found."""

    raw: str
    candidates: list[Any] = field(default_factory=list)
    strict: bool = False
    """True when the whole reply was strict JSON."""


def extract(text: str, partial: bool = False) -> Extracted:
    """Every reading of `text` that coercion should consider. With `partial`, `text` is a
    prefix of the reply, so a bare number at its end may still grow."""
    found = Extracted(text)
    stripped = text.strip()
    if stripped and stripped[0] in _STRICT_START:
        try:
            value = json.loads(stripped)
        except ValueError:
            pass
        else:
            if partial and isinstance(value, (int, float)) and not isinstance(value, bool):
                value = PartialNum(stripped, value)
            found.candidates.append(value)
            found.strict = True
            return found
        value = _cleaned(stripped)
        if value is not _NONE:
            found.candidates.append(value)
            return found
    found.candidates = _values(text, 0)
    return found


def _values(text: str, depth: int) -> list[Any]:
    values: list[Any] = []
    if depth < _MAX_DEPTH and "```" in text and not _fence_inside_value(text):
        for block in fences(text):
            values.extend(_block_values(block, depth + 1))
    if not values:
        values = _scan(text)
    if len(values) > 1:
        values.append(values[:] if all(is_complete(v) for v in values)
                      else PartialList(values))
    return values


def _block_values(block: str, depth: int) -> list[Any]:
    content = block.strip()
    if not content:
        return []
    if content[0] in _STRICT_START:
        try:
            return [json.loads(content)]
        except ValueError:
            value = _cleaned(content)
            if value is not _NONE:
                return [value]
    found = _values(content, depth)
    return found or [content]


def fences(text: str) -> list[str]:
    """The contents of the top-level fenced blocks. An opening fence has a language tag or
    starts a line; a fence with a tag inside a block opens a nested block. A block the text
    ends inside of runs to the end (a truncated or streaming reply)."""
    blocks: list[str] = []
    depth = 0
    start = 0
    for m in _FENCE.finditer(text):
        if depth == 0:
            depth, start = 1, _line_end(text, m.end())
        elif _in_string(text, start, m.start()):
            continue  # a fence inside a JSON string ("use ```x```") is content
        elif m.group(1):
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                blocks.append(text[start:m.start()])
    if depth > 0:
        blocks.append(text[start:])
    return blocks


def _in_string(text: str, start: int, end: int) -> bool:
    """Whether `text[end]` lies inside a double-quoted string opened after `start`."""
    if text.find('"', start, end) < 0:
        return False
    inside = escaped = False
    for char in text[start:end]:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = inside
        elif char == '"':
            inside = not inside
    return inside


def _line_end(text: str, pos: int) -> int:
    nl = text.find("\n", pos)
    if nl < 0:
        return pos
    return nl + 1 if not text[pos:nl].strip() else pos


def _fence_inside_value(text: str) -> bool:
    """True when a complete JSON value holds the first fence (a string such as
    "use ```x``` here"): then the fences are content, not markdown."""
    first = text.find("```")
    m = _OPEN.search(text, 0, first) if first > 0 else None
    while m is not None:
        try:
            _, end = _DECODER.raw_decode(text, m.start())
        except ValueError:
            m = _OPEN.search(text, m.start() + 1, first)
            continue
        return end > first
    return False


def _scan(text: str) -> list[Any]:
    """Each `{…}` or `[…]` in `text`, left to right, not overlapping."""
    values: list[Any] = []
    pos = 0
    while len(values) < _MAX_VALUES:
        m = _OPEN.search(text, pos)
        if m is None:
            break
        value, end = read_value(text, m.start())
        if isinstance(value, (dict, list)):
            values.append(value)
            pos = end
        else:
            pos = m.start() + 1
    return values


def read_value(text: str, start: int) -> tuple[Any, int]:
    """One JSON-ish value at `text[start]`: strict, then cleaned-up strict, then fixed."""
    try:
        return _DECODER.raw_decode(text, start)
    except ValueError:
        pass
    return parse_fixing(text, start, "top")


def _cleaned(text: str) -> Any:
    """`text` as JSON once trailing commas and comments outside strings are dropped."""
    if "," not in text and "/" not in text:
        return _NONE
    try:
        return json.loads(_CLEANUP.sub(_keep, text))
    except ValueError:
        return _NONE


def _keep(m: re.Match[str]) -> str:
    return m.group(1) or m.group(2) or ""
