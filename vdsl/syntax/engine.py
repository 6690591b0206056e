"""Runs the tables of `tables.py`: Lark's contextual lexer and LALR parser, reproduced step for
step for text that parses, with the IR builder's methods called directly.

Why not Lark itself: importing it and building its lexers costs ~60 ms per process, and its
generic per-token machinery (forwarded callbacks, a post-lexer generator per token) half the
parse of a large project. The engine reads the same tables, matches with the same regular
expressions in the same order, counts lines the same way, shapes children the same way
(placeholders, inlined `_rules`, `?rules`, filtered tokens) and applies the newline rule of
`postlex.py`. It stops at the first thing it cannot handle (`ParseFailed`) and the caller
parses again with Lark, which reports the error: errors are Lark's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any, Self

from .postlex import CLOSE, OPEN
from .tables import Tables

__all__ = ["Engine", "ParseFailed", "Token", "Tree"]


class ParseFailed(Exception):
    """The text does not parse (or lexes into something the engine does not handle)."""


class Token(str):
    """A terminal as Lark's `Token` presents it: the text, its type and where it lies."""

    type: str
    value: str
    start_pos: int
    line: int
    column: int
    end_line: int
    end_column: int
    end_pos: int

    def __new__(cls, type_: str, value: str, start_pos: int, line: int,
                column: int) -> Self:
        token = str.__new__(cls, value)
        token.type = type_
        token.value = value
        token.start_pos = start_pos
        token.line = line
        token.column = column
        return token

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {self.value!r})"


class Tree:
    """A rule without a builder method (only `_rules` inlined into their parent)."""

    __slots__ = ("children", "data")

    def __init__(self, data: str, children: list[Any]) -> None:
        self.data = data
        self.children = children


class _Lexer:
    """One of the contextual lexer's terminal sets, compiled on first use.

    Lark matches one alternation of all the set's terminals; the engine tries, in the same
    order, only those that can match at the next character (`firstchars.py`): the same
    token, and each terminal's expression is compiled once per process for every set that
    has it (compiling each set's alternation cost more than a small project's parse)."""

    __slots__ = ("by_char", "callbacks", "group_of", "groups", "ignore", "newline", "other",
                 "terminals", "unless")

    def __init__(self, config: tuple[Any, ...]) -> None:
        self.terminals, self.groups, self.group_of, unless, ignore, newline, callbacks = config
        self.unless: dict[str, dict[str, str]] = unless
        self.ignore = frozenset(ignore)
        self.newline = frozenset(newline)
        self.callbacks = frozenset(callbacks)
        self.by_char: dict[str, tuple[_Candidate, ...]] | None = None
        self.other: tuple[_Candidate, ...] = ()

    def compile(self, dropped: frozenset[str]) -> dict[str, tuple[_Candidate, ...]]:
        """Per ASCII character, the terminals to try: each as (matcher, name, and what the
        loop needs to know about it: counts lines, skipped without a token, a keyword or
        callback to look at, its keywords)."""
        matchers = []
        for kind, source, flags in self.terminals:
            special = (kind in self.unless or kind in self.callbacks
                       or (kind in dropped and kind not in self.ignore))
            matchers.append((re.compile(source, flags).match, kind, kind in self.newline,
                             kind in self.ignore and kind not in self.callbacks, special,
                             self.unless.get(kind)))
        groups = [tuple(matchers[i] for i in group) for group in self.groups]
        self.other = groups[self.group_of[128]]
        self.by_char = dict(zip(_ASCII, [groups[g] for g in self.group_of[:128]], strict=True))
        return self.by_char


_ASCII = [chr(code) for code in range(128)]
_Candidate = tuple[Any, str, bool, bool, bool, "dict[str, str] | None"]
_str_new = str.__new__


