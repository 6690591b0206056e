"""The formatter's tokenizer: the grammar's own terminals, comments and line breaks kept.

The terminal patterns are read from `grammar/vdsl.lark` (names and regexes, nothing else), so
the formatter splits text exactly where the parser does. Like the parser's contextual lexer
it needs a little context: where a value may stand (after an entry's key, in a map, a list or
attribute arguments) a word is an unquoted value, which may hold inner spaces and must be
kept whole; elsewhere a word is a name or a number. A frame stack tracks which is which.
Every token keeps its text byte for byte; whitespace is dropped (the layout writes its own)
and each line break is a `NEWLINE` token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..syntax import grammar_text

__all__ = ["Token", "TokenizeError", "tokenize"]

OPENERS = {"{": "}", "[": "]", "(": ")", "<": ">"}
CLOSERS = {v: k for k, v in OPENERS.items()}
WORDS = frozenset({"word", "string", "raw"})
"""Token kinds that are (part of) a value or a name."""


class TokenizeError(ValueError):
    """Text the grammar's terminals cannot split (the parser rejects it too)."""


@dataclass(slots=True)
class Token:
    """`kind`: word, string, raw, jinja, attr, blockattr, comment, doc, blockcomment,
    newline, or the punctuation itself (`{`, `->`, …). `role` says what an opener opens:
    class, values, map, decls (a block body), list, args, params or names (types)."""

    kind: str
    text: str
    role: str = ""


_TERMINAL = re.compile(r"^([A-Z_][A-Z0-9_]*)(?:\.-?\d+)?\s*:\s*(.+?)\s*$", re.MULTILINE)
_LITERAL = re.compile(r'"((?:\\.|[^"\\])*)"')


@lru_cache(maxsize=1)
def _terminals() -> dict[str, str]:
    """Terminal name → Python regex, from the grammar's `NAME: /re/` and `NAME: "lit"` lines."""
    found: dict[str, str] = {}
    for name, body in _TERMINAL.findall(grammar_text()):
        if body.startswith("/") and body.rfind("/") > 0:
            found[name] = body[1:body.rfind("/")]
        elif body.startswith('"'):
            found[name] = "|".join(re.escape(lit) for lit in _LITERAL.findall(body))
    return found


_PUNCT = r"->|[{}\[\]()<>,:|=?]"
_VALUE_PUNCT = r"[{}\[\](),:]"


