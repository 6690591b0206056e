"""Where a value ends: what may follow a string or an unquoted value in a repaired reply.

The rules (docs/parsing.md, "The lossless rule") in one place:

* A quote inside a **string** closes it only when what follows continues the structure:
  - in an object value: the object's `}` (and then what may follow that object), or a comma
    or new line followed by a key and `:`, or a comment;
  - in an array: the array's `]` (and then what may follow it), a comma, or — with only
    spaces between — the start of the next item (a missing comma);
  - as a key: `:`; at the top level: anything but more text on the same word.
  In an array, a comma closes a string whose inner double quotes are balanced, or one
  followed by a well-formed item (`"text/html")` is not one, so
  `"setHeader("Content-Type", "text/html")"` stays one item). A key the object cannot have
  needs the double quotes *inside* the string so far to be balanced, so a string holding
  quoted JSON (`"{"a": "b", "c": "d"}"`) is not cut at `"c"` unless `c` is a field.
* An **unquoted value** in an object runs to the `}` that closes the object, or to a comma or
  new line followed by a key the object can have (any key for a map; any key when the value
  so far is a single word, such as a number); other commas and new lines are content. In an
  array, a comma or new line ends it.
* A closing bracket ends a value only when what follows it fits the enclosing container: a
  separator, the enclosing container's own closer, or — after the outermost value — anything
  but a quote right after it.

Look-ahead is bounded (keys are at most `_KEY_WINDOW` characters, closer chains at most the
nesting depth), so deciding never costs more than the text it reads.
"""

from __future__ import annotations

import re
from typing import Any

from .expect import ANY, Expect

__all__ = ["ARR", "ITEM", "KEY", "MISSING", "OBJ", "TOP", "VALUE", "Follow", "Frame", "escaped"]

OBJ, ARR = 0, 1
KEY, VALUE, ITEM, TOP = 0, 1, 2, 3
MISSING: Any = object()
"""No key yet (in a frame), or the text ended where a value should start."""

_GAP = re.compile(r"(?:\s+|//[^\n]*|/\*.*?(?:\*/|\Z)|#(?![\w{])[^\n]*)*", re.DOTALL)
_GAP_MATCH = _GAP.match
_GAP_START = frozenset(" \t\r\n\f\v/#\u00a0")
_SPACE = frozenset(" \t\r\n\f\v\u00a0")
_QUOTES = "\"'`"
_KEY_WINDOW = 256
_ITEM_WINDOW = 4096
_BARE_KEY = re.compile(r"[^\s:=,;{}\[\]\"'`]+(?:[ \t]+[^\s:=,;{}\[\]\"'`]+)*")
_TOKEN = re.compile(r"\s*[^\s,;:{}\[\]]+\s*")


class Frame:
    """An open object (`OBJ`) or array (`ARR`) and what is expected in it."""

    __slots__ = ("box", "child", "key", "kind", "start", "view")

    def __init__(self, kind: int, box: Any, view: Expect, start: int) -> None:
        self.kind = kind
        self.box = box
        self.view = view
        """For an object: what it may hold (`Expect.obj()`); for an array: its items."""
        self.start = start
        self.key: Any = MISSING
        self.child: Expect = ANY
        """What the value of the pending key may be."""


