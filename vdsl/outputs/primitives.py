"""Reading scalars out of what models write: `"Yes."`, `**NEGATIVE**`, `cafe` for `café`,
"I'd say the sentiment is negative". Numbers are in `numbers.py`.

Each reader returns `(value, penalty)` or raises `Mismatch`. The penalty says how much
interpretation it took (0: exact), so a union can prefer the member that needed the least.
"""

from __future__ import annotations

import re
from typing import Any

from .target import EnumInfo
from .words import folded, plain_words, spaced_words

__all__ = ["Mismatch", "Trailed", "match_enum", "nullish", "read_bool", "show"]


class Trailed(Exception):
    """Internal failures that learn where they happened on the way up: each level of the
    coercer appends its step (`.zip`, `[2]`) to `trail`, innermost first — paths cost
    nothing until something fails."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.trail: list[str] = []

    @property
    def path(self) -> str:
        """`address.zip`, `items[2]` (empty at the top)."""
        return "".join(reversed(self.trail)).removeprefix(".")

    def at(self, step: str) -> Trailed:
        self.trail.append(step)
        return self


class Mismatch(Trailed):
    """Internal: a value does not fit a type. `reason` says what was found, `path` where."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.reading: int | None = None
        """Which reading of the reply failed (an index into `Extracted.starts`)."""

    def describe(self) -> str:
        return f"at `{self.path}`: {self.reason}" if self.path else self.reason

    def copy(self, depth: int) -> Mismatch:
        """A fresh copy with the first `depth` steps of the trail (for a memoised failure
        reached again by another way)."""
        out = Mismatch(self.reason)
        out.trail = self.trail[:depth]
        return out


_DECOR = " \t\r\n*_`'\""
_NAME_LIMIT = 10_000
_TRUE = frozenset({"true", "yes", "y"})
_FALSE = frozenset({"false", "no", "n"})
_BOOL_WORD = re.compile(r"\b(true|false)\b", re.IGNORECASE)
_NULLISH = frozenset({"", "null", "none", "nil", "n a", "na", "unknown", "undefined",
                      "not available", "not applicable", "not specified", "not provided",
                      "not mentioned", "not given", "not stated", "no data"})


def nullish(value: str) -> bool:
    """Whether a string says "no value" (`null`, `None`, `n/a`, `unknown`, `-`, …)."""
    return len(value) < 40 and plain_words(value) in _NULLISH


def read_bool(value: Any) -> tuple[bool, int]:
    if isinstance(value, bool):
        return value, 0
    if isinstance(value, str):
        word = value.strip(_DECOR).rstrip(".!").lower()
        if word in _TRUE:
            return True, 1
        if word in _FALSE:
            return False, 1
        found = {m.lower() for m in _BOOL_WORD.findall(value)}
        if len(found) == 1:
            return found.pop() == "true", 2
    raise Mismatch(f"found {_show(value)}, not a bool")


def match_enum(info: EnumInfo, value: Any) -> tuple[str, int]:
    """The enum value a string names: by name, alias, description or "alias: description";
    exactly, then ignoring case and markdown, then accents too, then as the one value named
    inside prose. Two values named equally often is an error listing them."""
    if not isinstance(value, str):
        raise Mismatch(f"found {_show(value)}, not one of {info.name}'s values")
    if len(value) <= _NAME_LIMIT:  # a name (not long prose): look it up
        text = value.strip()
        for keys, form, score in ((info.exact, str, 0), (info.norm, plain_words, 1),
                                  (info.folded, folded, 2)):
            hit = keys.get(form(text))
            if hit is not None:
                return hit, score
    # prose: the value named most often, counting names written in their declared case
    # first ("not positive … Final answer: NEGATIVE" is NEGATIVE), then ignoring case,
    # then ignoring accents too (the reply searched as it is, never copied)
    for search, keys, form in ((info.cased_search, info.cased, spaced_words),
                               (info.search, info.norm, plain_words),
                               (info.folded_search, info.folded, folded)):
        if search is None:
            continue
        counts: dict[str, int] = {}
        for m in search.finditer(value):
            name = keys.get(form(m.group(0)))
            if name is not None:
                counts[name] = counts.get(name, 0) + 1
        if counts:
            best = max(counts.values())
            top = [name for name in info.values if counts.get(name) == best]
            if len(top) == 1:
                return top[0], 3
            raise Mismatch(f"Too many matches for {info.name}: found {_show(value)}, which "
                           f"names {', '.join(top)}")
    raise Mismatch(f"found {_show(value)}, which is not one of {info.name}'s values "
                   f"({', '.join(info.values)})")


def _show(value: Any, limit: int = 60) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if value is None:
        return "null"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[:limit - 1] + "…'"


def show(value: Any) -> str:
    """A short description of a found value, for error messages."""
    return _show(value)
