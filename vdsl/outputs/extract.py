"""Find the JSON in a model's reply: the extraction ladder.

1. a reasoning preamble (`<think>…</think>` and the like) is skipped when an answer follows;
2. the whole reply is strict JSON (the C `json` decoder) — the common case, and the fastest —
   or strict JSON once trailing commas and comments outside strings are dropped;
3. otherwise one left-to-right pass finds markdown fences (any tag, nested, unclosed) and
   `{…}`/`[…]` values in the prose, each read by the fixing parser, which decides where a
   value ends (so a fence inside a JSON string is content, and a JSON value inside a fence
   ends where its brackets do). Values from fences win over values in prose;
4. nothing found: coercion falls back to the raw text (an enum name in a sentence, a number).

Several values found give several candidates (plus one array holding all of them, for a list
target); coercion picks the best per target type. Every step moves forward through the text,
so extraction is linear in its length, and ranges are read in place rather than copied.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .expect import ANY, Expect
from .fixing import Fixer
from .jsonish import MAX_DEPTH, MAX_VALUES, PartialList, PartialNum, TooDeep, is_complete

__all__ = ["Extracted", "extract", "fences"]

_MAX_VALUES = 16
_MAX_FENCE_DEPTH = 3
_INF = float("inf")


def _float(text: str) -> float | str:
    """A JSON float; one too large for a float stays its text (never `inf`)."""
    value = float(text)
    return value if value != _INF and value != -_INF else text


_DECODER = json.JSONDecoder(parse_float=_float, parse_constant=str)
"""Strict JSON, except that `NaN` and `Infinity` stay text and huge floats are not `inf`."""
_STRICT_START = frozenset('{["-0123456789tfn')
_START = re.compile(r"```+|[{\[]")
_FENCE = re.compile(r"```+")
_TAG = re.compile(r"[\w+.#-]*")
_SPACE = re.compile(r"\s*")
_TRAILING = re.compile(r"\s*\Z")
_CLEAN = re.compile(r'"(?:[^"\\\n]|\\.)*"|,(?=\s*[}\]])|//[^\n]*|/\*')
_REASONING = re.compile(r"\s*<(think|thinking|reasoning|thought)>", re.IGNORECASE)
_NONE: Any = object()


@dataclass(slots=True)
class Extracted:
    """The reply (`raw`: the answer, after any reasoning preamble) and the JSON-ish values
    found in it, in the order they were found."""

    raw: str
    candidates: list[Any] = field(default_factory=list)
    strict: bool = False
    """True when the whole reply was strict JSON."""
    starts: list[int] = field(default_factory=list)
    """Where each candidate starts in the reply (-1: the array of every value found)."""


def extract(text: str, partial: bool = False, expect: Expect = ANY) -> Extracted:
    """Every reading of `text` that coercion should consider. With `partial`, `text` is a
    prefix of the reply, so a bare number at its end may still grow."""
    begin = _answer_start(text, partial)
    found = Extracted(text[begin:] if begin else text)
    s = _SPACE.match(text, begin).end()  # type: ignore[union-attr]
    if s < len(text) and text[s] in _STRICT_START:
        value = _strict(text, s, len(text))
        if value is not _NONE:
            if partial and type(value) in (int, float):
                value = PartialNum(text[s:].strip(), value)
            found.candidates.append(value)
            found.starts.append(s)
            found.strict = True
            return found
    _values(text, begin, len(text), expect, 0, found, partial)
    return found


def _answer_start(text: str, partial: bool) -> int:
    """Where the answer starts: after a leading `<think>…</think>` when something follows
    it (a prefix still inside the preamble has no answer yet)."""
    m = _REASONING.match(text)
    if m is None:
        return 0
    closing = text.find(f"</{m.group(1)}>", m.end())
    if closing < 0:
        return len(text) if partial else 0
    after = closing + len(m.group(1)) + 3
    return after if text[after:].strip() or partial else 0


def _strict(text: str, start: int, end: int) -> Any:
    """`text[start:end]` as strict JSON, or as strict JSON once trailing commas and comments
    outside strings are dropped; `_NONE` when neither (or when it could hold more than
    `MAX_VALUES` values: the fixing parser counts them as it reads instead)."""
    if _could_be_too_big(text, start, end):
        return _NONE
    try:
        value, stop = _DECODER.raw_decode(text, start)
    except (ValueError, RecursionError):
        pass
    else:
        if _TRAILING.match(text, stop, end):
            return _shallow(value, text, start, stop)
    cleaned = _cleaned(text, start, end)
    if cleaned is None:
        return _NONE
    try:
        return _shallow(_DECODER.decode(cleaned), cleaned, 0, len(cleaned))
    except (ValueError, RecursionError):
        return _NONE


def _could_be_too_big(text: str, start: int, end: int) -> bool:
    """Whether `text[start:end]` could hold more than `MAX_VALUES` values (every value but
    one needs a comma or a bracket): then the C decoder, which would build them all before
    anyone could count, is not used."""
    return end - start > MAX_VALUES and (text.count(",", start, end)
                                         + text.count("[", start, end)
                                         + text.count("{", start, end) > MAX_VALUES)


def _shallow(value: Any, text: str, start: int, stop: int) -> Any:
    """`value`, after checking it nests no deeper than `MAX_DEPTH` (the C decoder takes
    deeper JSON; the limit is the same whichever reader read it)."""
    if text.count("[", start, stop) + text.count("{", start, stop) <= MAX_DEPTH:
        return value  # too few brackets to be too deep: the common case, no walk
    level: list[tuple[Any, int]] = [(value, 1)]
    while level:
        node, depth = level.pop()
        children = node.values() if isinstance(node, dict) else node
        for child in children:
            if isinstance(child, (dict, list)):
                if depth >= MAX_DEPTH:
                    raise TooDeep(start)
                level.append((child, depth + 1))
    return value


def _cleaned(text: str, start: int, end: int) -> str | None:
    """The text without trailing commas and comments outside strings (None: nothing to drop,
    or a comment that never closes)."""
    if text.find(",", start, end) < 0 and text.find("/", start, end) < 0:
        return None
    parts: list[str] = []
    pos = start
    changed = False
    for m in _CLEAN.finditer(text, start, end):
        if m.start() < pos:
            continue  # inside a block comment already dropped
        token = m.group()
        if token[0] == '"':
            continue
        parts.append(text[pos:m.start()])
        changed = True
        pos = m.end()
        if token == "/*":
            close = text.find("*/", pos, end)
            if close < 0:
                return None
            pos = close + 2
    parts.append(text[pos:end])
    return "".join(parts) if changed else None


def _values(text: str, start: int, end: int, expect: Expect, depth: int,
            found: Extracted, marks: bool) -> None:
    """Candidates from `text[start:end]`: fenced values if there are any, else the values
    in the prose; plus the array of all of them when there are several."""
    fenced: list[tuple[Any, int]] = []
    prose: list[tuple[Any, int]] = []
    pos = start
    while len(fenced) + len(prose) < _MAX_VALUES:
        m = _START.search(text, pos, end)
        if m is None:
            break
        if m.group()[0] == "`":
            if depth >= _MAX_FENCE_DEPTH:
                pos = m.end()
                continue
            pos = _fence(text, m, end, expect, depth, fenced, marks)
            continue
        value, stop = _read(text, m.start(), end, expect, marks)
        if isinstance(value, (dict, list)):
            prose.append((value, m.start()))
            pos = max(stop, m.start() + 1)
        else:
            pos = m.start() + 1
    chosen = fenced or prose
    for value, at in chosen:
        found.candidates.append(value)
        found.starts.append(at)
    if len(chosen) > 1:
        values = [v for v, _ in chosen]
        found.candidates.append(values if not marks or all(is_complete(v) for v in values)
                                else PartialList(values))
        found.starts.append(-1)


def _fence(text: str, m: re.Match[str], end: int, expect: Expect, depth: int,
           out: list[tuple[Any, int]], marks: bool) -> int:
    """Read the fenced block opened at `m`; returns where scanning goes on."""
    tag = _TAG.match(text, m.end(), end)
    body = _line_end(text, tag.end() if tag else m.end(), end)
    first = _SPACE.match(text, body, end).end()  # type: ignore[union-attr]
    if first < end and text[first] in "{[":
        close_at, resume = _closing_fence(text, body, end)
        value = _strict(text, first, close_at)  # the common case: JSON, maybe with trailing commas
        if value is not _NONE:
            out.append((value, first))
            return resume
        value, stop = Fixer(text, end, marks).run(first, expect)
        out.append((value, first))
        close = _FENCE.search(text, stop, end)
        return close.end() if close else end
    close_at, resume = _closing_fence(text, body, end)
    inner = Extracted("")
    _block(text, body, close_at, expect, depth + 1, inner, marks)
    out.extend(zip(inner.candidates, inner.starts, strict=True))
    return resume


def _read(text: str, start: int, end: int, expect: Expect, marks: bool) -> tuple[Any, int]:
    """One value at `text[start]` (a `{` or `[`): strict JSON when it is, else repaired.
    Where the rest of the text could hold too many values, the fixing parser reads it (it
    counts them as it goes; the C decoder would build them all first)."""
    if _could_be_too_big(text, start, end):
        return Fixer(text, end, marks).run(start, expect)
    try:
        value, stop = _DECODER.raw_decode(text, start)
    except (ValueError, RecursionError):
        return Fixer(text, end, marks).run(start, expect)
    if stop <= end:
        return _shallow(value, text, start, stop), stop
    return Fixer(text, end, marks).run(start, expect)


def _block(text: str, start: int, end: int, expect: Expect, depth: int,
           found: Extracted, marks: bool) -> None:
    """A fenced block that is not a JSON object or array: strict JSON (a quoted string, a
    number), JSON values in it, or else its text."""
    s = _SPACE.match(text, start, end).end()  # type: ignore[union-attr]
    e = end
    while e > s and text[e - 1].isspace():
        e -= 1
    if s >= e:
        return
    if text[s] in _STRICT_START:
        value = _strict(text, s, e)
        if value is not _NONE:
            found.candidates.append(value)
            found.starts.append(s)
            return
    _values(text, s, e, expect, depth, found, marks)
    if not found.candidates:
        found.candidates.append(text[s:e])
        found.starts.append(s)


def _closing_fence(text: str, start: int, end: int) -> tuple[int, int]:
    """(where the block's content ends, where scanning resumes) for a block whose content
    starts at `start`: a fence with a tag opens a nested block, a bare fence closes one. A
    block the text ends inside of runs to the end (a truncated or streaming reply)."""
    depth = 1
    pos = start
    while True:
        m = _FENCE.search(text, pos, end)
        if m is None:
            return end, end
        tag = _TAG.match(text, m.end(), end)
        if tag is not None and tag.group():
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return m.start(), m.end()
        pos = m.end()


def _line_end(text: str, pos: int, end: int) -> int:
    nl = text.find("\n", pos, end)
    if nl < 0:
        return pos
    return nl + 1 if not text[pos:nl].strip() else pos


def fences(text: str) -> list[str]:
    """The contents of the top-level fenced blocks (for tests and tools)."""
    blocks: list[str] = []
    pos = 0
    while (m := _FENCE.search(text, pos)) is not None:
        tag = _TAG.match(text, m.end())
        body = _line_end(text, tag.end() if tag else m.end(), len(text))
        close_at, pos = _closing_fence(text, body, len(text))
        blocks.append(text[body:close_at])
    return blocks