def _master(words: tuple[str, ...], punct: str) -> re.Pattern[str]:
    t = _terminals()
    order = ["BLOCK_COMMENT", "DOC_COMMENT", "COMMENT", "RAW5", "RAW4", "RAW3", "RAW2", "RAW1",
             "RAW_UNTERMINATED", "JINJA", "STRING", "BLOCK_ATTR", "FIELD_ATTR"]
    parts = [r"(?P<newline>\n)"]
    parts += [f"(?P<{name}>{t[name]})" for name in order]
    parts.append(f"(?P<punct>{punct})")
    parts += [f"(?P<{name}>{t[name]})" for name in words]
    parts += [r"(?P<end>\Z)", r"(?P<other>.)"]
    return re.compile(r"[ \t\f\r]*(?:" + "|".join(parts) + ")", re.DOTALL)


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(names and types, values): the two lexer modes."""
    return (_master(("CLIENT", "NUMBER", "IDENT"), _PUNCT),
            _master(("UNQUOTED",), _VALUE_PUNCT))


_KIND = {"BLOCK_COMMENT": "blockcomment", "DOC_COMMENT": "doc", "COMMENT": "comment",
         "JINJA": "jinja", "STRING": "string", "BLOCK_ATTR": "blockattr",
         "FIELD_ATTR": "attr", "RAW_UNTERMINATED": "raw", "CLIENT": "word", "NUMBER": "word",
         "IDENT": "word", "UNQUOTED": "word", **{f"RAW{n}": "raw" for n in range(1, 6)}}
_TYPE_DECLS = frozenset({"class", "enum", "dynamic"})
_KEYWORDS = _TYPE_DECLS | {"function", "test", "generator", "retry_policy", "template_string",
                           "string_template", "type", "client"}


@dataclass
class _Frame:
    """An open bracket: `kind` is top, decls, class, values, map, list, args or names;
    `state` (values and map) is key, value or after."""

    kind: str
    state: str = "key"
    header: str = ""


def tokenize(text: str) -> list[Token]:
    """Split `text` into tokens (raises TokenizeError on a character no terminal matches)."""
    names, values = _patterns()
    stack = [_Frame("top")]
    out: list[Token] = []
    append = out.append
    pos, end = 0, len(text)
    previous: Token | None = None
    while pos < end:
        frame = stack[-1]
        value_mode = frame.kind in _VALUE_FRAMES or (
            frame.kind in _ENTRY_FRAMES and frame.state == "value")
        match = (values if value_mode else names).match(text, pos)
        assert match is not None  # `other` matches any character, `end` the end
        group = match.lastgroup or "other"
        pos = match.end()
        if group == "newline":
            previous = _NEWLINE
            append(previous)
            if frame.kind in _ENTRY_FRAMES:
                frame.state = "key"
            continue
        if group == "end":
            break
        piece = match.group(group)
        if group == "other":
            raise TokenizeError(f"unexpected character {piece!r} at offset {pos - 1}")
        kind = piece if group == "punct" else _KIND[group]
        token = Token(kind, piece)
        if kind not in _INERT or frame.kind in _ENTRY_FRAMES or frame.kind in _DECL_FRAMES:
            _advance(stack, token, previous)
        append(token)
        previous = token
    return out


_NEWLINE = Token("newline", "\n")
_VALUE_FRAMES = frozenset({"list", "args"})
_ENTRY_FRAMES = frozenset({"values", "map"})
_DECL_FRAMES = frozenset({"top", "decls"})
_INERT = frozenset({"word", "string", "raw", "jinja", "attr", "blockattr", "comment", "doc",
                    "blockcomment", "?", ",", ":", "|", "=", "->"})
"""Tokens that change no frame outside entry and declaration frames (the common case)."""


def _advance(stack: list[_Frame], token: Token, previous: Token | None) -> None:
    """Update the frames for `token` (and give an opener its role)."""
    frame = stack[-1]
    kind = token.kind
    if kind in ("comment", "doc", "blockcomment"):
        return
    if kind in OPENERS:
        token.role = _open_role(frame, token, previous)
        stack.append(_Frame(token.role))
        if frame.kind in ("values", "map") and frame.state == "value":
            frame.state = "after"
        return
    if kind in CLOSERS:
        if len(stack) > 1:
            stack.pop()
        return
    if frame.kind in ("top", "decls") and kind == "word" and _starts_statement(previous) and (
            token.text in _KEYWORDS or token.text.startswith("client<")):
        frame.header = token.text
    if frame.kind in ("values", "map"):
        _entry_state(frame, token)


def _starts_statement(previous: Token | None) -> bool:
    """Whether a keyword here begins a declaration (not a name that looks like one)."""
    return previous is None or previous.kind in ("newline", "}", "comment", "doc",
                                                 "blockcomment", "raw") \
        or previous.text == "dynamic"


def _entry_state(frame: _Frame, token: Token) -> None:
    if frame.state == "key" and token.kind in ("word", "string"):
        frame.state, frame.header = "value", token.text
    elif frame.state == "value" and token.kind == ":":
        return
    elif frame.state == "value" and (token.kind in WORDS or token.kind in ("attr",
                                                                             "blockattr")):
        frame.state = "after"
    elif token.kind == "," and frame.kind == "map":
        frame.state = "key"


def _open_role(frame: _Frame, token: Token, previous: Token | None) -> str:
    bracket = token.kind
    if bracket == "(":
        if previous is not None and previous.kind in ("attr", "blockattr"):
            return "args"
        if frame.kind in ("top", "decls") and previous is not None and previous.kind == "word":
            return "params"  # `function F(`, `class C(`, `template_string T(`
        return "names"
    if bracket == "<":
        return "names"
    if bracket == "[":
        value = frame.kind in ("list", "args") or (frame.kind in ("values", "map")
                                                   and frame.state == "value")
        return "list" if value else "names"
    if frame.kind in ("top", "decls"):
        return "class" if frame.header in _TYPE_DECLS else "values"
    if frame.kind == "values" and frame.state in ("key", "value") \
            and frame.header == "type_builder":
        return "decls"
    return "map"
