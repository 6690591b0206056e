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
    """One of the contextual lexer's terminal sets, compiled on first use."""

    __slots__ = ("callbacks", "ignore", "kinds", "newline", "patterns", "sources", "unless")

    def __init__(self, config: tuple[Any, ...]) -> None:
        self.sources, unless, ignore, newline, callbacks = config
        self.unless: dict[str, dict[str, str]] = unless
        self.ignore = frozenset(ignore)
        self.newline = frozenset(newline)
        self.callbacks = frozenset(callbacks)
        self.patterns: list[Any] = []
        self.kinds: dict[str, tuple[bool, bool, bool, dict[str, str] | None]] = {}

    def compile(self, dropped: frozenset[str]) -> list[Any]:
        """The matchers, and per terminal what the loop needs to know in one lookup:
        (counts lines, skipped without a token, a keyword or callback to look at, keywords)."""
        compiled = [re.compile(source, flags) for source, flags in self.sources]
        for pattern in compiled:
            for kind in pattern.groupindex:
                special = (kind in self.unless or kind in self.callbacks
                           or (kind in dropped and kind not in self.ignore))
                self.kinds[kind] = (kind in self.newline,
                                    kind in self.ignore and kind not in self.callbacks,
                                    special, self.unless.get(kind))
        self.patterns = [pattern.match for pattern in compiled]
        return self.patterns


class Engine:
    """Parses text with the tables; one per process, shared by threads (no parse state)."""

    def __init__(self, tables: Tables) -> None:
        self.states: list[dict[str, tuple[bool, int]]] = tables["states"]
        self.start: int = tables["start"]
        self.end: int = tables["end"]
        self.rules: list[tuple[Any, ...]] = tables["rules"]
        self.shapes = [(rule[0], rule[1]) for rule in self.rules]  # (origin, size)
        lexers = [_Lexer(config) for config in tables["lexers"]]
        self.dropped = frozenset(tables["dropped"])
        self.lexer_of_state = [lexers[i] if i >= 0 else None for i in tables["lexer_of_state"]]

    def parse(self, text: str, builder: Any,
              on_token: dict[str, Callable[[Token], Any]]) -> Any:
        """The value of the start rule, built by `builder`'s rule methods; `on_token` gets the
        tokens of the terminals the lexer hands to a callback (they may be ignored ones).

        One loop, for speed: the contextual lexer (the terminal set of the parser's current
        state), the newline rule of `postlex.NewlinePostLex`, and the LALR automaton."""
        reducers = [_reducer(rule, builder) for rule in self.rules]
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
            for match in lexer.patterns or lexer.compile(dropped):
                found = match(text, pos)
                if found:
                    break
            else:
                raise ParseFailed(f"unexpected character at offset {pos}")
            value = found.group(0)
            kind: str = found.lastgroup  # type: ignore[assignment]
            counts_lines, skipped, special, literals = lexer.kinds[kind]
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
            if special:  # a keyword, a callback, or a terminal no rule keeps
                original = kind
                if literals is not None:
                    kind = literals.get(value, kind)
                if original in lexer.callbacks or kind not in dropped:
                    token = Token(kind, value, start, start_line, column)
                    token.end_line, token.end_column = line, pos - line_start + 1
                    token.end_pos = pos
                if original in lexer.callbacks:
                    on_token[original](token)  # type: ignore[arg-type]
                if original in lexer.ignore:
                    continue
            else:
                token = Token(kind, value, start, start_line, column)
                token.end_line, token.end_column, token.end_pos = line, pos - line_start + 1, pos
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
                if action[0]:
                    state_stack.append(action[1])
                    value_stack.append(token)
                    break
                origin, size = rules[action[1]]  # reduce (inlined: the hottest path)
                if size:
                    children = value_stack[-size:]
                    del state_stack[-size:]
                    del value_stack[-size:]
                else:
                    children = []
                value_stack.append(reducers[action[1]](children))
                state_stack.append(states[state_stack[-1]][origin][1])
        while True:  # end of input: reduce to the start rule
            action = states[state_stack[-1]].get("$END")
            if action is None or action[0]:
                raise ParseFailed(f"$END after {last}")
            _reduce(action[1], state_stack, value_stack, states, rules, reducers)
            if state_stack[-1] == self.end:
                return value_stack[-1]


def _reduce(index: int, state_stack: list[int], value_stack: list[Any],
            states: list[dict[str, tuple[bool, int]]], rules: list[tuple[str, int]],
            reducers: list[Callable[[list[Any]], Any]]) -> None:
    origin, size = rules[index]
    if size:
        children = value_stack[-size:]
        del state_stack[-size:]
        del value_stack[-size:]
    else:
        children = []
    value_stack.append(reducers[index](children))
    state_stack.append(states[state_stack[-1]][origin][1])


def _reducer(rule: tuple[Any, ...], builder: Any) -> Callable[[list[Any]], Any]:
    """Lark's callback chain for one rule: keep, inline or pad the children, then call the
    builder's method for the rule (or make a `Tree` for an inlined `_rule`)."""
    _origin, _size, name, expand1, include, nones = rule
    method = getattr(builder, name, None)
    build: Callable[[list[Any]], Any]
    if method is not None:
        build = method
    elif name.startswith("_"):  # inlined into its parent: only its children are read
        build = _children
    else:
        build = partial(Tree, name)
    if expand1:  # Lark wraps the method first, then filters the children for it
        inner = build

        def build(children: list[Any]) -> Any:
            return children[0] if len(children) == 1 else inner(children)
    if include is not None:
        build = _filtered(build, include, nones)
    return build


def _children(children: list[Any]) -> list[Any]:
    return children


def _filtered(build: Callable[[list[Any]], Any], include: list[tuple[int, bool, int]],
              nones: int) -> Callable[[list[Any]], Any]:
    def filtered(children: list[Any]) -> Any:
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
        return build(kept)
    return filtered