class Engine:
    """Parses text with the tables; one per process, shared by threads (no parse state)."""

    def __init__(self, tables: Tables) -> None:
        self.states: list[dict[str, int]] = tables["states"]
        self.start: int = tables["start"]
        self.end: int = tables["end"]
        self.rules: list[tuple[Any, ...]] = tables["rules"]
        self.shapes = [(rule[0], rule[1]) for rule in self.rules]  # (origin, size)
        lexers = [_Lexer(config) for config in tables["lexers"]]
        self.dropped = frozenset(tables["dropped"])
        self.lexer_of_state = [lexers[i] if i >= 0 else None for i in tables["lexer_of_state"]]
        self._reducers: dict[type, list[Reduce | None]] = {}

    def reducers(self, builder_class: type) -> list[Reduce | None]:
        """Per rule, what a reduction calls with (builder, children); made once per builder
        class, not once per file."""
        found = self._reducers.get(builder_class)
        if found is None:
            found = self._reducers[builder_class] = [_reducer(rule, builder_class)
                                                     for rule in self.rules]
        return found

    def parse(self, text: str, builder: Any,
              on_token: dict[str, Callable[[Token], Any]]) -> Any:
        """The value of the start rule, built by `builder`'s rule methods; `on_token` gets the
        tokens of the terminals the lexer hands to a callback (they may be ignored ones).

        One loop, for speed: the contextual lexer (the terminal set of the parser's current
        state), the newline rule of `postlex.NewlinePostLex`, and the LALR automaton."""
        reducers = self.reducers(builder.__class__)
        rules, states, lexer_of_state = self.shapes, self.states, self.lexer_of_state
        state_stack = [self.start]
        value_stack: list[Any] = []
        pos, line, line_start, end = 0, 1, 0, len(text)
        brackets: list[str] = []
        previous = "LBRACE"
        last = "nothing"
        dropped = self.dropped
        while pos < end:
            lexer = lexer_of_state[state_stack[-1]]
            if lexer is None:
                raise ParseFailed("no lexer")
            by_char = lexer.by_char
            if by_char is None:
                by_char = lexer.compile(dropped)
            for match, kind, counts_lines, skipped, special, literals in by_char.get(
                    text[pos], lexer.other):
                found = match(text, pos)
                if found:
                    break
            else:
                raise ParseFailed(f"unexpected character at offset {pos}")
            value = found.group(0)
            start, start_line, column = pos, line, pos - line_start + 1
            if counts_lines:
                breaks = value.count("\n")
                if breaks:
                    line += breaks
                    line_start = pos + value.rindex("\n") + 1
            pos += len(value)
            if skipped:
                continue
            token: Token | None = None
            original = kind
            if literals is not None:  # a keyword is matched as a name, then looked up
                kind = literals.get(value, kind)
            # special: a keyword, a callback, or a terminal no rule keeps
            if not special or original in lexer.callbacks or kind not in dropped:
                token = _str_new(Token, value)  # Token(…), without a Python-level call
                token.type, token.value, token.start_pos = kind, value, start
                token.line, token.column, token.end_line = start_line, column, line
                token.end_column, token.end_pos = pos - line_start + 1, pos
            if special:
                if original in lexer.callbacks:
                    on_token[original](token)  # type: ignore[arg-type]
                if original in lexer.ignore:
                    continue
            if kind == "_NL":  # postlex: a separator only directly inside `{ … }`
                if not (brackets and brackets[-1] == "{"
                        and previous not in ("LBRACE", "_COMMA", "_NL")):
                    continue
            elif kind in OPEN:
                brackets.append(OPEN[kind])
            elif kind in CLOSE and brackets:
                brackets.pop()
            previous = kind
            last = kind
            while True:  # feed the token: reduce until it can be shifted
                action = states[state_stack[-1]].get(kind)
                if action is None:
                    raise ParseFailed(kind)
                if action >= 0:
                    state_stack.append(action)
                    value_stack.append(token)
                    break
                action = ~action  # reduce by this rule (inlined: the hottest path)
                origin, size = rules[action]
                if size:
                    children = value_stack[-size:]
                    del state_stack[-size:]
                    del value_stack[-size:]
                else:
                    children = []
                reduce = reducers[action]  # None: an inlined `_rule`, its value its children
                value_stack.append(children if reduce is None else reduce(builder, children))
                state_stack.append(states[state_stack[-1]][origin])
        while True:  # end of input: reduce to the start rule
            action = states[state_stack[-1]].get("$END")
            if action is None or action >= 0:
                raise ParseFailed(f"$END after {last}")
            _reduce(~action, builder, state_stack, value_stack, states, rules, reducers)
            if state_stack[-1] == self.end:
                return value_stack[-1]


def _reduce(index: int, builder: Any, state_stack: list[int], value_stack: list[Any],
            states: list[dict[str, int]], rules: list[tuple[str, int]],
            reducers: list[Reduce | None]) -> None:
    origin, size = rules[index]
    if size:
        children = value_stack[-size:]
        del state_stack[-size:]
        del value_stack[-size:]
    else:
        children = []
    reduce = reducers[index]
    value_stack.append(children if reduce is None else reduce(builder, children))
    state_stack.append(states[state_stack[-1]][origin])


Reduce = Callable[[Any, list[Any]], Any]
"""(builder, children) -> the rule's value."""


def _reducer(rule: tuple[Any, ...], builder_class: type) -> Reduce | None:
    """Lark's callback chain for one rule: keep, inline or pad the children, then call the
    builder's method for the rule (or make a `Tree` for an inlined `_rule`). None for an
    inlined rule whose value is its children as they are (the loop skips the call)."""
    _origin, _size, name, expand1, include, nones = rule
    method = getattr(builder_class, name, None)
    if method is None and name.startswith("_") and not expand1 and include is None:
        return None
    build: Reduce
    if method is not None:
        build = method
    elif name.startswith("_"):  # inlined into its parent: only its children are read
        build = _children
    else:
        build = partial(_tree, name)
    if expand1:  # Lark wraps the method first, then filters the children for it
        inner = build

        def build(builder: Any, children: list[Any]) -> Any:
            return children[0] if len(children) == 1 else inner(builder, children)
    if include is not None:
        build = _filtered(build, include, nones)
    return build


def _children(builder: Any, children: list[Any]) -> list[Any]:
    return children


def _tree(name: str, builder: Any, children: list[Any]) -> Tree:
    return Tree(name, children)


def _filtered(build: Reduce, include: list[tuple[int, bool, int]], nones: int) -> Reduce:
    if not nones and not any(expand or pad for _, expand, pad in include):
        kept = [index for index, _, _ in include]  # the common case: a plain selection

        def picked(builder: Any, children: list[Any]) -> Any:
            return build(builder, [children[index] for index in kept])
        return picked

    def filtered(builder: Any, children: list[Any]) -> Any:
        kept: list[Any] = []
        for index, expand, pad in include:
            if pad:
                kept += [None] * pad
            if expand:  # an inlined `_rule`: its value is its children's list
                if kept:
                    kept += children[index]
                else:  # Lark's shortcut: the inlined child's own list
                    kept = children[index]
            else:
                kept.append(children[index])
        if nones:
            kept += [None] * nones
        return build(builder, kept)
    return filtered
