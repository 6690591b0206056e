"""The characters a terminal's match can start with, so the engine's lexer tries only the
terminals that can match at the next character — in Lark's order, the first that matches
winning, which is what Lark's alternation of all of them returns.

Worked out once, when `tables.py` derives the tables (beside Lark, which reads the same
regular expressions the same way), from Python's own parse of each expression. Anything this
does not follow counts as "any character" (a lookahead is skipped, a class it cannot list
stands for everything), so a terminal is never left out where it could match; at worst it is
tried where it cannot.
"""

from __future__ import annotations

import re
from re import _constants as sre  # the parse tree's opcodes (private, stable since 3.11)
from re import _parser as sre_parse
from typing import Any

__all__ = ["ASCII", "first_chars"]

ASCII = frozenset(chr(i) for i in range(128))
_Found = tuple[set[str], bool, bool]
"""(ASCII characters a match can start with, any other character?, can match empty?)"""
_ANYTHING: _Found = (set(ASCII), True, True)


class _Unknown(Exception):
    """An opcode this module does not follow."""


def first_chars(pattern: str, flags: int) -> tuple[frozenset[str], bool]:
    """The ASCII characters a match of `pattern` can start with, and whether it can start
    with a character beyond ASCII (everything, for a pattern that can match nothing)."""
    parsed = sre_parse.parse(pattern, flags)
    if parsed.state.flags & re.IGNORECASE:  # given, or written inline as `(?i)`
        return ASCII, True
    try:
        chars, other, empty = _sequence(parsed)
    except _Unknown:
        return ASCII, True
    return (ASCII, True) if empty else (frozenset(chars), other)


def _sequence(items: Any) -> _Found:
    chars: set[str] = set()
    other = False
    for op, av in items:
        found_chars, found_other, empty = _item(op, av)
        chars |= found_chars
        other = other or found_other
        if not empty:
            return chars, other, False
    return chars, other, True


def _item(op: Any, av: Any) -> _Found:
    if op is sre.LITERAL:
        return ({chr(av)}, False, False) if av < 128 else (set(), True, False)
    if op is sre.NOT_LITERAL or op is sre.ANY:
        return set(ASCII), True, False
    if op is sre.IN:
        chars, other = _charset(av)
        return chars, other, False
    if op is sre.BRANCH:
        return _branch(av[1])
    if op is sre.SUBPATTERN:
        _group, add_flags, _del_flags, inner = av
        if add_flags & re.IGNORECASE:
            raise _Unknown
        return _sequence(inner)
    if op is sre.ATOMIC_GROUP:
        return _sequence(av)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, _high, inner = av
        chars, other, empty = _sequence(inner)
        return chars, other, empty or low == 0
    if op in (sre.ASSERT, sre.ASSERT_NOT, sre.AT):  # zero width: look at what follows
        return set(), False, True
    raise _Unknown  # group references and anything newer


def _branch(alternatives: Any) -> _Found:
    chars: set[str] = set()
    other = empty = False
    for alternative in alternatives:
        found_chars, found_other, found_empty = _sequence(alternative)
        chars |= found_chars
        other, empty = other or found_other, empty or found_empty
    return chars, other, empty


def _charset(items: Any) -> tuple[set[str], bool]:
    """A `[…]` class: exact for literals and ranges (negated or not); a class with a
    category (`\\d`, `\\w`, `\\s`…) stands for every character."""
    chars: set[str] = set()
    other = negate = False
    for op, av in items:
        if op is sre.NEGATE:
            negate = True
        elif op is sre.LITERAL:
            if av < 128:
                chars.add(chr(av))
            else:
                other = True
        elif op is sre.RANGE:
            low, high = av
            chars.update(chr(c) for c in range(low, min(high, 127) + 1))
            other = other or high >= 128
        else:  # a category (`\\d`, `\\w`…): the class may hold anything
            return set(ASCII), True
    if negate:
        return set(ASCII) - chars, True
    return chars, other