class Follow:
    """The parser's text, its open containers, and the end-of-value rules."""

    __slots__ = ("count", "marks", "n", "root", "stack", "text", "unclosed")

    def __init__(self, text: str, end: int | None = None, marks: bool = True) -> None:
        self.text = text
        self.n = len(text) if end is None else end
        self.stack: list[Frame] = []
        self.root: Any = MISSING
        self.marks = marks
        """Whether to mark what the text ended inside of (`jsonish.Partial*`): streaming
        needs the marks; a final parse does not, and saves copying long strings."""
        self.unclosed = False
        """Set by the last string read when the text ended inside it."""
        self.count = 0
        """Values read so far (bounded by `MAX_VALUES`)."""

    def gap(self, pos: int) -> int:
        """Past whitespace and comments."""
        if pos < self.n and self.text[pos] not in _GAP_START:
            return pos  # the common case, without a regex call
        return _GAP_MATCH(self.text, pos, self.n).end()  # type: ignore[union-attr]

    def _space(self, pos: int) -> tuple[int, bool]:
        """Past whitespace; also whether a new line was crossed."""
        text, n = self.text, self.n
        crossed = False
        while pos < n and text[pos] in _SPACE:
            crossed = crossed or text[pos] == "\n"
            pos += 1
        return pos, crossed

    def follows_string(self, q: int, role: int, inner: int, quote: str) -> bool:
        """Whether the quote just before `q` closes the string (`inner`: unescaped quotes
        inside it so far)."""
        text, n = self.text, self.n
        p, crossed = self._space(q)
        if p >= n:
            return True
        c = text[p]
        if role == KEY:
            return c in ":=,}"
        if role == TOP:
            return c not in _QUOTES and (p > q or not c.isalnum())
        if c == "/" and text.startswith(("//", "/*"), p):
            return True
        even = inner % 2 == 0 or quote != '"'  # apostrophes do not pair up
        if role == ITEM:
            if c == "]":
                return self.closes(p)
            if c in ",;":
                return even or self.item_follows(self.gap(p + 1))
            if c == "}":
                return even
            return even and (p > q or crossed) and c in "\"'`{["
        if c == "}":
            return self.closes(p)
        if c == "]":
            return even
        if c in ",;":
            r = self.gap(p + 1)
            if r >= n:
                return True
            if text[r] == "}":
                return self.closes(r)
            return self.key_follows(r, loose=even, quoted=even)
        return (crossed or (p > q and c in _QUOTES)) and self.key_follows(p, even, even)

    def closes(self, p: int) -> bool:
        """Whether the closer at `p` really closes the innermost container: what follows it
        must fit the containers around it."""
        text, n, stack = self.text, self.n, self.stack
        i = len(stack) - 1
        while True:
            q, crossed = self._space(p + 1)
            if q >= n:
                return True
            c = text[q]
            if i <= 0:  # the outermost value: prose may follow, but not a quote right after
                return c not in "\"'" or q > p + 1
            if c in ",;" or crossed or text.startswith(("//", "/*"), q):
                return True
            if c == ("}" if stack[i - 1].kind == OBJ else "]"):
                i, p = i - 1, q
                continue
            return c in "}]"

    def item_follows(self, r: int) -> bool:
        """Whether a well-formed next array item (or the array's end) starts at `r`: the
        first quote inside a quoted item must close it (`"text/html")` does not)."""
        text, n = self.text, self.n
        if r >= n or text[r] not in _QUOTES:
            return True
        end = r
        while True:
            end = text.find(text[r], end + 1, min(n, r + 1 + _ITEM_WINDOW))
            if end < 0:
                return n <= r + 1 + _ITEM_WINDOW
            if not escaped(text, end):
                break
        p, crossed = self._space(end + 1)
        return p >= n or crossed or text[p] in ",;]}:/"

    def key_follows(self, r: int, loose: bool, quoted: bool = True) -> bool:
        """Whether a key and `:` start at `r`: one the innermost object can have, or any
        quoted key (`quoted`), or any single-word key (`loose`)."""
        text, n = self.text, self.n
        view = self.stack[-1].view if self.stack else ANY
        c = text[r]
        if c in _QUOTES:
            end = r
            while True:
                end = text.find(c, end + 1, min(n, r + 1 + _KEY_WINDOW))
                if end < 0:
                    return n <= r + 1 + _KEY_WINDOW  # the text ends inside a key: plausible
                if not escaped(text, end):
                    break
            key = text[r + 1:end]
            tail = end + 1
            loose = quoted
        else:
            m = _BARE_KEY.match(text, r, min(n, r + _KEY_WINDOW))
            if m is None:
                return False
            key, tail = m.group(), m.end()
            loose = loose and " " not in key and "\t" not in key
            if tail >= n:  # a word at the very end: a key only if it can start one
                return loose and view.may_start_key(key)
        p, _ = self._space(tail)
        if p >= n:
            return True
        return text[p] in ":=" and (loose or view.has_key(key))

    def value_ends(self, start: int, j: int) -> bool:
        """Whether the separator at `j` ends the unquoted object value that began at
        `start`."""
        text, n = self.text, self.n
        r = self.gap(j + 1)
        if r >= n:
            return True
        if text[r] == "}":
            return self.closes(r)
        if text[r] in _QUOTES:
            return self.key_follows(r, loose=True)
        return self.key_follows(r, loose=_TOKEN.fullmatch(text, start, j) is not None)


def escaped(text: str, j: int) -> bool:
    """Whether the character at `j` is escaped (an odd run of backslashes before it)."""
    count = 0
    while j > 0 and text[j - 1] == "\\":
        count += 1
        j -= 1
    return count % 2 == 1
