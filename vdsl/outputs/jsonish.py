"""The values the fixing parser reads, and the markers for what a truncated text left open.

Values come back as ordinary `dict`/`list`/`str`/`int`/`float`/`bool`/`None` (so the strict
fast path, `json.loads`, produces the same kind of tree), except where the text ended before a
value did: then the value is a `PartialDict`, `PartialList`, `PartialStr` or `PartialNum`.
Coercion uses those markers to build streaming partials (an unfinished number is null, a
`@stream.done` field waits); a closed container implies everything inside it was closed too.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MAX_DEPTH", "MAX_VALUES", "PartialDict", "PartialList", "PartialNum", "PartialStr",
           "TooBig", "TooDeep", "is_complete", "parse_fixing"]

MAX_DEPTH = 64
"""How deeply a reply may nest objects and arrays; deeper replies fail cleanly."""
MAX_VALUES = 200_000
"""How many values (objects, arrays, scalars) a reply may hold: far beyond what a model
writes (a 128k-token reply holds fewer), and few enough that the Python objects for them
stay within a few times the reply's size."""


class TooDeep(Exception):
    """Internal: the reply nests values deeper than `MAX_DEPTH` (`pos`: where)."""

    def __init__(self, pos: int) -> None:
        self.pos = pos
        super().__init__(f"nested deeper than {MAX_DEPTH} levels")

    @property
    def reason(self) -> str:
        return f"the reply nests values deeper than {MAX_DEPTH} levels"


class TooBig(TooDeep):
    """Internal: the reply holds more than `MAX_VALUES` values."""

    @property
    def reason(self) -> str:
        return f"the reply holds more than {MAX_VALUES:,} values"


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

    def __init__(self, text: str, value: Any) -> None:
        self.text = text
        self.value = value

    def __repr__(self) -> str:
        return f"PartialNum({self.text!r})"


PARTIAL_TYPES = (PartialStr, PartialDict, PartialList, PartialNum)


def is_complete(value: object) -> bool:
    """Whether the text closed this value (closed containers hold only closed values)."""
    return not isinstance(value, PARTIAL_TYPES)


def parse_fixing(text: str, start: int = 0, expect: Any = None, end: int | None = None,
                 marks: bool = True) -> tuple[Any, int]:
    """Read one value at `text[start:end]`, repairing what it can; returns (value, end).
    `expect` (an `expect.Expect`) tells where values end when the text is ambiguous;
    `marks` marks what the text ended inside of (for streaming)."""
    from .expect import ANY
    from .fixing import Fixer

    return Fixer(text, end, marks).run(start, expect or ANY)
