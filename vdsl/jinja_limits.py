"""Structural limits on Jinja sources, shared by `vdsl check` and the renderer.

Jinja's parser and code generator are recursive, and Python's compiler has hard limits of its
own (20 statically nested loops, 100 indentation levels). A prompt nested deeper than they
can take would raise `RecursionError` or `SyntaxError` from deep inside Jinja. `NestingLimit`
counts nesting in the token stream, before the parser sees it, and raises a
`TemplateSyntaxError` with the line instead: `vdsl check` reports it as `jinja-syntax`, and
rendering as a `RenderError`.

The limits are far beyond what a prompt needs and far below what the stack can take:

* brackets `( [ {` inside one tag: 20 deep;
* block tags (`if`, `for`, `macro`, `call`, `filter`, `with`, `set` blocks, …): 32 deep;
* `for` loops: 16 deep (Python allows 20 nested loops in one function);
* operators, `.`, `|`, calls, subscripts and inline `if` in one tag: 64 (each nests the
  expression, and the Python code Jinja generates for it, one level).

An integer literal longer than Python converts (4,300 digits) is reported the same way.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jinja2.ext import Extension
    from jinja2.lexer import Token, TokenStream

__all__ = ["MAX_BLOCK_DEPTH", "MAX_BRACKET_DEPTH", "MAX_LOOP_DEPTH", "MAX_OPERATORS",
           "nesting_limit"]

MAX_BRACKET_DEPTH = 20
MAX_BLOCK_DEPTH = 32
MAX_LOOP_DEPTH = 16
MAX_OPERATORS = 64

_OPEN = frozenset({"lparen", "lbracket", "lbrace"})
_CLOSE = frozenset({"rparen", "rbracket", "rbrace"})
_BLOCKS = frozenset({"if", "for", "macro", "call", "filter", "with", "autoescape", "block"})
_OPERATORS = frozenset({"add", "sub", "mul", "div", "floordiv", "mod", "pow", "tilde", "pipe",
                        "dot", "eq", "ne", "gt", "gteq", "lt", "lteq"})
_WORD_OPERATORS = frozenset({"and", "or", "not", "in", "is", "if", "else"})


@functools.cache
def nesting_limit() -> type[Extension]:
    """The Jinja extension that refuses sources nested deeper than the limits above (made on
    first use: importing this module does not import Jinja, so `vdsl check` can read the
    limits without it)."""
    from jinja2 import TemplateSyntaxError
    from jinja2.ext import Extension

    class NestingLimit(Extension):
        def filter_stream(self, stream: TokenStream) -> Iterator[Token]:  # type: ignore[override]
            counter = _Counter(stream.name, stream.filename)
            tokens = iter(stream)
            line = 1
            while True:
                try:
                    token = next(tokens)
                except StopIteration:
                    return
                except ValueError as error:  # the lexer's int() of a literal past the limit
                    raise TemplateSyntaxError(f"a number in the template cannot be read: "
                                              f"{str(error).split(';')[0]}", line, stream.name,
                                              stream.filename) from None
                line = token.lineno
                counter.see(token)
                yield token

    return NestingLimit


class _Counter:
    """Depths seen so far in one token stream."""

    __slots__ = ("blocks", "brackets", "filename", "loops", "name", "operators", "pending_set",
                 "tag_start", "word")

    def __init__(self, name: str | None, filename: str | None) -> None:
        self.name, self.filename = name, filename
        self.blocks: list[str] = []
        self.loops = self.brackets = self.operators = 0
        self.tag_start = False
        self.pending_set = False
        self.word = ""

    def see(self, token: Token) -> None:
        kind = token.type
        if kind in ("block_begin", "variable_begin"):
            self.brackets = self.operators = 0
            self.tag_start = kind == "block_begin"
            self.pending_set = False
            return
        if kind == "block_end":
            if self.pending_set:  # `{% set x %}…{% endset %}`: a block
                self._open("set", token)
            self.pending_set = False
            return
        if self.tag_start and kind == "name":
            self.tag_start = False
            self._statement(token)
            return
        self.tag_start = False
        if kind == "assign":
            self.pending_set = False
        elif kind in _CLOSE:
            self.brackets -= 1
        elif kind in _OPERATORS or kind in _OPEN or (
                kind == "name" and token.value in _WORD_OPERATORS):
            self.operators += 1
            if self.operators > MAX_OPERATORS:
                self._fail(token, f"more than {MAX_OPERATORS} operators, calls or brackets "
                                  "in one tag")
            if kind in _OPEN:
                self.brackets += 1
                if self.brackets > MAX_BRACKET_DEPTH:
                    self._fail(token, f"brackets nested more than {MAX_BRACKET_DEPTH} deep")

    def _statement(self, token: Token) -> None:
        word = token.value
        if word in _BLOCKS:
            self._open(word, token)
        elif word == "set":
            self.pending_set = True
        elif word.startswith("end") and self.blocks and self.blocks.pop() == "for":
            self.loops -= 1

    def _open(self, word: str, token: Token) -> None:
        self.blocks.append(word)
        if len(self.blocks) > MAX_BLOCK_DEPTH:
            self._fail(token, f"block tags nested more than {MAX_BLOCK_DEPTH} deep")
        if word == "for":
            self.loops += 1
            if self.loops > MAX_LOOP_DEPTH:
                self._fail(token, f"`for` loops nested more than {MAX_LOOP_DEPTH} deep")

    def _fail(self, token: Token, what: str) -> None:
        from jinja2 import TemplateSyntaxError
        raise TemplateSyntaxError(f"template too deeply nested: {what}", token.lineno,
                                  self.name, self.filename)
