"""A forgiving JSON reader for model replies: the fixing parser.

Models write JSON the way people do: unquoted keys and values, single quotes, comments,
trailing commas, Python's `True`/`None`, raw newlines inside strings, triple-quoted strings,
and — when streaming or cut off — no closing quotes or brackets at all. `parse_fixing` reads
all of that into plain Python values.

Values come back as ordinary `dict`/`list`/`str`/`int`/`float`/`bool`/`None` (so the strict
fast path, `json.loads`, produces the same kind of tree), except where the text ended before a
value did: then the value is a `PartialDict`, `PartialList`, `PartialStr` or `PartialNum`.
Coercion uses those markers to build streaming partials (an unfinished number is null, a
`@stream.done` field waits); a closed container implies everything inside it was closed too.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

__all__ = ["PartialDict", "PartialList", "PartialNum", "PartialStr", "is_complete",
           "parse_fixing"]


class PartialStr(str):
    """A string the text ended inside of (no closing quote yet)."""

    __slots__ = ()


class PartialDict(dict):  # type: ignore[type-arg]
    """An object whose closing brace was not reached."""

    __slots__ = ()


class PartialList(list):  # type: ignore[type-arg]
    """An array whose closing bracket was not reached."""

    __slots__ = ()


class PartialNum:
    """A number at the very end of the text: more digits may still come."""

    __slots__ = ("text", "value")

    def __init__(self, text: str, value: float) -> None:
        self.text = text
        self.value = value

    def __repr__(self) -> str:
        return f"PartialNum({self.text!r})"


PARTIAL_TYPES = (PartialStr, PartialDict, PartialList, PartialNum)


def is_complete(value: object) -> bool:
    """Whether the text closed this value (closed containers hold only closed values)."""
    return not isinstance(value, PARTIAL_TYPES)


# Whitespace and comments between tokens. `//` starts a comment only here, between tokens, so
# URLs inside unquoted values survive.
_GAP = re.compile(r"(?:\s+|//[^\n]*|/\*.*?(?:\*/|\Z)|#(?![\w{])[^\n]*)*", re.DOTALL)
_GAP_START = frozenset(" \t\r\n\f\v/#\u00a0")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.DOTALL)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "/": "/", "\\": "\\",
            '"': '"', "'": "'", "`": "`", "0": "\0"}
# Where an unquoted value stops, by the container it is in.
_BARE_END = {"object": re.compile(r"[,}\]\n]| //"), "array": re.compile(r"[,\]}\n]| //"),
             "top": re.compile(r"\Z")}
_CLOSES_AFTER_QUOTE = frozenset(",:}]\n\r/")
_LITERALS: dict[str, Any] = {"true": True, "True": True, "false": False, "False": False,
                             "null": None, "None": None, "undefined": None}
_MISSING: Any = object()
"""The text ended where a value should start."""
_NOTHING: Any = object()
"""No value between two separators (`"a": ,`)."""


def parse_fixing(text: str, start: int = 0, context: str = "top") -> tuple[Any, int]:
    """Read one value at `text[start:]`, repairing what it can; returns (value, end)."""
    return _Fixer(text).value(start, context)


class _Fixer:
    __slots__ = ("n", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)

    def gap(self, pos: int) -> int:
        if pos < self.n and self.text[pos] not in _GAP_START:
            return pos  # the common case, without a regex call
        return _GAP.match(self.text, pos).end()  # type: ignore[union-attr]

    def value(self, pos: int, context: str) -> tuple[Any, int]:
        pos = self.gap(pos)
        if pos >= self.n:
            return _MISSING, pos
        c = self.text[pos]
        if c == "{":
            return self.obj(pos + 1)
        if c == "[":
            return self.arr(pos + 1)
        if c in "\"'`":
            if self.text.startswith(c * 3, pos):
                return self.triple(pos, c * 3)
            return self.string(pos + 1, c)
        return self.bare(pos, context)

    def obj(self, pos: int) -> tuple[Any, int]:
        out: dict[str, Any] = {}
        text, n = self.text, self.n
        while True:
            pos = self.gap(pos)
            if pos >= n:
                return PartialDict(out), pos
            c = text[pos]
            if c == "}":
                return out, pos + 1
            if c == "]":  # a stray closer: the object ends here, the caller sees the `]`
                return out, pos
            if c in ",;":
                pos += 1
                continue
            key, pos = self.key(pos)
            if key is _MISSING:
                return PartialDict(out), pos
            pos = self.gap(pos)
            if pos < n and text[pos] in ":=":
                pos += 1
            elif pos < n and text[pos] in ",}":
                continue  # a key with no value
            value, pos = self.value(pos, "object")
            if value is _MISSING:
                return PartialDict(out), pos
            if value is not _NOTHING:
                out[key] = value

    def key(self, pos: int) -> tuple[Any, int]:
        c = self.text[pos]
        if c in "\"'`":
            key, pos = self.string(pos + 1, c)
            return (_MISSING if isinstance(key, PartialStr) else key), pos
        end = pos
        while end < self.n and self.text[end] not in ":=,{}[]\n":
            end += 1
        if end >= self.n:
            return _MISSING, end
        if end == pos:  # a character that cannot start a key: skip it
            return "", pos + 1
        return self.text[pos:end].strip(), end

    def arr(self, pos: int) -> tuple[Any, int]:
        out: list[Any] = []
        text, n = self.text, self.n
        while True:
            pos = self.gap(pos)
            if pos >= n:
                return PartialList(out), pos
            c = text[pos]
            if c == "]":
                return out, pos + 1
            if c == "}":
                return out, pos
            if c in ",;":
                pos += 1
                continue
            value, pos = self.value(pos, "array")
            if value is _MISSING:
                return PartialList(out), pos
            if value is not _NOTHING:
                out.append(value)

    def string(self, pos: int, quote: str) -> tuple[Any, int]:
        """A quoted string. A quote closes it only when what follows could follow a value, so
        `"He said "hi" to me"` keeps its inner quotes."""
        text, n = self.text, self.n
        i = pos
        while True:
            j = text.find(quote, i)
            if j < 0:
                return PartialStr(_unescape(text[pos:])), n
            if _escaped(text, j):
                i = j + 1
                continue
            k = j + 1
            while k < n and text[k] in " \t":
                k += 1
            if k >= n or text[k] in _CLOSES_AFTER_QUOTE:
                return _unescape(text[pos:j]), j + 1
            i = j + 1

    def triple(self, pos: int, quotes: str) -> tuple[Any, int]:
        start = pos + 3
        end = self.text.find(quotes, start)
        if end < 0:
            return PartialStr(_dedent(self.text[start:])), self.n
        return _dedent(self.text[start:end]), end + 3

    def bare(self, pos: int, context: str) -> tuple[Any, int]:
        """An unquoted value: a number, a literal (`true`, `None`, …) or a string."""
        m = _BARE_END[context].search(self.text, pos)
        end = m.start() if m else self.n
        raw = self.text[pos:end]
        token = raw.strip()
        at_end = end >= self.n and raw == raw.rstrip()
        if token in _LITERALS:  # a whole literal word is complete even at the very end
            return _LITERALS[token], end
        if _NUMBER.fullmatch(token):
            number = _number(token)
            return (PartialNum(token, number) if at_end else number), end
        if not token:
            return _NOTHING, max(end, pos + 1)
        return (PartialStr(token) if at_end else token), end


def _number(token: str) -> int | float:
    if any(c in token for c in ".eE"):
        return float(token)
    return int(token)


def _escaped(text: str, j: int) -> bool:
    count = 0
    while j > 0 and text[j - 1] == "\\":
        count += 1
        j -= 1
    return count % 2 == 1


def _unescape(raw: str) -> str:
    if "\\" not in raw:
        return raw
    out = _ESCAPE.sub(_replace_escape, raw)
    if any("\ud800" <= c <= "\udfff" for c in out):
        out = out.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return out


def _replace_escape(m: re.Match[str]) -> str:
    code = m.group(1)
    if len(code) == 5:
        return chr(int(code[1:], 16))
    return _ESCAPES.get(code, "\\" + code)


def _dedent(raw: str) -> str:
    raw = raw.removeprefix("\n")
    return textwrap.dedent(raw).rstrip(" \t") if "\n" in raw else raw
