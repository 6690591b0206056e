"""Decides where a line break is a separator. Lark's contextual lexer emits `_NL` everywhere
(it is always accepted); this post-lexer keeps it only where BAML's grammar is line-based:
directly inside `{ … }` bodies, not after `{` or `,`, and one per run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lark import Token

OPEN = {"LBRACE": "{", "_LPAR": "(", "LSQB": "[", "_LESS": "<"}
CLOSE = {"RBRACE", "_RPAR", "RSQB", "_MORE"}


class NewlinePostLex:
    always_accept = ("_NL",)

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        stack: list[str] = []
        previous = "LBRACE"
        for token in stream:
            kind = token.type
            if kind == "_NL":
                if stack and stack[-1] == "{" and previous not in ("LBRACE", "_COMMA", "_NL"):
                    previous = kind
                    yield token
                continue
            opener = OPEN.get(kind)
            if opener is not None:
                stack.append(opener)
            elif kind in CLOSE and stack:
                stack.pop()
            previous = kind
            yield token
