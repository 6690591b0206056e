"""The fixing parser: a forgiving JSON reader for model replies, guided by the target type.

Models write JSON the way people do: unquoted keys and values, single quotes and backticks,
comments, trailing or missing commas, Python's `True`/`None`, raw newlines and unescaped
quotes inside strings, triple-quoted strings and code fences as values, and — when streaming
or cut off — no closing quotes or brackets at all. `Fixer` reads all of that.

The hard part is deciding where a value ends, and that is where the schema comes in (see
`follow.py`): a quote inside a string closes it only when what follows continues the
structure — a key the object can have, the next item, the closing bracket and then what may
follow *that*; a comma inside an unquoted value ends it only when a key follows. Otherwise the
quote or comma is content. Nothing is guessed short.

The parser is iterative (an explicit stack, never Python recursion) and refuses nesting deeper
than `MAX_DEPTH` (`TooDeep`). Every scan moves forward, and look-ahead is bounded, so time is
linear in the text.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

from .expect import Expect
from .follow import ARR, ITEM, KEY, MISSING, OBJ, TOP, VALUE, Follow, Frame
from .jsonish import (
    MAX_DEPTH,
    MAX_VALUES,
    PartialDict,
    PartialList,
    PartialNum,
    PartialStr,
    TooBig,
    TooDeep,
)

__all__ = ["Fixer"]

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_MAX_INT_DIGITS = 4000
_INF = float("inf")
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.DOTALL)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "/": "/", "\\": "\\",
            '"': '"', "'": "'", "`": "`", "0": "\0"}
_KEY_END = re.compile(r"[:=,{}\[\]\n]")
_SIMPLE_KEY = re.compile(r'"([^"\\\n]*)"[ \t]*:')
_GAP_START = frozenset(" \t\r\n\f\v/#\u00a0")
_VALUE_STOP = re.compile(r"[,;\n}\]]|(?<=\s)/[/*]")
_ITEM_STOP = re.compile(r"[,\n}\]]|(?<=\s)/[/*]")
_LITERALS: dict[str, Any] = {"true": True, "True": True, "false": False, "False": False,
                             "null": None, "None": None, "undefined": None}
_QUOTES = "\"'`"
_TO_QUOTE = {q: re.compile(rf"(?:[^{q}\\]|\\.)*+{q}", re.DOTALL) for q in _QUOTES}
"""From inside a string to its next unescaped quote, in one C-level scan."""
_INFO = re.compile(r"[ \t]*(?:[\w+#.-]+(?:[ \t]+[\w+#./-]+)*)?[ \t]*\r?")
_NOTHING: Any = object()


class Fixer(Follow):
    """Reads one value from `text[start:end]` (`run`)."""

    __slots__ = ()

    def run(self, pos: int, expect: Expect) -> tuple[Any, int]:
        text, n, stack = self.text, self.n, self.stack
        while True:
            if pos < n and text[pos] in _GAP_START:
                pos = self.gap(pos)
            if pos >= n:
                return self.finish(), n
            c = text[pos]
            if not stack:
                if c == "{" or c == "[":
                    self.push(c, expect, pos)
                    pos += 1
                    continue
                return self.scalar(pos, TOP, expect)
            f = stack[-1]
            if c == "}" or c == "]":
                f.key = MISSING  # `"a": }` — a key with no value is dropped
                end = pos + 1 if (c == "}") == (f.kind == OBJ) else pos  # stray: not consumed
                if self.close(end):
                    return self.root, end
                pos = end
            elif c == "," or c == ";":
                f.key = MISSING  # `"a": ,` likewise
                pos += 1
            elif f.kind == OBJ and f.key is MISSING:
                pos = self.read_key(f, pos)
            elif c == "{" or c == "[":
                self.push(c, f.child if f.kind == OBJ else f.view, pos)
                pos += 1
            else:
                start = pos
                value, pos = self.scalar(pos, VALUE if f.kind == OBJ else ITEM,
                                         f.child if f.kind == OBJ else f.view)
                self.attach(f, value, start, pos)

    # ---- containers ---------------------------------------------------------------------
    def push(self, c: str, expect: Expect, pos: int) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise TooDeep(pos)
        if c == "{":
            self.stack.append(Frame(OBJ, {}, expect.obj(), pos))
        else:
            self.stack.append(Frame(ARR, [], expect.item(), pos))

    RECORD = False
    """Subclasses that keep every value's span set this (and define `note`)."""

    def attach(self, f: Frame, value: Any, start: int, end: int) -> None:
        self.count += 1
        if self.count > MAX_VALUES:
            raise TooBig(start)
        if f.kind == OBJ:
            if f.key is not MISSING and value is not _NOTHING:
                if self.RECORD:
                    self.note(f.box, f.key, start, end)
                f.box[f.key] = value
            f.key = MISSING
        elif value is not _NOTHING:
            if self.RECORD:
                self.note(f.box, len(f.box), start, end)
            f.box.append(value)

    def note(self, box: Any, key: Any, start: int, end: int) -> None:
        """Record where `box[key]` was written (see `report.py`)."""

    def close(self, end: int) -> bool:
        """Close the innermost container; True when it was the root (`self.root`)."""
        f = self.stack.pop()
        if not self.stack:
            self.root = f.box
            return True
        self.attach(self.stack[-1], f.box, f.start, end)
        return False

    def finish(self) -> Any:
        """The text ended: every open container is partial; a pending key is dropped."""
        child: Any = MISSING
        start = self.n
        while self.stack:
            f = self.stack.pop()
            if child is not MISSING:
                self.attach(f, child, start, self.n)
            if not self.marks:
                child = f.box
            else:
                child = PartialDict(f.box) if f.kind == OBJ else PartialList(f.box)
            start = f.start
        return child

    def read_key(self, f: Frame, pos: int) -> int:
        text, n = self.text, self.n
        c = text[pos]
        m = _SIMPLE_KEY.match(text, pos, n) if c == '"' else None
        if m is not None:  # the common case: "key": — no repairs to weigh
            f.key = m.group(1)
            f.child = f.view.child(f.key)
            return m.end()
        if c in _QUOTES:
            key, end = self.string(pos, c, KEY)
            if self.unclosed:
                return n  # the text ended inside the key
        else:
            m = _KEY_END.search(text, pos, n)
            if m is None:
                return n
            end = m.start()
            if end == pos:  # a character that cannot start a key: skip it
                return pos + 1
            key = text[pos:end].strip()
        p = self.gap(end)
        if p < n and text[p] in ":=":
            p += 1
        elif p >= n or text[p] in ",}":
            return p  # a key with no value
        f.key = key
        f.child = f.view.child(key)
        return p

    # ---- scalars ------------------------------------------------------------------------
    def scalar(self, pos: int, role: int, expect: Expect) -> tuple[Any, int]:
        text = self.text
        c = text[pos]
        if c in _QUOTES:
            if text.startswith(c * 3, pos):
                return self.triple(pos, c)
            return self.string(pos, c, role)
        return self.bare(pos, role, expect)

    def string(self, pos: int, quote: str, role: int) -> tuple[Any, int]:
        """A quoted string at `pos`. An unescaped quote closes it only when what follows
        continues the structure (`follows_string`); otherwise it is content."""
        text, n = self.text, self.n
        start = i = pos + 1
        inner = 0
        self.unclosed = False
        to_quote = _TO_QUOTE[quote]
        while True:
            m = to_quote.match(text, i, n)
            if m is None:
                self.unclosed = True
                return self.partial_str(_unescape(text[start:n])), n
            j = m.end() - 1
            if self.follows_string(j + 1, role, inner, quote):
                return _unescape(text[start:j]), j + 1
            inner += 1
            i = j + 1

    def triple(self, pos: int, quote: str) -> tuple[Any, int]:
        """`\"\"\"…\"\"\"`, or a code fence used as a value (its info string dropped)."""
        text, n = self.text, self.n
        start = pos + 3
        if quote == "`":
            while start < n and text[start] == "`":
                start += 1
            nl = text.find("\n", start, n)
            if nl >= 0 and _INFO.fullmatch(text, start, nl):
                start = nl + 1  # ```lang — the info string is not content
        end = text.find(quote * 3, start, n)
        if end < 0:
            return self.partial_str(_dedent(text[start:n])), n
        stop = end + 3
        while stop < n and text[stop] == quote:
            stop += 1
        return _dedent(text[start:end]), stop

    def bare(self, pos: int, role: int, expect: Expect) -> tuple[Any, int]:
        """An unquoted value: a number, a literal (`true`, `None`, …) or a string."""
        n = self.n
        stop = n if role == TOP else self.bare_end(pos, role)
        raw = self.text[pos:stop]
        token = raw.strip()
        at_end = stop >= n and raw == raw.rstrip()
        if token in _LITERALS:  # a whole literal word is complete even at the very end
            return _LITERALS[token], stop
        if _NUMBER.fullmatch(token) and len(token) <= _MAX_INT_DIGITS:
            number = _number(token)
            if at_end and self.marks:
                return PartialNum(token, number), stop
            return number, stop
        if not token:
            return _NOTHING, max(stop, pos + 1)
        return (self.partial_str(token) if at_end else token), stop

    def partial_str(self, value: str) -> str:
        return PartialStr(value) if self.marks else value

    def bare_end(self, pos: int, role: int) -> int:
        """Where an unquoted value in an object or array stops (see `follow.py`). Brackets
        opened inside the value are content until they close (`use {x} here`); they are
        counted with `str.count`, so a run of them costs no Python loop."""
        text, n = self.text, self.n
        stops = _VALUE_STOP if role == VALUE else _ITEM_STOP
        balance = 0
        i = pos
        while True:
            m = stops.search(text, i, n)
            if m is None:
                return n
            j = m.start()
            balance += text.count("{", i, j) + text.count("[", i, j)
            c = text[j]
            if c == "}" or c == "]":
                if balance:
                    balance -= 1
                elif role == ITEM or c == "]" or self.closes(j):
                    return j
            elif c == "/" or not balance and (role == ITEM or self.value_ends(pos, j)):
                return j
            i = j + 1


def _number(token: str) -> int | float | str:
    """A number token's value; one too large for a float stays text (never `inf`)."""
    if any(c in token for c in ".eE"):
        value = float(token)
        return value if abs(value) != _INF else token
    return int(token)


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
    if "\n" not in raw:
        return raw
    return textwrap.dedent(raw).rstrip(" \t").removesuffix("\n")


